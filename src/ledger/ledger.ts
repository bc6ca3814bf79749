// The ledger: `<git common dir>/jlog/ledger.jsonl`, an append-only log of JSON lines where the last
// record of an id is its state. The only module that touches the ledger files.
//
// Durability: every append is one write of whole lines then fsync, under an exclusive lock; a torn
// last line is ignored by readers and cut off by the next writer. Readers take no lock.
// Speed: a Ledger remembers how far it has read (inode, offset, the file's first bytes), so the next
// read or claim parses only the lines appended since; a compaction elsewhere changes the first bytes
// (a random header), which forces a full re-read.
import { randomBytes } from 'node:crypto';
import { readdir, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { LedgerRecord } from '../core/types.js';
import { LedgerFolder } from './folder.js';
import { appendLines, completeLength, ensureDir, HEAD_BYTES, readFrom, writeAtomic } from './files.js';
import {
  EMPTY_FOLD,
  flatten,
  foldRecords,
  foldText,
  needsCompaction,
  parseLines,
  serialize,
  viewOf,
  type Fold,
  type LedgerView,
} from './fold.js';
import { acquire, resolveStaleMs } from './lock.js';
import type * as IndexModule from './ledger-index.js';
import type * as SnapshotModule from './snapshot.js';
import type { Stamp } from './snapshot.js';
import type * as SummaryModule from './summary.js';
import type { StatusLists } from './summary.js';

export type { LedgerView } from './fold.js';

const LEDGER_FILE = 'ledger.jsonl';

export function ledgerDirFor(commonDir: string): string {
  return join(commonDir, 'jlog');
}

/** What this process last read: enough to read only what was appended since. */
interface Snapshot {
  /** -1: there was no file. */
  ino: number;
  /** Bytes of complete lines folded so far. */
  offset: number;
  /** The file's first bytes (at most `offset`): a replaced file starts differently. */
  head: Buffer;
  fold: Fold;
  view: LedgerView;
}

const NO_FILE: Snapshot = {
  ino: -1,
  offset: 0,
  head: Buffer.alloc(0),
  fold: EMPTY_FOLD,
  view: viewOf(EMPTY_FOLD),
};

// Status's own code, loaded by status only (a hook opens the ledger on every commit).
const summaryCode = (): Promise<typeof SummaryModule> => import('./summary.js');
const snapshotCode = (): Promise<typeof SnapshotModule> => import('./snapshot.js');
// The ledger index's code, loaded only for a ledger big enough to have one.
const indexCode = (): Promise<typeof IndexModule> => import('./ledger-index.js');

/**
 * A ledger this big is read through its index (ledger-index.ts), and one this much appended past its
 * index is read whole and indexed again: about 750 records, a few ms to fold.
 */
const INDEX_MIN_BYTES = 256 * 1024;

/** The stamp of what a Snapshot covers. */
function stampOf(snap: Snapshot, genOf: (head: Buffer) => string | null): Stamp {
  return { ino: snap.ino, offset: snap.offset, head: snap.head.toString('base64'), gen: genOf(snap.head) };
}

/** The first bytes a stamp at `offset` remembers, as it writes them. */
function headOf(head: Buffer, offset: number): string {
  return head.subarray(0, Math.min(HEAD_BYTES, offset)).toString('base64');
}

function sameFile(snap: Snapshot, ino: number, head: Buffer): boolean {
  return (
    (snap.ino === ino || snap.offset === 0) &&
    head.length >= snap.head.length &&
    head.subarray(0, snap.head.length).equals(snap.head)
  );
}

/** An update waiting to join the next group commit. */
interface Waiting {
  fn: (view: LedgerView) => { records: LedgerRecord[]; result: unknown };
  /** An append: `fn` ignores the view. */
  blind?: boolean;
  resolve: (result: unknown) => void;
  reject: (err: unknown) => void;
}

export class Ledger {
  readonly dir: string;
  /** The folder's other files: caches, log files, the post lock. */
  readonly folder: LedgerFolder;
  readonly #file: string;
  readonly #staleMs: number;
  readonly #indexMin: number;
  #snap: Snapshot | undefined;
  /** Serializes this instance's own lock holders, so they queue instead of polling the lock dir. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Updates waiting for the lock, to be written together (group commit); null when none wait. */
  #waiting: Waiting[] | null = null;
  /** The dir was made (or found) private and real by this instance: a poster commits hundreds of times. */
  #dirReady = false;

  private constructor(dir: string, staleMs: number, indexMin: number) {
    this.dir = dir;
    this.folder = new LedgerFolder(dir, staleMs);
    this.#file = join(dir, LEDGER_FILE);
    this.#staleMs = staleMs;
    this.#indexMin = indexMin;
  }

  /**
   * No I/O: the dir is created (0700) on the first write; a missing ledger reads as empty.
   * `indexMinBytes` (tests) moves the size from which the ledger is read through its index.
   */
  static open(dir: string, opts: { lockStaleMs?: number; indexMinBytes?: number } = {}): Ledger {
    return new Ledger(resolve(dir), resolveStaleMs(opts.lockStaleMs), opts.indexMinBytes ?? INDEX_MIN_BYTES);
  }

  /** The current state. No lock: a torn last line is simply not part of it yet. */
  async read(): Promise<LedgerView> {
    return (await this.#load()).view;
  }

  /**
   * What `jlog status` lists (the `recent` most recent posted records), from the folder's snapshot
   * plus the lines appended since; a whole read when the snapshot is missing or does not describe
   * this ledger any more. Either way a fresh snapshot is left behind when lines were read. No lock.
   */
  async statusLists(recent: number): Promise<StatusLists> {
    const fromSnapshot = await this.#statusFromSnapshot(recent).catch(() => null);
    if (fromSnapshot !== null) return fromSnapshot;
    const [{ summarize, statusLists }, { genOf }] = await Promise.all([summaryCode(), snapshotCode()]);
    const snap = await this.#load();
    const summary = summarize(snap.view.all());
    if (snap.offset > 0) await this.folder.writeSnapshot(stampOf(snap, genOf), summary).catch(() => {});
    return statusLists(summary, recent)!; // a whole summary always has its top records
  }

  async #statusFromSnapshot(recent: number): Promise<StatusLists | null> {
    const [{ foldSummary, statusLists }, { genOf }] = await Promise.all([summaryCode(), snapshotCode()]);
    // A snapshot is never longer than the lines it summarizes plus its index: a bigger file is not ours.
    const ledgerSize = (await stat(this.#file).catch(() => null))?.size;
    if (ledgerSize === undefined) return null;
    const loaded = await this.folder.readSnapshot(2 * ledgerSize + 1024 * 1024);
    if (loaded === null) return null;
    try {
      const { stamp, summary } = loaded;
      // From the byte before the stamped offset: it must end a line, or the offset is not a boundary.
      const got = stamp.offset === 0 ? null : await readFrom(this.#file, stamp.offset - 1);
      if (got === null || got.size < stamp.offset || got.bytes[0] !== 0x0a) return null;
      // The same file (compaction renames a new one in), starting as it did, of the same compaction.
      if (got.ino !== stamp.ino || stamp.head !== headOf(got.head, stamp.offset)) return null;
      if (genOf(got.head) !== stamp.gen) return null;
      const tail = got.bytes.subarray(1);
      const n = completeLength(tail);
      const { records } = parseLines(tail.toString('utf8', 0, n));
      if (records.length > 0) {
        if (!(await loaded.loadIds())) return null;
        foldSummary(summary, records);
      }
      const lists = statusLists(summary, recent);
      if (lists !== null && records.length > 0) {
        const next: Stamp = {
          ino: got.ino,
          offset: stamp.offset + n,
          head: headOf(got.head, stamp.offset + n),
          gen: stamp.gen,
        };
        await this.folder.writeSnapshot(next, summary).catch(() => {});
      }
      return lists;
    } finally {
      await loaded.close();
    }
  }

  /** Appends records durably (one write, fsync) under the ledger lock. */
  async append(records: LedgerRecord[]): Promise<void> {
    if (records.length === 0) return;
    // Blind: an append needs no view, so a batch of appends never reads the ledger (a post-commit
    // hook on a 25,000-token ledger must not pay for reading it).
    await this.#join<undefined>({ fn: () => ({ records, result: undefined }), blind: true });
  }

  /** Read-modify-append under the lock: what `fn` saw is still the state when its records land. */
  //
  // Group commit (issue 13): a poster with 16 requests in flight records a worklog per answer, and one
  // lock + write + fsync each made the ledger the bottleneck (~10 ms per worklog under load). Updates
  // that arrive while this instance waits for the lock join one batch: each `fn` still sees the state
  // with every earlier update applied (as if run one by one under the lock), the batch is one write
  // and one fsync, and no caller resolves before its records are durable.
  //
  // `lingerMs`: the update may wait that long for others to join its batch before the lock is taken.
  // A posting run's outcomes use it (Jira holds the truth: a record written a few ms later loses
  // nothing), so a wave of 16 answers is one lock + write + fsync instead of one for every few. An
  // update without it that joins a lingering batch starts the batch at once.
  update<T>(
    fn: (view: LedgerView) => { records: LedgerRecord[]; result: T },
    opts: { lingerMs?: number } = {},
  ): Promise<T> {
    return this.#join<T>({ fn }, opts.lingerMs ?? 0);
  }

  /** Starts the batch that is lingering now at once; null when none lingers. */
  #hurry: (() => void) | null = null;

  /** A lingering batch starts now (a run that has nothing left to wait for); its callers still await it. */
  hurry(): void {
    this.#hurry?.();
  }

  #join<T>(what: Pick<Waiting, 'fn' | 'blind'>, lingerMs = 0): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const item: Waiting = { ...what, resolve: resolve as (result: unknown) => void, reject };
      if (this.#waiting !== null) {
        this.#waiting.push(item);
        if (lingerMs === 0) this.#hurry?.();
        return;
      }
      const batch = [item];
      this.#waiting = batch;
      const start = (): void => {
        this.#hurry = null;
        this.#locked(async () => {
          // The lock is ours: the batch closes here; later updates start the next one.
          if (this.#waiting === batch) this.#waiting = null;
          await this.#commit(batch);
        }).catch((err: unknown) => {
          for (const w of batch) w.reject(err);
        });
      };
      if (lingerMs <= 0) return start();
      const timer = setTimeout(start, lingerMs);
      this.#hurry = () => {
        clearTimeout(timer);
        start();
      };
    });
  }

  /** Under the lock: runs a batch of updates in order, then one write (one fsync) for all of them. */
  async #commit(batch: Waiting[]): Promise<void> {
    const blind = batch.every((w) => w.blind === true);
    const snap = blind ? undefined : await this.#load();
    let fold = snap?.fold ?? EMPTY_FOLD;
    let view = snap?.view ?? viewOf(EMPTY_FOLD); // blind items never look at it
    const all: LedgerRecord[] = [];
    const done: { w: Waiting; result: unknown }[] = [];
    for (const w of batch) {
      let out: { records: LedgerRecord[]; result: unknown };
      try {
        out = w.fn(view);
      } catch (err) {
        w.reject(err); // this update only; the others go on
        continue;
      }
      if (out.records.length > 0) {
        all.push(...out.records);
        if (!blind) {
          // The first step copies the snapshot's overlay; the later ones extend that copy, which only
          // this commit holds (each update's view is used while it runs, before the next step).
          fold = foldRecords(fold, out.records, 0, fold !== snap?.fold);
          view = viewOf(fold);
        }
      }
      done.push({ w, result: out.result });
    }
    // A failure rejects the whole batch (nothing resolved yet).
    if (all.length > 0) await this.#write(all, snap ? { from: snap.fold, to: fold } : undefined);
    await this.#compactIfDue();
    for (const { w, result } of done) w.resolve(result);
  }

  /** Rewrites the ledger as one record per id (atomically, under the lock). */
  async compact(): Promise<void> {
    await this.#locked(() => this.#compact());
  }

  async #locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => {
      if (!this.#dirReady) {
        await ensureDir(this.dir);
        this.#dirReady = true;
      }
      const held = await acquire(this.dir, 'ledger', {
        staleMs: this.#staleMs,
        wait: true,
        // Long enough to outlast a dead holder's lock going stale.
        timeoutMs: Math.max(10_000, 3 * this.#staleMs),
        maxDelayMs: 200,
      });
      try {
        return await fn();
      } finally {
        await held?.release();
      }
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  async #load(): Promise<Snapshot> {
    // A big ledger's first read starts from its index, when there is one that still describes it.
    if (this.#snap === undefined) this.#snap = (await this.#fromIndex().catch(() => null)) ?? undefined;
    const prev = this.#snap ?? NO_FILE;
    let got = await readFrom(this.#file, prev.offset);
    if (got === null) return (this.#snap = NO_FILE);
    let base = prev;
    if (!sameFile(prev, got.ino, got.head) || got.size < prev.offset) {
      got = await readFrom(this.#file, 0);
      if (got === null) return (this.#snap = NO_FILE);
      base = NO_FILE;
    }
    const n = completeLength(got.bytes);
    if (n === 0 && base === prev && prev.ino === got.ino) return (this.#snap = prev);
    const fold =
      n === 0
        ? base.fold
        : base === NO_FILE && n >= this.#indexMin
          ? await this.#foldAndIndex(got, n)
          : foldText(base.fold, got.bytes.toString('utf8', 0, n));
    const offset = base.offset + n;
    const head = Buffer.from(got.head.subarray(0, Math.min(HEAD_BYTES, offset)));
    return (this.#snap = { ino: got.ino, offset, head, fold, view: viewOf(fold) });
  }

  /** The snapshot an index gives (its base reads records when asked), or null: read the ledger whole. */
  async #fromIndex(): Promise<Snapshot | null> {
    const size = (await stat(this.#file).catch(() => null))?.size;
    if (size === undefined || size < this.#indexMin) return null;
    const { INDEX_FILE, openIndexed } = await indexCode();
    // An index is never much longer than the ledger it describes: a bigger file is not ours.
    const got = await openIndexed(this.#file, join(this.dir, INDEX_FILE), {
      maxBytes: 2 * size + 1024 * 1024,
      maxTail: this.#indexMin,
    });
    return got === null ? null : { ...got, view: viewOf(got.fold) };
  }

  /**
   * The whole fold of a big ledger read from its first byte, leaving an index of it behind for the
   * next reader (best effort: the index is a cache).
   */
  async #foldAndIndex(got: { ino: number; head: Buffer; bytes: Buffer }, n: number): Promise<Fold> {
    const { INDEX_FILE, encodeIndex, foldBytes, writeIndex } = await indexCode();
    const { fold, slots } = foldBytes(got.bytes, n);
    const data = encodeIndex({ ino: got.ino, offset: n, head: headOf(got.head, n) }, fold, slots);
    if (data !== null) await writeIndex(join(this.dir, INDEX_FILE), data).catch(() => {});
    return fold;
  }

  /** Under the lock. */
  async #write(records: LedgerRecord[], folded?: { from: Fold; to: Fold }): Promise<void> {
    const text = serialize(records);
    const data = Buffer.from(text);
    const { ino, start, head } = await appendLines(this.#file, data);
    const prev = this.#snap;
    // When nothing else was appended since our last read, fold our own lines instead of re-reading
    // (the commit folded them already when it started from this snapshot).
    if (prev !== undefined && prev.offset === start && sameFile(prev, ino, head)) {
      const fold = folded?.from === prev.fold ? folded.to : foldText(prev.fold, text);
      const offset = start + data.length;
      const newHead = Buffer.from(head.subarray(0, Math.min(HEAD_BYTES, offset)));
      this.#snap = { ino, offset, head: newHead, fold, view: viewOf(fold) };
    }
  }

  /** Under the lock. Best effort: the records are already durable, so a failure here is not an error. */
  async #compactIfDue(): Promise<void> {
    if (this.#snap === undefined || !needsCompaction(this.#snap.fold)) return;
    await this.#compact().catch(() => {});
  }

  /** Under the lock. */
  async #compact(): Promise<void> {
    const snap = await this.#load();
    if (snap === NO_FILE) return;
    await this.#removeStaleTemps();
    const header = JSON.stringify({ jlog: 'ledger', v: 1, gen: randomBytes(8).toString('hex') }) + '\n';
    const data = Buffer.from(header + serialize(snap.view.all()));
    const ino = await writeAtomic(this.#file, data);
    const fold = flatten(snap.fold);
    const head = Buffer.from(data.subarray(0, Math.min(HEAD_BYTES, data.length)));
    this.#snap = { ino, offset: data.length, head, fold, view: viewOf(fold) };
  }

  /**
   * Temp files of a compaction that was killed (only lock holders create them), and of a cache (the
   * index, the status snapshot) whose writer was killed: a writer that loses its temp file meanwhile
   * only fails to leave its cache behind.
   */
  async #removeStaleTemps(): Promise<void> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      if (
        (name.startsWith(`${LEDGER_FILE}.`) && name.endsWith('.tmp')) ||
        /^(ledger-index|status-snapshot)\.tmp-[0-9a-f]{16}$/.test(name)
      ) {
        await unlink(join(this.dir, name)).catch(() => {});
      }
    }
  }
}
