// The core promise under the worst conditions: SIGKILL at random points, concurrent runs, rewritten
// history. Every token must end up on Jira exactly once.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/server.js';
import { JLOG_BIN, runJlog } from './helpers/cli.js';
import { markerCounts, sandboxFor } from './helpers/jira.js';
import { makeRepo, makeTempDir, type TempRepo } from './helpers/repo.js';

let repo: TempRepo;
let sandbox: Sandbox;
afterEach(async () => {
  await sandbox?.close();
  repo?.cleanup();
});

async function setup() {
  repo = makeRepo();
  const s = await sandboxFor(repo);
  sandbox = s.sandbox;
  return s.env;
}

const day = (daysAgo: number, time = '10:00:00'): string =>
  `${new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10)}T${time}+02:00`;

type Json = Record<string, { id: string; issue: string }[]>;
const run = async (env: NodeJS.ProcessEnv, ...args: string[]) => {
  const r = await runJlog(args, { cwd: repo.dir, env });
  return { ...r, json: r.stdout.trim().startsWith('{') ? (JSON.parse(r.stdout) as Json) : {} };
};

function expectExactlyOnce(total: number): void {
  const counts = markerCounts(sandbox);
  expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  expect(counts.size).toBe(total);
}

describe('exactly once', () => {
  it('survives SIGKILL at random points of a sync, run after run', async () => {
    const env = await setup();
    let tokens = 0;
    for (let c = 0; c < 6; c++) {
      repo.commit(`PROJ-${(c % 3) + 1} #time ${c + 1}h part ${c}\nOPS-${(c % 2) + 1} #time 15m review ${c}`, {
        date: day(3, `1${c}:00:00`),
      });
      tokens += 2;
    }
    // Every sync gets fresh work and slow answers, so a kill lands mid-run however fast posting gets.
    sandbox.fault({ fault: { kind: 'latency', ms: 400 }, times: Infinity });
    let killed = 0;
    for (let i = 0; i < 8; i++) {
      repo.commit(
        `PROJ-${(i % 3) + 1} #time ${i + 1}m kill ${i}\nOPS-${(i % 2) + 1} #time ${i + 1}m kill ${i}`,
        {
          date: day(2, `1${i}:00:00`),
        },
      );
      tokens += 2;
      const child = spawn(process.execPath, [JLOG_BIN, 'sync'], { cwd: repo.dir, env, stdio: 'ignore' });
      const delay = 200 + Math.floor(Math.random() * 1500);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), delay);
        child.on('exit', (_code, signal) => {
          clearTimeout(timer);
          if (signal === 'SIGKILL') killed++;
          resolve();
        });
      });
    }
    expect(killed).toBeGreaterThan(0); // the loop did interrupt syncs, not only watch them finish
    sandbox.clearFaults();
    const final = await run(env, 'sync', '--json');
    expect(final.code).toBe(0);
    expectExactlyOnce(tokens);
    const status = JSON.parse((await runJlog(['status', '--json'], { cwd: repo.dir, env })).stdout) as Record<
      string,
      number
    >;
    expect(status).toMatchObject({ posted: tokens, pending: 0, failed: 0 });
  }, 180_000);

  it('posts each token once when four syncs run at the same time', async () => {
    const env = await setup();
    for (let c = 0; c < 5; c++)
      repo.commit(`PROJ-${c + 1} #time 1h a\nPROJ-${c + 11} #time 30m b`, { date: day(1) });
    const results = await Promise.all([1, 2, 3, 4].map(() => runJlog(['sync'], { cwd: repo.dir, env })));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expectExactlyOnce(10);
  }, 120_000);

  it('does not log again after a rebase rewrote the commits', async () => {
    const env = await setup();
    const base = repo.commit('initial');
    repo.commit('PROJ-1 #time 1h a', { date: day(2) });
    repo.commit('PROJ-2 #time 2h b', { date: day(1) });
    await run(env, 'sync');
    repo.git('checkout', '-q', '-b', 'side', base);
    repo.commit('unrelated work');
    repo.git('checkout', '-q', 'main');
    repo.git('rebase', '-q', 'side');
    const again = await run(env, 'sync', '--json');
    expect(again.json.posted).toEqual([]);
    expect(again.json.alreadyLogged).toHaveLength(2);
    expectExactlyOnce(2);
  });

  it('does not log a cherry-picked commit again, even from a clone without the ledger', async () => {
    const env = await setup();
    repo.commit('initial');
    repo.git('checkout', '-q', '-b', 'feature');
    const picked = repo.commit('PROJ-1 #time 1h fix', { date: day(1) });
    await run(env, 'sync');
    repo.git('checkout', '-q', 'main');
    repo.git('cherry-pick', picked);
    const { rmSync } = await import('node:fs');
    rmSync(join(repo.dir, '.git', 'jlog'), { recursive: true, force: true });
    const again = await run(env, 'sync', '--json');
    expect(again.json.posted).toEqual([]);
    expectExactlyOnce(1);
  });

  it('logs nothing new for a squash merge whose branch commits were logged, in CI', async () => {
    const env = await setup();
    const base = repo.commit('initial');
    repo.git('checkout', '-q', '-b', 'feature');
    repo.commit('PROJ-1 #time 1h login form', { date: day(3) });
    repo.commit('PROJ-2 #time 30m tests', { date: day(2) });
    await run(env, 'sync');
    repo.git('checkout', '-q', 'main');
    repo.git('merge', '-q', '--squash', 'feature');
    repo.commit('Login (#12)\n\n* PROJ-1 #time 1h login form\n\n* PROJ-2 #time 30m tests\n', {
      date: day(0),
    });
    repo.git('branch', '-q', '-D', 'feature');
    const ci = await run(env, 'ci', '--range', `${base}..HEAD`, '--json');
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    expect(ci.json.alreadyLogged).toHaveLength(2);
    expect(sandbox.worklogs()).toHaveLength(2);
  });

  it('logs the same token on two different days twice, and a non-squash commit is never matched on content', async () => {
    const env = await setup();
    repo.commit('PROJ-9 #time 30m standup', { date: day(2) });
    repo.commit('PROJ-9 #time 30m standup', { date: day(1) });
    const r = await run(env, 'sync', '--json');
    expect(r.json.posted).toHaveLength(2);
    expect(sandbox.worklogs('PROJ-9')).toHaveLength(2);
  });

  it('reads the pushed range from GitHub Actions and refuses a shallow clone that lacks it', async () => {
    const env = await setup();
    const before = repo.commit('PROJ-1 #time 1h old', { date: day(2) });
    const after = repo.commit('PROJ-2 #time 1h new', { date: day(1) });
    const event = join(makeTempDir(), 'event.json');
    writeFileSync(event, JSON.stringify({ before, after }));
    const ci = await run(
      { ...env, GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: event, CI: 'true' },
      'ci',
      '--json',
    );
    expect(ci.code).toBe(0);
    expect(ci.json.posted!.map((p) => p.issue)).toEqual(['PROJ-2']);

    const shallow = join(makeTempDir(), 'shallow');
    repo.git('clone', '-q', '--depth', '1', `file://${repo.dir}`, shallow);
    const r = await runJlog(['ci', '--range', `${before}..${after}`], { cwd: shallow, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/shallow/);
    expect(r.stderr).toMatch(/fetch-depth: 0/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
