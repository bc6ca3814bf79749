// Writes in the ledger dir never follow a symlink (docs/configuration.md): a symlink planted at a ledger,
// cache or log path (a repository unpacked with its .git, a shared machine) must not turn jlog's write into a
// write to the file it points at. Files are opened with O_NOFOLLOW, temporary files are created with
// O_EXCL under random names, and the dir itself must be a real directory.
import { constants, closeSync, lstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { lstat, mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { JlogError } from '../errors.js';

// Windows has no O_NOFOLLOW (and no unprivileged symlinks): 0 there.
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const { O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_APPEND } = constants;

/** `a` without following a symlink. */
export const APPEND = O_WRONLY | O_CREAT | O_APPEND | NOFOLLOW;
/** `a+` without following a symlink. */
export const APPEND_READ = O_RDWR | O_CREAT | O_APPEND | NOFOLLOW;
/** A new file only: fails on anything already there, a symlink included. */
const CREATE_NEW = O_WRONLY | O_CREAT | O_EXCL | NOFOLLOW;

function symlinkedDir(dir: string): JlogError {
  return new JlogError(
    'E_LEDGER_IO',
    `${dir} is not a directory (a symlink?); jlog does not write through it`,
    {
      hint: `remove ${dir} (jlog creates it again), or move it aside`,
    },
  );
}

/** The dir, created 0700 when missing; refused when it is a symlink or not a directory. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!(await lstat(dir)).isDirectory()) throw symlinkedDir(dir);
}

export function ensurePrivateDirSync(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!lstatSync(dir).isDirectory()) throw symlinkedDir(dir);
}

/** A file descriptor to append to `path` (created 0600); a symlink there fails with ELOOP. */
export function openAppendSync(path: string): number {
  return openSync(path, APPEND, 0o600);
}

/** Appends `text` to a log file in the ledger dir, never through a symlink. */
export function appendSync(path: string, text: string): void {
  const fd = openAppendSync(path);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces `path` with `data`: a new temp file (O_EXCL, random name, `mode`), fsync (unless `sync`
 * is false), rename over the old one. The rename replaces a symlink at `path` itself, never the file it points at.
 */
export async function replaceFile(
  path: string,
  data: string | Buffer,
  mode = 0o600,
  opts: { sync?: boolean } = {},
): Promise<void> {
  const tmp = `${path}.tmp-${randomBytes(8).toString('hex')}`;
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, CREATE_NEW, mode);
    await fh.writeFile(data);
    // A cache that is checked on every read may skip it (`sync: false`): losing it costs a full read.
    if (opts.sync !== false) await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, path);
  } catch (err) {
    await fh?.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw err;
  }
}
