// The hook queue: `<ledger dir>/queue`, SHAs that post-commit appended with sh alone when it could not
// find Node or jlog (a GUI client's PATH). The next hook that runs jlog takes them and records their
// tokens, so nothing is lost. The shim only appends; taking renames the file first, so a line the shim
// appends meanwhile lands in a new queue instead of being lost with the old one.
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errCode } from './files.js';
import { appendSync, ensurePrivateDirSync } from './nofollow.js';

const QUEUE = 'queue';
const TAKEN = 'queue.taken-';
const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

export interface TakenQueue {
  shas: string[];
  /** Deletes what was taken: call once the SHAs are recorded (until then a crash leaves them for later). */
  done(): Promise<void>;
}

/** Appends a SHA as the shim's sh does (a hook that failed before recording its commit); never through a symlink. */
export function appendQueue(dir: string, sha: string): void {
  if (!SHA.test(sha)) return;
  ensurePrivateDirSync(dir);
  appendSync(join(dir, QUEUE), `${sha}\n`);
}

/** Cheap enough for every hook: one stat when there is no queue. */
export function hasQueue(dir: string): boolean {
  return existsSync(join(dir, QUEUE));
}

/** The queued SHAs (and any a crashed taker left), oldest first, each once; null when there are none. */
export async function takeQueue(dir: string): Promise<TakenQueue | null> {
  // pid and clock make the name unique among takers.
  const mine = join(dir, `${TAKEN}${process.pid}-${Date.now()}`);
  try {
    await rename(join(dir, QUEUE), mine);
  } catch (err) {
    if (errCode(err) !== 'ENOENT') return null;
  }
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.startsWith(TAKEN));
  } catch {
    return null;
  }
  const files = names.map((n) => join(dir, n));
  const shas = new Set<string>();
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n')) if (SHA.test(line.trim())) shas.add(line.trim());
  }
  if (files.length === 0) return null;
  return {
    shas: [...shas],
    async done() {
      await Promise.all(files.map((f) => unlink(f).catch(() => {})));
    },
  };
}

/** How many SHAs wait in the queue (for doctor); 0 when there is none. */
export async function queuedCount(dir: string): Promise<number> {
  const text = await readFile(join(dir, QUEUE), 'utf8').catch(() => '');
  return new Set(text.split('\n').filter((l) => SHA.test(l.trim()))).size;
}
