// Unknown outcomes (docs/exactly-once.md): a POST whose answer never came is never sent again in the same
// run; a later run posts it only when Jira still holds no marker for it after the settle window (four times
// timeoutMs); the background worker waits that window out itself. And a rewrite racing the worker.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ALICE, Team, day, markerA } from './team.js';

// Real clones, hooks, workers and CI runs on two shared cores: generous, never a reason to fail.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

let team: Team;
afterEach(async () => {
  await team?.close();
});

const anyFp = expect.any(String) as unknown as string;

/** Jira finally stores a request it was too slow to answer: the same body, sent again by Jira's own hand. */
async function storeLate(t: Team, request: { path: string; query: Record<string, string>; body: unknown }) {
  const auth = Buffer.from(`${t.env.JIRA_USER_EMAIL}:${t.env.JIRA_API_TOKEN}`).toString('base64');
  const url = `${t.sandbox.url}${request.path}?${new URLSearchParams(request.query).toString()}`;
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${auth}`,
      'Content-Type': 'application/json',
      Accept: 'application/json',
    },
    body: JSON.stringify(request.body),
  });
  expect(res.status).toBe(201);
}

const worklogPosts = (t: Team) =>
  t.sandbox.requests.filter((r) => r.method === 'POST' && /\/issue\/[^/]+\/worklog$/.test(r.path));

async function until(what: string, done: () => boolean | Promise<boolean>, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('unknown outcomes', () => {
  it('a slow Jira stores a POST after the client timed out: not sent again in that run, one worklog in the end', async () => {
    team = await Team.create({ config: { timeoutMs: 1000 } });
    const alice = await team.developer(ALICE, { hooks: false });
    const sha = await alice.commit('PROJ-7 #time 1h fixed login', { date: day(1) });
    team.sandbox.fault({ fault: { kind: 'hang' }, method: 'POST', pathIncludes: '/worklog' });

    const first = await alice.jlog('sync', '--json');
    expect(first.code).toBe(1);
    expect(first.json.posted).toEqual([]);
    expect(first.json.pending?.map((p) => p.id)).toEqual([`${sha}:0`]);
    expect(worklogPosts(team)).toHaveLength(1);

    // Jira was only slow: it stores the request now, after the run gave up on the answer.
    await storeLate(team, worklogPosts(team)[0]!);
    const second = await alice.jlog('sync', '--json');
    expect(second.code).toBe(0);
    expect(second.json.posted).toEqual([]);
    expect(second.json.alreadyLogged?.map((p) => p.id)).toEqual([`${sha}:0`]);

    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([['PROJ-7', 3600, 'fixed login']]);
    expect(logged[0]!.marker).toEqual({ v: 2, id: `${sha}:0`, fp: anyFp, a: markerA(ALICE.email) });
    expect(worklogPosts(team)).toHaveLength(2); // the hung one and Jira's late store, nothing else
    expect((await alice.status()).posted).toBe(1);
  });

  it('within the settle window a later run does not post an unknown outcome again; after it, posts it once', async () => {
    // 4 × 5 s: wide enough that the second run surely starts inside the window on a loaded machine.
    team = await Team.create({ config: { timeoutMs: 5000 } });
    const alice = await team.developer(ALICE, { hooks: false });
    const sha = await alice.commit('PROJ-7 #time 1h fixed login', { date: day(1) });
    team.sandbox.fault({ fault: { kind: 'hang' }, method: 'POST', pathIncludes: '/worklog' });

    const first = await alice.jlog('sync', '--json');
    expect(first.code).toBe(1);
    const unknownAt = Date.now();
    expect(worklogPosts(team)).toHaveLength(1);
    const second = await alice.jlog('sync', '--json');
    expect(Date.now() - unknownAt).toBeLessThan(20_000); // the check below is about the window
    expect(second.code).toBe(1);
    expect(second.json.pending?.map((p) => p.id)).toEqual([`${sha}:0`]);
    expect(worklogPosts(team)).toHaveLength(1);

    // After the window: Jira still holds no marker, so one run posts it.
    await until('the settle window to pass', () => Date.now() - unknownAt > 21_000);
    const third = await alice.jlog('sync', '--json');
    expect(third.code).toBe(0);
    expect(third.json.posted?.map((p) => p.id)).toEqual([`${sha}:0`]);
    expect(worklogPosts(team)).toHaveLength(2);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([['PROJ-7', 3600, 'fixed login']]);
    expect(logged[0]!.marker).toMatchObject({ v: 2, id: `${sha}:0` });
  }, 120_000);

  it('the background worker waits out the settle window itself and tries once more: one worklog', async () => {
    team = await Team.create({ config: { timeoutMs: 1000 } });
    const alice = await team.developer(ALICE);
    await alice.git(['checkout', '-q', '-b', 'fix/login']);
    const sha = await alice.commit('PROJ-7 #time 1h fixed login', { date: day(1) });
    team.sandbox.fault({ fault: { kind: 'hang' }, method: 'POST', pathIncludes: '/worklog' });
    await alice.push('-u', 'origin', 'fix/login'); // returns once the worker has ended

    expect(worklogPosts(team)).toHaveLength(2);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([['PROJ-7', 3600, 'fixed login']]);
    expect(logged[0]!.marker).toMatchObject({ v: 2, id: `${sha}:0` });
    expect(await alice.status()).toMatchObject({ pending: 0, posted: 1 });
  }, 120_000);

  it('a POST stored but never answered (connection reset) is not sent again; the next run finds it', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE, { hooks: false });
    const sha = await alice.commit('PROJ-7 #time 1h fixed login', { date: day(1) });
    team.sandbox.fault({ fault: { kind: 'drop-after-store' }, method: 'POST', pathIncludes: '/worklog' });
    await alice.jlog('sync', '--json');
    const again = await alice.jlog('sync', '--json');
    expect(again.code).toBe(0);
    expect(again.json.posted).toEqual([]);
    expect(worklogPosts(team)).toHaveLength(1);
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([['PROJ-7', 3600, 'fixed login']]);
    expect(logged[0]!.marker).toMatchObject({ id: `${sha}:0` });
    expect(await alice.status()).toMatchObject({ pending: 0, posted: 1 });
  });
});

describe('a rewrite of a token whose POST had an unknown outcome', () => {
  async function amendedAfterUnknown(fault: 'drop-after-store' | 'drop-before-store') {
    team = await Team.create({ config: { postOn: 'manual', timeoutMs: 1000 } });
    const alice = await team.developer(ALICE);
    await alice.git(['checkout', '-q', '-b', 'fix/login']);
    const old = await alice.commit('PROJ-7 #time 1h fixed login', { date: day(1) });
    team.sandbox.fault({ fault: { kind: fault }, method: 'POST', pathIncludes: '/worklog' });
    await alice.jlog('sync', '--json');
    expect(worklogPosts(team)).toHaveLength(1);
    const amended = await alice.amend('PROJ-7 #time 2h fixed login');
    // Bounded: the settle window is 4 s here, so a few runs at most.
    for (let i = 0; i < 30; i++) {
      const r = await alice.jlog('sync', '--json');
      if (r.code === 0) break;
      await new Promise((res) => setTimeout(res, 1000));
    }
    return { old, amended };
  }

  it('stored but unanswered, then amended 1h→2h: the next runs update that worklog to 2h, one worklog', async () => {
    const { old, amended } = await amendedAfterUnknown('drop-after-store');
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([['PROJ-7', 7200, 'fixed login']]);
    expect(logged[0]!.marker).toMatchObject({ id: `${old}:0`, also: [{ id: `${amended}:0`, fp: anyFp }] });
    expect(team.sandbox.issue('PROJ-7')!.timeSpentSeconds).toBe(7200);
    expect(worklogPosts(team)).toHaveLength(1);
  });

  it('lost before Jira stored it, then amended 1h→2h: after the settle window one worklog of 2h for the amended commit', async () => {
    const { amended } = await amendedAfterUnknown('drop-before-store');
    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([['PROJ-7', 7200, 'fixed login']]);
    expect(logged[0]!.marker).toMatchObject({ id: `${amended}:0` });
    expect(team.sandbox.issue('PROJ-7')!.timeSpentSeconds).toBe(7200);
  });
});

describe('a rewrite racing the background worker (postOn: "commit")', () => {
  it('amend 1h→2h while the worker’s POST is in flight: one worklog of 2h naming the amended commit', async () => {
    team = await Team.create({ config: { postOn: 'commit' } });
    const alice = await team.developer(ALICE);
    await alice.git(['checkout', '-q', '-b', 'fix/login']);
    team.sandbox.fault({ fault: { kind: 'latency', ms: 3000 }, method: 'POST', pathIncludes: '/worklog' });
    const old = await alice.commit('PROJ-7 #time 1h fixed login', { date: day(1) });
    await until('the worker to send its POST', () => worklogPosts(team).length === 1);
    const amended = await alice.amend('PROJ-7 #time 2h fixed login');
    await alice.workersDone();
    const flush = await alice.jlog('flush', '--json');
    expect(flush.code).toBe(0);
    await alice.workersDone();

    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([['PROJ-7', 7200, 'fixed login']]);
    const marker = logged[0]!.marker as { id: string; also?: { id: string }[] };
    expect([marker.id, ...(marker.also ?? []).map((e) => e.id)]).toContain(`${amended}:0`);
    expect(marker.id === `${old}:0` || marker.id === `${amended}:0`).toBe(true);
    expect(team.sandbox.issue('PROJ-7')!.timeSpentSeconds).toBe(7200);
    const status = await alice.status();
    expect(status).toMatchObject({ pending: 0, failed: 0 });
    expect(status.entries.find((e) => e.id === `${amended}:0`)?.state).toBe('posted');
  });

  it('amend 1h→2h while the worker reads Jira before posting: one worklog of 2h', async () => {
    team = await Team.create({ config: { postOn: 'commit' } });
    const alice = await team.developer(ALICE);
    await alice.git(['checkout', '-q', '-b', 'fix/login']);
    team.sandbox.fault({ fault: { kind: 'latency', ms: 3000 }, method: 'GET', pathIncludes: '/worklog' });
    await alice.commit('PROJ-7 #time 1h fixed login', { date: day(1) });
    await until('the worker to read the issue', () =>
      team.sandbox.requests.some((r) => r.method === 'GET' && r.path.endsWith('/worklog')),
    );
    const amended = await alice.amend('PROJ-7 #time 2h fixed login');
    await alice.workersDone();
    expect((await alice.jlog('flush', '--json')).code).toBe(0);
    await alice.workersDone();

    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([['PROJ-7', 7200, 'fixed login']]);
    const marker = logged[0]!.marker as { id: string; also?: { id: string }[] };
    expect([marker.id, ...(marker.also ?? []).map((e) => e.id)]).toContain(`${amended}:0`);
    expect(team.sandbox.issue('PROJ-7')!.timeSpentSeconds).toBe(7200);
  });
});
