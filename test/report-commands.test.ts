// jlog report and the new kinds (issue 12): comments and transitions are counted, never as time.
import { describe, expect, it } from 'vitest';
import { buildReport } from '../src/core/report.js';
import type { LedgerRecord } from '../src/core/types.js';

const rec = (over: Partial<LedgerRecord>): LedgerRecord => ({
  id: 'a:0',
  sha: 'a',
  issue: 'PROJ-1',
  seconds: 3600,
  state: 'posted',
  at: '2026-11-20T10:00:00.000Z',
  started: '2026-11-20T11:00:00.000+0100',
  ...over,
});

describe('buildReport with comments and transitions', () => {
  it('counts them beside the time of their issue, and lists no group for an issue with no worklog', () => {
    const report = buildReport(
      [
        rec({}),
        rec({ id: 'a:c0', kind: 'comment', seconds: 0 }),
        rec({ id: 'a:t0', kind: 'transition', seconds: 0 }),
        rec({ id: 'b:t0', issue: 'PROJ-2', kind: 'transition', seconds: 0 }),
        rec({ id: 'b:c0', issue: 'PROJ-2', kind: 'comment', seconds: 0, state: 'failed' }),
      ],
      { by: 'issue' },
    );
    expect(report).toEqual({
      total: 3600,
      worklogs: 1,
      groups: [{ key: 'PROJ-1', seconds: 3600, worklogs: 1, comments: 1, transitions: 1 }],
      comments: 1,
      transitions: 2,
    });
  });
});
