// Team workflows that already end right (issue 9 "Must show"): hooks on laptops and `jlog ci` on the
// merge see the same tokens and Jira ends with one worklog per token. They guard what works.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ALICE, BOB, Team, day } from './team.js';

// Real clones, hooks, workers and CI runs on two shared cores: generous, never a reason to fail.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

let team: Team;
afterEach(async () => {
  await team?.close();
});

const anyFp = expect.any(String) as unknown as string;

describe('team and CI: what holds', () => {
  it('GitHub rebase-merge re-creates Alice’s posted commits on main: CI posts nothing', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    await alice.git(['checkout', '-q', '-b', 'feature/login']);
    const c1 = await alice.commit('PROJ-7 #time 1h login form', { date: day(3) });
    const c2 = await alice.commit('PROJ-8 #time 30m tests', { date: day(2) });
    await alice.push('-u', 'origin', 'feature/login');
    expect(team.worklogs()).toHaveLength(2);

    const push = await team.githubRebaseMerge({ branch: 'feature/login' });
    const onMain = (await team.show(push.after, '%H')).trim();
    expect(onMain).not.toBe(c2); // new commits, GitHub as the committer
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    expect(ci.json.alreadyLogged).toHaveLength(2);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([
      ['PROJ-7', 3600, 'login form'],
      ['PROJ-8', 1800, 'tests'],
    ]);
    expect(logged.map((w) => w.marker)).toMatchObject([
      { id: `${c1}:0`, fp: anyFp },
      { id: `${c2}:0`, fp: anyFp },
    ]);
  });

  it('a hotfix cherry-picked with -x to a release branch, then the release merged back: one worklog through every CI run', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    await alice.git(['branch', '-q', 'release/1.0']);
    await alice.git(['push', '-q', 'origin', 'release/1.0']);
    const before = await alice.head();
    const fix = await alice.commit('PROJ-7 #time 1h hotfix for the login crash', { date: day(3) });
    await alice.push('origin', 'main');
    expect((await team.ci({ before, after: fix })).json.posted).toEqual([]);

    await alice.git(['checkout', '-q', 'release/1.0']);
    await alice.git(['cherry-pick', '-x', fix]);
    const picked = await alice.head();
    expect(await alice.git(['log', '-1', '--format=%B'])).toContain(`(cherry picked from commit ${fix})`);
    await alice.push('origin', 'release/1.0');
    expect((await team.ci({ before, after: picked })).json.posted).toEqual([]);

    await alice.git(['checkout', '-q', 'main']);
    await alice.git(['merge', '-q', '--no-ff', '--no-edit', 'release/1.0']);
    const merged = await alice.head();
    await alice.push('origin', 'main');
    const ci = await team.ci({ before: fix, after: merged });
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);

    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([
      ['PROJ-7', 3600, 'hotfix for the login crash'],
    ]);
    expect(logged[0]!.marker).toMatchObject({ id: `${fix}:0`, fp: anyFp });
  });

  it('a colleague’s token is skipped by Alice’s sync (not hers) and logged once by CI', async () => {
    team = await Team.create();
    const bob = await team.developer(BOB, { hooks: false });
    const before = await bob.head();
    const b1 = await bob.commit('PROJ-8 #time 2h their work', { date: day(2) });
    await bob.push('origin', 'main');

    const alice = await team.developer(ALICE);
    const sync = await alice.jlog('sync', '--json');
    expect(sync.code).toBe(0);
    expect(sync.json.posted).toEqual([]);
    expect(team.worklogs()).toEqual([]);

    const ci = await team.ci({ before, after: b1 });
    expect(ci.code).toBe(0);
    expect(ci.json.posted?.map((e) => e.id)).toEqual([`${b1}:0`]);
    const again = await alice.jlog('sync', '--json');
    expect(again.json.posted).toEqual([]);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment.replace(/^Bob Builder: /, '')])).toEqual([
      ['PROJ-8', 7200, 'their work'],
    ]);
    expect(logged[0]!.marker).toMatchObject({ id: `${b1}:0`, fp: anyFp });
  });

  it('a revert is not logged: the reverted commit keeps its one worklog, CI adds nothing', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    const before = await alice.head();
    const c1 = await alice.commit('PROJ-7 #time 1h fixed login', { date: day(2) });
    await alice.push('origin', 'main');
    await alice.git(['revert', '--no-edit', 'HEAD']);
    const revert = await alice.head();
    expect(await alice.git(['log', '-1', '--format=%s'])).toBe('Revert "PROJ-7 #time 1h fixed login"');
    await alice.push('origin', 'main');

    const ci = await team.ci({ before, after: revert });
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([['PROJ-7', 3600, 'fixed login']]);
    expect(logged[0]!.marker).toMatchObject({ id: `${c1}:0`, fp: anyFp });
  });

  it('Alice’s hooks post her branch, CI on the GitHub merge of a two-commit PR posts nothing', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    await alice.git(['checkout', '-q', '-b', 'feature/login']);
    const c1 = await alice.commit('PROJ-7 #time 1h login form', { date: day(3) });
    const c2 = await alice.commit('PROJ-7 #time 30m tests', { date: day(2) });
    await alice.push('-u', 'origin', 'feature/login');

    const push = await team.githubMerge({
      branch: 'feature/login',
      pr: 12,
      owner: 'alice-doe',
      title: 'Login form',
      merger: BOB,
    });
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    expect(ci.json.alreadyLogged?.map((e) => e.id).sort()).toEqual([`${c1}:0`, `${c2}:0`].sort());
    expect(team.worklogs().map((w) => [w.issue, w.seconds, w.comment])).toEqual([
      ['PROJ-7', 3600, 'login form'],
      ['PROJ-7', 1800, 'tests'],
    ]);
  });
});
