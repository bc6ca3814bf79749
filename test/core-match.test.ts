// The remote check's decision, table by table: identity, fingerprint, and the squash rule.
import { describe, expect, it } from 'vitest';
import { coAuthorEmails, identify, isSquashCommit } from '../src/core/identity.js';
import { matchRemote, withAlso, type RemoteMarkedWorklog } from '../src/core/match.js';
import type { Commit, Marker, PlannedWorklog } from '../src/core/types.js';

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

const none = (): boolean => false;
/** Ancestry from a list of `[ancestor, descendant]` pairs that hold. */
const holds =
  (...pairs: [string, string][]) =>
  (a: string, d: string): boolean =>
    pairs.some(([x, y]) => x === a && y === d);

describe('matchRemote', () => {
  it('matches on id, then on fingerprint, each remote worklog once', () => {
    const w0 = planned();
    const w1 = planned({ id: `${SHA_A}:1`, n: 1, fp: 'fp-a1' });
    const got = matchRemote(
      [w0, w1],
      [remote('1', `${SHA_B}:4`, 'fp-a1'), remote('2', `${SHA_A}:0`, 'zzz')],
      none,
    );
    expect(got.get(w0.id)?.worklog.id).toBe('2');
    expect(got.get(w1.id)?.worklog.id).toBe('1');
  });

  it('matches an id or fingerprint in the marker’s also (an alias of a rewrite)', () => {
    const w = planned();
    const byId = remote('1', `${SHA_OLD}:0`, 'o', {
      marker: { v: 2, id: `${SHA_OLD}:0`, fp: 'o', also: [{ id: w.id, fp: 'q' }] },
    });
    const byFp = remote('2', `${SHA_OLD}:1`, 'p', {
      marker: { v: 2, id: `${SHA_OLD}:1`, fp: 'p', also: [{ id: `${SHA_B}:0`, fp: w.fp }] },
    });
    expect(matchRemote([w], [byId], none).get(w.id)?.kind).toBe('same');
    expect(matchRemote([w], [byFp], none).get(w.id)?.worklog.id).toBe('2');
  });

  it.each([
    ['a cherry-pick or rebase (marker commit not an ancestor)', none, 1],
    ['the parent in the same second (marker commit an ancestor)', holds([SHA_B, SHA_A]), 0],
  ])('a fingerprint match with %s', (_what, ancestry, expected) => {
    const w = planned();
    expect(matchRemote([w], [remote('1', `${SHA_B}:0`, w.fp)], ancestry).size).toBe(expected);
  });

  it('never matches an unmarked worklog, or a non-squash commit on content alone', () => {
    const w = planned();
    const unmarked: RemoteMarkedWorklog = { id: '9', timeSpentSeconds: 3600, comment: 'login form' };
    const sameContent = remote('1', `${SHA_OLD}:0`, 'other');
    expect(matchRemote([w], [unmarked, sameContent], none).size).toBe(0);
  });

  it('lets a squash commit claim markers on content key, one token per marker', () => {
    const a = planned({ squash: true });
    const b = planned({ id: `${SHA_A}:1`, n: 1, fp: 'x', squash: true });
    const c = planned({ id: `${SHA_A}:2`, n: 2, fp: 'y', squash: true });
    const markers = [remote('1', `${SHA_OLD}:0`, 'o0'), remote('2', `${SHA_OLD}:1`, 'o1')];
    const got = matchRemote([a, b, c], markers, none);
    expect([...got.keys()]).toEqual([a.id, b.id]);
    expect(got.get(a.id)).toMatchObject({
      kind: 'claim',
      direction: 'squash',
      ref: { id: a.id, copy: true },
    });
    // The squash commit's own ancestors are this history's tokens: no content match.
    expect(matchRemote([a], markers, holds([SHA_OLD, SHA_A])).size).toBe(0);
  });

  it.each([
    ['other seconds', { timeSpentSeconds: 60 }, 0],
    ['another comment', { comment: 'other' }, 0],
    ['a ci author prefix', { comment: 'Dev Eloper: login form' }, 1],
    [
      'claimed by a copy already',
      {
        marker: {
          v: 2 as const,
          id: `${SHA_OLD}:0`,
          fp: 'o',
          also: [{ id: 'x:0', fp: 'x', copy: true as const }],
        },
      },
      0,
    ],
    [
      'a copy worklog itself',
      { marker: { v: 2 as const, id: `${SHA_OLD}:0`, fp: 'o', copy: true as const } },
      0,
    ],
  ])('the squash rule with %s', (_what, over, expected) => {
    const w = planned({ squash: true });
    expect(
      matchRemote([w], [remote('1', `${SHA_OLD}:0`, 'o', over as Partial<RemoteMarkedWorklog>)], none).size,
    ).toBe(expected);
  });

  it('prefers the squash author or a co-author, then the oldest worklog', () => {
    const w = planned({ squash: true, authors: ['aaaaaaaaaaaa', 'bbbbbbbbbbbb'] });
    const alice = remote('5', `${SHA_OLD}:0`, 'o0', {
      startedMs: 200,
      marker: { v: 2, id: `${SHA_OLD}:0`, fp: 'o0', a: 'bbbbbbbbbbbb' },
    });
    const old = remote('3', `${SHA_B}:0`, 'o1', {
      startedMs: 100,
      marker: { v: 2, id: `${SHA_B}:0`, fp: 'o1', a: 'cccccccccccc' },
    });
    expect(matchRemote([w], [old, alice], none).get(w.id)?.worklog.id).toBe('5');
    const older = remote('2', `${SHA_B}:1`, 'o2', {
      startedMs: 50,
      marker: { v: 2, id: `${SHA_B}:1`, fp: 'o2' },
    });
    expect(
      matchRemote([planned({ squash: true, authors: [] })], [old, older], none).get(w.id)?.worklog.id,
    ).toBe('2');
  });

  it('lets a branch token claim a squash commit’s copy worklog logged first, not after its started', () => {
    const copy = remote('7', `${SHA_B}:0`, 's', {
      startedMs: 1000,
      marker: { v: 2, id: `${SHA_B}:0`, fp: 's', copy: true },
    });
    expect(matchRemote([planned({ startedMs: 500 })], [copy], none).get(`${SHA_A}:0`)).toMatchObject({
      kind: 'claim',
      direction: 'reverse',
      ref: { id: `${SHA_A}:0`, fp: 'fp-a0' },
    });
    expect(matchRemote([planned({ startedMs: 1500 })], [copy], none).size).toBe(0);
    // A commit the squash commit contains is its own history, not a squashed branch commit.
    expect(matchRemote([planned({ startedMs: 500 })], [copy], holds([SHA_A, SHA_B])).size).toBe(0);
    const claimed = remote('7', `${SHA_B}:0`, 's', {
      startedMs: 1000,
      marker: { v: 2, id: `${SHA_B}:0`, fp: 's', copy: true, also: [{ id: `${SHA_OLD}:0`, fp: 'z' }] },
    });
    expect(matchRemote([planned({ startedMs: 500 })], [claimed], none).size).toBe(0);
  });

  it("takes GitHub's (#12) off a one-commit PR's token comment", () => {
    const w = planned({ squash: true, comment: 'login form (#12)', postComment: 'login form (#12)' });
    expect(matchRemote([w], [remote('1', `${SHA_OLD}:0`, 'o')], none).size).toBe(1);
  });
});

describe('withAlso', () => {
  it('adds once, and keeps at most 50', () => {
    let m: Marker = { v: 2, id: 'a:0', fp: 'f' };
    m = withAlso(withAlso(m, { id: 'b:0', fp: 'g' }), { id: 'b:0', fp: 'g' });
    expect(m.also).toEqual([{ id: 'b:0', fp: 'g' }]);
    for (let i = 0; i < 60; i++) m = withAlso(m, { id: `c${i}:0`, fp: `h${i}` });
    expect(m.also).toHaveLength(50);
    expect(m.also!.at(-1)).toEqual({ id: 'c59:0', fp: 'h59' });
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

describe('coAuthorEmails', () => {
  it('reads every Co-authored-by trailer, any case', () => {
    const msg = 'x\n\nCo-authored-by: Alice <alice@example.com>\nco-authored-by: Bob B <bob@example.com>\n';
    expect(coAuthorEmails(msg)).toEqual(['alice@example.com', 'bob@example.com']);
  });
});

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
    ['Login form (#12)', 'Login form (#12)\n\n* PROJ-1 #time 1h', [], true],
    ['Squashed commit of the following:', 'Squashed commit of the following:\n\ncommit abc', [], true],
    ['Merge feature', 'Merge feature\n\nSquashed commit of the following:\n\ncommit abc', [], true],
    [
      'Merged in feature/x (pull request #3)',
      'Merged in feature/x (pull request #3)\n\nPROJ-1 #time 1h',
      [],
      true,
    ],
    ['Login', 'Login\n\nPROJ-1 #time 1h\n\nSee merge request group/app!3\n', [], true],
    ['Release [squash]', 'Release [squash]\n', [/\[squash\]/], true],
    ['Release', 'Release\n\nsquashed-by: bot\n', [/\[squash\]/, /^squashed-by:/m], true],
    ['Fix #12 in parser', 'Fix #12 in parser\n', [], false],
    ['Merged in feature/x', 'Merged in feature/x\n', [], false],
    ['PROJ-1 #time 1h', 'PROJ-1 #time 1h\n', [], false],
  ])('%s → %s', (subject, message, patterns, expected) => {
    expect(isSquashCommit(commit({ subject, message }), patterns)).toBe(expected);
  });
});
