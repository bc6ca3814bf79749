// The durable file operations under the ledger: whole-line appends with fsync, torn-tail repair, atomic
// replacement (temp + fsync + rename + directory fsync), and reads from a byte offset.
import { open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { JlogError } from '../errors.js';
import { APPEND_READ, ensurePrivateDir, replaceFile } from './nofollow.js';

const NL = 0x0a;
const CHUNK = 64 * 1024;
/** Bytes of the file's start a reader remembers to notice that the file was replaced. */
export const HEAD_BYTES = 64;

export function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

export function ioError(what: string, path: string, cause: unknown): JlogError {
  return new JlogError('E_LEDGER_IO', `cannot ${what} ${path} (${errCode(cause) ?? String(cause)})`, {
    cause,
    hint: `check that ${dirname(path)} is writable and the disk is not full`,
  });
}

/** The ledger dir is private to the user: 0700. */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await ensurePrivateDir(dir);
  } catch (err) {
    if (err instanceof JlogError) throw err;
    throw ioError('create', dir, err);
  }
}

/** So a new or renamed entry survives a power cut. Some platforms cannot fsync a directory: fine. */
async function fsyncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // best effort (EISDIR/EINVAL/EPERM on some systems)
  } finally {
    await fh?.close();
  }
}

async function writeAll(fh: FileHandle, data: Buffer): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await fh.write(data, done, data.length - done);
    done += bytesWritten;
  }
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/** Offset just past the last newline of the file (0 when there is none). */
async function lastLineEnd(fh: FileHandle, size: number): Promise<number> {
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const chunk = await readAt(fh, start, end - start);
    const i = chunk.lastIndexOf(NL);
    if (i !== -1) return start + i + 1;
    end = start;
  }
  return 0;
}

export interface Appended {
  ino: number;
  /** Offset the data was written at (after any torn tail was cut off). */
  start: number;
  /** The file's first HEAD_BYTES after the write. */
  head: Buffer;
}

/**
 * Appends whole lines with one write, then fsync. A torn last line left by a writer that died is cut
 * off first, so the new lines never glue onto it. Call under the ledger lock.
 */
export async function appendLines(path: string, data: Buffer): Promise<Appended> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, APPEND_READ, 0o600); // never through a symlink
    const { size, ino } = await fh.stat();
    const start = size === 0 ? 0 : await lastLineEnd(fh, size);
    if (start < size) await fh.truncate(start);
    await writeAll(fh, data); // O_APPEND: at the (new) end
    await fh.sync();
    const head = await readAt(fh, 0, Math.min(HEAD_BYTES, start + data.length));
    await fh.close();
    fh = undefined;
    if (size === 0) await fsyncDir(dirname(path));
    return { ino, start, head };
  } catch (err) {
    await fh?.close().catch(() => {});
    throw ioError('append to', path, err);
  }
}

/** Replaces `path` with `data` so that a reader or a crash sees the old file or the new one, whole. */
export async function writeAtomic(path: string, data: string | Buffer, mode = 0o600): Promise<number> {
  try {
    // A random O_EXCL temp file, fsync, rename (never through a symlink); then the directory entry.
    await replaceFile(path, data, mode);
    await fsyncDir(dirname(path));
    return (await stat(path)).ino;
  } catch (err) {
    throw ioError('write', path, err);
  }
}

export interface ReadFrom {
  ino: number;
  size: number;
  /** The first HEAD_BYTES of the file (fewer when it is shorter). */
  head: Buffer;
  /** Bytes [from, size). */
  bytes: Buffer;
}

/** Reads a file from `from` to its end; null when it does not exist. */
export async function readFrom(path: string, from: number): Promise<ReadFrom | null> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if (errCode(err) === 'ENOENT') return null;
    throw ioError('read', path, err);
  }
  try {
    const { ino, size } = await fh.stat();
    const head = await readAt(fh, 0, Math.min(HEAD_BYTES, size));
    const start = from <= size ? from : size;
    const bytes = await readAt(fh, start, size - start);
    return { ino, size: start + bytes.length, head, bytes };
  } catch (err) {
    throw ioError('read', path, err);
  } finally {
    await fh.close();
  }
}

/** Offset just past the last newline in `buf` (0 when there is none): the complete lines. */
export function completeLength(buf: Buffer): number {
  return buf.lastIndexOf(NL) + 1;
}
