// The remote check's decision, table by table: identity, fingerprint, and the squash rule.
import { describe, expect, it } from 'vitest';
import { identify, isSquashCommit } from '../src/core/identity.js';
import { matchRemote, type RemoteMarkedWorklog } from '../src/core/match.js';
import type { Commit, PlannedWorklog } from '../src/core/types.js';

const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);
const SHA_OLD = 'c'.repeat(40);

function planned(over: Partial<PlannedWorklog> = {}): PlannedWorklog {
  return {
    id: `${SHA_A}:0`,
    sha: SHA_A,
    n: 0,
    issue: 'PROJ-1',
    seconds: 3600,
    comment: 'login form',
    postComment: 'login form',
    started: '2026-11-20T10:00:00.000+0100',
    startedMs: 0,
    authorEmail: 'Dev@Example.com',
    fp: 'fp-a0',
    squash: false,
    ...over,
  };
}

function remote(
  id: string,
  markerId: string,
  fp: string,
  over: Partial<RemoteMarkedWorklog> = {},
): RemoteMarkedWorklog {
  return { id, timeSpentSeconds: 3600, comment: 'login form', marker: { v: 2, id: markerId, fp }, ...over };
}

describe('matchRemote', () => {
  it('matches on id, then on fingerprint, each remote worklog once', () => {
    const w0 = planned();
    const w1 = planned({ id: `${SHA_A}:1`, n: 1, fp: 'fp-a1' });
    const got = matchRemote(
      [w0, w1],
      [remote('1', `${SHA_B}:4`, 'fp-a1'), remote('2', `${SHA_A}:0`, 'zzz')],
      new Map(),
    );
    expect(got.get(w0.id)?.id).toBe('2');
    expect(got.get(w1.id)?.id).toBe('1');
  });

  it('never matches an unmarked worklog, or a non-squash commit on content alone', () => {
    const w = planned();
    const unmarked: RemoteMarkedWorklog = { id: '9', timeSpentSeconds: 3600, comment: 'login form' };
    const sameContent = remote('1', `${SHA_OLD}:0`, 'other');
    expect(matchRemote([w], [unmarked, sameContent], new Map([[SHA_OLD, null]])).size).toBe(0);
  });

  it('lets a squash commit match unreachable markers on content, one token per marker', () => {
    const a = planned({ squash: true });
    const b = planned({ id: `${SHA_A}:1`, n: 1, fp: 'x', squash: true });
    const c = planned({ id: `${SHA_A}:2`, n: 2, fp: 'y', squash: true });
    const markers = [remote('1', `${SHA_OLD}:0`, 'o0'), remote('2', `${SHA_OLD}:1`, 'o1')];
    const got = matchRemote([a, b, c], markers, new Map([[SHA_OLD, null]]));
    expect([...got.keys()]).toEqual([a.id, b.id]);
    // Reachable markers are this history's own tokens: no content match.
    expect(matchRemote([a], markers, new Map()).size).toBe(0);
  });

  it('the squash rule compares seconds, comment, and the squashed commit author when this clone has it', () => {
    const w = planned({ squash: true });
    const gone = new Map([[SHA_OLD, null]]);
    const m = (over: Partial<RemoteMarkedWorklog>, known: ReadonlyMap<string, string | null> = gone) =>
      matchRemote([w], [remote('1', `${SHA_OLD}:0`, 'o', over)], known).size;
    expect(m({ timeSpentSeconds: 60 })).toBe(0);
    expect(m({ comment: 'other' })).toBe(0);
    // Jira's worklog author is the posting account: its email is not the git one, and is not compared.
    expect(m({ authorEmail: 'dev@corp.example' })).toBe(1);
    expect(m({}, new Map([[SHA_OLD, 'someone.else@example.com']]))).toBe(0);
    expect(m({}, new Map([[SHA_OLD, 'DEV@example.com']]))).toBe(1);
  });

  it("takes GitHub's (#12) off a one-commit PR's token comment", () => {
    const w = planned({ squash: true, comment: 'login form (#12)', postComment: 'login form (#12)' });
    expect(matchRemote([w], [remote('1', `${SHA_OLD}:0`, 'o')], new Map([[SHA_OLD, null]])).size).toBe(1);
  });
});

function commit(over: Partial<Commit> = {}): Commit {
  return {
    sha: SHA_A,
    parents: [],
    authorName: 'Dev',
    authorEmail: 'dev@example.com',
    authorDate: '2026-11-20T10:00:00+01:00',
    subject: 'x',
    message: 'x\n',
    ...over,
  };
}

describe('identify', () => {
  const tokens = [
    { issue: 'PROJ-1', seconds: 3600, comment: 'a', line: 1 },
    { issue: 'PROJ-1', seconds: 3600, comment: 'a', line: 2 },
  ];

  it('gives twins in one commit different fingerprints, stable across SHAs (rebase)', () => {
    const [x, y] = identify(commit(), tokens);
    expect(x!.fp).not.toBe(y!.fp);
    const rebased = identify(commit({ sha: SHA_B }), tokens);
    expect(rebased.map((i) => i.fp)).toEqual([x!.fp, y!.fp]);
    expect(rebased.map((i) => i.id)).toEqual([`${SHA_B}:0`, `${SHA_B}:1`]);
  });

  it('changes the fingerprint with the author date (the same token on another day) and ignores email case', () => {
    const [x] = identify(commit(), tokens);
    expect(identify(commit({ authorDate: '2026-11-21T10:00:00+01:00' }), tokens)[0]!.fp).not.toBe(x!.fp);
    expect(identify(commit({ authorEmail: 'DEV@example.com' }), tokens)[0]!.fp).toBe(x!.fp);
  });
});

describe('isSquashCommit', () => {
  it.each([
    ['Login form (#12)', 'Login form (#12)\n\n* PROJ-1 #time 1h', null, true],
    ['Squashed commit of the following:', 'Squashed commit of the following:\n\ncommit abc', null, true],
    ['Merge feature', 'Merge feature\n\nSquashed commit of the following:\n\ncommit abc', null, true],
    ['Release [squash]', 'Release [squash]\n', /\[squash\]/, true],
    ['Fix #12 in parser', 'Fix #12 in parser\n', null, false],
    ['PROJ-1 #time 1h', 'PROJ-1 #time 1h\n', null, false],
  ])('%s → %s', (subject, message, pattern, expected) => {
    expect(isSquashCommit(commit({ subject, message }), pattern)).toBe(expected);
  });
});
