// The `prepare` script that gives every teammate the hooks on `npm install` in a plain-git repo
// (husky repos have husky's own). Added to the nearest package.json, chained after an existing
// prepare script with `&&`; uninstall takes off exactly what was added.
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Action } from './actions.js';
import { isSymlink, readText, writeHookFile } from './files.js';

export const PREPARE = 'jlog init --quiet';
const CHAINED = ` && ${PREPARE}`;

interface PackageJson {
  scripts?: Record<string, unknown>;
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
}

/** The package.json nearest to `cwd`, up to the top; null when there is none. */
export function nearestPackageJson(top: string, cwd: string): string | null {
  let dir = relative(top, cwd).startsWith('..') ? top : cwd;
  for (;;) {
    const path = join(dir, 'package.json');
    if (existsSync(path)) return path;
    if (dir === top || dirname(dir) === dir) return null;
    dir = dirname(dir);
  }
}

function read(path: string): { text: string; pkg: PackageJson } | null {
  const text = readText(path);
  if (text === null) return null;
  try {
    const pkg = JSON.parse(text) as unknown;
    return pkg !== null && typeof pkg === 'object' && !Array.isArray(pkg)
      ? { text, pkg: pkg as PackageJson }
      : null;
  } catch {
    return null;
  }
}

/** Keeps the file's own indentation and final newline, so the diff is the one line. */
function write(path: string, text: string, pkg: PackageJson): void {
  const indent = /^[ \t]+(?=")/m.exec(text)?.[0] ?? '  ';
  writeHookFile(path, JSON.stringify(pkg, null, indent) + (text.endsWith('\n') ? '\n' : ''), true);
}

/**
 * Adds `"prepare": "jlog init --quiet"`. Only when this package installs jlog (a dependency, or in its
 * node_modules): otherwise a teammate's `npm install` would fail on a missing command. Returns the
 * action, or a reason it did nothing.
 */
export function addPrepare(path: string): Action | { skipped: string } {
  // Its target's text would be copied into the repository's package.json (docs/configuration.md: no write
  // through a symlink).
  if (isSymlink(path)) return { skipped: `${path} is a symlink, so no prepare script was added` };
  const file = read(path);
  if (file === null) return { skipped: `${path} is not a JSON object, so no prepare script was added` };
  const { pkg, text } = file;
  const installs =
    pkg.devDependencies?.jlog !== undefined ||
    pkg.dependencies?.jlog !== undefined ||
    existsSync(join(dirname(path), 'node_modules', 'jlog'));
  if (!installs) {
    return { skipped: `jlog is not a dependency in ${path}: add it (npm i -D jlog) and run jlog init again` };
  }
  const scripts = pkg.scripts ?? {};
  const current = scripts.prepare;
  if (typeof current === 'string' && current.includes('jlog init')) return { path, change: 'unchanged' };
  if (current !== undefined && typeof current !== 'string') {
    return { skipped: `scripts.prepare in ${path} is not a string, so no prepare script was added` };
  }
  const next = current === undefined || current.trim() === '' ? PREPARE : `${current}${CHAINED}`;
  write(path, text, { ...pkg, scripts: { ...scripts, prepare: next } });
  return { path, change: 'updated', note: `scripts.prepare: ${next}` };
}

/** Takes off what addPrepare added, nothing else. */
export function removePrepare(path: string): Action | null {
  if (isSymlink(path)) return null; // init never wrote through one
  const file = read(path);
  const prepare = file?.pkg.scripts?.prepare;
  if (file === null || typeof prepare !== 'string') return null;
  const scripts = { ...file.pkg.scripts };
  if (prepare === PREPARE) delete scripts.prepare;
  else if (prepare.endsWith(CHAINED)) scripts.prepare = prepare.slice(0, -CHAINED.length);
  else return null;
  const { scripts: _old, ...rest } = file.pkg;
  write(path, file.text, Object.keys(scripts).length === 0 ? rest : { ...file.pkg, scripts });
  return { path, change: 'updated', note: `removed ${PREPARE} from scripts.prepare` };
}
