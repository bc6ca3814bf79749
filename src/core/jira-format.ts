// Jira's wire formats, pure: the `started` timestamp, Atlassian Document Format, the worklog body.
// Jira accepts `started` only as `yyyy-MM-dd'T'HH:mm:ss.SSS±HHMM`: `toISOString()`'s `Z`, a `+01:00`
// offset or a missing offset are refused with a 400 (docs/exactly-once.md).

import { authorHash, parseMarker } from './marker.js';
import type { Marker, PlannedWorklog } from './types.js';

const pad = (n: number, width = 2): string => String(Math.trunc(n)).padStart(width, '0');

/** `+0100`, `-0530`, `+0000` for an offset east of UTC in minutes. */
function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

/** The wall-clock time of `epochMs` at a fixed offset, in Jira's format. */
function formatAtOffset(epochMs: number, offsetMinutes: number): string {
  // Shift the instant by the offset and read the UTC fields: those are the wall-clock fields there.
  const d = new Date(epochMs + offsetMinutes * 60_000);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` +
    `.${pad(d.getUTCMilliseconds(), 3)}${formatOffset(offsetMinutes)}`
  );
}

// Strict ISO 8601 as `git log --format=%aI` prints it (`2026-03-29T01:30:00+01:00`, `…Z`); also the
// basic offset form (`+0100`) and fractional seconds, so Jira's own `started` parses too.
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|([+-])(\d{2}):?(\d{2}))$/;

interface ParsedIso {
  epochMs: number;
  offsetMinutes: number;
}

function parseIso(text: string): ParsedIso | undefined {
  const m = ISO.exec(text.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone, sign, oh, om] = m;
  const offsetMinutes = zone === 'Z' ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (Number.isNaN(wall)) return undefined;
  return { epochMs: wall - offsetMinutes * 60_000, offsetMinutes };
}

/**
 * The commit's author date (`git log %aI`) as Jira's `started`, in the commit's OWN offset:
 * `2026-03-29T01:30:00+01:00` → `2026-03-29T01:30:00.000+0100`, `Z` → `+0000`.
 *
 * `minusSeconds` (`started: "commit-minus-duration"`) moves the instant back but keeps the commit's
 * offset: git recorded that offset for the work's own date in the author's zone, which is right for
 * the work unless the duration itself crosses a DST change (then the wall clock reads an hour off
 * while the instant stays exact; Jira stores the instant). Throws on a date git would not print.
 */
export function formatStarted(authorDateIso: string, minusSeconds = 0): string {
  return startedOf(authorDateIso, minusSeconds).started;
}

/**
 * `formatStarted` and the instant it names, from one parse: a scan needs both for every token, and
 * formatting then parsing the text again cost more than the rest of the token's work (issue 13).
 */
export function startedOf(authorDateIso: string, minusSeconds = 0): { started: string; startedMs: number } {
  if (minusSeconds === 0) {
    const fast = startedAsPrinted(authorDateIso);
    if (fast !== undefined) return fast;
  }
  const parsed = parseIso(authorDateIso);
  if (parsed === undefined) throw new RangeError(`not an ISO 8601 date with an offset: ${authorDateIso}`);
  const startedMs = parsed.epochMs - Math.round(minusSeconds * 1000);
  return { started: formatAtOffset(startedMs, parsed.offsetMinutes), startedMs };
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number written at `text[from, from + width)` in ASCII digits, or -1. */
function digits(text: string, from: number, width: number): number {
  let n = 0;
  for (let i = from; i < from + width; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/**
 * `startedOf` without moving the instant, for what `git log %aI` prints (`2026-03-29T01:30:00+01:00`,
 * `…Z`): the wall-clock fields are the text's own, so they are copied, not computed (a scan does this
 * for every token; issue 13). Undefined for anything else (fractions, a field out of range, a year
 * before 1970): the general path decides those.
 */
function startedAsPrinted(text: string): { started: string; startedMs: number } | undefined {
  const z = text.length === 20 && text.charCodeAt(19) === 90; // Z
  if (!z && text.length !== 25) return undefined;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':')
    return undefined;
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const s = digits(text, 17, 2);
  let offset = 0;
  if (!z) {
    const sign = text[19];
    const oh = digits(text, 20, 2);
    const om = digits(text, 23, 2);
    if ((sign !== '+' && sign !== '-') || text[22] !== ':' || oh < 0 || om < 0) return undefined;
    offset = (sign === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const monthDays = mo === 2 && leap ? 29 : (DAYS[mo - 1] ?? 0);
  if (y < 1970 || mo < 1 || d < 1 || d > monthDays || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
    return undefined;
  return {
    started: `${text.slice(0, 19)}.000${formatOffset(offset)}`,
    startedMs: Date.UTC(y, mo - 1, d, h, mi, s) - offset * 60_000,
  };
}

/** Unix ms of a `started` (Jira's format, or ISO with `Z`/`+01:00`); NaN when it is unreadable. */
export function startedToMs(started: string): number {
  return parseIso(started)?.epochMs ?? Number.NaN;
}

// --- Atlassian Document Format -----------------------------------------------------------------

export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: [{ type: 'paragraph'; content: [{ type: 'text'; text: string }] }];
}

/** One paragraph of ADF, or undefined when there is nothing to say (Jira refuses empty text nodes). */
export function adfDoc(text: string): AdfDoc | undefined {
  if (text.trim() === '') return undefined;
  return {
    type: 'doc',
    version: 1,
    content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
  };
}

const BLOCKS = new Set(['paragraph', 'heading', 'listItem', 'blockquote', 'codeBlock', 'rule']);

/**
 * The plain text of an ADF document: text nodes joined, blocks separated by newlines, `hardBreak`
 * as a newline. Anything that is not ADF (null, numbers, a plain string from API v2) is tolerated.
 */
export function adfToText(adf: unknown): string {
  if (typeof adf === 'string') return adf;
  const out: string[] = [];
  const walk = (node: unknown, depth: number): void => {
    if (depth > 64 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const child of node) walk(child, depth + 1);
      return;
    }
    const n = node as { type?: unknown; text?: unknown; content?: unknown };
    if (n.type === 'text' && typeof n.text === 'string') out.push(n.text);
    else if (n.type === 'hardBreak') out.push('\n');
    walk(n.content, depth + 1);
    if (typeof n.type === 'string' && BLOCKS.has(n.type)) out.push('\n');
  };
  walk(adf, 0);
  return out.join('').replace(/\n+$/, '');
}

// --- The worklog body --------------------------------------------------------------------------

export interface WorklogProperty {
  key: string;
  value: unknown;
}

/** What jlog sends as a worklog (POST/PUT). Never both `timeSpent` and `timeSpentSeconds`. */
export interface WorklogBody {
  timeSpentSeconds: number;
  started: string;
  /** ADF on Cloud (API v3), a plain string on Data Center (API v2). */
  comment?: AdfDoc | string;
  properties?: WorklogProperty[];
}

export type Deployment = 'cloud' | 'datacenter';

/** The worklog property key that carries jlog's marker (docs/exactly-once.md). */
export const MARKER_KEY = 'jlog';

/** The POST body for a planned worklog: duration, start, comment (when any) and the jlog marker. */
export function buildWorklogBody(w: PlannedWorklog, deployment: Deployment): WorklogBody {
  const marker: Marker = { v: 2, id: w.id, fp: w.fp };
  if (w.authorEmail !== '') marker.a = authorHash(w.authorEmail);
  const body: WorklogBody = { timeSpentSeconds: w.seconds, started: w.started };
  if (w.postComment.trim() !== '') {
    body.comment = deployment === 'cloud' ? adfDoc(w.postComment) : w.postComment;
  }
  body.properties = [{ key: MARKER_KEY, value: marker }];
  return body;
}

/** The marker in a worklog's (or comment's) properties when it has jlog's shape (v1 read as v2), else undefined. */
export function markerFromProperties(properties: unknown): Marker | undefined {
  if (!Array.isArray(properties)) return undefined;
  for (const p of properties as unknown[]) {
    if (p === null || typeof p !== 'object') continue;
    const { key, value } = p as { key?: unknown; value?: unknown };
    if (key !== MARKER_KEY) continue;
    return parseMarker(value);
  }
  return undefined;
}
