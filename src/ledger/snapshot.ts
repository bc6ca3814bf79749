// The status snapshot beside the ledger (`status-snapshot`): a summary.ts fold stamped with the ledger
// it covers. It is a cache, never needed for correctness: status uses it only when the stamp still
// describes the ledger (same inode, same first bytes and compaction `gen`, a line ending right at the
// stamped offset) and everything in it checks out; anything else (missing, torn, stale, another gen,
// hand-made) is ignored and status reads the whole ledger, then writes a fresh one.
//
// Format: one JSON line (the stamp, the counts, the listed records), then the id index, one line per id
// in first-seen order: a state letter and the id. The index is read only when lines were appended
// after the stamp, so a status with nothing new reads the first line and stops.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { LedgerRecord, LedgerState } from '../core/types.js';
import { LEDGER_STATES, parseLine } from './fold.js';
import { replaceFile } from './nofollow.js';
import {
  RECENT_KEPT,
  byRecency,
  isShown,
  zeroCounts,
  type Entry,
  type IdState,
  type Summary,
} from './summary.js';

export const SNAPSHOT_FILE = 'status-snapshot';

/** Which ledger bytes a snapshot covers. */
export interface Stamp {
  ino: number;
  /** Bytes of whole lines covered. */
  offset: number;
  /** The ledger's first bytes (at most 64), base64: a replaced ledger starts differently. */
  head: string;
  /** A compacted ledger's `gen` (its header line), or null for a ledger never compacted. */
  gen: string | null;
}

export interface LoadedSnapshot {
  stamp: Stamp;
  /** `ids` is null until `loadIds` reads the index. */
  summary: Summary;
  /** Reads and checks the id index into `summary.ids`; false when it does not check out. */
  loadIds(): Promise<boolean>;
  /** Lets go of the file (the index is read from the very file the first line came from). */
  close(): Promise<void>;
}

const MAGIC = 'status-snapshot';
const LETTER: Record<LedgerState, string> = {
  pending: 'p',
  posted: 'P',
  failed: 'f',
  skipped: 's',
  undone: 'u',
};
const STATE_OF = new Map(LEDGER_STATES.map((s) => [LETTER[s], s]));
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const CHUNK = 64 * 1024;

/** The `gen` of a compacted ledger, from its first bytes. */
export function genOf(head: Buffer): string | null {
  const nl = head.indexOf(0x0a);
  const first = head.toString('utf8', 0, nl === -1 ? head.length : nl);
  return /^\{"jlog":"ledger".*"gen":"([0-9a-f]{1,64})"/.exec(first)?.[1] ?? null;
}

/** The snapshot's text, or null when the summary cannot be written as one (an id with a newline). */
export function encodeSnapshot(stamp: Stamp, s: Summary): string | null {
  if (s.ids === null) return null;
  let index = '';
  for (const [id, { state }] of s.ids) {
    if (id === '' || id.includes('\n')) return null;
    index += `${LETTER[state]}${id}\n`;
  }
  const pair = (e: Entry): [number, LedgerRecord] => [e.ord, e.record];
  const first = {
    jlog: MAGIC,
    v: 1,
    ledger: stamp,
    size: s.size,
    counts: s.counts,
    shown: [...s.shown.values()].map(pair),
    recent: s.recent.map(pair),
    index: Buffer.byteLength(index),
  };
  return `${JSON.stringify(first)}\n${index}`;
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * The first line checked: the shape, counts that add up, listed records that are records and belong
 * where they are. Null when anything is off.
 */
export function decodeFirstLine(line: string): { stamp: Stamp; summary: Summary; indexBytes: number } | null {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || v.jlog !== MAGIC || v.v !== 1) return null;
  const stamp = v.ledger as Partial<Stamp> | null;
  if (
    typeof stamp !== 'object' ||
    stamp === null ||
    !isCount(stamp.ino) ||
    !isCount(stamp.offset) ||
    typeof stamp.head !== 'string' ||
    !(stamp.gen === null || typeof stamp.gen === 'string')
  )
    return null;
  const { size, index } = v;
  if (!isCount(size) || !isCount(index)) return null;
  const counts = zeroCounts();
  const raw = v.counts as Record<string, unknown> | null;
  if (typeof raw !== 'object' || raw === null) return null;
  let total = 0;
  for (const s of LEDGER_STATES) {
    const n = raw[s];
    if (!isCount(n)) return null;
    counts[s] = n;
    total += n;
  }
  if (total !== size) return null;
  const entries = (list: unknown): Entry[] | null => {
    if (!Array.isArray(list)) return null;
    const out: Entry[] = [];
    for (const item of list) {
      if (!Array.isArray(item) || item.length !== 2 || !isCount(item[0]) || item[0] >= size) return null;
      const record = parseLine(JSON.stringify(item[1]));
      if (record === null || record === 'header') return null;
      out.push({ ord: item[0], record });
    }
    return out;
  };
  const shownList = entries(v.shown);
  const recent = entries(v.recent);
  if (shownList === null || recent === null || recent.length > RECENT_KEPT) return null;
  if (!shownList.every((e) => isShown(e.record)) || !recent.every((e) => e.record.state === 'posted'))
    return null;
  for (let i = 1; i < recent.length; i++) if (byRecency(recent[i - 1]!, recent[i]!) >= 0) return null;
  const shown = new Map(shownList.map((e) => [e.record.id, e]));
  if (shown.size !== shownList.length) return null;
  const summary: Summary = { size, counts, shown, recent, ids: null };
  return {
    stamp: { ino: stamp.ino, offset: stamp.offset, head: stamp.head, gen: stamp.gen ?? null },
    summary,
    indexBytes: index,
  };
}

/**
 * The id index checked against the first line: one line per id, no id twice, and every listed
 * record at its own position with its own state. Null when anything is off.
 */
export function decodeIndex(text: string, s: Summary): Map<string, IdState> | null {
  const ids = new Map<string, IdState>();
  let start = 0;
  let ord = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    if (end === -1) return null;
    const state = STATE_OF.get(text[start]!);
    const id = text.slice(start + 1, end);
    if (state === undefined || id === '' || ids.has(id)) return null;
    ids.set(id, { ord: ord++, state });
    start = end + 1;
  }
  if (ids.size !== s.size) return null;
  const counts = zeroCounts();
  for (const { state } of ids.values()) counts[state]++;
  if (LEDGER_STATES.some((st) => counts[st] !== s.counts[st])) return null;
  for (const e of [...s.shown.values(), ...s.recent]) {
    const at = ids.get(e.record.id);
    if (at === undefined || at.ord !== e.ord || at.state !== e.record.state) return null;
  }
  return ids;
}

/** Reads a snapshot's first line; null when there is none or it does not check out. */
export async function readSnapshot(path: string, maxBytes: number): Promise<LoadedSnapshot | null> {
  let fh: FileHandle;
  try {
    // Never through a symlink: a planted one could point anywhere (a fifo, a device).
    fh = await open(path, constants.O_RDONLY | NOFOLLOW);
  } catch {
    return null;
  }
  let keep = false;
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.size > maxBytes) return null;
    let buf = Buffer.alloc(0);
    let nl = -1;
    while (nl === -1 && buf.length < st.size) {
      const chunk = Buffer.alloc(Math.min(CHUNK, st.size - buf.length));
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, buf.length);
      if (bytesRead === 0) break;
      const from = buf.length;
      buf = Buffer.concat([buf, chunk.subarray(0, bytesRead)]);
      nl = buf.indexOf(0x0a, from);
    }
    if (nl === -1) return null;
    const first = decodeFirstLine(buf.toString('utf8', 0, nl));
    if (first === null || st.size !== nl + 1 + first.indexBytes) return null;
    const { stamp, summary, indexBytes } = first;
    keep = true;
    return {
      stamp,
      summary,
      async loadIds() {
        try {
          const index = Buffer.alloc(indexBytes);
          let done = 0;
          while (done < indexBytes) {
            const { bytesRead } = await fh.read(index, done, indexBytes - done, nl + 1 + done);
            if (bytesRead === 0) return false;
            done += bytesRead;
          }
          summary.ids = decodeIndex(index.toString('utf8'), summary);
          return summary.ids !== null;
        } catch {
          return false;
        }
      },
      close: () => fh.close().catch(() => {}),
    };
  } catch {
    return null;
  } finally {
    if (!keep) await fh.close().catch(() => {});
  }
}

/**
 * Replaces the snapshot (a temp file renamed over it, never through a symlink). No fsync: a snapshot
 * lost or torn by a crash is ignored like any stale one, and status should not wait for a disk.
 */
export async function writeSnapshot(path: string, stamp: Stamp, s: Summary): Promise<void> {
  const text = encodeSnapshot(stamp, s);
  if (text !== null) await replaceFile(path, text, 0o600, { sync: false });
}
