import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkDuration,
  formatDuration,
  parseDuration,
  parseMaxDuration,
  parseTimeArgument,
  roundToMinute,
} from '../src/core/duration.js';
import { isJlogError } from '../src/errors.js';

const U = { hoursPerDay: 8, daysPerWeek: 5 };
const H = 3600;

describe('parseDuration', () => {
  const ok: [string, number][] = [
    ['1w 2d 4h 30m', 217_800],
    ['1w2d4h30m', 217_800],
    ['2h30m', 9000],
    ['2h 30m', 9000],
    ['1.5h', 5400],
    ['0.1h', 360],
    ['.5h', 1800],
    ['1W 2D 4H 30M', 217_800],
    ['  1h\t', H],
    ['1h 1h', 2 * H],
    ['30m 1h', 5400],
    ['2d 5h', 21 * H],
    ['0m', 0],
    ['0.4m', 24],
  ];
  it.each(ok)('%j = %d s', (text, seconds) => {
    expect(parseDuration(text, U)).toEqual({ ok: true, seconds });
  });

  const bad: [string, RegExp][] = [
    ['', /no duration/],
    ['1x', /unknown unit 'x' \(use w, d, h, m\)/],
    ['1hour', /unknown unit 'hour'/],
    ['1 h', /missing unit after '1'/],
    ['1h30', /missing unit after '30'/],
    ['soon', /'soon' is not a duration/],
    ['1,5h', /decimals with a dot/],
    ['1h.', /not a duration/],
    ['1h -2m', /not a duration/],
    ['1.h', /not a duration|unit/],
  ];
  it.each(bad)('%j is not a duration', (text, reason) => {
    const r = parseDuration(text, U);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('w and d follow the working day and week', () => {
    expect(parseDuration('1d', { hoursPerDay: 7.5, daysPerWeek: 5 })).toEqual({ ok: true, seconds: 27_000 });
    expect(parseDuration('1w', { hoursPerDay: 6, daysPerWeek: 4 })).toEqual({ ok: true, seconds: 24 * H });
  });

  it('is exact for any whole w/d/h/m combination (property)', () => {
    fc.assert(
      fc.property(
        fc.nat(20),
        fc.nat(20),
        fc.nat(100),
        fc.nat(1000),
        fc.constantFrom('', ' ', '  '),
        (w, d, h, m, sep) => {
          const text = [`${w}w`, `${d}d`, `${h}h`, `${m}m`].join(sep);
          expect(parseDuration(text, U)).toEqual({ ok: true, seconds: ((w * 5 + d) * 8 + h) * H + m * 60 });
        },
      ),
    );
  });

  it('never throws, and a success is a finite non-negative number (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const r = parseDuration(text, U);
        if (r.ok) expect(r.seconds >= 0).toBe(true);
        else expect(r.reason.length).toBeGreaterThan(0);
      }),
    );
  });

  it('a huge number is a number, not a crash', () => {
    const r = parseDuration(`${'9'.repeat(400)}w`, U);
    expect(r.ok && r.seconds === Infinity).toBe(true);
    expect(checkDuration(Infinity, 80 * H, U).ok).toBe(false);
    const long = parseDuration(`1.${'5'.repeat(400)}h`, U);
    expect(long.ok && Math.round(long.seconds) === 5600).toBe(true);
  });
});

describe('rounding and limits (docs/grammar.md)', () => {
  it('rounds to the nearest minute, half up', () => {
    expect([0, 29, 30, 89, 90, 149, 150].map(roundToMinute)).toEqual([0, 0, 60, 60, 120, 120, 180]);
  });

  it('checks zero, under a minute and the maximum after rounding', () => {
    expect(checkDuration(0, H, U)).toMatchObject({ ok: false, reason: expect.stringMatching(/zero/) });
    expect(checkDuration(29, H, U)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/less than a minute/),
    });
    expect(checkDuration(30, H, U)).toEqual({ ok: true, seconds: 60 });
    expect(checkDuration(H + 29, H, U)).toEqual({ ok: true, seconds: H });
    expect(checkDuration(H + 30, H, U)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/maxDuration \(1h\)/),
    });
  });

  it('parseMaxDuration reads the config value, rounded to minutes', () => {
    expect(parseMaxDuration('2w')).toBe(80 * H);
    expect(parseMaxDuration('1d 4h', { hoursPerDay: 6, daysPerWeek: 5 })).toBe(10 * H);
    expect(parseMaxDuration('90.5m')).toBe(91 * 60);
  });

  it.each(['', 'two weeks', '0m', '20s', '1x'])('parseMaxDuration(%j) is a config error', (text) => {
    let err: unknown;
    try {
      parseMaxDuration(text);
    } catch (e) {
      err = e;
    }
    expect(isJlogError(err, 'E_CONFIG')).toBe(true);
  });
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [217_800, '1w 2d 4h 30m'],
    [21 * H, '2d 5h'],
    [5400, '1h 30m'],
    [45 * 60, '45m'],
    [9 * H, '1d 1h'],
    [80 * H, '2w'],
    [0, '0m'],
    [45, '45s'],
    [61, '1m 1s'],
  ];
  it.each(cases)('%d s → %j', (seconds, text) => {
    expect(formatDuration(seconds, U)).toBe(text);
  });

  it('uses the working day and week', () => {
    expect(formatDuration(27_000, { hoursPerDay: 7.5, daysPerWeek: 5 })).toBe('1d');
  });

  it('parses back to the same seconds for whole minutes (property)', () => {
    fc.assert(
      fc.property(
        fc.nat(1_000_000),
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 7 }),
        (min, h, d) => {
          const units = { hoursPerDay: h, daysPerWeek: d };
          expect(parseDuration(formatDuration(min * 60, units), units)).toEqual({
            ok: true,
            seconds: min * 60,
          });
        },
      ),
    );
  });
});

describe('parseTimeArgument', () => {
  it('splits duration and comment', () => {
    expect(parseTimeArgument(' 1w 2d 4h 30m Total work logged ', U)).toEqual({
      ok: true,
      seconds: 217_800,
      duration: '1w 2d 4h 30m',
      comment: 'Total work logged',
    });
    expect(parseTimeArgument('1h, fixed', U)).toEqual({
      ok: true,
      seconds: H,
      duration: '1h',
      comment: 'fixed',
    });
    expect(parseTimeArgument('1h 30m. done', U)).toEqual({
      ok: true,
      seconds: 5400,
      duration: '1h 30m',
      comment: 'done',
    });
  });

  it('keeps the comment’s inner whitespace', () => {
    expect(parseTimeArgument('1h a  b\tc', U)).toMatchObject({ comment: 'a  b\tc' });
  });
});
