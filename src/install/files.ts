// Small file helpers for hook files: a hook is replaced whole (temp file + rename), never seen half-written.
import { chmodSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';

export function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Writes `text` to `path` atomically; mode 0755 for a new file, the file's own mode otherwise. */
export function writeHookFile(path: string, text: string, keepMode = false): void {
  let mode = 0o755;
  if (keepMode) {
    try {
      mode = statSync(path).mode & 0o7777;
    } catch {
      // new file: executable
    }
  }
  const tmp = `${path}.jlog-tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode); // the umask may have taken the x bits: git ignores a hook it cannot run
  renameSync(tmp, path);
}
