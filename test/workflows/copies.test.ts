// Copies (docs/exactly-once.md): squash and merge commits repeat the tokens of the commits they merge.
// Whoever runs first (a developer's hooks, or CI on the merge), Jira ends with one worklog per token, and a
// squash claims a worklog on Jira so that no later squash claims it again.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ALICE, ALICE_NOREPLY, BOB, Team, day, markerA } from './team.js';

// Real clones, hooks, workers and CI runs on two shared cores: generous, never a reason to fail.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

let team: Team;
afterEach(async () => {
  await team?.close();
});

const anyFp = expect.any(String) as unknown as string;
const claim = (id: string) => ({ id, fp: anyFp, copy: true });

describe('copies: squash and merge commits on the provider, CI in a fresh clone', () => {
  it('GitHub squash of a PR whose commits Alice posted at push: CI posts nothing and claims her two worklogs', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    await alice.git(['checkout', '-q', '-b', 'feature/login']);
    const c1 = await alice.commit('PROJ-7 #time 1h login form', { date: day(3) });
    const c2 = await alice.commit('PROJ-7 #time 30m tests', { date: day(2) });
    await alice.push('-u', 'origin', 'feature/login');
    expect(team.worklogs()).toHaveLength(2);

    const push = await team.githubSquash({
      branch: 'feature/login',
      pr: 12,
      author: ALICE,
      title: 'Login form',
    });
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    expect(ci.json.alreadyLogged?.map((e) => e.id).sort()).toEqual([`${push.after}:0`, `${push.after}:1`]);

    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([
      ['PROJ-7', 3600, 'login form'],
      ['PROJ-7', 1800, 'tests'],
    ]);
    expect(logged[0]!.marker).toEqual({
      v: 2,
      id: `${c1}:0`,
      fp: anyFp,
      a: markerA(ALICE.email),
      also: [claim(`${push.after}:0`)],
    });
    expect(logged[1]!.marker).toEqual({
      v: 2,
      id: `${c2}:0`,
      fp: anyFp,
      a: markerA(ALICE.email),
      also: [claim(`${push.after}:1`)],
    });
    expect(team.sandbox.issue('PROJ-7')!.timeSpentSeconds).toBe(5400);

    // Back on main after the merge, Alice's own sync sees the squash (hers) as already logged.
    await alice.git(['checkout', '-q', 'main']);
    await alice.git(['pull', '-q', '--ff-only', 'origin', 'main']);
    const sync = await alice.jlog('sync', '--json');
    expect(sync.code).toBe(0);
    expect(sync.json.posted).toEqual([]);
    expect(team.worklogs()).toHaveLength(2);
  });

  it('one-commit PR squashed on GitHub (subject gets " (#12)"): the squash claims the worklog Alice posted', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    await alice.git(['checkout', '-q', '-b', 'fix/login']);
    const c1 = await alice.commit('PROJ-7 #time 1h fixed login', { date: day(2) });
    await alice.push('-u', 'origin', 'fix/login');

    const push = await team.githubSquash({ branch: 'fix/login', pr: 12, author: ALICE });
    expect(await team.show(push.after, '%s')).toBe('PROJ-7 #time 1h fixed login (#12)');
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([['PROJ-7', 3600, 'fixed login']]);
    expect(logged[0]!.marker).toMatchObject({ v: 2, id: `${c1}:0`, also: [claim(`${push.after}:0`)] });
  });

  it('GitHub squash with a Co-authored-by trailer: the co-author Bob’s token, posted by his hooks, is not posted again', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    const bob = await team.developer(BOB);
    await alice.git(['checkout', '-q', '-b', 'feature/pairing']);
    const a1 = await alice.commit('Login form\n\nPROJ-7 #time 1h pairing on the form', { date: day(3) });
    await alice.push('-u', 'origin', 'feature/pairing');
    await bob.git(['fetch', '-q', 'origin']);
    await bob.git(['checkout', '-q', '-b', 'feature/pairing', 'origin/feature/pairing']);
    const b1 = await bob.commit('Review fixes\n\nPROJ-8 #time 45m review fixes', { date: day(2) });
    await bob.push('origin', 'feature/pairing');
    expect(team.worklogs()).toHaveLength(2);

    const push = await team.githubSquash({
      branch: 'feature/pairing',
      pr: 21,
      author: ALICE,
      title: 'Login form',
      coAuthors: [BOB],
    });
    const message = await team.show(push.after);
    expect(message).toContain('---------\n\nCo-authored-by: Bob Builder <bob@example.com>');
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([
      ['PROJ-7', 3600, 'pairing on the form'],
      ['PROJ-8', 2700, 'review fixes'],
    ]);
    expect(logged[0]!.marker).toMatchObject({
      id: `${a1}:0`,
      a: markerA(ALICE.email),
      also: [claim(`${push.after}:0`)],
    });
    expect(logged[1]!.marker).toMatchObject({
      id: `${b1}:0`,
      a: markerA(BOB.email),
      also: [claim(`${push.after}:1`)],
    });
  });

  it('GitHub squash authored by a noreply address while the head branch is still fetched (fetch-depth: 0): nothing doubles', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    await alice.git(['checkout', '-q', '-b', 'feature/login']);
    const c1 = await alice.commit('PROJ-7 #time 1h login form', { date: day(3) });
    const c2 = await alice.commit('PROJ-7 #time 30m tests', { date: day(2) });
    await alice.push('-u', 'origin', 'feature/login');

    const push = await team.githubSquash({
      branch: 'feature/login',
      pr: 12,
      author: ALICE_NOREPLY,
      title: 'Login form',
      deleteBranch: false,
    });
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([
      ['PROJ-7', 3600, 'login form'],
      ['PROJ-7', 1800, 'tests'],
    ]);
    expect(logged.map((w) => w.marker)).toMatchObject([
      { id: `${c1}:0`, also: [claim(`${push.after}:0`)] },
      { id: `${c2}:0`, also: [claim(`${push.after}:1`)] },
    ]);
  });

  it('GitHub merge commit whose body repeats a one-commit PR’s title: CI posts nothing, the merge is a copy', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    await alice.git(['checkout', '-q', '-b', 'fix/login']);
    const c1 = await alice.commit('PROJ-7 #time 1h fixed login', { date: day(2) });
    await alice.push('-u', 'origin', 'fix/login');

    const push = await team.githubMerge({
      branch: 'fix/login',
      pr: 12,
      owner: 'alice-doe',
      title: 'PROJ-7 #time 1h fixed login',
      merger: BOB,
    });
    expect(await team.show(push.after)).toBe(
      'Merge pull request #12 from alice-doe/fix/login\n\nPROJ-7 #time 1h fixed login',
    );
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    expect(ci.json.alreadyLogged?.map((e) => e.id).sort()).toEqual([`${c1}:0`, `${push.after}:0`].sort());
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([['PROJ-7', 3600, 'fixed login']]);
    expect(logged[0]!.marker).toMatchObject({ v: 2, id: `${c1}:0`, a: markerA(ALICE.email) });
  });

  it('GitHub merge commit of a branch nobody posted: CI posts the branch commit once and not its copy in the merge', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE, { hooks: false });
    await alice.git(['checkout', '-q', '-b', 'fix/login']);
    const c1 = await alice.commit('PROJ-7 #time 1h fixed login', { date: day(2) });
    await alice.push('-u', 'origin', 'fix/login');
    expect(team.worklogs()).toEqual([]);

    const push = await team.githubMerge({
      branch: 'fix/login',
      pr: 12,
      owner: 'alice-doe',
      title: 'PROJ-7 #time 1h fixed login',
      merger: BOB,
    });
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted?.map((e) => e.id)).toEqual([`${c1}:0`]);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment.replace(/^Alice Doe: /, '')])).toEqual([
      ['PROJ-7', 3600, 'fixed login'],
    ]);
    expect(logged[0]!.marker).toMatchObject({ v: 2, id: `${c1}:0`, a: markerA(ALICE.email) });
    expect(logged[0]!.marker).not.toHaveProperty('copy');
  });

  it('GitLab squash ("See merge request group/proj!3") with the default config: one worklog per token', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    await alice.git(['checkout', '-q', '-b', 'feature/login']);
    const c1 = await alice.commit('PROJ-7 #time 1h login form', { date: day(3) });
    const c2 = await alice.commit('PROJ-7 #time 30m tests', { date: day(2) });
    await alice.push('-u', 'origin', 'feature/login');

    const push = await team.gitlabSquash({
      branch: 'feature/login',
      mr: 3,
      title: 'Login form',
      author: ALICE,
    });
    const ci = await team.ci(push, 'gitlab');
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([
      ['PROJ-7', 3600, 'login form'],
      ['PROJ-7', 1800, 'tests'],
    ]);
    expect(logged.map((w) => w.marker)).toMatchObject([
      { id: `${c1}:0`, also: [claim(`${push.after}:0`)] },
      { id: `${c2}:0`, also: [claim(`${push.after}:1`)] },
    ]);
  });

  it('GitLab squash with a merge commit (the squash commit is the MR title alone): one worklog per token', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    await alice.git(['checkout', '-q', '-b', 'feature/login']);
    const c1 = await alice.commit('PROJ-7 #time 1h login form', { date: day(3) });
    const c2 = await alice.commit('PROJ-7 #time 30m tests', { date: day(2) });
    await alice.push('-u', 'origin', 'feature/login');

    // The MR title repeats the first commit: the squash commit and the merge commit both carry it.
    const push = await team.gitlabMerge({
      branch: 'feature/login',
      mr: 3,
      title: 'PROJ-7 #time 1h login form',
      author: ALICE,
      squash: true,
    });
    const ci = await team.ci(push, 'gitlab');
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([
      ['PROJ-7', 3600, 'login form'],
      ['PROJ-7', 1800, 'tests'],
    ]);
    await alice.git(['fetch', '-q', 'origin']);
    const squash = await alice.git(['rev-parse', `${push.after}^2`]);
    expect(logged[0]!.marker).toMatchObject({ id: `${c1}:0`, also: [claim(`${squash}:0`)] });
    expect(logged[1]!.marker).toMatchObject({ id: `${c2}:0` });
    expect(logged[1]!.marker).not.toHaveProperty('also');
  });

  it('GitLab merge commit of a one-commit MR nobody posted: CI posts it, never claiming Bob’s same standup', async () => {
    team = await Team.create();
    const bob = await team.developer(BOB);
    await bob.git(['checkout', '-q', '-b', 'bob/standup']);
    await bob.commit('PROJ-9 #time 30m standup', { date: day(2) });
    await bob.push('-u', 'origin', 'bob/standup');
    await bob.workersDone();
    expect(team.worklogs()).toHaveLength(1);

    const alice = await team.developer(ALICE, { hooks: false });
    await alice.git(['checkout', '-q', '-b', 'alice/standup']);
    const mine = await alice.commit('PROJ-9 #time 30m standup', { date: day(1) });
    await alice.push('-u', 'origin', 'alice/standup');
    const push = await team.gitlabMerge({
      branch: 'alice/standup',
      mr: 4,
      title: 'PROJ-9 #time 30m standup',
      author: ALICE,
      squash: false,
    });
    const ci = await team.ci(push, 'gitlab');
    expect(ci.code).toBe(0);
    expect(ci.json.posted?.map((e) => e.id)).toEqual([`${mine}:0`]);
    expect(team.worklogs().map((w) => [w.issue, w.seconds])).toEqual([
      ['PROJ-9', 1800],
      ['PROJ-9', 1800],
    ]);
    expect(team.worklogs()[0]!.marker).not.toHaveProperty('also');
  });

  it('Bitbucket squash ("Merged in feature/login (pull request #3)") with the default config: one worklog per token', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    await alice.git(['checkout', '-q', '-b', 'feature/login']);
    const c1 = await alice.commit('PROJ-7 #time 1h login form', { date: day(3) });
    const c2 = await alice.commit('PROJ-7 #time 30m tests', { date: day(2) });
    await alice.push('-u', 'origin', 'feature/login');

    const push = await team.bitbucketSquash({
      branch: 'feature/login',
      pr: 3,
      title: 'Login form',
      merger: ALICE,
      approver: BOB,
    });
    const ci = await team.ci(push, 'range');
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([
      ['PROJ-7', 3600, 'login form'],
      ['PROJ-7', 1800, 'tests'],
    ]);
    expect(logged.map((w) => w.marker)).toMatchObject([
      { id: `${c1}:0`, also: [claim(`${push.after}:0`)] },
      { id: `${c2}:0`, also: [claim(`${push.after}:1`)] },
    ]);
  });

  it('a squashPattern list recognises a merge bot’s own squash format: nothing doubles', async () => {
    team = await Team.create({ config: { squashPattern: ['^\\[merge-bot\\] ', 'Landed-by: '] } });
    const alice = await team.developer(ALICE);
    await alice.git(['checkout', '-q', '-b', 'feature/login']);
    const c1 = await alice.commit('PROJ-7 #time 1h login form', { date: day(3) });
    await alice.push('-u', 'origin', 'feature/login');

    // The bot squashes the branch itself and pushes main.
    const bot = await team.developer({ name: 'Merge Bot', email: 'bot@example.com' }, { hooks: false });
    const before = await bot.head();
    await bot.git(['fetch', '-q', 'origin']);
    await bot.git(['merge', '-q', '--squash', 'origin/feature/login']);
    await bot.git(
      ['commit', '-q', '-F', '-'],
      { GIT_AUTHOR_NAME: ALICE.name, GIT_AUTHOR_EMAIL: ALICE.email },
      'Login form\n\nPROJ-7 #time 1h login form\n\nLanded-by: merge-bot\n',
    );
    await bot.git(['push', '-q', 'origin', 'main']);
    const push = { before, after: await bot.head() };

    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([['PROJ-7', 3600, 'login form']]);
    expect(logged[0]!.marker).toMatchObject({ id: `${c1}:0`, also: [claim(`${push.after}:0`)] });
  });
});

describe('git merge --squash on a laptop', () => {
  it('Alice squashes her posted branch into main with git’s own "Squashed commit of the following:" message: nothing doubles', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    const before = await alice.head();
    await alice.git(['checkout', '-q', '-b', 'feature/login']);
    const c1 = await alice.commit('PROJ-7 #time 1h login form', { date: day(3) });
    const c2 = await alice.commit('PROJ-7 #time 30m tests', { date: day(2) });
    await alice.push('-u', 'origin', 'feature/login');
    await alice.git(['checkout', '-q', 'main']);
    await alice.git(['merge', '-q', '--squash', 'feature/login']);
    await alice.git(['commit', '-q', '--no-edit']);
    const squash = await alice.head();
    expect(await alice.git(['log', '-1', '--format=%B'])).toMatch(/^Squashed commit of the following:/);
    await alice.push('origin', 'main');
    await alice.git(['push', '-q', 'origin', ':feature/login']);

    const ci = await team.ci({ before, after: squash });
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([
      ['PROJ-7', 3600, 'login form'],
      ['PROJ-7', 1800, 'tests'],
    ]);
    // git lists the squashed commits newest first: the 30m token is the squash's first.
    expect(logged.map((w) => w.marker)).toMatchObject([
      { id: `${c1}:0`, also: [claim(`${squash}:1`)] },
      { id: `${c2}:0`, also: [claim(`${squash}:0`)] },
    ]);
    expect(team.writes('POST')).toBe(2);
  });
});

describe('copies the other way round: CI logged the squash first', () => {
  it('Jira was down when Alice pushed; CI logs the squash; her pending tokens then claim those worklogs instead of posting', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    await alice.git(['checkout', '-q', '-b', 'feature/login']);
    const c1 = await alice.commit('PROJ-7 #time 1h login form', { date: day(3) });
    const c2 = await alice.commit('PROJ-7 #time 30m tests', { date: day(2) });
    team.sandbox.fault({ fault: { kind: 'status', status: 503, retryAfter: 0 }, times: Infinity });
    await alice.push('-u', 'origin', 'feature/login');
    team.sandbox.clearFaults();
    expect(team.worklogs()).toEqual([]);
    expect((await alice.status()).pending).toBe(2);

    const push = await team.githubSquash({
      branch: 'feature/login',
      pr: 12,
      author: ALICE,
      title: 'Login form',
    });
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted?.map((e) => e.id)).toEqual([`${push.after}:0`, `${push.after}:1`]);

    const flush = await alice.jlog('flush', '--json');
    expect(flush.code).toBe(0);
    expect(flush.json.posted).toEqual([]);
    const status = await alice.status();
    expect(status).toMatchObject({ pending: 0, failed: 0 });
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment.replace(/^Alice Doe: /, '')])).toEqual([
      ['PROJ-7', 3600, 'login form'],
      ['PROJ-7', 1800, 'tests'],
    ]);
    expect(logged.map((w) => w.marker)).toEqual([
      {
        v: 2,
        id: `${push.after}:0`,
        fp: anyFp,
        a: markerA(ALICE.email),
        copy: true,
        also: [{ id: `${c1}:0`, fp: anyFp }],
      },
      {
        v: 2,
        id: `${push.after}:1`,
        fp: anyFp,
        a: markerA(ALICE.email),
        copy: true,
        also: [{ id: `${c2}:0`, fp: anyFp }],
      },
    ]);
  });

  it('Alice pushed her branch without hooks; after CI logged the squash, her jlog sync posts nothing', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE, { hooks: false });
    await alice.git(['checkout', '-q', '-b', 'feature/login']);
    await alice.commit('PROJ-7 #time 1h login form', { date: day(3) });
    await alice.commit('PROJ-7 #time 30m tests', { date: day(2) });
    await alice.push('-u', 'origin', 'feature/login');

    const push = await team.githubSquash({
      branch: 'feature/login',
      pr: 12,
      author: ALICE,
      title: 'Login form',
    });
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toHaveLength(2);

    const sync = await alice.jlog('sync', '--json');
    expect(sync.code).toBe(0);
    expect(sync.json.posted).toEqual([]);
    expect(sync.json.alreadyLogged).toHaveLength(2);
    expect(team.worklogs().map((w) => [w.issue, w.seconds])).toEqual([
      ['PROJ-7', 3600],
      ['PROJ-7', 1800],
    ]);
    expect(team.writes('POST')).toBe(2);
  });
});

describe('claims are remembered on Jira', () => {
  it('Bob’s CI-squashed standup is posted: Alice’s identical standup was claimed by an earlier squash', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    await alice.git(['checkout', '-q', '-b', 'alice/standup']);
    const a1 = await alice.commit('PROJ-9 #time 30m standup', { date: day(3, '09:30:00') });
    await alice.push('-u', 'origin', 'alice/standup');
    const first = await team.githubSquash({
      branch: 'alice/standup',
      pr: 12,
      author: ALICE,
      title: 'Standup notes',
      deleteBranch: true,
    });
    expect((await team.ci(first)).json.posted).toEqual([]);

    const bob = await team.developer(BOB, { hooks: false });
    await bob.git(['checkout', '-q', '-b', 'bob/standup']);
    await bob.commit('PROJ-9 #time 30m standup', { date: day(2, '09:30:00') });
    await bob.push('-u', 'origin', 'bob/standup');
    const second = await team.githubSquash({
      branch: 'bob/standup',
      pr: 13,
      author: BOB,
      title: 'Standup notes',
      deleteBranch: true,
    });
    const ci = await team.ci(second);
    expect(ci.code).toBe(0);
    expect(ci.json.posted?.map((e) => e.id)).toEqual([`${second.after}:0`]);

    const logged = team.worklogs('PROJ-9');
    expect(logged.map((w) => [w.seconds, w.comment.replace(/^Bob Builder: /, '')])).toEqual([
      [1800, 'standup'],
      [1800, 'standup'],
    ]);
    expect(logged.map((w) => w.marker)).toMatchObject([
      { id: `${a1}:0`, a: markerA(ALICE.email), also: [claim(`${first.after}:0`)] },
      { id: `${second.after}:0`, a: markerA(BOB.email), copy: true },
    ]);
    expect(team.sandbox.issue('PROJ-9')!.timeSpentSeconds).toBe(3600);
  });
});
