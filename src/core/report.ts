// `jlog report`, the pure part: date bounds from the command line, posted ledger records grouped by
// issue or by day. The day of a worklog is the date part of its `started`, in its own offset, so a
// commit made at 23:30 in Berlin counts for that Berlin day wherever the report runs.
import { startedToMs } from './jira-format.js';
import type { LedgerRecord } from './types.js';

export type ReportBy = 'issue' | 'day';

/** A `--since`/`--until` bound: a whole day (inclusive), or an instant. */
export type DateBound = { day: string } | { ms: number };

export interface ReportGroup {
  /** The issue key, or the day (`YYYY-MM-DD`). */
  key: string;
  seconds: number;
  worklogs: number;
  /** `#comment` and transition tokens posted (issue 12): counted, never as time or worklogs. */
  comments?: number;
  transitions?: number;
}

export interface Report {
  total: number;
  worklogs: number;
  /** Time groups only: a group with a comment or a transition and no worklog is not listed. */
  groups: ReportGroup[];
  /** `#comment` and transition tokens posted in the window (issue 12); absent when none. */
  comments?: number;
  transitions?: number;
}

export const DATE_HINT =
  'use a date like 2026-11-20, an ISO time with offset, "today", "yesterday" or "30 days ago"';

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const RELATIVE_RE = /^(\d{1,5})[\s.]*(day|week|month|year)s?[\s.]*ago$/i;

function isRealDay(text: string): boolean {
  const m = DAY_RE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** `today` (`YYYY-MM-DD`) moved back n units on the calendar (months overflow as Date does: 03-31 minus a month is 03-03 in a common year). */
function daysBack(today: string, n: number, unit: string): string {
  const [y, mo, d] = today.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (unit === 'day') date.setUTCDate(date.getUTCDate() - n);
  else if (unit === 'week') date.setUTCDate(date.getUTCDate() - 7 * n);
  else if (unit === 'month') date.setUTCMonth(date.getUTCMonth() - n);
  else date.setUTCFullYear(date.getUTCFullYear() - n);
  return date.toISOString().slice(0, 10);
}

/**
 * Parses a `--since`/`--until` value: `YYYY-MM-DD`, an ISO date-time (`2026-11-20T10:00+01:00`),
 * `today`, `yesterday`, `N days|weeks|months|years ago`. `today` is the caller's local date. Returns
 * null for anything else.
 */
/** The local calendar date of `now`, `YYYY-MM-DD`. */
export function localDay(now: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function parseDateBound(text: string, today: string): DateBound | null {
  const t = text.trim();
  if (isRealDay(t)) return { day: t };
  if (DATETIME_RE.test(t) && isRealDay(t.slice(0, 10))) {
    const ms = Date.parse(t.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    return Number.isNaN(ms) ? null : { ms };
  }
  const lower = t.toLowerCase();
  if (lower === 'today') return { day: today };
  if (lower === 'yesterday') return { day: daysBack(today, 1, 'day') };
  const rel = RELATIVE_RE.exec(t);
  if (rel) return { day: daysBack(today, Number(rel[1]), (rel[2] ?? 'day').toLowerCase()) };
  return null;
}

/** The day a record counts for: the date part of `started` (its own offset), else of `at` (UTC). */
export function recordDay(r: LedgerRecord): string {
  const s = r.started ?? r.at;
  return s.slice(0, 10);
}

function recordMs(r: LedgerRecord): number {
  return r.started !== undefined ? startedToMs(r.started) : Date.parse(r.at);
}

function within(r: LedgerRecord, since: DateBound | undefined, until: DateBound | undefined): boolean {
  if (since !== undefined) {
    if ('day' in since ? recordDay(r) < since.day : !(recordMs(r) >= since.ms)) return false;
  }
  if (until !== undefined) {
    if ('day' in until ? recordDay(r) > until.day : !(recordMs(r) <= until.ms)) return false;
  }
  return true;
}

const byKey = (a: ReportGroup, b: ReportGroup): number =>
  a.key.localeCompare(b.key, 'en', { numeric: true, sensitivity: 'base' });

/** Posted records in the window, grouped and sorted by key (PROJ-9 before PROJ-10). */
export function buildReport(
  records: readonly LedgerRecord[],
  opts: { by: ReportBy; since?: DateBound | undefined; until?: DateBound | undefined },
): Report {
  const groups = new Map<string, ReportGroup>();
  let total = 0;
  let worklogs = 0;
  const commands = { comments: 0, transitions: 0 };
  for (const r of records) {
    if (r.state !== 'posted' || !within(r, opts.since, opts.until)) continue;
    const key = opts.by === 'day' ? recordDay(r) : r.issue;
    const g = groups.get(key) ?? { key, seconds: 0, worklogs: 0 };
    if (r.kind !== undefined) {
      const field = r.kind === 'comment' ? 'comments' : 'transitions';
      g[field] = (g[field] ?? 0) + 1;
      commands[field] += 1;
      groups.set(key, g);
      continue;
    }
    g.seconds += r.seconds;
    g.worklogs += 1;
    groups.set(key, g);
    total += r.seconds;
    worklogs += 1;
  }
  const timed = [...groups.values()].filter((g) => g.worklogs > 0).sort(byKey);
  const report: Report = { total, worklogs, groups: timed };
  if (commands.comments + commands.transitions > 0) Object.assign(report, commands);
  return report;
}

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV lines, header first: `key,seconds,hours,worklogs` (hours with two decimals). */
export function reportCsv(report: Report): string[] {
  return [
    'key,seconds,hours,worklogs',
    ...report.groups.map((g) =>
      [csvCell(g.key), g.seconds, (g.seconds / 3600).toFixed(2), g.worklogs].join(','),
    ),
  ];
}
