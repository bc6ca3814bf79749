// Pure: what `jlog status` shows, as a fold of its own. A 100,000-entry ledger is years of posted
// worklogs, and status lists none of them but the ten most recent: it needs the counts, the records
// it lists one by one, and, to fold lines appended later exactly as fold.ts does, every id's state and
// first-seen position. That is what the folder's snapshot keeps (snapshot.ts), so that status reads
// it plus only the lines appended since (issue 13: status must not grow with the ledger).
import type { LedgerRecord, LedgerState } from '../core/types.js';
import { LEDGER_STATES, isListed } from './fold.js';

/** Posted records kept by recency: enough that undoing a few recent ones still leaves the top ten. */
export const RECENT_KEPT = 64;

export interface IdState {
  /** First-seen position: the order `LedgerView.all()` lists ids in. */
  ord: number;
  state: LedgerState;
}

export interface Entry {
  ord: number;
  record: LedgerRecord;
}

/**
 * Mutable: one status process folds its own copy. `ids` is null until a tail needs it (a snapshot's
 * id index is only read when lines were appended after it).
 */
export interface Summary {
  size: number;
  counts: Record<LedgerState, number>;
  /** Every record status lists one by one (`isShown`), by id. */
  shown: Map<string, Entry>;
  /**
   * Posted records, most recent first (`at` descending, then first-seen), at most RECENT_KEPT of them;
   * every posted record left out ranks below all of these.
   */
  recent: Entry[];
  ids: Map<string, IdState> | null;
}

/** Status lists these one by one: everything not posted, and posted tokens a rewrite took away. */
export const isShown: (r: LedgerRecord) => boolean = isListed;

/** Most recent first; equal times keep first-seen order (one well-defined order, however it is built). */
export function byRecency(a: Entry, b: Entry): number {
  if (a.record.at !== b.record.at) return a.record.at < b.record.at ? 1 : -1;
  return a.ord - b.ord;
}

export function zeroCounts(): Record<LedgerState, number> {
  return Object.fromEntries(LEDGER_STATES.map((s) => [s, 0])) as Record<LedgerState, number>;
}

/** The summary of a folded ledger: its current records in first-seen order (`LedgerView.all()`). */
export function summarize(records: readonly LedgerRecord[]): Summary {
  const s: Summary = { size: 0, counts: zeroCounts(), shown: new Map(), recent: [], ids: new Map() };
  const posted: Entry[] = [];
  for (const record of records) {
    const ord = s.size++;
    s.ids!.set(record.id, { ord, state: record.state });
    s.counts[record.state]++;
    if (isShown(record)) s.shown.set(record.id, { ord, record });
    if (record.state === 'posted') posted.push({ ord, record });
  }
  s.recent = posted.sort(byRecency).slice(0, RECENT_KEPT);
  return s;
}

/**
 * Folds records appended after the summary, as fold.ts folds them: the last record of an id is its
 * state, a new id goes last, and a blind record (`ifNew`) counts only for an id never seen. Needs `ids`.
 */
export function foldSummary(s: Summary, records: readonly LedgerRecord[]): void {
  const ids = s.ids;
  if (ids === null) throw new Error('foldSummary needs the id index');
  for (const record of records) {
    const prev = ids.get(record.id);
    if (prev !== undefined && record.ifNew) continue;
    const ord = prev === undefined ? s.size++ : prev.ord;
    if (prev !== undefined) {
      s.counts[prev.state]--;
      if (prev.state === 'posted') s.recent = s.recent.filter((e) => e.record.id !== record.id);
    }
    ids.set(record.id, { ord, state: record.state });
    s.counts[record.state]++;
    s.shown.delete(record.id);
    if (isShown(record)) s.shown.set(record.id, { ord, record });
    if (record.state === 'posted') addRecent(s, { ord, record });
  }
}

/**
 * A posted record joins the recent list when it ranks above the list's last entry, or when the list
 * still holds every posted record; otherwise it ranks below the whole list and the invariant holds.
 */
function addRecent(s: Summary, e: Entry): void {
  const last = s.recent[s.recent.length - 1];
  const holdsAll = s.recent.length === s.counts.posted - 1;
  if (!holdsAll && (last === undefined || byRecency(e, last) > 0)) return;
  s.recent.push(e);
  s.recent.sort(byRecency);
  if (s.recent.length > RECENT_KEPT) s.recent.length = RECENT_KEPT;
}

/** What status prints from a summary. */
export interface StatusLists {
  counts: Record<LedgerState, number>;
  /** The records status lists one by one, in first-seen order. */
  shown: LedgerRecord[];
  /** The `want` most recent posted records, most recent first. */
  recent: LedgerRecord[];
}

/** Null when the summary cannot tell the `want` most recent posted records (too many left it since). */
export function statusLists(s: Summary, want: number): StatusLists | null {
  const n = Math.min(want, s.counts.posted);
  if (s.recent.length < n) return null;
  return {
    counts: { ...s.counts },
    shown: [...s.shown.values()].sort((a, b) => a.ord - b.ord).map((e) => e.record),
    recent: s.recent.slice(0, n).map((e) => e.record),
  };
}
