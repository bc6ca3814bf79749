// Jira's wire formats as the sandbox reads and writes them: dates, durations, ADF text, error bodies.

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function errorReply(
  status: number,
  errorMessages: string[],
  errors: Record<string, string> = {},
  headers?: Record<string, string>,
): Reply {
  return headers === undefined
    ? { status, body: { errorMessages, errors } }
    : { status, body: { errorMessages, errors }, headers };
}

/** Exactly `yyyy-MM-dd'T'HH:mm:ss.SSS±HHMM`, the only form Jira accepts for `started`. */
const STARTED = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})([+-])(\d{2})(\d{2})$/;
/** The same without an offset: Jira answers this one with a 500, not a 400. */
const STARTED_NO_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/;

export const STARTED_FORMAT_ERROR =
  'Invalid date format. Please enter the date in the format "yyyy-MM-dd\'T\'HH:mm:ss.SSSZ".';

/** Milliseconds since the epoch, 'no-offset' for the form Jira crashes on, or undefined when invalid. */
export function parseStarted(value: string): number | 'no-offset' | undefined {
  if (STARTED_NO_OFFSET.test(value)) return 'no-offset';
  const m = STARTED.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s, ms, sign, oh, om] = m.slice(1) as [string, ...string[]];
  const num = (x: string | undefined) => Number(x);
  const local = Date.UTC(num(y), num(mo) - 1, num(d), num(h), num(mi), num(s), num(ms));
  const check = new Date(local);
  // Reject dates that Date.UTC silently rolls over (2021-02-30, 25:00).
  if (
    check.getUTCFullYear() !== num(y) ||
    check.getUTCMonth() !== num(mo) - 1 ||
    check.getUTCDate() !== num(d) ||
    check.getUTCHours() !== num(h) ||
    check.getUTCMinutes() !== num(mi) ||
    check.getUTCSeconds() !== num(s) ||
    num(oh) > 14 ||
    num(om) > 59
  ) {
    return undefined;
  }
  const offsetMin = (sign === '-' ? -1 : 1) * (num(oh) * 60 + num(om));
  return local - offsetMin * 60_000;
}

/** A Jira date-time in UTC (`+0000`), how the sandbox renders every date for its UTC user. */
export function formatJiraDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export interface WorkTime {
  hoursPerDay: number;
  daysPerWeek: number;
}

/** Jira's duration strings: `1w 2d 3h 30m`, decimals allowed, a bare number is minutes. */
export function parseJiraDuration(text: string, wt: WorkTime): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const unit: Record<string, number> = {
    w: wt.daysPerWeek * wt.hoursPerDay * 3600,
    d: wt.hoursPerDay * 3600,
    h: 3600,
    m: 60,
    '': 60,
  };
  let total = 0;
  for (const part of trimmed.split(/\s+/)) {
    const m = /^(\d+(?:\.\d+)?)([wdhm]?)$/i.exec(part);
    if (!m) return undefined;
    total += Number(m[1]) * (unit[(m[2] ?? '').toLowerCase()] ?? 0);
  }
  return Math.round(total);
}

/** Jira's "pretty" time format: `1w 2d 3h 30m`. */
export function formatJiraDuration(seconds: number, wt: WorkTime): string {
  const week = wt.daysPerWeek * wt.hoursPerDay * 3600;
  const day = wt.hoursPerDay * 3600;
  let rest = Math.max(0, Math.round(seconds));
  const parts: string[] = [];
  for (const [size, suffix] of [
    [week, 'w'],
    [day, 'd'],
    [3600, 'h'],
    [60, 'm'],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${suffix}`);
    rest -= n * size;
  }
  return parts.length > 0 ? parts.join(' ') : '0m';
}

/** The plain text of an ADF document (what a v2 client sees of a comment posted to v3). */
export function adfToText(node: unknown): string {
  if (typeof node === 'string') return node;
  if (node === null || typeof node !== 'object') return '';
  const n = node as { type?: unknown; text?: unknown; content?: unknown };
  if (n.type === 'text' && typeof n.text === 'string') return n.text;
  if (n.type === 'hardBreak') return '\n';
  if (!Array.isArray(n.content)) return '';
  const sep = n.type === 'doc' ? '\n' : '';
  return n.content.map(adfToText).join(sep);
}

/** A one-paragraph ADF document for a plain string (what a v3 client sees of a v2 comment). */
export function textToAdf(text: string): unknown {
  return {
    type: 'doc',
    version: 1,
    content: [{ type: 'paragraph', content: text === '' ? [] : [{ type: 'text', text }] }],
  };
}

export function decodeSafe(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
