// The plan (core/plan.ts), table by table: every decision that needs no Jira.
import { describe, expect, it } from 'vitest';
import { contentKey } from '../src/core/identity.js';
import { commitWorklogs, plan, type PlanOptions } from '../src/core/plan.js';
import type { Commit, LedgerRecord } from '../src/core/types.js';

const SHA = 'a'.repeat(40);
const MERGED = 'b'.repeat(40);
const ME = 'dev@example.com';

const options: PlanOptions = {
  grammar: { projects: null, hoursPerDay: 8, daysPerWeek: 5, maxSeconds: 2 * 5 * 8 * 3600 },
  commentFallback: 'subject',
  started: 'commit',
  squashPatterns: [],
  authors: [ME],
  retryFailed: false,
};

function commit(over: Partial<Commit> = {}): Commit {
  return {
    sha: SHA,
    parents: ['c'.repeat(40)],
    authorName: 'Dev',
    authorEmail: ME,
    authorDate: '2026-11-20T10:00:00+01:00',
    subject: 'PROJ-1 #time 1h fix',
    message: 'PROJ-1 #time 1h fix\n',
    ...over,
  };
}

const id = `${SHA}:0`;
function rec(state: LedgerRecord['state'], over: Partial<LedgerRecord> = {}): LedgerRecord {
  return { id, sha: SHA, issue: 'PROJ-1', seconds: 3600, state, at: '2026-11-20T10:00:00Z', ...over };
}
const ledger = (...records: LedgerRecord[]) => {
  const byId = new Map(records.map((r) => [r.id, r]));
  return { get: (k: string) => byId.get(k), all: () => records };
};

type Bucket = 'toPost' | 'posted' | 'copies' | 'failed' | 'skipped' | 'rewrites';
const bucketOf = (p: ReturnType<typeof plan>): Bucket[] =>
  (['toPost', 'posted', 'copies', 'failed', 'skipped', 'rewrites'] as const).filter((b) => p[b].length > 0);

describe('plan', () => {
  it.each<[string, Partial<Commit>, LedgerRecord[], Partial<PlanOptions>, Bucket[]]>([
    ['my new token is posted', {}, [], {}, ['toPost']],
    ['my pending token is posted', {}, [rec('pending')], {}, ['toPost']],
    ['a posted token stays posted', {}, [rec('posted', { worklogId: '7' })], {}, ['posted']],
    ['an undone token is never posted', {}, [rec('undone')], {}, ['skipped']],
    ["another author's token is skipped (not mine)", { authorEmail: 'bob@example.com' }, [], {}, ['skipped']],
    [
      "another author's token with authors: all is posted",
      { authorEmail: 'bob@example.com' },
      [],
      { authors: null },
      ['toPost'],
    ],
    ['a failed token stays failed', {}, [rec('failed', { retryable: true })], {}, ['failed']],
    [
      '--retry-failed retries what may have been fixed',
      {},
      [rec('failed', { retryable: true })],
      { retryFailed: true },
      ['toPost'],
    ],
    [
      '--retry-failed leaves a 400 failed',
      {},
      [rec('failed', { retryable: false })],
      { retryFailed: true },
      ['failed'],
    ],
    ['flush takes pending tokens only', {}, [rec('posted')], { pendingOnly: true }, []],
    ['flush skips what the ledger never saw', {}, [], { pendingOnly: true }, []],
    [
      'rewrites: "report" lists a rewrite of a posted token instead of reconciling it',
      {},
      [
        rec('pending', {
          replaces: { id: 'x:0', fp: 'f', issue: 'PROJ-1', seconds: 60, comment: '', worklogId: '9' },
        }),
      ],
      { reportRewrites: true },
      ['rewrites'],
    ],
    [
      'rewrites: "apply" reconciles it',
      {},
      [
        rec('pending', {
          replaces: { id: 'x:0', fp: 'f', issue: 'PROJ-1', seconds: 60, comment: '', worklogId: '9' },
        }),
      ],
      {},
      ['toPost'],
    ],
  ])('%s', (_what, c, records, opts, buckets) => {
    expect(bucketOf(plan([commit(c)], ledger(...records), { ...options, ...opts }))).toEqual(buckets);
  });

  it('takes a merge commit’s token that repeats a merged commit’s token as a copy, never posted', () => {
    const merge = commit({ parents: ['c'.repeat(40), MERGED] });
    const [w] = commitWorklogs(merge, options).worklogs;
    const merged = new Map([[SHA, new Map([[contentKey(w!), `${MERGED}:0`]])]]);
    const p = plan([merge], ledger(), options, { merged });
    expect(p.copies.map((x) => x.copyOf)).toEqual([`${MERGED}:0`]);
    expect(p.toPost).toEqual([]);
  });

  it('lists posted tokens a rewrite took out of history: deleted after amend or rebase, orphans after a force-push', () => {
    const gone = rec('posted', { id: 'd:0', sha: 'd', rewritten: { by: 'amend', to: null } });
    const orphan = rec('posted', { id: 'e:0', sha: 'e', rewritten: { by: 'push', to: null } });
    const carried = rec('skipped', { id: 'f:0', sha: 'f', rewritten: { by: 'rebase', to: 'g:0' } });
    const p = plan([], ledger(gone, orphan, carried), options);
    expect(p.gone.map((r) => r.id)).toEqual(['d:0']);
    expect(p.orphans.map((r) => r.id)).toEqual(['e:0']);
    expect(plan([], ledger(gone), { ...options, reportRewrites: true }).rewrites).toHaveLength(1);
  });

  it('marks squash commits and their authors for the copy rules', () => {
    const [w] = commitWorklogs(
      commit({
        subject: 'Login (#12)',
        message: 'Login (#12)\n\n* PROJ-1 #time 1h fix\n\nCo-authored-by: Bob <bob@example.com>\n',
      }),
      options,
    ).worklogs;
    expect(w).toMatchObject({ squash: true, kind: 'worklog' });
    expect(w!.authors).toHaveLength(2);
  });
});
