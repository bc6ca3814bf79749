// Small file helpers for hook files: a hook is replaced whole (temp file + rename), never seen
// half-written, and never written through a symlink (docs/configuration.md): `.husky/` and a committed hooks
// dir are the repository's, and a clone may plant symlinks there (to a file outside it, or at the
// temporary name jlog would use).
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  lstatSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { JlogError } from '../errors.js';

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW;

/** The file's text, or null when there is none. A symlink is read as what it points at. */
export function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Whether `path` is a symlink (dangling or not). */
export function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Writes `text` to `path` atomically: a new temp file beside it (O_EXCL, O_NOFOLLOW, a random name),
 * then a rename, which replaces a symlink at `path` itself and never the file it points at. Mode 0755
 * for a new file, the file's own mode otherwise (`keepMode`, read without following a symlink).
 */
export function writeHookFile(path: string, text: string, keepMode = false): void {
  let mode = 0o755;
  if (keepMode) {
    try {
      const st = lstatSync(path);
      if (st.isFile()) mode = st.mode & 0o7777;
    } catch {
      // new file: executable
    }
  }
  const tmp = `${path}.jlog-tmp-${randomBytes(8).toString('hex')}`;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, CREATE_NEW, mode);
    writeSync(fd, text);
    fchmodSync(fd, mode); // the umask may have taken the x bits: git ignores a hook it cannot run
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Refuses a directory jlog would write hooks into when it leads out of the repository through a
 * symlink (`.husky -> ~/somewhere`): only checked for dirs inside the work tree, which a clone
 * controls; a hooks dir the user configured outside it (a global core.hooksPath) is the user's.
 */
export function checkDirInRepo(dir: string, top: string, shown: string): void {
  const lexical = relative(top, dir);
  if (lexical.startsWith('..') || isAbsolute(lexical)) return;
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    return; // not there yet: mkdir creates a real directory
  }
  const rel = relative(realpathSync(top), real);
  if (isSymlink(dir) || rel.startsWith('..') || isAbsolute(rel)) {
    throw new JlogError('E_USAGE', `${shown} is a symlink; jlog does not write hooks through it`, {
      hint: `replace ${shown} with a real directory in the repository, then run jlog init again`,
    });
  }
}
