// Comments and transitions as tokens (docs/exactly-once.md): ids, fingerprints, content keys, apply order.
import { describe, expect, it } from 'vitest';
import {
  applyOrder,
  commandContentKey,
  commandId,
  commitCommands,
  parseCommandId,
  type OrderKey,
} from '../src/core/commands.js';
import { parseMessage } from '../src/core/grammar.js';
import type { Commit, GrammarOptions } from '../src/core/types.js';

const G: GrammarOptions = { projects: null, hoursPerDay: 8, daysPerWeek: 5, maxSeconds: 80 * 3600 };
const ON = { comments: true, transitions: true };

function commit(message: string, over: Partial<Commit> = {}): Commit {
  return {
    sha: 'a'.repeat(40),
    parents: [],
    authorName: 'Dev',
    authorEmail: 'Dev@Example.com',
    authorDate: '2026-11-27T09:05:00+01:00',
    subject: message.split('\n')[0] ?? '',
    message,
    ...over,
  };
}

const plan = (c: Commit, opts = ON) => commitCommands(c, parseMessage(c.message, G), opts);

describe('command ids', () => {
  it.each([
    ['comment', 0, ':c0'],
    ['comment', 12, ':c12'],
    ['transition', 3, ':t3'],
  ] as const)('%s %i → <sha>%s and back', (kind, n, suffix) => {
    const id = commandId('abc1234', kind, n);
    expect(id).toBe(`abc1234${suffix}`);
    expect(parseCommandId(id)).toEqual({ sha: 'abc1234', kind, n });
  });

  it.each(['abc1234:0', 'abc1234:x1', 'manual:c0', 'abc:c0', 'abc1234:c'])('%s is not a command id', (id) => {
    expect(parseCommandId(id)).toBeNull();
  });
});

describe('commitCommands', () => {
  it('numbers comments and transitions per kind, each key of a group its own, message order', () => {
    const c = commit('PROJ-1 PROJ-2 #time 1h #comment fixed #resolve\nOPS-3 #start-progress #close');
    const out = plan(c);
    expect(out.map((e) => [e.id.slice(40), e.issue, e.kind === 'comment' ? e.text : e.name, e.line])).toEqual(
      [
        [':c0', 'PROJ-1', 'fixed', 1],
        [':c1', 'PROJ-2', 'fixed', 1],
        [':t0', 'PROJ-1', 'resolve', 1],
        [':t1', 'PROJ-2', 'resolve', 1],
        [':t2', 'OPS-3', 'start-progress', 2],
        [':t3', 'OPS-3', 'close', 2],
      ],
    );
    expect(out[0]).toMatchObject({ sha: c.sha, authorEmail: 'Dev@Example.com', squash: false });
    expect(out[0]?.author).toMatch(/^[0-9a-f]{12}$/);
  });

  it('with the options off (the default) plans nothing of that kind', () => {
    const c = commit('PROJ-1 #comment fixed #resolve');
    expect(plan(c, { comments: false, transitions: false })).toEqual([]);
    expect(plan(c, { comments: true, transitions: false }).map((e) => e.kind)).toEqual(['comment']);
    expect(plan(c, { comments: false, transitions: true }).map((e) => e.kind)).toEqual(['transition']);
  });

  it('fingerprints survive a rebase (new sha, same author and date) and differ for anything else', () => {
    const fps = (c: Commit) => plan(c).map((e) => e.fp);
    const base = fps(commit('PROJ-1 #comment fixed #resolve'));
    expect(fps(commit('PROJ-1 #comment fixed #resolve', { sha: 'b'.repeat(40) }))).toEqual(base);
    // Case of the email does not matter; the email, the date, the text, the issue do.
    expect(fps(commit('PROJ-1 #comment fixed #resolve', { authorEmail: 'dev@example.com' }))).toEqual(base);
    for (const other of [
      fps(commit('PROJ-1 #comment fixed #resolve', { authorEmail: 'bob@example.com' })),
      fps(commit('PROJ-1 #comment fixed #resolve', { authorDate: '2026-11-27T09:06:00+01:00' })),
      fps(commit('PROJ-2 #comment fixed #resolve')),
      fps(commit('PROJ-1 #comment fixed! #close')),
    ]) {
      expect(other[0]).not.toBe(base[0]);
      expect(other[1]).not.toBe(base[1]);
    }
    // A transition written another way that Atlassian reads the same is the same transition.
    expect(fps(commit('PROJ-1 #comment fixed #RESOLVE'))).toEqual(base);
  });

  it('repeated identical commands in one message are distinct tokens', () => {
    const out = plan(commit('PROJ-1 #comment wip\nPROJ-1 #comment wip\nPROJ-1 #close\nPROJ-1 #close'));
    expect(new Set(out.map((e) => e.fp)).size).toBe(4);
    expect(new Set(out.map((e) => e.id)).size).toBe(4);
  });

  it('content keys: the same command elsewhere has the same key; other text or issue does not', () => {
    const [a] = plan(commit('PROJ-1 #comment fixed'));
    const [b] = plan(commit('PROJ-1 #comment fixed', { sha: 'c'.repeat(40), authorEmail: 'x@y.z' }));
    const [c] = plan(commit('PROJ-1 #comment Fixed'));
    const [t1] = plan(commit('PROJ-1 #start-progress'));
    const [t2] = plan(commit('PROJ-1 #START-PROGRESS'));
    expect(commandContentKey(a!)).toBe(commandContentKey(b!));
    expect(commandContentKey(a!)).not.toBe(commandContentKey(c!));
    expect(commandContentKey(t1!)).toBe(commandContentKey(t2!));
  });
});

describe('applyOrder', () => {
  it('by line, then worklog, comment, transitions as written', () => {
    const k = (line: number, kind: OrderKey['kind'], n: number) => ({ line, kind, n });
    const entries = [
      k(2, 'transition', 1),
      k(1, 'transition', 0),
      k(2, 'worklog', 1),
      k(1, 'comment', 0),
      k(1, 'worklog', 0),
      k(2, 'transition', 0),
    ];
    expect(applyOrder(entries, (e) => e)).toEqual([
      k(1, 'worklog', 0),
      k(1, 'comment', 0),
      k(1, 'transition', 0),
      k(2, 'worklog', 1),
      k(2, 'transition', 0),
      k(2, 'transition', 1),
    ]);
    expect(entries[0]).toEqual(k(2, 'transition', 1));
  });
});
