// Durations (docs/grammar.md): `1w 2d 4h 30m`, `2h30m`, `1.5h`. Pure, hand-scanned (no backtracking regex),
// exact for decimals: `0.025h` is 90 s, not 89.99999.
import { JlogError } from '../errors.js';
import { isSpace } from './chars.js';

export interface DurationUnits {
  hoursPerDay: number;
  daysPerWeek: number;
}

/** Jira's defaults when neither the site nor the config says otherwise. */
export const DEFAULT_UNITS: DurationUnits = { hoursPerDay: 8, daysPerWeek: 5 };

export type DurationResult = { ok: true; seconds: number } | { ok: false; reason: string };

export const UNIT_HINT = '(use w, d, h, m)';

/** Units people write that Jira does not take: a `#time 1h 30min` is an error, not 1h with comment `30min`. */
const TIME_WORDS = new Set([
  's',
  'sec',
  'secs',
  'second',
  'seconds',
  'min',
  'mins',
  'minute',
  'minutes',
  'hr',
  'hrs',
  'hour',
  'hours',
  'day',
  'days',
  'wk',
  'wks',
  'week',
  'weeks',
]);

/** Punctuation that may follow a duration and ends it: `#time 1h.`, `#time 1h, fixed login`. */
const TRAILING = '.,;:!?)]}\'"…';

export function isTimeWord(word: string): boolean {
  return TIME_WORDS.has(word.toLowerCase());
}

function unitSeconds(unit: string, units: DurationUnits): number {
  switch (unit) {
    case 'w':
    case 'W':
      return units.daysPerWeek * units.hoursPerDay * 3600;
    case 'd':
    case 'D':
      return units.hoursPerDay * 3600;
    case 'h':
    case 'H':
      return 3600;
    default:
      return 60;
  }
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isLetter = (c: string | undefined): boolean =>
  c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));

/** What one whitespace-free word of a `#time` argument is. */
export type WordScan =
  /** Only `<number><unit>` parts; `trailing` when punctuation followed them (the duration ends there). */
  | { kind: 'duration'; seconds: number; trailing: boolean }
  /** Starts like a duration but is not one; `timeWord`/`bare` say how sure we are it was meant as one. */
  | { kind: 'invalid'; reason: string; timeWord: boolean; bare: boolean }
  /** Does not start with a number: ordinary text. */
  | { kind: 'other' };

function allTrailing(word: string, from: number): boolean {
  for (let i = from; i < word.length; i++) if (!TRAILING.includes(word[i]!)) return false;
  return true;
}

/** Scans one word made of `<number><unit>` parts (`2h30m`, `1.5H`), optionally followed by punctuation. */
export function scanDurationWord(word: string, units: DurationUnits): WordScan {
  let i = 0;
  let seconds = 0;
  let parts = 0;
  for (;;) {
    const numStart = i;
    while (isDigit(word[i])) i++;
    const intEnd = i;
    if (word[i] === '.' && isDigit(word[i + 1])) {
      i++;
      while (isDigit(word[i])) i++;
    }
    if (i === numStart) {
      if (parts === 0) return { kind: 'other' };
      if (allTrailing(word, i)) return { kind: 'duration', seconds, trailing: i < word.length };
      return invalid(`'${word}' is not a duration ${UNIT_HINT}`);
    }
    const num = word.slice(numStart, i);
    const c = word[i];
    if (c === undefined || (TRAILING.includes(c) && allTrailing(word, i))) {
      return {
        kind: 'invalid',
        reason: `missing unit after '${num}' ${UNIT_HINT}`,
        timeWord: false,
        bare: true,
      };
    }
    if (c === ',' && isDigit(word[i + 1])) {
      return invalid(`'${word}': write decimals with a dot (1.5h) ${UNIT_HINT}`);
    }
    if (!isLetter(c)) return invalid(`'${word}' is not a duration ${UNIT_HINT}`);
    let j = i;
    while (isLetter(word[j])) j++;
    const unit = word.slice(i, j);
    if (unit.length !== 1 || !'wdhmWDHM'.includes(unit)) {
      return {
        kind: 'invalid',
        reason: `unknown unit '${unit}' ${UNIT_HINT}`,
        timeWord: isTimeWord(unit),
        bare: false,
      };
    }
    // Exact decimal arithmetic: digits as an integer, scaled once (0.1h is 360 s, not 360.00000000000006).
    const fraction = i - intEnd > 0 ? i - intEnd - 1 : 0;
    const digits = fraction > 0 ? word.slice(numStart, intEnd) + word.slice(intEnd + 1, i) : num;
    const exact = fraction > 0 && digits.length <= 15;
    seconds += exact
      ? (Number(digits) * unitSeconds(unit, units)) / 10 ** fraction
      : Number(num) * unitSeconds(unit, units);
    parts++;
    i = j;
    if (i === word.length) return { kind: 'duration', seconds, trailing: false };
  }
}

function invalid(reason: string): WordScan {
  return { kind: 'invalid', reason, timeWord: false, bare: false };
}

/** The next whitespace-separated word at or after `from`, or null (linear, no regex backtracking). */
export function nextWord(text: string, from: number): { start: number; end: number } | null {
  let i = from;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  if (i >= text.length) return null;
  const start = i;
  while (i < text.length && !isSpace(text.charCodeAt(i))) i++;
  return { start, end: i };
}

/**
 * A whole text that is only a duration (`1w 2d 4h 30m`, `2h30m`, `1.5h`): raw seconds, not rounded,
 * or why it is not one. Used for config values (`maxDuration`) and anywhere a bare duration is given.
 */
export function parseDuration(text: string, units: DurationUnits = DEFAULT_UNITS): DurationResult {
  let w = nextWord(text, 0);
  if (w === null) return { ok: false, reason: `no duration ${UNIT_HINT}` };
  let seconds = 0;
  for (; w !== null; w = nextWord(text, w.end)) {
    const word = text.slice(w.start, w.end);
    const scan = scanDurationWord(word, units);
    if (scan.kind === 'other') return { ok: false, reason: `'${word}' is not a duration ${UNIT_HINT}` };
    if (scan.kind === 'invalid') return { ok: false, reason: scan.reason };
    if (scan.trailing) return { ok: false, reason: `'${word}' is not a duration ${UNIT_HINT}` };
    seconds += scan.seconds;
  }
  return { ok: true, seconds };
}

export type TimeArgument =
  /** `seconds` are raw (not rounded); `duration` is the text that made them; `comment` the rest, trimmed. */
  { ok: true; seconds: number; duration: string; comment: string } | { ok: false; reason: string };

/**
 * Splits the argument of `#time` into its duration and its comment. The duration is the longest run
 * of duration words at the start (`1w 2d 4h 30m`, `2h30m`); punctuation glued to the last one ends it
 * (`#time 1h. fixed` → 1h, `fixed`). A first word that is not a duration is an error; after a valid
 * duration, a word is the comment's start unless it is plainly a botched unit (`30min`, `2hrs`) or a
 * bare number that ends the argument or precedes a time word (`1h 30`, `1h 30 min`): those are errors
 * rather than a silently shorter worklog.
 */
export function parseTimeArgument(args: string, units: DurationUnits): TimeArgument {
  let from = 0;
  while (from < args.length && isSpace(args.charCodeAt(from))) from++;
  if (args[from] === ':' || args[from] === '=') from++; // `#time: 1h`
  const first = nextWord(args, from);
  if (first === null) return { ok: false, reason: `no duration (e.g. #time 1h 30m) ${UNIT_HINT}` };
  const firstText = args.slice(first.start, first.end);
  const scan = scanDurationWord(firstText, units);
  if (scan.kind === 'other') return { ok: false, reason: `'${firstText}' is not a duration ${UNIT_HINT}` };
  if (scan.kind === 'invalid') return { ok: false, reason: scan.reason };
  let seconds = scan.seconds;
  let end = first.end;
  let durationEnd = scan.trailing ? trimTrailing(args, first.start, first.end) : first.end;
  let trailing = scan.trailing;
  while (!trailing) {
    const w = nextWord(args, end);
    if (w === null) break;
    const text = args.slice(w.start, w.end);
    const next = scanDurationWord(text, units);
    if (next.kind === 'duration') {
      seconds += next.seconds;
      end = w.end;
      trailing = next.trailing;
      durationEnd = trailing ? trimTrailing(args, w.start, w.end) : w.end;
      continue;
    }
    if (next.kind === 'invalid') {
      if (next.timeWord) return { ok: false, reason: next.reason };
      if (next.bare) {
        const after = nextWord(args, w.end);
        if (after === null || isTimeWord(args.slice(after.start, after.end)))
          return { ok: false, reason: next.reason };
      }
    }
    break;
  }
  return {
    ok: true,
    seconds,
    duration: args.slice(first.start, durationEnd),
    comment: args.slice(end).trim(),
  };
}

function trimTrailing(text: string, start: number, end: number): number {
  let e = end;
  while (e > start && TRAILING.includes(text[e - 1]!)) e--;
  return e;
}

/** Nearest whole minute, half up (docs/grammar.md): 29 s → 0, 30 s → 60. */
export function roundToMinute(seconds: number): number {
  return Math.floor(seconds / 60 + 0.5) * 60;
}

/** Rounds raw seconds, then checks them: zero, under a minute or over the maximum is a reason. */
export function checkDuration(rawSeconds: number, maxSeconds: number, units: DurationUnits): DurationResult {
  if (rawSeconds === 0) return { ok: false, reason: 'the duration is zero' };
  const seconds = roundToMinute(rawSeconds);
  if (!(seconds >= 60)) return { ok: false, reason: 'less than a minute (Jira needs at least 1m)' };
  if (!(seconds <= maxSeconds)) {
    const max = formatDuration(maxSeconds, units);
    return {
      ok: false,
      reason: `longer than maxDuration (${max}) (split it, or raise maxDuration in the config)`,
    };
  }
  return { ok: true, seconds };
}

/** `maxDuration` from the config (`"2w"`), in whole minutes; a bad value is a config error. */
export function parseMaxDuration(text: string, units: DurationUnits = DEFAULT_UNITS): number {
  const r = parseDuration(text, units);
  const seconds = r.ok ? roundToMinute(r.seconds) : 0;
  if (!r.ok || !(seconds >= 60) || !Number.isFinite(seconds)) {
    throw new JlogError(
      'E_CONFIG',
      `maxDuration "${text}" is not a usable duration: ${r.ok ? 'under a minute' : r.reason}`,
      {
        hint: 'set maxDuration to a duration of at least a minute, e.g. "2w" or "16h"',
      },
    );
  }
  return seconds;
}

/**
 * Human form, the way Jira shows time spent: weeks, days, hours, minutes with the site's working
 * week (`1w 2d 4h 30m`, `2d 5h`, `1h 30m`, `45m`); zero parts are left out, leftover seconds shown
 * as `s`, and nothing at all as `0m`.
 */
export function formatDuration(seconds: number, units: DurationUnits = DEFAULT_UNITS): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  let rest = Math.max(0, Math.round(seconds));
  const parts: string[] = [];
  const sizes: [string, number][] = [
    ['w', Math.round(unitSeconds('w', units))],
    ['d', Math.round(unitSeconds('d', units))],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  for (const [unit, size] of sizes) {
    if (!(size > 0)) continue;
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.length > 0 ? parts.join(' ') : '0m';
}
