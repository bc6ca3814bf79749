import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adfDoc,
  adfToText,
  buildWorklogBody,
  formatStarted,
  markerFromProperties,
  startedOf,
  startedToMs,
} from '../src/core/jira-format.js';
import type { PlannedWorklog } from '../src/core/types.js';

const JIRA_STARTED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$/;

describe('formatStarted', () => {
  it.each([
    ['2026-03-29T01:30:00+01:00', '2026-03-29T01:30:00.000+0100'],
    ['2026-03-29T03:30:00+02:00', '2026-03-29T03:30:00.000+0200'],
    ['2026-11-27T09:05:00+01:00', '2026-11-27T09:05:00.000+0100'],
    ['2026-01-02T23:59:59Z', '2026-01-02T23:59:59.000+0000'],
    ['2026-07-04T08:00:00-04:00', '2026-07-04T08:00:00.000-0400'],
    ['2026-07-04T08:00:00+05:30', '2026-07-04T08:00:00.000+0530'],
    ['2026-07-04T08:00:00-00:30', '2026-07-04T08:00:00.000-0030'],
    ['2026-07-04T08:00:00.25+0100', '2026-07-04T08:00:00.250+0100'],
  ])('%s → %s', (iso, expected) => {
    expect(formatStarted(iso)).toBe(expected);
  });

  it('moves the instant back but keeps the commit offset', () => {
    expect(formatStarted('2026-03-29T01:30:00+01:00', 90 * 60)).toBe('2026-03-29T00:00:00.000+0100');
    // Across midnight and a month boundary, still in the commit's own offset.
    expect(formatStarted('2026-03-01T00:15:00-05:00', 30 * 60)).toBe('2026-02-28T23:45:00.000-0500');
    expect(startedToMs(formatStarted('2026-03-29T01:30:00+01:00', 3600))).toBe(
      Date.parse('2026-03-29T01:30:00+01:00') - 3_600_000,
    );
  });

  it("copies git's own %aI fields exactly as the general path computes them (property)", () => {
    // startedOf(text, 0) takes a fast path for what git prints; any nonzero minus takes the general
    // one, and a minus of a billionth of a second moves no millisecond.
    const text = fc
      .tuple(
        fc.integer({ min: 1900, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 24 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 60 }),
        fc.constantFrom('Z', '+', '-'),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 75 }),
      )
      .map(([y, mo, d, h, mi, s, sign, oh, om]) => {
        const p = (n: number, w = 2) => String(n).padStart(w, '0');
        const zone = sign === 'Z' ? 'Z' : `${sign}${p(oh)}:${p(om)}`;
        return `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}:${p(s)}${zone}`;
      });
    const same = (iso: string) => {
      const slow = (): unknown => startedOf(iso, Number.MIN_VALUE);
      let want: unknown;
      try {
        want = slow();
      } catch (err) {
        want = err;
      }
      if (want instanceof Error) expect(() => startedOf(iso)).toThrow(RangeError);
      else expect(startedOf(iso)).toEqual(want);
    };
    fc.assert(fc.property(text, same), { numRuns: 2000 });
    for (const iso of ['2024-02-29T10:00:00+01:00', '2023-02-29T10:00:00Z', '2026-07-04T08:00:00-00:00'])
      same(iso);
  });

  it('refuses what is not an ISO date with an offset', () => {
    for (const bad of ['', 'yesterday', '2026-03-29T01:30:00', '2026-03-29 01:30:00+01:00']) {
      expect(() => formatStarted(bad)).toThrow(RangeError);
    }
  });

  it('round-trips any instant and offset (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2090, 0, 1) }),
        fc.integer({ min: -12 * 60, max: 14 * 60 }),
        (ms, offset) => {
          const sign = offset < 0 ? '-' : '+';
          const abs = Math.abs(offset);
          const off = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
          const wall = new Date(ms + offset * 60_000).toISOString().slice(0, 19);
          const out = formatStarted(`${wall}${off}`);
          expect(out).toMatch(JIRA_STARTED);
          expect(out.endsWith(off.replace(':', ''))).toBe(true);
          expect(startedToMs(out)).toBe(Math.floor(ms / 1000) * 1000);
        },
      ),
    );
  });
});

describe('startedToMs', () => {
  it('reads Jira, git and JavaScript forms; NaN for junk', () => {
    const ms = Date.parse('2026-01-17T12:34:00Z');
    expect(startedToMs('2026-01-17T12:34:00.000+0000')).toBe(ms);
    expect(startedToMs('2026-01-17T13:34:00.000+0100')).toBe(ms);
    expect(startedToMs('2026-01-17T12:34:00.000Z')).toBe(ms);
    expect(startedToMs('2026-01-17T07:34:00-05:00')).toBe(ms);
    expect(startedToMs('not a date')).toBeNaN();
  });
});

describe('ADF', () => {
  it('wraps text in one paragraph', () => {
    expect(adfDoc('fixed login')).toEqual({
      type: 'doc',
      version: 1,
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'fixed login' }] }],
    });
  });

  it('is undefined for empty or blank text: never an empty text node', () => {
    expect(adfDoc('')).toBeUndefined();
    expect(adfDoc(' \t\n')).toBeUndefined();
  });

  it('flattens documents and tolerates junk', () => {
    expect(adfToText(adfDoc('hello'))).toBe('hello');
    const doc = {
      type: 'doc',
      version: 1,
      content: [
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'a ' },
            { type: 'text', text: 'b', marks: [] },
          ],
        },
        {
          type: 'paragraph',
          content: [{ type: 'text', text: 'c' }, { type: 'hardBreak' }, { type: 'text', text: 'd' }],
        },
      ],
    };
    expect(adfToText(doc)).toBe('a b\nc\nd');
    expect(adfToText('plain v2 comment')).toBe('plain v2 comment');
    for (const junk of [undefined, null, 42, [], {}, { content: 'x' }, { type: 'text', text: 7 }]) {
      expect(adfToText(junk)).toBe('');
    }
    const deep: Record<string, unknown> = { type: 'text', text: 'x' };
    let node = deep;
    for (let i = 0; i < 500; i++) node = { type: 'paragraph', content: [node] };
    expect(() => adfToText(node)).not.toThrow();
  });
});

const planned: PlannedWorklog = {
  id: 'abc123:0',
  sha: 'abc123',
  n: 0,
  issue: 'PROJ-7',
  seconds: 5400,
  comment: 'fixed login',
  postComment: 'fixed login',
  started: '2026-11-27T09:05:00.000+0100',
  startedMs: Date.parse('2026-11-27T09:05:00+01:00'),
  authorEmail: 'dev@example.com',
  fp: 'fp1',
  squash: false,
};

describe('buildWorklogBody', () => {
  it('cloud: ADF comment, seconds only, the marker', () => {
    expect(buildWorklogBody(planned, 'cloud')).toEqual({
      timeSpentSeconds: 5400,
      started: '2026-11-27T09:05:00.000+0100',
      comment: adfDoc('fixed login'),
      // `a`: SHA-256 of the lower-cased author email, first 12 hex digits (docs/exactly-once.md).
      properties: [{ key: 'jlog', value: { v: 2, id: 'abc123:0', fp: 'fp1', a: 'eb2b6c0d061b' } }],
    });
  });

  it('datacenter: the comment as a plain string', () => {
    const body = buildWorklogBody(planned, 'datacenter');
    expect(body.comment).toBe('fixed login');
    expect(body).not.toHaveProperty('timeSpent');
  });

  it('omits the comment when there is none', () => {
    for (const postComment of ['', '   ']) {
      for (const d of ['cloud', 'datacenter'] as const) {
        expect(buildWorklogBody({ ...planned, postComment }, d)).not.toHaveProperty('comment');
      }
    }
  });
});

describe('markerFromProperties', () => {
  it('reads a v1 marker as v2 without a and also', () => {
    expect(markerFromProperties([{ key: 'jlog', value: { v: 1, id: 'a:0', fp: 'f' } }])).toEqual({
      v: 2,
      id: 'a:0',
      fp: 'f',
    });
  });

  it('takes the jlog property among others, and only the marker shape', () => {
    const m = { v: 2, id: 'a:0', fp: 'f', a: '0123456789ab', also: [{ id: 'b:0', fp: 'g', copy: true }] };
    expect(
      markerFromProperties([
        { key: 'other', value: 1 },
        { key: 'jlog', value: m },
      ]),
    ).toEqual(m);
    for (const bad of [
      undefined,
      'x',
      [{ key: 'jlog', value: { v: 3, id: 'a', fp: 'f' } }],
      [{ key: 'jlog', value: { v: '2', id: 'a', fp: 'f' } }],
      [{ key: 'jlog', value: { v: 1, id: 3, fp: 'f' } }],
      [{ key: 'jlog', value: { v: 2, id: 'a:0', fp: '' } }],
      [{ key: 'jlog', value: { v: 2, id: 'x'.repeat(201), fp: 'f' } }],
      [{ key: 'jlog', value: [] }],
      [{ key: 'jlog', value: null }],
      [null],
    ]) {
      expect(markerFromProperties(bad)).toBeUndefined();
    }
  });

  it('drops malformed optional parts and keeps the marker (a damaged also never hides the worklog)', () => {
    const read = markerFromProperties([
      {
        key: 'jlog',
        value: {
          v: 2,
          id: 'a:0',
          fp: 'f',
          a: 42,
          copy: 'yes',
          also: [{ id: 'b:0', fp: 'g' }, { id: 'c:0' }, 'junk', null, { id: 'd:0', fp: 'h', copy: 1 }],
          extra: { anything: true },
        },
      },
    ]);
    expect(read).toEqual({
      v: 2,
      id: 'a:0',
      fp: 'f',
      also: [
        { id: 'b:0', fp: 'g' },
        { id: 'd:0', fp: 'h' },
      ],
    });
    expect(
      markerFromProperties([{ key: 'jlog', value: { v: 2, id: 'a:0', fp: 'f', also: 'nope', copy: true } }]),
    ).toEqual({ v: 2, id: 'a:0', fp: 'f', copy: true });
  });

  it('reads at most 500 also entries from a hostile property', () => {
    const also = Array.from({ length: 2000 }, (_, i) => ({ id: `s:${i}`, fp: `f${i}` }));
    expect(
      markerFromProperties([{ key: 'jlog', value: { v: 2, id: 'a:0', fp: 'f', also } }])?.also,
    ).toHaveLength(500);
  });
});
