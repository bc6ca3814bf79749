// A rewrite racing the background worker (docs/exactly-once.md "Rewrites"): git runs post-commit (which may
// start a worker) before post-rewrite records the amend's old→new mapping, so a slow post-rewrite must not
// let the worker post the amended token as new work beside the old token's worklog.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ALICE, Team, day } from './team.js';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

let team: Team;
afterEach(async () => {
  await team?.close();
});

const worklogPosts = (t: Team) =>
  t.sandbox.requests.filter((r) => r.method === 'POST' && /\/issue\/[^/]+\/worklog$/.test(r.path));

async function until(what: string, done: () => boolean, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a rewrite racing the worker', () => {
  it('amend 1h→2h while the POST is in flight and post-rewrite is slow: one worklog of 2h', async () => {
    team = await Team.create({ config: { postOn: 'commit' } });
    const alice = await team.developer(ALICE);
    await alice.git(['checkout', '-q', '-b', 'fix/login']);
    // The user's own post-rewrite hook runs before jlog's and is slow: the in-flight POST lands, and
    // a worker could run, between the amend's post-commit and jlog's post-rewrite (what CPU load does).
    const slow = join(alice.dir, '.git', 'hooks', 'post-rewrite.pre-jlog');
    writeFileSync(slow, '#!/bin/sh\ncat >/dev/null\nsleep 6\n');
    chmodSync(slow, 0o755);
    team.sandbox.fault({ fault: { kind: 'latency', ms: 2000 }, method: 'POST', pathIncludes: '/worklog' });
    await alice.commit('PROJ-7 #time 1h fixed login', { date: day(1) });
    await until('the worker to send its POST', () => worklogPosts(team).length === 1);
    const amended = await alice.amend('PROJ-7 #time 2h fixed login');
    await alice.workersDone();
    expect((await alice.jlog('flush', '--json')).code).toBe(0);
    await alice.workersDone();

    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([['PROJ-7', 7200, 'fixed login']]);
    const marker = logged[0]!.marker as { id: string; also?: { id: string }[] };
    expect([marker.id, ...(marker.also ?? []).map((e) => e.id)]).toContain(`${amended}:0`);
    expect(team.sandbox.issue('PROJ-7')!.timeSpentSeconds).toBe(7200);
    expect(await alice.status()).toMatchObject({ pending: 0, failed: 0 });
  });
});

describe('a rewrite racing a POST that does not settle', () => {
  it('the heir posted as new work times out after post-rewrite: it still replaces the old token, one worklog of 2h', async () => {
    team = await Team.create({ config: { postOn: 'commit', timeoutMs: 3000 } });
    const alice = await team.developer(ALICE);
    await alice.git(['checkout', '-q', '-b', 'fix/login']);
    await alice.commit('PROJ-7 #time 1h fixed login', { date: day(1) });
    await alice.workersDone();
    expect(team.worklogs()).toHaveLength(1);
    // The amend's post-commit worker posts the new token as new work and Jira never answers (nothing
    // stored); post-rewrite, a second later, makes it the old token's heir while that POST hangs.
    const slow = join(alice.dir, '.git', 'hooks', 'post-rewrite.pre-jlog');
    writeFileSync(slow, '#!/bin/sh\ncat >/dev/null\nsleep 1\n');
    chmodSync(slow, 0o755);
    team.sandbox.fault({ fault: { kind: 'hang' }, method: 'POST', pathIncludes: '/worklog' });
    const amended = await alice.amend('PROJ-7 #time 2h fixed login');
    await alice.workersDone();
    // The unknown outcome holds the token for the settle window (4 × timeoutMs); then it goes.
    for (let i = 0; i < 40 && (await alice.status()).pending > 0; i++) {
      await alice.jlog('flush', '--json');
      await alice.workersDone();
      await new Promise((r) => setTimeout(r, 1000));
    }

    const logged = team.worklogs();
    expect(logged.map((w) => [w.issue, w.seconds, w.comment])).toEqual([['PROJ-7', 7200, 'fixed login']]);
    const marker = logged[0]!.marker as { id: string; also?: { id: string }[] };
    expect([marker.id, ...(marker.also ?? []).map((e) => e.id)]).toContain(`${amended}:0`);
    expect(await alice.status()).toMatchObject({ pending: 0, failed: 0 });
  });
});
