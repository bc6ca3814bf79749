// The rewrite inheritance rule (core/rewrite.ts), table by table: which new token stands for which
// old one after an amend, a rebase, a `rebase -i` squash, and a force-push.
import { describe, expect, it } from 'vitest';
import {
  heirStep,
  inheritByCommit,
  inheritByContent,
  outcomeStep,
  type RewriteToken,
} from '../src/core/rewrite.js';
import type { LedgerState } from '../src/core/types.js';

const O1 = 'a'.repeat(40);
const O2 = 'b'.repeat(40);
const N1 = 'c'.repeat(40);

function tok(sha: string, n: number, over: Partial<RewriteToken> = {}): RewriteToken {
  return {
    id: `${sha}:${n}`,
    sha,
    fp: `fp-${sha[0]}${n}`,
    issue: 'PROJ-1',
    seconds: 3600,
    comment: 'fix',
    ...over,
  };
}

type Case = [string, RewriteToken[], RewriteToken[], Record<string, [string, string]>, string[]];

describe('inheritByCommit (post-rewrite: git says which commit replaces which)', () => {
  const cases: Case[] = [
    [
      'an amend that keeps the token: same fingerprint',
      [tok(O1, 0)],
      [tok(N1, 0, { fp: 'fp-a0' })],
      { [`${O1}:0`]: [`${N1}:0`, 'fingerprint'] },
      [],
    ],
    [
      'a squash that moved the date: same content key',
      [tok(O1, 0)],
      [tok(N1, 0, { fp: 'other' })],
      { [`${O1}:0`]: [`${N1}:0`, 'content'] },
      [],
    ],
    [
      'an amended comment: same issue and seconds',
      [tok(O1, 0)],
      [tok(N1, 0, { fp: 'x', comment: 'fixed login' })],
      { [`${O1}:0`]: [`${N1}:0`, 'issue-seconds'] },
      [],
    ],
    [
      'an amended duration: same issue (updated on Jira)',
      [tok(O1, 0)],
      [tok(N1, 0, { fp: 'x', seconds: 7200 })],
      { [`${O1}:0`]: [`${N1}:0`, 'issue'] },
      [],
    ],
    [
      'a fixed key: the one token left on each side moved',
      [tok(O1, 0)],
      [tok(N1, 0, { fp: 'x', issue: 'PROJ-2' })],
      { [`${O1}:0`]: [`${N1}:0`, 'moved'] },
      [],
    ],
    ['a token taken out: gone', [tok(O1, 0)], [], {}, [`${O1}:0`]],
    [
      'two tokens, one taken out: the other keeps its fingerprint, the first is gone',
      [tok(O1, 0), tok(O1, 1, { seconds: 1800, comment: 'b' })],
      [tok(N1, 0, { fp: 'fp-a1', seconds: 1800, comment: 'b' })],
      { [`${O1}:1`]: [`${N1}:0`, 'fingerprint'] },
      [`${O1}:0`],
    ],
  ];
  it.each(cases)('%s', (_what, old, fresh, heirs, gone) => {
    const got = inheritByCommit([[O1, N1]], new Map([[O1, old]]), new Map([[N1, fresh]]));
    expect(Object.fromEntries([...got.heirs].map(([k, v]) => [k, [v.to, v.rule]]))).toEqual(heirs);
    expect(got.gone).toEqual(gone);
  });

  it('a rebase -i squash of two commits: each old token has its own heir, strongest rule first across pairs', () => {
    const a = tok(O1, 0);
    const b = tok(O2, 0, { issue: 'PROJ-2', seconds: 1800, comment: 'tests' });
    const n0 = tok(N1, 0, { fp: a.fp });
    const n1 = tok(N1, 1, { fp: 'new', issue: 'PROJ-2', seconds: 1800, comment: 'tests' });
    const got = inheritByCommit(
      [
        [O1, N1],
        [O2, N1],
      ],
      new Map([
        [O1, [a]],
        [O2, [b]],
      ]),
      new Map([[N1, [n0, n1]]]),
    );
    expect(got.heirs.get(a.id)).toEqual({ to: n0.id, rule: 'fingerprint' });
    expect(got.heirs.get(b.id)).toEqual({ to: n1.id, rule: 'content' });
    expect(got.gone).toEqual([]);
  });
});

describe('inheritByContent (a force-push: only content keys)', () => {
  it.each([
    ['reset and the same message committed again', [tok(O1, 0)], [tok(N1, 0, { fp: 'new' })], 1, 0],
    ['a dropped commit with no counterpart', [tok(O1, 0)], [], 0, 1],
    ['another duration is not the same work', [tok(O1, 0)], [tok(N1, 0, { fp: 'new', seconds: 60 })], 0, 1],
    [
      'two identical tokens pair one to one',
      [tok(O1, 0), tok(O1, 1, { fp: 'f2' })],
      [tok(N1, 0, { fp: 'n' })],
      1,
      1,
    ],
  ] as [string, RewriteToken[], RewriteToken[], number, number][])(
    '%s',
    (_what, leaving, pushed, heirs, gone) => {
      const got = inheritByContent(leaving, pushed);
      expect(got.heirs.size).toBe(heirs);
      expect(got.gone).toHaveLength(gone);
    },
  );
});

// docs/exactly-once.md: a rewrite and a POST in flight may interleave in any order. git runs post-commit (its
// worker may post an amend's token as new work) before post-rewrite records the old→new pairing.
describe('heirStep (post-rewrite meets what the ledger holds for the heir)', () => {
  const cases: [string, Parameters<typeof heirStep>[0], LedgerState, ReturnType<typeof heirStep>][] = [
    ['heir unknown to the ledger: takes the old state', undefined, 'posted', 'carry'],
    ['heir pending (post-commit recorded it): takes the old state', { state: 'pending' }, 'pending', 'carry'],
    ['heir posted as new work, old posted: two worklogs, rejoin', { state: 'posted' }, 'posted', 'rejoin'],
    [
      'heir posted as new work, old pending (outcome unknown): rejoin',
      { state: 'posted' },
      'pending',
      'rejoin',
    ],
    [
      'heir posted as new work, old failed: nothing of the old on Jira',
      { state: 'posted' },
      'failed',
      'keep',
    ],
    ['heir carried by an earlier call (from)', { state: 'posted', from: 'x:0' }, 'posted', 'keep'],
    [
      'heir reconciled by a run (replaces)',
      { state: 'posted', replaces: { id: 'x:0', fp: 'f', issue: 'PROJ-1', seconds: 1, comment: '' } },
      'posted',
      'keep',
    ],
    ['heir skipped (a copy, not mine)', { state: 'skipped' }, 'posted', 'keep'],
  ];
  it.each(cases)('%s', (_name, heir, old, step) => {
    expect(heirStep(heir, { state: old })).toBe(step);
  });
});

describe("outcomeStep (a posting run records a token's outcome)", () => {
  const replaces = { id: 'x:0', fp: 'f', issue: 'PROJ-1', seconds: 3600, comment: '' };
  const cases: [string, Parameters<typeof outcomeStep>[0], boolean, ReturnType<typeof outcomeStep>][] = [
    ['nothing happened meanwhile', {}, false, 'as-planned'],
    ['a heir reconciled as planned', { replaces }, true, 'as-planned'],
    [
      'made an old token meanwhile (amend while its POST was in flight)',
      { rewritten: { by: 'amend', to: 'y:0' } },
      false,
      'rewritten',
    ],
    ['made a heir meanwhile (posted as new work beside the old worklog)', { replaces }, false, 'heir'],
    ['new to the ledger', undefined, false, 'as-planned'],
  ];
  it.each(cases)('%s', (_name, current, plannedAsHeir, step) => {
    expect(outcomeStep(current, plannedAsHeir)).toBe(step);
  });
});
