// jlog report end to end: worklogs posted by the real `jlog sync` into the sandbox, reported from the ledger.
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/server.js';
import { runJlog } from './helpers/cli.js';
import { sandboxFor } from './helpers/jira.js';
import { makeRepo, type TempRepo } from './helpers/repo.js';

let repo: TempRepo;
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  repo?.cleanup();
});

const report = (env: NodeJS.ProcessEnv, ...args: string[]) =>
  runJlog(['report', ...args], { cwd: repo.dir, env });

/** Three commits over two days (one at 23:30 in +01:00), posted by jlog sync; one undone token too. */
async function posted(): Promise<NodeJS.ProcessEnv> {
  repo = makeRepo();
  const s = await sandboxFor(repo);
  sandbox = s.sandbox;
  repo.commit('PROJ-1 #time 1h x', { date: '2026-11-20T10:00:00+01:00' });
  repo.commit('PROJ-2 PROJ-10 #time 30m review', { date: '2026-11-20T23:30:00+01:00' });
  repo.commit('PROJ-1 #time 2h 15m more', { date: '2026-11-21T09:00:00+01:00' });
  const sync = await runJlog(['sync', '--since', '2026-01-01'], { cwd: repo.dir, env: s.env });
  expect(sync.code).toBe(0);
  expect(sandbox.worklogs()).toHaveLength(4);
  return s.env;
}

describe('jlog report', () => {
  it('totals by issue in JSON, sorted by key, and by day in its own offset', async () => {
    const env = await posted();
    const byIssue = await report(env, '--json');
    expect(byIssue.code).toBe(0);
    expect(JSON.parse(byIssue.stdout)).toMatchObject({
      total: 3600 + 1800 + 1800 + 8100,
      groups: [
        { key: 'PROJ-1', seconds: 11700, worklogs: 2 },
        { key: 'PROJ-2', seconds: 1800, worklogs: 1 },
        { key: 'PROJ-10', seconds: 1800, worklogs: 1 },
      ],
    });
    const byDay = JSON.parse((await report(env, '--by', 'day', '--json')).stdout) as { groups: unknown[] };
    expect(byDay.groups).toEqual([
      { key: '2026-11-20', seconds: 7200, worklogs: 3 },
      { key: '2026-11-21', seconds: 8100, worklogs: 1 },
    ]);
  });

  it('filters with --since/--until and prints CSV with a header', async () => {
    const env = await posted();
    const csv = await report(env, '--csv', '--since', '2026-11-21');
    expect(csv.code).toBe(0);
    expect(csv.stdout).toBe('key,seconds,hours,worklogs\nPROJ-1,8100,2.25,1\n');
    const until = await report(env, '--csv', '--by', 'day', '--until', '2026-11-20');
    expect(until.stdout.split('\n')).toEqual(['key,seconds,hours,worklogs', '2026-11-20,7200,2.00,3', '']);
    // Relative dates are relative to today: 2026-11 is in the past from any day these tests run on or after.
    const relative = await report(env, '--json', '--until', '1 day ago');
    expect(JSON.parse(relative.stdout).total).toBe(15300);
  });

  it('prints an aligned table with durations and a total line', async () => {
    const env = await posted();
    const r = await report(env);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^issue\s+time\s+worklogs$/);
    expect(lines).toContain('PROJ-1   3h 15m  2');
    expect(lines).toContain('PROJ-10  30m     1');
    expect(lines[lines.length - 1]).toBe('total    4h 15m  4');
  });

  it('leaves out undone worklogs', async () => {
    const env = await posted();
    const sha = repo.git('rev-parse', 'HEAD');
    expect((await runJlog(['undo', sha, '--yes'], { cwd: repo.dir, env })).code).toBe(0);
    expect(JSON.parse((await report(env, '--json')).stdout).total).toBe(7200);
  });

  it('says so when nothing was logged, and exits 0', async () => {
    repo = makeRepo();
    const r = await report(repo.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Nothing logged/);
    const json = await report(repo.env, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ total: 0, groups: [] });
  });

  it('rejects a date it cannot read with exit 2 and a hint, and --json with --csv', async () => {
    repo = makeRepo();
    const r = await report(repo.env, '--since', 'next blue moon');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--since "next blue moon" is not a date');
    expect(r.stderr).toContain('30 days ago');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect((await report(repo.env, '--json', '--csv')).code).toBe(2);
    expect((await report(repo.env, '--by', 'week')).code).toBe(2);
  });
});
