// The hook shims shipped in the package's hooks/ dir: where they are, how to tell one of ours, and
// which jlog wrote it (the hook version stamp: `doctor` flags older ones, `init` rewrites them).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JlogError } from '../errors.js';
import type { HookName } from './hook-names.js';

export { HOOK_NAMES, type HookName } from './hook-names.js';

/** Every shim carries this line; a hook file with it was written by `jlog init`. */
export const SHIM_MARKER = 'jlog-managed-hook';

/** Where a hook that was there before `jlog init` is kept; the shim runs it first. */
export const CHAINED_SUFFIX = '.pre-jlog';

/** The script every shim sources, installed beside them. */
export const COMMON_FILE = 'jlog-common.sh';

/**
 * The version of the hooks this jlog installs. Raise it whenever a shim, the common block or the husky
 * line changes in a way older copies lack: `doctor` then flags installed hooks as stale and `init`
 * rewrites them. Hooks from before the stamp existed count as version 1.
 */
export const HOOK_VERSION = 3;

const STAMP = /^# jlog-hook-version: (\d+)$/m;

/** The version stamped in a shim or common-block file (1 when it has none). */
export function shimVersion(text: string): number {
  const m = STAMP.exec(text);
  return m ? Number(m[1]) : 1;
}

/**
 * The package's hooks/ dir. The code runs from dist/jlog.js, a chunk in dist/chunks/, or src/install/
 * under tests, so look a few levels up rather than assume one layout.
 */
export function shimDir(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'hooks');
    if (existsSync(join(candidate, COMMON_FILE)) && existsSync(join(dir, 'package.json'))) return candidate;
    dir = dirname(dir);
  }
  throw new JlogError('E_INTERNAL', "jlog's hooks/ directory is missing from its package", {
    hint: 'reinstall jlog (npm i -D jlog)',
  });
}

export function shimText(hook: HookName | typeof COMMON_FILE): string {
  return readFileSync(join(shimDir(), hook), 'utf8');
}

export function isShim(text: string): boolean {
  return text.includes(SHIM_MARKER);
}
