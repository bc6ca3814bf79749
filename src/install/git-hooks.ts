// Plain git: the shims themselves go into git's hooks dir, with the common block they source beside
// them. A hook that was already there is kept as `<hook>.pre-jlog` and run first by the shim (same
// args, a copy of stdin, its failure propagated). A shim an older jlog wrote is rewritten.
import { existsSync, lstatSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Action } from './actions.js';
import { readText, writeHookFile } from './files.js';
import { CHAINED_SUFFIX, COMMON_FILE, HOOK_NAMES, isShim, shimText } from './shims.js';

function exists(path: string): boolean {
  try {
    lstatSync(path); // a dangling symlink is still a hook someone put there
    return true;
  } catch {
    return false;
  }
}

export function installGitHooks(dir: string, force: boolean): Action[] {
  mkdirSync(dir, { recursive: true });
  const actions: Action[] = [installCommon(dir, force)];
  for (const hook of HOOK_NAMES) {
    const path = join(dir, hook);
    const chained = path + CHAINED_SUFFIX;
    const shim = shimText(hook);
    const current = exists(path) ? (readText(path) ?? '') : null;
    if (current === null) {
      writeHookFile(path, shim);
      actions.push({ path, change: 'created' });
    } else if (isShim(current)) {
      if (current === shim) {
        actions.push({ path, change: 'unchanged' });
      } else {
        writeHookFile(path, shim);
        actions.push({ path, change: 'updated' });
      }
    } else if (force) {
      writeHookFile(path, shim);
      actions.push({ path, change: 'replaced', note: 'the previous hook is gone' });
    } else if (exists(chained)) {
      // Moving this one would overwrite the one already kept there: leave both alone.
      actions.push({
        path,
        change: 'kept',
        note: `not jlog's and ${hook}${CHAINED_SUFFIX} exists; --force replaces it`,
      });
    } else {
      renameSync(path, chained);
      writeHookFile(path, shim);
      actions.push({
        path,
        change: 'chained',
        note: `the previous hook is now ${hook}${CHAINED_SUFFIX} and runs first`,
      });
    }
  }
  return actions;
}

/** The sourced common block: ours is refreshed; a stranger's file by that name is kept unless --force. */
function installCommon(dir: string, force: boolean): Action {
  const path = join(dir, COMMON_FILE);
  const text = shimText(COMMON_FILE);
  const current = exists(path) ? (readText(path) ?? '') : null;
  if (current === text) return { path, change: 'unchanged' };
  if (current !== null && !isShim(current) && !force) {
    return { path, change: 'kept', note: `not jlog's; the hooks need it: --force replaces it` };
  }
  writeHookFile(path, text);
  return { path, change: current === null ? 'created' : isShim(current) ? 'updated' : 'replaced' };
}

export function uninstallGitHooks(dir: string): Action[] {
  const actions: Action[] = [];
  if (!existsSync(dir)) return actions;
  for (const hook of HOOK_NAMES) {
    const path = join(dir, hook);
    const chained = path + CHAINED_SUFFIX;
    const current = exists(path) ? readText(path) : null;
    const ours = current !== null && isShim(current);
    if (current !== null && !ours) continue; // someone else's hook: not ours to touch
    if (exists(chained)) {
      renameSync(chained, path);
      actions.push({ path, change: 'restored', note: `from ${hook}${CHAINED_SUFFIX}` });
    } else if (ours) {
      rmSync(path, { force: true });
      actions.push({ path, change: 'removed' });
    }
  }
  const common = join(dir, COMMON_FILE);
  if (exists(common) && isShim(readText(common) ?? '')) {
    rmSync(common, { force: true });
    actions.push({ path: common, change: 'removed' });
  }
  return actions;
}
