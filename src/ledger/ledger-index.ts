// The ledger index beside the ledger (`ledger-index`): where each id's current record line is, so that a
// run on a ledger of years (100,000 entries) parses only the records it asks for instead of every line
// (issue 13: a sync must not cost more with the ledger's size). It is a cache, never needed for
// correctness: it is used only while its stamp still describes the ledger (same inode, same first
// bytes, a line ending right at the stamped offset) and its checksum holds; anything else (missing,
// torn, stale, made by hand, a symlink) is ignored, the ledger is read whole, and a fresh one written.
// The ledger is append-only below the stamped offset (compaction renames a new file in), so a line the
// index points at stays the line it was for as long as the stamp holds.
//
// The index holds positions only, never a record: every record comes from the ledger's own bytes, and
// a line that is not a record of the id asked for makes the reader fold the ledger whole.
//
// Format: a line of 64 hex (the SHA-256 of everything after it), a JSON line (the stamp, the fold's
// counters, where the listed records are: first-seen position, byte offset, length), then one 16-byte
// entry per id, sorted by the id's hash: hash, first-seen position, byte offset and length of its
// current line (unsigned 32-bit little-endian each; a ledger of 4 GiB or more is not indexed).
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { LedgerRecord } from '../core/types.js';
import { HEAD_BYTES } from './files.js';
import {
  EMPTY_FOLD,
  NO_RECORDS,
  current,
  foldText,
  isListed,
  parseLine,
  type Fold,
  type IndexedBase,
} from './fold.js';
import { replaceFile } from './nofollow.js';

export const INDEX_FILE = 'ledger-index';

const MAGIC = 'ledger-index';
const ENTRY = 16;
const MAX_OFFSET = 2 ** 32 - 1;
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const SUM_LINE = 65; // 64 hex and a newline
/** Listed lines this close together are read at once, up to this much in one read. */
const READ_GAP = 16 * 1024;
const READ_SPAN = 8 * 1024 * 1024;
/** Up to this many listed records are read before the first answer by id. */
const LISTED_FIRST = 50_000;

/** What an index covers: the ledger's bytes [0, offset) of inode `ino`, starting with `head`. */
export interface IndexStamp {
  ino: number;
  offset: number;
  /** The ledger's first bytes (at most 64), base64. */
  head: string;
}

/** One id's current line, as the full fold found it. */
export interface Slot {
  ord: number;
  at: number;
  len: number;
  record: LedgerRecord;
}

/** FNV-1a over the id's UTF-16 code units: ids are ASCII in practice, any string works. */
export function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The whole fold of `bytes[0, n)` (complete lines from the ledger's first byte), as fold.ts folds them
 * (the same state, order and counters), and where each id's current line is.
 */
export function foldBytes(bytes: Buffer, n: number): { fold: Fold; slots: Slot[] } {
  const byId = new Map<string, Slot>();
  const slots: Slot[] = [];
  let lines = 0;
  let invalid = 0;
  let start = 0;
  while (start < n) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1 || end > n) end = n;
    if (end > start) {
      // Per line: a byte 0x0a never occurs inside a UTF-8 sequence, so this is the text's own split.
      const parsed = parseLine(bytes.toString('utf8', start, end));
      if (parsed === null) invalid++;
      else if (parsed !== 'header') {
        lines++;
        const slot = byId.get(parsed.id);
        if (slot === undefined) {
          const s: Slot = { ord: slots.length, at: start, len: end - start, record: parsed };
          byId.set(parsed.id, s);
          slots.push(s);
        } else if (!parsed.ifNew) {
          slot.record = parsed;
          slot.at = start;
          slot.len = end - start;
        }
      }
    }
    start = end + 1;
  }
  const base = new Map<string, LedgerRecord>();
  for (const s of slots) base.set(s.record.id, s.record);
  return { fold: { base, overlay: NO_RECORDS, size: base.size, lines, invalid }, slots };
}

/** The index file for a fold of the ledger's first `stamp.offset` bytes; null when it cannot be one. */
export function encodeIndex(stamp: IndexStamp, fold: Fold, slots: readonly Slot[]): Buffer | null {
  if (stamp.offset > MAX_OFFSET || slots.length !== fold.size || slots.length >= 2 ** 21) return null;
  // hash * 2^21 + ord is exact in a double: one numeric sort orders by hash, then by position.
  const keys = new Float64Array(slots.length);
  for (let i = 0; i < slots.length; i++) keys[i] = hashId(slots[i]!.record.id) * 2 ** 21 + i;
  keys.sort();
  const body = Buffer.alloc(slots.length * ENTRY);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const s = slots[key % 2 ** 21]!;
    body.writeUInt32LE(Math.floor(key / 2 ** 21), i * ENTRY);
    body.writeUInt32LE(s.ord, i * ENTRY + 4);
    body.writeUInt32LE(s.at, i * ENTRY + 8);
    body.writeUInt32LE(s.len, i * ENTRY + 12);
  }
  const meta = {
    jlog: MAGIC,
    v: 1,
    ledger: stamp,
    size: fold.size,
    lines: fold.lines,
    invalid: fold.invalid,
    listed: slots.filter((s) => isListed(s.record)).map((s) => [s.ord, s.at, s.len]),
    entries: slots.length,
  };
  const rest = Buffer.concat([Buffer.from(`${JSON.stringify(meta)}\n`), body]);
  const sum = createHash('sha256').update(rest).digest('hex');
  return Buffer.concat([Buffer.from(`${sum}\n`), rest]);
}

/** Replaces the index (a temp file renamed over it; no fsync: a lost index costs one full read). */
export async function writeIndex(path: string, data: Buffer): Promise<void> {
  await replaceFile(path, data, 0o600, { sync: false });
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

interface Meta {
  stamp: IndexStamp;
  size: number;
  lines: number;
  invalid: number;
  /** Where the listed records' lines are. */
  listed: { ord: number; at: number; len: number }[];
  entries: number;
}

/** The JSON line checked for shape; null when anything is off. */
function decodeMeta(text: string): Meta | null {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || v.jlog !== MAGIC || v.v !== 1) return null;
  const stamp = v.ledger as Partial<IndexStamp> | null;
  if (
    typeof stamp !== 'object' ||
    stamp === null ||
    !isCount(stamp.ino) ||
    !isCount(stamp.offset) ||
    stamp.offset > MAX_OFFSET ||
    typeof stamp.head !== 'string'
  )
    return null;
  const { size, lines, invalid, entries } = v;
  if (!isCount(size) || !isCount(lines) || !isCount(invalid) || entries !== size || !Array.isArray(v.listed))
    return null;
  const listed: Meta['listed'] = [];
  let last = -1;
  for (const item of v.listed as unknown[]) {
    if (!Array.isArray(item) || item.length !== 3) return null;
    const ord: unknown = item[0];
    const at: unknown = item[1];
    const len: unknown = item[2];
    if (!isCount(ord) || !isCount(at) || !isCount(len) || ord <= last || ord >= size) return null;
    listed.push({ ord, at, len });
    last = ord;
  }
  return {
    stamp: { ino: stamp.ino, offset: stamp.offset, head: stamp.head },
    size,
    lines,
    invalid,
    listed,
    entries,
  };
}

/** Reads exactly `length` bytes at `position` (fewer only at the end of the file). */
function readAtSync(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const got = readSync(fd, buf, done, length - done, position + done);
    if (got === 0) break;
    done += got;
  }
  return done === length ? buf : buf.subarray(0, done);
}

// The ledger stays open while a lazy base may still read from it; a base nobody holds lets it go.
const openLedgers = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
});

/**
 * The fold's base, found through the index: an id's record is read and parsed when asked for (and
 * kept). Iterating it, or any line that is not what the index says, folds the covered bytes whole
 * (fold.ts), and from then on it answers from that.
 */
class LazyBase implements IndexedBase {
  readonly #fd: number;
  readonly #offset: number;
  readonly #entries: Buffer;
  readonly #meta: Meta;
  readonly #found = new Map<string, { ord: number; record: LedgerRecord } | null>();
  #whole: Map<string, LedgerRecord> | null = null;
  #wholeOrds: Map<string, number> | null = null;
  #listed: { ord: number; record: LedgerRecord }[] | null = null;

  constructor(fd: number, offset: number, entries: Buffer, meta: Meta) {
    this.#fd = fd;
    this.#offset = offset;
    this.#entries = entries;
    this.#meta = meta;
    openLedgers.register(this, fd, this);
  }

  get size(): number {
    return this.#whole?.size ?? this.#meta.size;
  }

  get listed(): readonly { ord: number; record: LedgerRecord }[] {
    if (this.#whole === null && this.#listed === null) this.#readListed();
    if (this.#listed === null) {
      let ord = 0;
      const out: { ord: number; record: LedgerRecord }[] = [];
      for (const record of this.#foldWhole().values()) {
        if (isListed(record)) out.push({ ord, record });
        ord++;
      }
      this.#listed = out;
    }
    return this.#listed;
  }

  /**
   * The listed records, in as few reads as their lines allow (pending work is mostly the ledger's last
   * lines); each is then an answer by id too, so a run that asks for its pending tokens one by one
   * reads none of them again. A line that is not what the index says: the ledger is folded whole.
   */
  #readListed(): void {
    const spots = this.#meta.listed;
    const order = spots.map((_, i) => i).sort((x, y) => spots[x]!.at - spots[y]!.at);
    const records: LedgerRecord[] = new Array<LedgerRecord>(spots.length);
    for (let i = 0; i < order.length;) {
      const first = spots[order[i]!]!;
      let j = i;
      let end = first.at + first.len + 1;
      for (; j + 1 < order.length; j++) {
        const next = spots[order[j + 1]!]!;
        if (next.at - end > READ_GAP || next.at + next.len + 1 - first.at > READ_SPAN) break;
        end = Math.max(end, next.at + next.len + 1);
      }
      const buf = end <= this.#offset ? this.#bytes(first.at, end - first.at) : null;
      for (let k = i; k <= j; k++) {
        const spot = spots[order[k]!]!;
        const from = spot.at - first.at;
        const record =
          buf !== null && buf[from + spot.len] === 0x0a
            ? parseLine(buf.toString('utf8', from, from + spot.len))
            : null;
        if (record === null || record === 'header' || !isListed(record)) {
          this.#foldWhole();
          return;
        }
        records[order[k]!] = record;
      }
      i = j + 1;
    }
    this.#listed = spots.map((spot, k) => ({ ord: spot.ord, record: records[k]! }));
    for (const e of this.#listed) this.#found.set(e.record.id, e);
  }

  #bytes(at: number, length: number): Buffer | null {
    try {
      const buf = readAtSync(this.#fd, at, length);
      return buf.length === length ? buf : null;
    } catch {
      return null;
    }
  }

  get(id: string): LedgerRecord | undefined {
    return this.#find(id)?.record;
  }

  has(id: string): boolean {
    return this.#find(id) !== undefined;
  }

  ordOf(id: string): number | undefined {
    return this.#find(id)?.ord;
  }

  /** The id's current record and first-seen position, through the index or from the whole fold. */
  #find(id: string): { ord: number; record: LedgerRecord } | undefined {
    if (this.#whole !== null) return this.#fromWhole(id);
    // The listed records first: a run asks for its pending tokens, which are among them.
    if (this.#listed === null && this.#meta.listed.length <= LISTED_FIRST) {
      this.#readListed();
      if (this.#whole !== null) return this.#fromWhole(id);
    }
    const known = this.#found.get(id);
    if (known !== undefined) return known ?? undefined;
    const e = this.#entries;
    const h = hashId(id);
    let lo = 0;
    let hi = this.#meta.entries;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (e.readUInt32LE(mid * ENTRY) < h) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.#meta.entries && e.readUInt32LE(i * ENTRY) === h; i++) {
      const at = e.readUInt32LE(i * ENTRY + 8);
      const len = e.readUInt32LE(i * ENTRY + 12);
      const record = this.#line(at, len);
      if (record === null) {
        // Not the record the index promised: the index is not to be trusted; fold the lines whole.
        this.#foldWhole();
        return this.#fromWhole(id);
      }
      if (record.id === id) {
        const hit = { ord: e.readUInt32LE(i * ENTRY + 4), record };
        this.#found.set(id, hit);
        return hit;
      }
    }
    this.#found.set(id, null);
    return undefined;
  }

  #fromWhole(id: string): { ord: number; record: LedgerRecord } | undefined {
    const whole = this.#foldWhole();
    const record = whole.get(id);
    if (record === undefined) return undefined;
    if (this.#wholeOrds === null) {
      let ord = 0;
      this.#wholeOrds = new Map();
      for (const key of whole.keys()) this.#wholeOrds.set(key, ord++);
    }
    return { ord: this.#wholeOrds.get(id)!, record };
  }

  #line(at: number, len: number): LedgerRecord | null {
    if (at + len >= this.#offset) return null; // the line and its newline lie below the stamp
    try {
      const buf = readAtSync(this.#fd, at, len + 1);
      if (buf.length !== len + 1 || buf[len] !== 0x0a) return null;
      const parsed = parseLine(buf.toString('utf8', 0, len));
      return parsed === 'header' ? null : parsed;
    } catch {
      return null;
    }
  }

  #foldWhole(): Map<string, LedgerRecord> {
    if (this.#whole !== null) return this.#whole;
    const bytes = readAtSync(this.#fd, 0, this.#offset);
    const fold = foldText(EMPTY_FOLD, bytes.toString('utf8'));
    // Past a few thousand records the fold is one map already, in first-seen order.
    this.#whole =
      fold.overlay.size === 0
        ? (fold.base as Map<string, LedgerRecord>)
        : new Map([...current(fold)].map((r) => [r.id, r]));
    this.#found.clear();
    this.#listed = null;
    openLedgers.unregister(this);
    try {
      closeSync(this.#fd);
    } catch {
      // already closed
    }
    return this.#whole;
  }

  forEach(fn: (value: LedgerRecord, key: string, map: ReadonlyMap<string, LedgerRecord>) => void): void {
    for (const [k, v] of this.#foldWhole()) fn(v, k, this);
  }

  entries(): MapIterator<[string, LedgerRecord]> {
    return this.#foldWhole().entries();
  }

  keys(): MapIterator<string> {
    return this.#foldWhole().keys();
  }

  values(): MapIterator<LedgerRecord> {
    return this.#foldWhole().values();
  }

  [Symbol.iterator](): MapIterator<[string, LedgerRecord]> {
    return this.entries();
  }
}

/** An indexed ledger: the fold of its first `offset` bytes, whose base reads records when asked. */
export interface Indexed {
  ino: number;
  offset: number;
  head: Buffer;
  fold: Fold;
}

/**
 * The ledger's fold from its index, or null when there is no index that checks out. `maxBytes`
 * bounds the index file (it is never much bigger than the ledger); `maxTail` the bytes appended after
 * it that a reader is willing to fold on top.
 */
export async function openIndexed(
  ledgerPath: string,
  indexPath: string,
  limits: { maxBytes: number; maxTail: number },
): Promise<Indexed | null> {
  let fd: number;
  try {
    fd = openSync(ledgerPath, constants.O_RDONLY | NOFOLLOW);
  } catch {
    return null;
  }
  let keep = false;
  try {
    const data = readIndexFile(indexPath, limits.maxBytes);
    if (data === null || data.length < SUM_LINE || data[SUM_LINE - 1] !== 0x0a) return null;
    const nl = data.indexOf(0x0a, SUM_LINE);
    if (nl === -1) return null;
    const meta = decodeMeta(data.toString('utf8', SUM_LINE, nl));
    if (meta === null || data.length !== nl + 1 + meta.entries * ENTRY) return null;
    const sum = createHash('sha256').update(data.subarray(SUM_LINE)).digest('hex');
    if (sum !== data.toString('latin1', 0, SUM_LINE - 1)) return null;
    const { stamp } = meta;
    const st = fstatSync(fd);
    // Too much appended since: reading it all and writing a fresh index costs less than folding it.
    if (st.ino !== stamp.ino || st.size < stamp.offset || st.size - stamp.offset > limits.maxTail)
      return null;
    // A line must end right at the stamp, and the file must start as it did.
    const head = readAtSync(fd, 0, Math.min(HEAD_BYTES, stamp.offset));
    if (head.toString('base64') !== stamp.head) return null;
    if (stamp.offset > 0 && readAtSync(fd, stamp.offset - 1, 1)[0] !== 0x0a) return null;
    const base = new LazyBase(fd, stamp.offset, data.subarray(nl + 1), meta);
    keep = true;
    return {
      ino: stamp.ino,
      offset: stamp.offset,
      head,
      fold: { base, overlay: NO_RECORDS, size: meta.size, lines: meta.lines, invalid: meta.invalid },
    };
  } catch {
    return null;
  } finally {
    if (!keep) closeSync(fd);
  }
}

/** The index file, read at once (it is read before anything else the run does). */
function readIndexFile(path: string, maxBytes: number): Buffer | null {
  let fd: number;
  try {
    // Never through a symlink: a planted one could point anywhere (a fifo, a device).
    fd = openSync(path, constants.O_RDONLY | NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > maxBytes) return null;
    const buf = readAtSync(fd, 0, st.size);
    return buf.length === st.size ? buf : null;
  } finally {
    closeSync(fd);
  }
}
