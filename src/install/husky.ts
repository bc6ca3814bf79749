// husky (v9): one marked line per hook in `<husky dir>/<hook>` that runs the shim shipped in the
// package. husky runs these files with `sh -e` from the repository's top, so the line is a loop of
// `if`s whose status is 0 when jlog is not installed, and only the shim's own exit status (strict,
// failPushOnError) can fail git. husky may live in a subfolder (`"prepare": "cd .. && husky
// app/.husky"`): the line then names that package's node_modules. A new `git worktree` has no
// node_modules, so the line also looks in the main worktree's (git exports GIT_DIR there).
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { JlogError } from '../errors.js';
import type { Action } from './actions.js';
import { isSymlink, readText, writeHookFile } from './files.js';
import { HOOK_NAMES, HOOK_VERSION, type HookName } from './shims.js';

/** Ends every line jlog adds (older jlogs ended it with ` # jlog` alone): uninstall removes exactly these. */
export const HUSKY_LINE_MARK = ' # jlog';
const LINE_VERSION = / # jlog hooks v(\d+)$/;
/** First line of a husky file that init created, so uninstall knows it may delete it. */
export const HUSKY_CREATED_MARK =
  '# created by jlog init; jlog uninstall deletes this file when nothing else is in it';

const SYMLINK_NOTE =
  'a symlink: jlog does not write through it; make it a regular file and run jlog init again';

/**
 * The line for `hook`; `pkg` is the package dir (where node_modules is) relative to the top, '' at the
 * top. Only plain path characters, since the path is written into a shell line.
 */
export function huskyLine(hook: HookName, pkg = ''): string {
  if (!/^[A-Za-z0-9._/@+-]*$/.test(pkg) || pkg.split('/').includes('..')) {
    throw new JlogError(
      'E_USAGE',
      `husky's package dir '${pkg}' has characters jlog will not write into a hook`,
      {
        hint: 'rename the folder, or install plain git hooks: jlog init --git',
      },
    );
  }
  const nm = `${pkg === '' ? '' : `${pkg.replace(/\/+$/, '')}/`}node_modules/jlog`;
  const shim = `"$jlog_pkg/hooks/${hook}"`;
  return (
    `for jlog_pkg in "${nm}" "\${GIT_DIR%/worktrees/*}/../${nm}"; do ` +
    `if [ -f ${shim} ]; then sh ${shim} "$@"; break; fi; done${HUSKY_LINE_MARK} hooks v${HOOK_VERSION}`
  );
}

function isOurLine(line: string): boolean {
  return (line.endsWith(HUSKY_LINE_MARK) || LINE_VERSION.test(line)) && line.includes('node_modules/jlog');
}

/** The hook version of our line in a husky hook file, or null when the file has none. */
export function huskyLineVersion(text: string): number | null {
  const line = text.split('\n').find(isOurLine);
  if (line === undefined) return null;
  const m = LINE_VERSION.exec(line);
  return m ? Number(m[1]) : 1;
}

export function installHusky(huskyDir: string, pkg = ''): Action[] {
  mkdirSync(huskyDir, { recursive: true });
  const actions: Action[] = [];
  for (const hook of HOOK_NAMES) {
    const path = join(huskyDir, hook);
    const line = huskyLine(hook, pkg);
    if (isSymlink(path)) {
      // Its target's text would be copied into a tracked file: leave it to the user (docs/configuration.md).
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
      // An older jlog's line (or one for another package dir): replace it in place, never add a second.
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
