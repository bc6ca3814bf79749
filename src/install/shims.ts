// The hook shims shipped in the package's hooks/ dir: where they are, and how to tell one of ours.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JlogError } from '../errors.js';

export const HOOK_NAMES = ['commit-msg', 'post-commit', 'post-rewrite', 'pre-push'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

/** Every shim carries this line; a hook file with it was written by `jlog init`. */
export const SHIM_MARKER = 'jlog-managed-hook';

/** Where a hook that was there before `jlog init` is kept; the shim runs it first. */
export const CHAINED_SUFFIX = '.pre-jlog';

/**
 * The package's hooks/ dir. The code runs from dist/jlog.js, a chunk in dist/chunks/, or src/install/
 * under tests, so look a few levels up rather than assume one layout.
 */
export function shimDir(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'hooks');
    if (existsSync(join(candidate, 'commit-msg')) && existsSync(join(dir, 'package.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new JlogError('E_INTERNAL', "jlog's hooks/ directory is missing from its package", {
    hint: 'reinstall jlog (npm i -D jlog)',
  });
}

export function shimText(hook: HookName): string {
  return readFileSync(join(shimDir(), hook), 'utf8');
}

export function isShim(text: string): boolean {
  return text.includes(SHIM_MARKER);
}
