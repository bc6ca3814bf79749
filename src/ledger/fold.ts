// Pure: ledger lines → the current state of every id. The ledger is a log and the last record of an id
// is its state; lines that are not a record (a torn or hand-edited line) are skipped, never fatal.
import type { LedgerRecord, LedgerState } from '../core/types.js';

export const LEDGER_STATES: readonly LedgerState[] = ['pending', 'posted', 'failed', 'skipped', 'undone'];
const STATES: ReadonlySet<string> = new Set(LEDGER_STATES);

/** First line of a compacted ledger: its random `gen` tells readers the file was replaced. */
export interface LedgerHeader {
  jlog: 'ledger';
  v: 1;
  gen: string;
}

export interface LedgerView {
  get(id: string): LedgerRecord | undefined;
  /** Current state of every id, in first-seen order. */
  all(): LedgerRecord[];
  /**
   * The current records `isListed` picks (all but the posted tokens still in history), in first-seen
   * order: what a run scans the whole ledger for (tokens a rewrite took out of history, pending ones).
   * An indexed ledger answers it without reading every line.
   */
  listed(): LedgerRecord[];
  /** Current records of a commit's tokens, ordered by n (the index in `<sha>:<n>`). */
  bySha(sha: string): LedgerRecord[];
  counts(): Record<LedgerState, number>;
  readonly size: number;
  /** Lines that were not a record (skipped). */
  readonly invalid: number;
}

/**
 * The fold so far; immutable, every step returns a new one. Recent changes go to a small overlay on a
 * shared base map, so a step costs O(its records) instead of a copy of a 100k-entry map; the overlay
 * is merged into a new base once it grows past an eighth of the base (at least OVERLAY_MIN): a step
 * that must copy the overlay (a batch of writes starting from a shared fold) copies little, and a
 * merge costs O(1) per record folded, amortized.
 */
export interface Fold {
  readonly base: ReadonlyMap<string, LedgerRecord>;
  /** Ids changed or added since `base` was built, in first-seen order. */
  readonly overlay: ReadonlyMap<string, LedgerRecord>;
  /** Live ids. */
  readonly size: number;
  /** Record lines folded, superseded ones included (what compaction would remove). */
  readonly lines: number;
  readonly invalid: number;
}

const OVERLAY_MIN = 256;
export const NO_RECORDS: ReadonlyMap<string, LedgerRecord> = new Map();

/**
 * A base that answers by id without holding every record (ledger-index.ts: the ledger's lines found
 * through an index file, parsed when asked); iterating it reads them all. It knows its listed records
 * and every id's first-seen position, so `listed()` needs neither.
 */
export interface IndexedBase extends ReadonlyMap<string, LedgerRecord> {
  /** Its `isListed` records with their first-seen positions, in that order. */
  readonly listed: readonly { ord: number; record: LedgerRecord }[];
  /** An id's first-seen position, or undefined when the base does not hold it. */
  ordOf(id: string): number | undefined;
}

function isIndexed(base: ReadonlyMap<string, LedgerRecord>): base is IndexedBase {
  return typeof (base as Partial<IndexedBase>).ordOf === 'function';
}

/**
 * Everything but a posted token still in history: pending, failed, skipped, undone, and posted
 * tokens a rewrite took away (`rewritten.to === null`). Few, in a ledger of years of posted work.
 */
export function isListed(r: LedgerRecord): boolean {
  return r.state !== 'posted' || r.rewritten?.to === null;
}

export const EMPTY_FOLD: Fold = { base: NO_RECORDS, overlay: NO_RECORDS, size: 0, lines: 0, invalid: 0 };

function isRecord(value: unknown): value is LedgerRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<LedgerRecord>;
  return (
    typeof r.id === 'string' &&
    typeof r.sha === 'string' &&
    typeof r.issue === 'string' &&
    typeof r.seconds === 'number' &&
    typeof r.state === 'string' &&
    STATES.has(r.state)
  );
}

function isHeader(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { jlog?: unknown }).jlog === 'ledger';
}

/** A parsed line: a record, a header (ignored), or null when it is not a valid record. */
export function parseLine(line: string): LedgerRecord | 'header' | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  return isRecord(value) ? value : isHeader(value) ? 'header' : null;
}

/** Parses complete lines (`text` holds whole lines only; empty lines are ignored). */
export function parseLines(text: string): { records: LedgerRecord[]; invalid: number } {
  const records: LedgerRecord[] = [];
  let invalid = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    if (end > start) {
      const parsed = parseLine(text.slice(start, end));
      if (parsed === null) invalid++;
      else if (parsed !== 'header') records.push(parsed);
    }
    start = end + 1;
  }
  return { records, invalid };
}

/** Folds complete lines onto `base`. */
export function foldText(base: Fold, text: string): Fold {
  const { records, invalid } = parseLines(text);
  return foldRecords(base, records, invalid);
}

/** Folds records (in log order) onto `fold`. A blind record (`ifNew`) never replaces a known id. */
export function foldRecords(
  fold: Fold,
  records: readonly LedgerRecord[],
  invalid = 0,
  /** The caller alone holds `fold` (a step of its own): its overlay is extended in place, not copied. */
  owned = false,
): Fold {
  const lines = fold.lines + records.length;
  const invalidTotal = fold.invalid + invalid;
  // An indexed base is never merged: copying it would read every record of a ledger of years, which
  // the index is there to avoid (a run's own records stay in the overlay, however many).
  const overlayMax = Math.max(OVERLAY_MIN, fold.base.size >> 3);
  if (fold.overlay.size + records.length > overlayMax && !isIndexed(fold.base)) {
    const map = new Map(fold.base);
    for (const [id, r] of fold.overlay) map.set(id, r);
    for (const r of records) if (!(r.ifNew && map.has(r.id))) map.set(r.id, r);
    return { base: map, overlay: NO_RECORDS, size: map.size, lines, invalid: invalidTotal };
  }
  const overlay =
    owned && fold.overlay !== NO_RECORDS
      ? (fold.overlay as Map<string, LedgerRecord>)
      : new Map(fold.overlay);
  let size = fold.size;
  for (const r of records) {
    const known = overlay.has(r.id) || fold.base.has(r.id);
    if (known && r.ifNew) continue;
    if (!known) size++;
    overlay.set(r.id, r);
  }
  return { base: fold.base, overlay, size, lines, invalid: invalidTotal };
}

/** Current records, in first-seen order. */
export function* current(fold: Fold): Generator<LedgerRecord> {
  const { base, overlay } = fold;
  if (overlay.size === 0) {
    yield* base.values();
    return;
  }
  for (const [id, r] of base) yield overlay.get(id) ?? r;
  for (const [id, r] of overlay) if (!base.has(id)) yield r;
}

/** The same state as a single base map (what compaction leaves). */
export function flatten(fold: Fold): Fold {
  const map = new Map<string, LedgerRecord>();
  for (const r of current(fold)) map.set(r.id, r);
  return { base: map, overlay: NO_RECORDS, size: map.size, lines: map.size, invalid: 0 };
}

/** Many superseded records: rewrite the folded state (> 2× live ids and > 10k lines). */
export function needsCompaction(fold: Fold): boolean {
  const total = fold.lines + fold.invalid;
  return total > 10_000 && total > 2 * fold.size;
}

/** The serialized ledger: one JSON line per record, each ending in a newline. */
export function serialize(records: readonly LedgerRecord[]): string {
  let out = '';
  for (const r of records) out += JSON.stringify(r) + '\n';
  return out;
}

function indexOf(id: string): number {
  const n = Number(id.slice(id.lastIndexOf(':') + 1));
  return Number.isFinite(n) ? n : 0;
}

class View implements LedgerView {
  #bySha: Map<string, LedgerRecord[]> | undefined;
  #counts: Record<LedgerState, number> | undefined;

  constructor(private readonly fold: Fold) {}

  get size(): number {
    return this.fold.size;
  }

  get invalid(): number {
    return this.fold.invalid;
  }

  get(id: string): LedgerRecord | undefined {
    return this.fold.overlay.get(id) ?? this.fold.base.get(id);
  }

  all(): LedgerRecord[] {
    return [...current(this.fold)];
  }

  listed(): LedgerRecord[] {
    const { base, overlay } = this.fold;
    if (!isIndexed(base)) return this.all().filter(isListed);
    if (overlay.size === 0) return base.listed.map((e) => e.record);
    // The base's listed records as the overlay left them, then the overlay's own: an id the base
    // holds keeps its first-seen position, a new one comes after every base id, in overlay order.
    const out: { ord: number; record: LedgerRecord }[] = [];
    const seen = new Set<string>();
    for (const { ord, record } of base.listed) {
      seen.add(record.id);
      const r = overlay.get(record.id) ?? record;
      if (isListed(r)) out.push({ ord, record: r });
    }
    let next = base.size;
    for (const [id, r] of overlay) {
      if (seen.has(id)) continue;
      const ord = base.ordOf(id) ?? next++;
      if (isListed(r)) out.push({ ord, record: r });
    }
    return out.sort((a, b) => a.ord - b.ord).map((e) => e.record);
  }

  bySha(sha: string): LedgerRecord[] {
    if (this.#bySha === undefined) {
      const index = new Map<string, LedgerRecord[]>();
      for (const r of current(this.fold)) {
        const list = index.get(r.sha);
        if (list === undefined) index.set(r.sha, [r]);
        else list.push(r);
      }
      for (const list of index.values()) list.sort((a, b) => indexOf(a.id) - indexOf(b.id));
      this.#bySha = index;
    }
    return [...(this.#bySha.get(sha) ?? [])];
  }

  counts(): Record<LedgerState, number> {
    if (this.#counts === undefined) {
      const counts = Object.fromEntries(LEDGER_STATES.map((s) => [s, 0])) as Record<LedgerState, number>;
      for (const r of current(this.fold)) counts[r.state]++;
      this.#counts = counts;
    }
    return { ...this.#counts };
  }
}

export function viewOf(fold: Fold): LedgerView {
  return new View(fold);
}
