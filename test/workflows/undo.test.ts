// Undo (docs/exactly-once.md "Undo"): `jlog undo` deletes the worklogs and tombstones their tokens in the
// issue's
// `jlog` property, so no other clone and no CI job posts them again.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ALICE, Team, day } from './team.js';

// Real clones, hooks, workers and CI runs on two shared cores: generous, never a reason to fail.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

let team: Team;
afterEach(async () => {
  await team?.close();
});

const anyFp = expect.any(String) as unknown as string;

async function alicePostedOnBranch() {
  team = await Team.create();
  const alice = await team.developer(ALICE);
  await alice.git(['checkout', '-q', '-b', 'fix/login']);
  const sha = await alice.commit('PROJ-7 #time 1h fixed login', { date: day(2) });
  await alice.push('-u', 'origin', 'fix/login');
  expect(team.worklogs()).toHaveLength(1);
  return { alice, sha };
}

describe('undo across clones and CI', () => {
  it('jlog undo, then CI on the merge: nothing is posted again (the tombstone is on Jira)', async () => {
    const { alice, sha } = await alicePostedOnBranch();
    const undo = await alice.jlog('undo', sha, '--yes');
    expect(undo.code).toBe(0);
    expect(team.worklogs()).toEqual([]);
    expect((await team.issueProperty('PROJ-7'))?.undone).toEqual([{ id: `${sha}:0`, fp: anyFp }]);

    const push = await team.githubMerge({
      branch: 'fix/login',
      pr: 12,
      owner: 'alice-doe',
      title: 'Fix the login',
      merger: ALICE,
    });
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    expect(ci.json.skipped?.map((s) => s.id)).toEqual([`${sha}:0`]);
    expect(team.worklogs()).toEqual([]);
    expect(team.sandbox.issue('PROJ-7')!.timeSpentSeconds).toBe(0);
    expect(team.writes('POST')).toBe(1);
  });

  it('jlog undo, then a sync from Alice’s second clone: nothing is posted again', async () => {
    const { alice, sha } = await alicePostedOnBranch();
    expect((await alice.jlog('undo', sha, '--yes')).code).toBe(0);
    const laptop = await team.developer(ALICE);
    await laptop.git(['checkout', '-q', '-b', 'fix/login', 'origin/fix/login']);
    const sync = await laptop.jlog('sync', '--json');
    expect(sync.code).toBe(0);
    expect(sync.json.posted).toEqual([]);
    expect(team.worklogs()).toEqual([]);
    expect(team.writes('POST')).toBe(1);
  });

  it('jlog undo of a squash-merged token: the squash on main is not posted by CI either', async () => {
    const { alice, sha } = await alicePostedOnBranch();
    expect((await alice.jlog('undo', sha, '--yes')).code).toBe(0);
    const push = await team.githubSquash({
      branch: 'fix/login',
      pr: 12,
      author: ALICE,
      title: 'Fix the login',
    });
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    expect(team.worklogs()).toEqual([]);
  });

  it('jlog undo of a token left pending by a Jira outage cancels it everywhere: CI does not post it', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    await alice.git(['checkout', '-q', '-b', 'fix/login']);
    const sha = await alice.commit('PROJ-7 #time 1h fixed login', { date: day(2) });
    team.sandbox.fault({ fault: { kind: 'status', status: 503, retryAfter: 0 }, times: Infinity });
    await alice.push('-u', 'origin', 'fix/login');
    team.sandbox.clearFaults();
    expect((await alice.status()).pending).toBe(1);

    expect((await alice.jlog('undo', sha, '--yes')).code).toBe(0);
    expect((await alice.status()).pending).toBe(0);
    expect((await team.issueProperty('PROJ-7'))?.undone).toEqual([{ id: `${sha}:0`, fp: anyFp }]);
    const push = await team.githubMerge({
      branch: 'fix/login',
      pr: 12,
      owner: 'alice-doe',
      title: 'Fix the login',
      merger: ALICE,
    });
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    expect(team.worklogs()).toEqual([]);
  });

  it('when Jira refuses the tombstone (403), undo still deletes the worklog and says other clones and CI may post it again', async () => {
    const { alice, sha } = await alicePostedOnBranch();
    team.sandbox.fault({
      fault: {
        kind: 'status',
        status: 403,
        body: { errorMessages: ['You do not have permission to edit this issue.'], errors: {} },
      },
      method: 'PUT',
      pathIncludes: '/issue/PROJ-7/properties/jlog',
      times: Infinity,
    });
    const undo = await alice.jlog('undo', sha, '--yes');
    expect(team.worklogs()).toEqual([]);
    expect(team.writes('DELETE')).toBe(1);
    expect(`${undo.stdout}${undo.stderr}`).toMatch(/other clones and CI may post/i);
    expect(await team.issueProperty('PROJ-7')).toBeNull();
  });
});
