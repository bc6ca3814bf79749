// The pure part of jlog report: date bounds and grouping of posted ledger records.
import { describe, expect, it } from 'vitest';
import { buildReport, parseDateBound, recordDay, reportCsv } from '../src/core/report.js';
import type { LedgerRecord } from '../src/core/types.js';

const TODAY = '2026-03-31';

describe('parseDateBound', () => {
  it.each([
    ['2026-11-20', { day: '2026-11-20' }],
    [' 2024-02-29 ', { day: '2024-02-29' }],
    ['today', { day: TODAY }],
    ['Yesterday', { day: '2026-03-30' }],
    ['30 days ago', { day: '2026-03-01' }],
    ['1 day ago', { day: '2026-03-30' }],
    ['31.days.ago', { day: '2026-02-28' }],
    ['2 weeks ago', { day: '2026-03-17' }],
    ['1 year ago', { day: '2025-03-31' }],
    ['2026-11-20T10:00:00+01:00', { ms: Date.UTC(2026, 10, 20, 9, 0, 0) }],
    ['2026-11-20T10:00:00.000+0100', { ms: Date.UTC(2026, 10, 20, 9, 0, 0) }],
    ['2026-11-20T10:00Z', { ms: Date.UTC(2026, 10, 20, 10, 0, 0) }],
  ])('%s', (text, expected) => {
    expect(parseDateBound(text, TODAY)).toEqual(expected);
  });

  it.each([
    'junk',
    '',
    '2026-02-30',
    '2026-13-01',
    '20261120',
    'days ago',
    '3 fortnights ago',
    '-1 days ago',
    'tomorrow',
  ])('rejects %j', (text) => {
    expect(parseDateBound(text, TODAY)).toBeNull();
  });
});

let n = 0;
function rec(
  issue: string,
  seconds: number,
  started: string | undefined,
  state: LedgerRecord['state'] = 'posted',
): LedgerRecord {
  const sha = `${(++n).toString(16).padStart(8, '0')}`.padEnd(40, 'a');
  return {
    id: `${sha}:0`,
    sha,
    issue,
    seconds,
    state,
    at: '2026-12-01T00:00:00.000Z',
    ...(started === undefined ? {} : { started }),
    ...(state === 'posted' ? { worklogId: String(10000 + n) } : {}),
  };
}

const records: LedgerRecord[] = [
  rec('PROJ-10', 1800, '2026-11-20T09:00:00.000+0100'),
  rec('PROJ-9', 3600, '2026-11-20T23:30:00.000+0100'), // 22:30 UTC, still the 20th in its own offset
  rec('PROJ-9', 900, '2026-11-21T00:30:00.000+0100'), // the 20th in UTC, the 21st in its own offset
  rec('OPS-1', 7200, '2026-11-22T10:00:00.000-0500'),
  rec('PROJ-9', 600, '2026-11-20T10:00:00.000+0100', 'pending'),
  rec('PROJ-9', 600, '2026-11-20T10:00:00.000+0100', 'undone'),
  rec('PROJ-9', 600, '2026-11-20T10:00:00.000+0100', 'failed'),
];

describe('buildReport', () => {
  it('groups posted records by issue, sorted with numbers in order, and ignores other states', () => {
    expect(buildReport(records, { by: 'issue' })).toEqual({
      total: 13500,
      worklogs: 4,
      groups: [
        { key: 'OPS-1', seconds: 7200, worklogs: 1 },
        { key: 'PROJ-9', seconds: 4500, worklogs: 2 },
        { key: 'PROJ-10', seconds: 1800, worklogs: 1 },
      ],
    });
  });

  it('groups by the date of started in its own offset', () => {
    expect(buildReport(records, { by: 'day' }).groups).toEqual([
      { key: '2026-11-20', seconds: 5400, worklogs: 2 },
      { key: '2026-11-21', seconds: 900, worklogs: 1 },
      { key: '2026-11-22', seconds: 7200, worklogs: 1 },
    ]);
  });

  it('filters on whole days, both bounds inclusive', () => {
    const r = buildReport(records, { by: 'day', since: { day: '2026-11-21' }, until: { day: '2026-11-21' } });
    expect(r.groups).toEqual([{ key: '2026-11-21', seconds: 900, worklogs: 1 }]);
    expect(r.total).toBe(900);
    expect(buildReport(records, { by: 'issue', until: { day: '2026-11-19' } })).toEqual({
      total: 0,
      worklogs: 0,
      groups: [],
    });
  });

  it('filters on instants', () => {
    const since = { ms: Date.UTC(2026, 10, 20, 22, 0, 0) };
    const r = buildReport(records, { by: 'issue', since, until: { ms: Date.UTC(2026, 10, 21, 0, 0, 0) } });
    expect(r.groups).toEqual([{ key: 'PROJ-9', seconds: 4500, worklogs: 2 }]);
  });

  it('falls back to the record time when started is missing', () => {
    const r = rec('PROJ-1', 60, undefined);
    expect(recordDay(r)).toBe('2026-12-01');
    expect(buildReport([r], { by: 'day', since: { day: '2026-12-01' } }).total).toBe(60);
  });
});

describe('reportCsv', () => {
  it('starts with the header and gives hours with two decimals', () => {
    expect(reportCsv(buildReport(records, { by: 'issue' }))).toEqual([
      'key,seconds,hours,worklogs',
      'OPS-1,7200,2.00,1',
      'PROJ-9,4500,1.25,2',
      'PROJ-10,1800,0.50,1',
    ]);
    expect(
      reportCsv({ total: 0, worklogs: 0, groups: [{ key: 'a,"b"', seconds: 60, worklogs: 1 }] })[1],
    ).toBe('"a,""b""",60,0.02,1');
  });
});
