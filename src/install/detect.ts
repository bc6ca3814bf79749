// Where the hooks go: husky's dir (also husky in a subfolder, `"prepare": "cd .. && husky app/.husky"`)
// or git's hooks dir. init and doctor ask the same question, so both look here.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { getConfig } from '../git/index.js';

export interface HuskyLayout {
  /** husky's dir, absolute: `.husky`, or `app/.husky` for husky in a subfolder. */
  dir: string;
  /** The package dir whose node_modules holds jlog (husky's dir's package), absolute. */
  pkg: string;
  /** git runs it: core.hooksPath is `<dir>/_` (husky 9) or `<dir>` (husky 4-8). */
  active: boolean;
}

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** husky 9's generated dir (`<husky dir>/_`, rewritten by every `husky` run): never a place for our files. */
export function isHuskyGenerated(dir: string): boolean {
  return basename(dir) === '_' && (existsSync(join(dir, 'h')) || existsSync(join(dir, 'husky.sh')));
}

function inside(top: string, path: string): boolean {
  const rel = relative(top, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

/**
 * husky's layout when the repository uses husky: from core.hooksPath when git runs husky, else the
 * nearest `.husky/` from `cwd` up to the top. null for a plain-git repository.
 */
export async function findHusky(top: string, cwd: string = top): Promise<HuskyLayout | null> {
  const hooksPath = await getConfig(top, 'core.hooksPath');
  if (hooksPath !== null && hooksPath.trim() !== '') {
    const abs = resolve(top, hooksPath.trim());
    if (isHuskyGenerated(abs) || (basename(abs) === '_' && basename(dirname(abs)) === '.husky')) {
      return layout(top, dirname(abs), true);
    }
    if (basename(abs) === '.husky' && isDir(abs)) return layout(top, abs, true);
  }
  let dir = inside(top, cwd) ? resolve(cwd) : top;
  for (;;) {
    if (isDir(join(dir, '.husky'))) return layout(top, join(dir, '.husky'), false);
    if (dir === top || dirname(dir) === dir) return null;
    dir = dirname(dir);
  }
}

function layout(top: string, dir: string, active: boolean): HuskyLayout {
  // The package.json nearest above husky's dir, up to the top: its node_modules is where jlog is.
  let pkg = dirname(dir);
  while (pkg !== top && inside(top, pkg) && !existsSync(join(pkg, 'package.json'))) pkg = dirname(pkg);
  if (!inside(top, pkg)) pkg = top;
  return { dir, pkg, active };
}
