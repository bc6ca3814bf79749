// The controls (issue 9 "Must show"): equal text is not the same token. Each of these must keep two
// worklogs through the hooks, CI in a fresh clone and a second clone's sync.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ALICE, BOB, Team, day, markerA } from './team.js';

// Real clones, hooks, workers and CI runs on two shared cores: generous, never a reason to fail.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

let team: Team;
afterEach(async () => {
  await team?.close();
});

const anyFp = expect.any(String) as unknown as string;

describe('controls: two tokens with the same text stay two worklogs', () => {
  it('the same standup on two days is two worklogs, after the push and after CI', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    const before = await alice.head();
    const d1 = await alice.commit('PROJ-9 #time 30m standup', { date: day(2, '09:30:00') });
    const d2 = await alice.commit('PROJ-9 #time 30m standup', { date: day(1, '09:30:00') });
    await alice.push('origin', 'main');
    const ci = await team.ci({ before, after: d2 });
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    const logged = team.worklogs('PROJ-9');
    expect(logged.map((w) => [w.seconds, w.comment])).toEqual([
      [1800, 'standup'],
      [1800, 'standup'],
    ]);
    expect(logged.map((w) => w.marker)).toMatchObject([
      { id: `${d1}:0`, fp: anyFp },
      { id: `${d2}:0`, fp: anyFp },
    ]);
    expect(team.sandbox.issue('PROJ-9')!.timeSpentSeconds).toBe(3600);
  });

  it('Alice and Bob commit the same standup text at the same time: two worklogs, after CI too', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    const bob = await team.developer(BOB);
    const before = await alice.head();
    const at = day(1, '09:30:00');
    const a1 = await alice.commit('PROJ-9 #time 30m standup', { date: at });
    await alice.push('origin', 'main');
    const b1 = await bob.commit('PROJ-9 #time 30m standup', { date: at });
    await bob.git(['pull', '-q', '--rebase', 'origin', 'main']);
    const bobTip = await bob.head();
    await bob.push('origin', 'main');
    const ci = await team.ci({ before, after: bobTip });
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    const logged = team.worklogs('PROJ-9');
    expect(logged.map((w) => [w.seconds, w.comment])).toEqual([
      [1800, 'standup'],
      [1800, 'standup'],
    ]);
    const ids = logged.map((w) => (w.marker as { id: string }).id).sort();
    // Bob's commit was rebased onto Alice's before his push: his worklog names the commit on main.
    expect(ids).toEqual([`${a1}:0`, `${bobTip}:0`].sort());
    expect(bobTip).not.toBe(b1);
  });

  it('Alice and Bob’s identical standups squashed into one GitHub commit: each keeps one worklog, each claimed once', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    const bob = await team.developer(BOB);
    const at = day(1, '09:30:00');
    await alice.git(['checkout', '-q', '-b', 'team/notes']);
    const a1 = await alice.commit('PROJ-9 #time 30m standup', { date: at });
    await alice.push('-u', 'origin', 'team/notes');
    await bob.git(['fetch', '-q', 'origin']);
    await bob.git(['checkout', '-q', '-b', 'team/notes', 'origin/team/notes']);
    const b1 = await bob.commit('PROJ-9 #time 30m standup', { date: at });
    await bob.push('origin', 'team/notes');
    expect(team.worklogs('PROJ-9')).toHaveLength(2);

    const push = await team.githubSquash({
      branch: 'team/notes',
      pr: 30,
      author: ALICE,
      title: 'Team notes',
      coAuthors: [BOB],
    });
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    const logged = team.worklogs('PROJ-9');
    expect(logged.map((w) => [w.seconds, w.comment])).toEqual([
      [1800, 'standup'],
      [1800, 'standup'],
    ]);
    const byId = new Map(logged.map((w) => [(w.marker as { id: string }).id, w.marker]));
    // The squash's first standup goes to its author Alice, the second to the co-author Bob.
    expect(byId.get(`${a1}:0`)).toMatchObject({
      a: markerA(ALICE.email),
      also: [{ id: `${push.after}:0`, fp: anyFp, copy: true }],
    });
    expect(byId.get(`${b1}:0`)).toMatchObject({
      a: markerA(BOB.email),
      also: [{ id: `${push.after}:1`, fp: anyFp, copy: true }],
    });
  });

  it('parent and child with the same token in the same second are two worklogs, after CI and a second clone’s sync', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    const before = await alice.head();
    const at = day(1, '17:45:10');
    const parent = await alice.commit('PROJ-9 #time 30m standup', { date: at });
    const child = await alice.commit('PROJ-9 #time 30m standup', { date: at });
    await alice.push('origin', 'main');
    expect(team.worklogs('PROJ-9')).toHaveLength(2);

    const ci = await team.ci({ before, after: child });
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    const laptop = await team.developer(ALICE);
    const sync = await laptop.jlog('sync', '--json');
    expect(sync.code).toBe(0);
    expect(sync.json.posted).toEqual([]);
    const logged = team.worklogs('PROJ-9');
    expect(logged.map((w) => [w.seconds, w.comment])).toEqual([
      [1800, 'standup'],
      [1800, 'standup'],
    ]);
    expect(logged.map((w) => (w.marker as { id: string }).id).sort()).toEqual(
      [`${parent}:0`, `${child}:0`].sort(),
    );
  });

  it('one message repeating a token twice is two worklogs with two fingerprints', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    const before = await alice.head();
    const c1 = await alice.commit(
      'Two pairing sessions\n\nPROJ-9 #time 1h pairing\nPROJ-9 #time 1h pairing',
      {
        date: day(1),
      },
    );
    await alice.push('origin', 'main');
    const ci = await team.ci({ before, after: c1 });
    expect(ci.json.posted).toEqual([]);
    const logged = team.worklogs('PROJ-9');
    expect(logged.map((w) => [w.seconds, w.comment])).toEqual([
      [3600, 'pairing'],
      [3600, 'pairing'],
    ]);
    const markers = logged.map((w) => w.marker as { id: string; fp: string });
    expect(markers.map((m) => m.id).sort()).toEqual([`${c1}:0`, `${c1}:1`]);
    expect(markers[0]!.fp).not.toBe(markers[1]!.fp);
  });
});
