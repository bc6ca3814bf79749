// Rewrites after push (docs/exactly-once.md "Rewrites"): amend, rebase -i, fixup/squash autosquash, reset and
// force-push. Jira is brought in line with the final history by the next posting run (here the
// force-push's worker), so CI on the merge and a second clone find every token already logged.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ALICE, Team, day, markerA } from './team.js';

// Real clones, hooks, workers and CI runs on two shared cores: generous, never a reason to fail.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

let team: Team;
afterEach(async () => {
  await team?.close();
});

const anyFp = expect.any(String) as unknown as string;
const alias = (id: string) => ({ id, fp: anyFp });
type Marker = { id: string; also?: { id: string }[] };
/** Every token id a marker stands for: its own and those in `also`. */
const names = (m: unknown): string[] => [(m as Marker).id, ...((m as Marker).also ?? []).map((e) => e.id)];

async function aliceOnBranch(config: object = {}) {
  team = await Team.create({ config });
  const alice = await team.developer(ALICE);
  await alice.git(['checkout', '-q', '-b', 'feature/login']);
  return alice;
}

describe('rewrites after push', () => {
  it('amend 1h→2h after push updates the worklog to 2h: one worklog, 2h on the issue, also after the squash merge and CI', async () => {
    const alice = await aliceOnBranch();
    const old = await alice.commit('PROJ-7 #time 1h login form', { date: day(2) });
    await alice.push('-u', 'origin', 'feature/login');
    const amended = await alice.amend('PROJ-7 #time 2h login form');
    await alice.push('-f', 'origin', 'feature/login');

    let logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([['PROJ-7', 7200, 'login form']]);
    expect(logged[0]!.marker).toEqual({
      v: 2,
      id: `${old}:0`,
      fp: anyFp,
      a: markerA(ALICE.email),
      also: [alias(`${amended}:0`)],
    });
    expect(team.sandbox.issue('PROJ-7')!.timeSpentSeconds).toBe(7200);
    expect(team.writes('POST')).toBe(1);
    expect(team.writes('PUT')).toBe(1);

    const push = await team.githubSquash({
      branch: 'feature/login',
      pr: 12,
      author: ALICE,
      title: 'Login form',
    });
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([['PROJ-7', 7200, 'login form']]);
    expect(names(logged[0]!.marker)).toEqual([`${old}:0`, `${amended}:0`, `${push.after}:0`]);
    expect(team.sandbox.issue('PROJ-7')!.timeSpentSeconds).toBe(7200);
  });

  it('amend of a posted token’s comment after push, then CI on the GitHub merge: one worklog with the new comment', async () => {
    const alice = await aliceOnBranch();
    const old = await alice.commit('PROJ-7 #time 1h login', { date: day(2) });
    await alice.push('-u', 'origin', 'feature/login');
    const amended = await alice.amend('PROJ-7 #time 1h login form with validation');
    await alice.push('-f', 'origin', 'feature/login');

    const push = await team.githubMerge({
      branch: 'feature/login',
      pr: 12,
      owner: 'alice-doe',
      title: 'Login form',
      merger: ALICE,
    });
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([
      ['PROJ-7', 3600, 'login form with validation'],
    ]);
    expect(logged[0]!.marker).toMatchObject({ v: 2, id: `${old}:0`, also: [alias(`${amended}:0`)] });
    expect(team.writes('POST')).toBe(1);
  });

  it('rebase -i reword of a posted token’s comment updates the worklog; a second clone’s sync posts nothing', async () => {
    const alice = await aliceOnBranch();
    const c1 = await alice.commit('PROJ-7 #time 1h fix lgoin', { date: day(3) });
    await alice.commit('PROJ-8 #time 30m tests', { date: day(2) });
    await alice.push('-u', 'origin', 'feature/login');
    await alice.rebaseInteractive('origin/main', (todo) => [todo[0]!.replace(/^pick/, 'reword'), todo[1]!], {
      editor: "sed -i 's/lgoin/login/'",
    });
    const reworded = await alice.git(['rev-parse', 'HEAD~1']);
    expect(await alice.git(['log', '-1', '--format=%s', reworded])).toBe('PROJ-7 #time 1h fix login');
    await alice.push('-f', 'origin', 'feature/login');

    const laptop = await team.developer(ALICE);
    await laptop.git(['checkout', '-q', '-b', 'feature/login', 'origin/feature/login']);
    const sync = await laptop.jlog('sync', '--json');
    expect(sync.code).toBe(0);
    expect(sync.json.posted).toEqual([]);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([
      ['PROJ-7', 3600, 'fix login'],
      ['PROJ-8', 1800, 'tests'],
    ]);
    expect(logged[0]!.marker).toMatchObject({ id: `${c1}:0`, also: [alias(`${reworded}:0`)] });
    expect(team.writes('POST')).toBe(2);
  });

  it('rebase -i squash of two posted commits, then CI on the merge: still two worklogs', async () => {
    const alice = await aliceOnBranch();
    await alice.commit('PROJ-7 #time 1h login form', { date: day(3) });
    const c2 = await alice.commit('PROJ-7 #time 30m tests', { date: day(2) });
    await alice.push('-u', 'origin', 'feature/login');
    const squashed = await alice.rebaseInteractive('origin/main', (todo) => [
      todo[0]!,
      todo[1]!.replace(/^pick/, 'squash'),
    ]);
    expect(await alice.git(['log', '-1', '--format=%B'])).toBe(
      'PROJ-7 #time 1h login form\n\nPROJ-7 #time 30m tests',
    );
    await alice.push('-f', 'origin', 'feature/login');

    const push = await team.githubMerge({
      branch: 'feature/login',
      pr: 12,
      owner: 'alice-doe',
      title: 'Login form',
      merger: ALICE,
    });
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    const laptop = await team.developer(ALICE);
    expect((await laptop.jlog('sync', '--json')).json.posted).toEqual([]);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([
      ['PROJ-7', 3600, 'login form'],
      ['PROJ-7', 1800, 'tests'],
    ]);
    // The second token now has the first commit's author date: only the rewrite tells Jira who it is.
    expect(logged[1]!.marker).toMatchObject({ id: `${c2}:0`, also: [alias(`${squashed}:1`)] });
    expect(team.writes('POST')).toBe(2);
  });

  it('a fixup! commit pushed for review, then autosquashed and force-pushed: one worklog, CI posts nothing', async () => {
    const alice = await aliceOnBranch();
    const c1 = await alice.commit('PROJ-7 #time 1h login form', { date: day(3) });
    await alice.push('-u', 'origin', 'feature/login');
    await alice.git(['commit', '-q', '--allow-empty', '--fixup=HEAD']);
    expect(await alice.git(['log', '-1', '--format=%s'])).toBe('fixup! PROJ-7 #time 1h login form');
    await alice.push('origin', 'feature/login');
    await alice.git(['rebase', '-q', '-i', '--autosquash', 'origin/main'], {
      GIT_SEQUENCE_EDITOR: 'true',
      GIT_EDITOR: 'true',
    });
    await alice.push('-f', 'origin', 'feature/login');

    const push = await team.githubMerge({
      branch: 'feature/login',
      pr: 12,
      owner: 'alice-doe',
      title: 'Login form',
      merger: ALICE,
    });
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([['PROJ-7', 3600, 'login form']]);
    expect(logged[0]!.marker).toMatchObject({ id: `${c1}:0` });
    expect(team.writes('POST')).toBe(1);
  });

  it('a PR with a fixup! commit squash-merged on GitHub: one worklog', async () => {
    const alice = await aliceOnBranch();
    const c1 = await alice.commit('PROJ-7 #time 1h login form', { date: day(3) });
    await alice.commit('fixup! PROJ-7 #time 1h login form', { date: day(2) });
    await alice.push('-u', 'origin', 'feature/login');

    const push = await team.githubSquash({
      branch: 'feature/login',
      pr: 12,
      author: ALICE,
      title: 'Login form',
    });
    expect(await team.show(push.after)).toBe(
      'Login form (#12)\n\n* PROJ-7 #time 1h login form\n\n* fixup! PROJ-7 #time 1h login form',
    );
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([['PROJ-7', 3600, 'login form']]);
    expect(logged[0]!.marker).toMatchObject({
      id: `${c1}:0`,
      also: [{ id: `${push.after}:0`, fp: anyFp, copy: true }],
    });
  });

  it('a squash! commit with its own token, pushed for review then autosquashed: the 1h and the 30m stay one worklog each', async () => {
    const alice = await aliceOnBranch();
    await alice.commit('PROJ-7 #time 1h login form', { date: day(3) });
    await alice.push('-u', 'origin', 'feature/login');
    await alice.git(
      ['commit', '-q', '--allow-empty', '--squash=HEAD', '-m', 'PROJ-7 #time 30m review fixes'],
      {
        GIT_AUTHOR_DATE: day(2),
        GIT_COMMITTER_DATE: day(2),
      },
    );
    await alice.push('origin', 'feature/login');
    expect(team.worklogs().map((w) => w.seconds)).toEqual([3600, 1800]);
    await alice.git(['rebase', '-q', '-i', '--autosquash', 'origin/main'], {
      GIT_SEQUENCE_EDITOR: 'true',
      GIT_EDITOR: 'true',
    });
    const final = await alice.head();
    const tokens = await alice.jlog('parse', '--json', await alice.git(['log', '-1', '--format=%B']));
    expect(
      (JSON.parse(tokens.stdout) as { worklogs: { seconds: number }[] }).worklogs.map((w) => w.seconds),
    ).toEqual([3600, 1800]);
    await alice.push('-f', 'origin', 'feature/login');

    const push = await team.githubMerge({
      branch: 'feature/login',
      pr: 12,
      owner: 'alice-doe',
      title: 'Login form',
      merger: ALICE,
    });
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([
      ['PROJ-7', 3600, 'login form'],
      ['PROJ-7', 1800, 'review fixes'],
    ]);
    expect(names(logged[1]!.marker)).toContain(`${final}:1`);
    expect(team.writes('POST')).toBe(2);
  });

  it('reset --hard HEAD~1 after push, the same message committed again and force-pushed: one worklog', async () => {
    const alice = await aliceOnBranch();
    const old = await alice.commit('PROJ-7 #time 1h login form', { date: day(2) });
    await alice.push('-u', 'origin', 'feature/login');
    await alice.git(['reset', '-q', '--hard', 'HEAD~1']);
    const again = await alice.commit('PROJ-7 #time 1h login form', { date: day(1) });
    await alice.push('-f', 'origin', 'feature/login');
    expect(team.writes('POST')).toBe(1);

    const push = await team.githubMerge({
      branch: 'feature/login',
      pr: 12,
      owner: 'alice-doe',
      title: 'Login form',
      merger: ALICE,
    });
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([['PROJ-7', 3600, 'login form']]);
    expect(logged[0]!.marker).toMatchObject({ v: 2, id: `${old}:0`, also: [alias(`${again}:0`)] });
  });

  it('a commit a force-push drops with no counterpart stays on Jira and is listed as an orphan, not deleted', async () => {
    const alice = await aliceOnBranch();
    const spike = await alice.commit('PROJ-7 #time 1h spike on caching', { date: day(2) });
    await alice.push('-u', 'origin', 'feature/login');
    await alice.git(['reset', '-q', '--hard', 'HEAD~1']);
    await alice.commit('Another approach', { date: day(1) });
    await alice.push('-f', 'origin', 'feature/login');

    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([
      ['PROJ-7', 3600, 'spike on caching'],
    ]);
    expect(team.writes('DELETE')).toBe(0);
    const status = await alice.status();
    expect(JSON.stringify(status.orphans)).toContain(`${spike}:0`);
    expect(status.orphans).toHaveLength(1);
  });

  it('amend moving a posted token to another issue: deleted and tombstoned on the first, posted on the second', async () => {
    const alice = await aliceOnBranch();
    const old = await alice.commit('PROJ-7 #time 1h login form', { date: day(2) });
    await alice.push('-u', 'origin', 'feature/login');
    const moved = await alice.amend('PROJ-8 #time 1h login form');
    await alice.push('-f', 'origin', 'feature/login');

    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([['PROJ-8', 3600, 'login form']]);
    expect(logged[0]!.marker).toMatchObject({ v: 2, id: `${moved}:0` });
    expect(team.sandbox.issue('PROJ-7')!.timeSpentSeconds).toBe(0);
    expect((await team.issueProperty('PROJ-7'))?.undone).toEqual([{ id: `${old}:0`, fp: anyFp }]);

    const push = await team.githubMerge({
      branch: 'feature/login',
      pr: 12,
      owner: 'alice-doe',
      title: 'Login form',
      merger: ALICE,
    });
    expect((await team.ci(push)).json.posted).toEqual([]);
    expect(team.worklogs().map((w) => w.issue)).toEqual(['PROJ-8']);
  });

  it('amend removing a posted token after push deletes its worklog', async () => {
    const alice = await aliceOnBranch();
    const old = await alice.commit('Login form\n\nPROJ-7 #time 1h login form', { date: day(2) });
    await alice.push('-u', 'origin', 'feature/login');
    await alice.amend('Login form');
    await alice.push('-f', 'origin', 'feature/login');

    expect(team.worklogs()).toEqual([]);
    expect(team.sandbox.issue('PROJ-7')!.timeSpentSeconds).toBe(0);
    expect(team.writes('DELETE')).toBe(1);
    expect((await team.issueProperty('PROJ-7'))?.undone).toEqual([{ id: `${old}:0`, fp: anyFp }]);
  });

  it('with rewrites: "report", an amend 1h→2h after push is listed and Jira is left as it was', async () => {
    const alice = await aliceOnBranch({ rewrites: 'report' });
    const old = await alice.commit('PROJ-7 #time 1h login form', { date: day(2) });
    await alice.push('-u', 'origin', 'feature/login');
    await alice.amend('PROJ-7 #time 2h login form');
    await alice.push('-f', 'origin', 'feature/login');

    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([['PROJ-7', 3600, 'login form']]);
    expect(logged[0]!.marker).toMatchObject({ id: `${old}:0` });
    expect(team.writes('PUT')).toBe(0);
    expect(team.writes('POST')).toBe(1);
    const status = await alice.status();
    expect(status.rewrites).toHaveLength(1);
  });

  it('with rewrites: "report", status does not promise that jlog flush posts the held new token', async () => {
    const alice = await aliceOnBranch({ rewrites: 'report' });
    await alice.commit('PROJ-7 #time 1h login form', { date: day(2) });
    await alice.push('-u', 'origin', 'feature/login');
    const heir = await alice.amend('PROJ-7 #time 2h login form');
    await alice.push('-f', 'origin', 'feature/login');

    const text = (await alice.jlog('status')).stdout;
    expect(text).not.toContain('jlog flush posts them now');
    expect(text).toMatch(/held until jlog sync --apply-rewrites applies its rewrite:\n\s+PROJ-7\s+2h\s+/);
    expect(text).toContain(heir.slice(0, 10));
    const flush = await alice.jlog('flush');
    expect(flush.stdout).toContain('nothing new to log');
    expect(team.worklogs().map((w) => w.seconds)).toEqual([3600]);
  });
});
