// husky (v9): one marked line per hook in `.husky/<hook>` that runs the shim shipped in the package.
// husky runs these files with `sh -e`, so the line is an `if` whose status is 0 when jlog is not
// installed, and only the shim's own exit status (strict, failPushOnError) can fail git.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Action } from './actions.js';
import { isSymlink, readText, writeHookFile } from './files.js';
import { HOOK_NAMES, type HookName } from './shims.js';

/** Ends every line jlog adds: uninstall removes exactly the lines ending so. */
export const HUSKY_LINE_MARK = ' # jlog';
/** First line of a husky file that init created, so uninstall knows it may delete it. */
export const HUSKY_CREATED_MARK =
  '# created by jlog init; jlog uninstall deletes this file when nothing else is in it';

const SYMLINK_NOTE =
  'a symlink: jlog does not write through it; make it a regular file and run jlog init again';

export function huskyLine(hook: HookName): string {
  const shim = `node_modules/jlog/hooks/${hook}`;
  return `if [ -f ${shim} ]; then sh ${shim} "$@"; fi${HUSKY_LINE_MARK}`;
}

function isOurLine(line: string): boolean {
  return line.endsWith(HUSKY_LINE_MARK) && line.includes('node_modules/jlog/hooks/');
}

export function installHusky(huskyDir: string): Action[] {
  mkdirSync(huskyDir, { recursive: true });
  const actions: Action[] = [];
  for (const hook of HOOK_NAMES) {
    const path = join(huskyDir, hook);
    const line = huskyLine(hook);
    if (isSymlink(path)) {
      // Its target's text would be copied into a tracked file: leave it to the user (SPEC §7).
      actions.push({ path, change: 'kept', note: SYMLINK_NOTE });
      continue;
    }
    const current = readText(path);
    if (current === null) {
      writeHookFile(path, `${HUSKY_CREATED_MARK}\n${line}\n`);
      actions.push({ path, change: 'created' });
      continue;
    }
    const lines = current.split('\n');
    if (lines.includes(line)) {
      actions.push({ path, change: 'unchanged' });
    } else if (lines.some(isOurLine)) {
      // An older jlog's line: replace it in place, never add a second one.
      writeHookFile(path, lines.map((l) => (isOurLine(l) ? line : l)).join('\n'), true);
      actions.push({ path, change: 'updated' });
    } else {
      const sep = current === '' || current.endsWith('\n') ? '' : '\n';
      writeHookFile(path, `${current}${sep}${line}\n`, true);
      actions.push({ path, change: 'appended' });
    }
  }
  return actions;
}

/** What is left of a file once our lines are gone counts as empty when it is only a header. */
function isOnlyHeader(line: string): boolean {
  const t = line.trim();
  return t === '' || t.startsWith('#!') || t === HUSKY_CREATED_MARK || /husky\.sh"?$/.test(t);
}

export function uninstallHusky(huskyDir: string): Action[] {
  const actions: Action[] = [];
  if (!existsSync(huskyDir)) return actions;
  for (const hook of HOOK_NAMES) {
    const path = join(huskyDir, hook);
    if (isSymlink(path)) continue; // never ours: init does not write through one
    const current = readText(path);
    if (current === null) continue;
    const lines = current.split('\n');
    if (!lines.some(isOurLine)) continue;
    const rest = lines.filter((l) => !isOurLine(l));
    if (lines[0] === HUSKY_CREATED_MARK && rest.every(isOnlyHeader)) {
      rmSync(path, { force: true });
      actions.push({ path, change: 'removed' });
    } else {
      writeHookFile(path, rest.join('\n'), true);
      actions.push({ path, change: 'updated', note: 'removed the jlog line' });
    }
  }
  return actions;
}
