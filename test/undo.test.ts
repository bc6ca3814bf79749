// jlog undo end to end: worklogs posted by the real `jlog sync` into the sandbox, deleted by undo.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/server.js';
import { runJlog } from './helpers/cli.js';
import { posts, sandboxFor } from './helpers/jira.js';
import { makeRepo, type TempRepo } from './helpers/repo.js';

let repo: TempRepo;
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  repo?.cleanup();
});

interface Entry {
  id: string;
  issue: string;
  seconds: number;
  worklogId?: string;
  was?: string;
  state?: string;
  code?: string;
}
type UndoJson = Record<'deleted' | 'alreadyGone' | 'cancelled' | 'failed', Entry[]> & {
  sha: string;
  message?: string;
};

const jlog = (env: NodeJS.ProcessEnv, ...args: string[]) => runJlog(args, { cwd: repo.dir, env });
const sync = (env: NodeJS.ProcessEnv) => jlog(env, 'sync', '--since', '2026-01-01', '--json');

async function setup(): Promise<NodeJS.ProcessEnv> {
  repo = makeRepo();
  const s = await sandboxFor(repo);
  sandbox = s.sandbox;
  return s.env;
}

async function states(env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const status = JSON.parse((await jlog(env, 'status', '--json')).stdout) as { entries: Entry[] };
  // An undone or cancelled token is skipped with code E_UNDONE (the JSON contract has four states).
  return Object.fromEntries(
    status.entries.map((e) => [e.id, e.state === 'skipped' && e.code === 'E_UNDONE' ? 'undone' : e.state!]),
  );
}

describe('jlog undo', () => {
  it('deletes what a commit posted with adjustEstimate=auto, records it undone, and sync never re-posts it', async () => {
    const env = await setup();
    const keep = repo.commit('PROJ-1 #time 1h x', { date: '2026-11-20T10:00:00+01:00' });
    const sha = repo.commit('PROJ-2 PROJ-3 #time 45m review', { date: '2026-11-20T11:00:00+01:00' });
    expect((await sync(env)).code).toBe(0);
    expect(sandbox!.worklogs()).toHaveLength(3);
    const ids = sandbox!.worklogs('PROJ-2').map((w) => w.id);

    const r = await jlog(env, 'undo', sha.slice(0, 7), '--yes', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as UndoJson;
    expect(out.sha).toBe(sha);
    expect(out.deleted.map((e) => [e.id, e.issue])).toEqual([
      [`${sha}:0`, 'PROJ-2'],
      [`${sha}:1`, 'PROJ-3'],
    ]);
    expect(out.deleted[0]!.worklogId).toBe(ids[0]);
    expect(sandbox!.worklogs('PROJ-2')).toEqual([]);
    expect(sandbox!.worklogs('PROJ-3')).toEqual([]);
    expect(sandbox!.worklogs('PROJ-1')).toHaveLength(1);
    const deletes = sandbox!.requests.filter((q) => q.method === 'DELETE');
    expect(deletes).toHaveLength(2);
    expect(deletes.every((q) => q.query.adjustEstimate === 'auto' && q.status === 204)).toBe(true);

    expect(await states(env)).toEqual({
      [`${keep}:0`]: 'posted',
      [`${sha}:0`]: 'undone',
      [`${sha}:1`]: 'undone',
    });
    const before = posts(sandbox!);
    const again = await sync(env);
    expect(again.code).toBe(0);
    expect(posts(sandbox!)).toBe(before);
    expect(JSON.parse(again.stdout).skipped.map((s: { code: string }) => s.code)).toEqual([
      'E_UNDONE',
      'E_UNDONE',
    ]);

    // A second undo has nothing left to do.
    const twice = await jlog(env, 'undo', sha, '--yes');
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('undone already');
  });

  it('without a TTY there is no one to ask: it needs --yes (exit 2, nothing deleted), then deletes', async () => {
    const env = await setup();
    const sha = repo.commit('PROJ-1 #time 1h x', { date: '2026-11-20T10:00:00+01:00' });
    expect((await sync(env)).code).toBe(0);
    const refused = await jlog(env, 'undo', sha);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^jlog: .*no terminal to ask.*--yes/);
    expect(sandbox!.requests.filter((q) => q.method === 'DELETE')).toHaveLength(0);
    expect(sandbox!.worklogs('PROJ-1')).toHaveLength(1);
    const asJson = await jlog(env, 'undo', sha, '--json');
    expect(asJson.code).toBe(2);
    expect(JSON.parse(asJson.stdout)).toEqual({
      error: {
        code: 'E_USAGE',
        message: expect.stringMatching(/no terminal/),
        hint: expect.stringMatching(/--yes/),
      },
    });
    const r = await jlog(env, 'undo', sha, '--yes');
    expect(r.code).toBe(0);
    expect(sandbox!.requests.filter((q) => q.method === 'DELETE')).toHaveLength(1);
    expect(sandbox!.worklogs('PROJ-1')).toHaveLength(0);
    expect(await states(env)).toEqual({ [`${sha}:0`]: 'undone' });
  });

  it('exits 1 with a clear message when the commit posted nothing, and 2 for a rev that names nothing', async () => {
    const env = await setup();
    const sha = repo.commit('no tokens here');
    const r = await jlog(env, 'undo', sha, '--yes');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`nothing posted for ${sha.slice(0, 10)}`);
    const bad = await jlog(env, 'undo', 'deadbeef', '--yes');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('names no commit');
    expect(sandbox!.requests).toEqual([]);
  });

  it('cancels the tokens of the commit that are still pending, and says so', async () => {
    const env = await setup();
    const sha = repo.commit('PROJ-1 PROJ-2 #time 1h x', { date: '2026-11-20T10:00:00+01:00' });
    sandbox!.setTimeTracking({ enabled: false }); // nothing can be posted: the tokens stay pending
    expect((await sync(env)).code).toBe(1);
    expect(await states(env)).toEqual({ [`${sha}:0`]: 'pending', [`${sha}:1`]: 'pending' });

    const r = await jlog(env, 'undo', sha, '--yes');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/cancelled\s+PROJ-1\s+1h\s+2026-11-20\s+pending: will not be posted/);
    expect(r.stdout).toContain('0 worklogs deleted, 2 unposted tokens cancelled');
    expect(sandbox!.requests.filter((q) => q.method === 'DELETE')).toEqual([]);
    expect(await states(env)).toEqual({ [`${sha}:0`]: 'undone', [`${sha}:1`]: 'undone' });
    sandbox!.setTimeTracking({ enabled: true });
    expect((await sync(env)).code).toBe(0);
    expect(sandbox!.worklogs()).toEqual([]);
  });

  it('deletes the posted tokens of a commit and cancels its failed ones in one go', async () => {
    const env = await setup();
    const sha = repo.commit('PROJ-1 #time 1h x\n\nOPS-7 #time 30m y', { date: '2026-11-20T10:00:00+01:00' });
    sandbox!.fault({ fault: { kind: 'status', status: 403 }, issue: 'OPS-7', times: Infinity });
    await sync(env);
    expect(await states(env)).toEqual({ [`${sha}:0`]: 'posted', [`${sha}:1`]: 'failed' });
    sandbox!.clearFaults();

    const r = await jlog(env, 'undo', sha, '--yes', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as UndoJson;
    expect(out.deleted.map((e) => e.issue)).toEqual(['PROJ-1']);
    expect(out.cancelled.map((e) => [e.issue, e.was])).toEqual([['OPS-7', 'failed']]);
    expect(await states(env)).toEqual({ [`${sha}:0`]: 'undone', [`${sha}:1`]: 'undone' });
    await jlog(env, 'sync', '--since', '2026-01-01', '--retry-failed');
    expect(sandbox!.worklogs()).toEqual([]);
  });

  it('says in one sentence when Jira refuses the tombstone, and when Jira cannot be reached for a cancel', async () => {
    const env = await setup();
    const posted = repo.commit('PROJ-1 #time 1h x', { date: '2026-11-20T10:00:00+01:00' });
    expect((await sync(env)).code).toBe(0);
    sandbox!.fault({
      fault: { kind: 'status', status: 403 },
      method: 'PUT',
      pathIncludes: '/properties/jlog',
      times: Infinity,
    });
    const refused = await jlog(env, 'undo', posted, '--yes');
    expect(refused.code).toBe(0);
    expect(sandbox!.worklogs()).toEqual([]);
    expect(refused.stderr).toBe(
      'jlog: Jira refused the tombstone on PROJ-1 (no permission to edit it): its worklogs are deleted, ' +
        'but other clones and CI may post them again\n',
    );
    sandbox!.clearFaults();

    const pending = repo.commit('PROJ-2 #time 1h y', { date: '2026-11-20T11:00:00+01:00' });
    sandbox!.setTimeTracking({ enabled: false });
    expect((await sync(env)).code).toBe(1);
    await sandbox!.close(); // Jira is down: the cancel stays in this clone
    const down = await jlog(env, 'undo', pending, '--yes');
    expect(down.code).toBe(0);
    expect(down.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(down.stderr).toMatch(
      /^jlog: not tombstoned on Jira: .*ECONNREFUSED\); cancelled in this clone only\n$/,
    );
    sandbox = undefined;
  });

  it('counts a worklog already deleted on Jira (404) as undone', async () => {
    const env = await setup();
    const sha = repo.commit('PROJ-1 #time 1h x', { date: '2026-11-20T10:00:00+01:00' });
    expect((await sync(env)).code).toBe(0);
    sandbox!.fault({ fault: { kind: 'status', status: 404 }, method: 'DELETE', times: 1 });
    const r = await jlog(env, 'undo', sha, '--yes', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as UndoJson;
    expect(out.deleted).toEqual([]);
    expect(out.alreadyGone.map((e) => e.id)).toEqual([`${sha}:0`]);
    expect(await states(env)).toEqual({ [`${sha}:0`]: 'undone' });
  });

  it('finds the commit by SHA prefix in the ledger when git no longer has it', async () => {
    const env = await setup();
    repo.commit('base');
    const sha = repo.commit('PROJ-1 #time 1h x', { date: '2026-11-20T10:00:00+01:00' });
    expect((await sync(env)).code).toBe(0);
    repo.git('reset', '-q', '--hard', 'HEAD~1');
    repo.git('reflog', 'expire', '--expire=now', '--all');
    repo.git('gc', '-q', '--prune=now');
    expect(() => repo.git('cat-file', '-e', sha)).toThrow();
    const r = await jlog(env, 'undo', sha.slice(0, 8), '--yes', '--json');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as UndoJson).deleted.map((e) => e.id)).toEqual([`${sha}:0`]);
    expect(sandbox!.worklogs()).toEqual([]);
  });

  it('finds a worklog posted from another clone by its marker when the ledger does not know it', async () => {
    const env = await setup();
    const sha = repo.commit('PROJ-1 #time 1h x', { date: '2026-11-20T10:00:00+01:00' });
    expect((await sync(env)).code).toBe(0);
    rmSync(join(repo.dir, '.git', 'jlog'), { recursive: true, force: true }); // a fresh clone's empty ledger
    const r = await jlog(env, 'undo', sha, '--yes', '--json');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as UndoJson).deleted.map((e) => e.id)).toEqual([`${sha}:0`]);
    expect(sandbox!.worklogs()).toEqual([]);
    expect(await states(env)).toEqual({ [`${sha}:0`]: 'undone' });
    await sync(env);
    expect(sandbox!.worklogs()).toEqual([]);
  });

  it('deletes the worklog of a pending token whose POST landed unanswered, instead of only cancelling it', async () => {
    const env = await setup();
    const sha = repo.commit('PROJ-1 #time 1h x', { date: '2026-11-20T10:00:00+01:00' });
    // The check before the POST is answered (a zero latency), the POST is stored but never answered,
    // and the read back is refused: the token stays pending, its outcome unknown, its worklog on Jira.
    sandbox!.fault({ fault: { kind: 'latency', ms: 0 }, method: 'GET', pathIncludes: '/worklog' });
    sandbox!.fault({ fault: { kind: 'drop-after-store' }, method: 'POST', pathIncludes: '/worklog' });
    sandbox!.fault({ fault: { kind: 'status', status: 403 }, method: 'GET', pathIncludes: '/worklog' });
    const first = JSON.parse((await sync(env)).stdout) as { pending: Entry[] };
    expect(first.pending.map((e) => [e.id, e.code])).toEqual([[`${sha}:0`, 'E_JIRA_UNKNOWN_OUTCOME']]);
    expect(sandbox!.worklogs()).toHaveLength(1);

    const r = await jlog(env, 'undo', sha, '--yes', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as UndoJson;
    expect(out.deleted.map((e) => e.id)).toEqual([`${sha}:0`]);
    expect(out.cancelled).toEqual([]);
    expect(sandbox!.worklogs()).toEqual([]);
    expect(await states(env)).toEqual({ [`${sha}:0`]: 'undone' });
  });
});
