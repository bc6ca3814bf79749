// What a posting run shows while it works (docs/commands.md): Ctrl-C on a real terminal (script(1)) restores
// it, says what was done and exits 130; a wait for another jlog or for Jira is said at once; without
// a terminal, a line per issue.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/server.js';
import { JLOG_BIN, runJlog } from './helpers/cli.js';
import { markerCounts, sandboxFor } from './helpers/jira.js';
import { makeRepo, type TempRepo } from './helpers/repo.js';

let repo: TempRepo;
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  repo?.cleanup();
});

const day = (daysAgo: number): string =>
  `${new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10)}T10:00:00+01:00`;

async function setup(): Promise<NodeJS.ProcessEnv> {
  repo = makeRepo();
  const s = await sandboxFor(repo);
  sandbox = s.sandbox;
  return s.env;
}

/** Polls `check` every 50 ms for up to `ms`. */
async function until(check: () => boolean, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; !check();) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const hasScript = (() => {
  try {
    return spawn('script', ['--version']).pid !== undefined;
  } catch {
    return false;
  }
})();

describe('a posting run on the terminal and off it', () => {
  it.runIf(hasScript)(
    'Ctrl-C on a real terminal restores the cursor and line wrap, says what was posted, exits 130; the next sync finishes the job once',
    async () => {
      const env = await setup();
      const total = 12;
      for (let i = 1; i <= total; i++) repo.commit(`PROJ-${i} #time 1h part ${i}`, { date: day(1) });
      // Slow POSTs, so that the run is still going when Ctrl-C comes.
      sandbox!.fault({ fault: { kind: 'latency', ms: 400 }, method: 'POST', times: Infinity });
      const transcript = join(repo.home, 'tty.txt');
      const child = spawn('script', ['-qfec', `${process.execPath} ${JLOG_BIN} sync`, transcript], {
        cwd: repo.dir,
        env: { ...env, NO_COLOR: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      child.stdout.resume();
      child.stderr.resume();
      const exited = new Promise<number | null>((r) => child.on('close', r));
      // The bar (on the terminal, so in the transcript) says how many are done.
      const doneOnBar = (): number => {
        if (!existsSync(transcript)) return 0; // script(1) has not started yet
        const seen = [...readFileSync(transcript, 'utf8').matchAll(/ (\d+)\/12/g)];
        return Number(seen[seen.length - 1]?.[1] ?? 0);
      };
      await until(() => doneOnBar() >= 3);
      child.stdin.write('\x03'); // the terminal turns it into SIGINT for the foreground job
      const code = await exited;
      const tty = readFileSync(transcript, 'utf8');
      expect(code).toBe(130);
      const said = /interrupted: (\d+) of 12 posted; jlog sync continues/.exec(tty);
      expect(said, tty).not.toBeNull();
      expect(Number(said![1])).toBeGreaterThanOrEqual(3);
      expect(Number(said![1])).toBeLessThan(total);
      // cli-progress hid the cursor and turned line wrap off; both are back on after the last change.
      expect(tty.lastIndexOf('\x1b[?25h')).toBeGreaterThan(tty.lastIndexOf('\x1b[?25l'));
      expect(tty.lastIndexOf('\x1b[?7h')).toBeGreaterThan(tty.lastIndexOf('\x1b[?7l'));
      expect(tty).toContain('\x1b[?25l'); // the bar was really drawn

      const rest = await runJlog(['sync'], { cwd: repo.dir, env, timeoutMs: 60_000 });
      expect(rest.code).toBe(0);
      const counts = markerCounts(sandbox!);
      expect(counts.size).toBe(total);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
    },
    60_000,
  );

  it('Ctrl-C without a terminal (jlog ci in a CI log): says what was posted, exits 130, and the next run posts the rest once', async () => {
    const env = await setup();
    const base = repo.commit('base');
    const total = 10;
    for (let i = 1; i <= total; i++) repo.commit(`PROJ-${i} #time 1h part ${i}`, { date: day(1) });
    sandbox!.fault({ fault: { kind: 'latency', ms: 400 }, method: 'POST', times: Infinity });
    const args = [JLOG_BIN, 'ci', '--range', `${base}..HEAD`];
    const child = spawn(process.execPath, args, { cwd: repo.dir, env: { ...env, CI: 'true' } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.resume();
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    await until(() => (stderr.match(/^PROJ-\d+: 1 posted/gm) ?? []).length >= 2);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const said = /^jlog: interrupted: (\d+) of 10 posted; jlog ci continues$/m.exec(stderr);
    expect(said, stderr).not.toBeNull();
    expect(Number(said![1])).toBeGreaterThanOrEqual(2);
    const rest = await runJlog(['ci', '--range', `${base}..HEAD`], {
      cwd: repo.dir,
      env: { ...env, CI: 'true' },
      timeoutMs: 60_000,
    });
    expect(rest.code, rest.stderr).toBe(0);
    const counts = markerCounts(sandbox!);
    expect(counts.size).toBe(total);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  }, 60_000);

  it('Ctrl-C with --json: stdout still gets JSON, the interrupt as an error a script can read', async () => {
    const env = await setup();
    const base = repo.commit('base');
    for (let i = 1; i <= 10; i++) repo.commit(`PROJ-${i} #time 1h part ${i}`, { date: day(1) });
    sandbox!.fault({ fault: { kind: 'latency', ms: 400 }, method: 'POST', times: Infinity });
    const args = [JLOG_BIN, 'ci', '--range', `${base}..HEAD`, '--json'];
    const child = spawn(process.execPath, args, { cwd: repo.dir, env: { ...env, CI: 'true' } });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.resume();
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    await until(() => sandbox!.worklogs().length >= 2);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const out = JSON.parse(stdout) as { error: { code: string; message: string; hint: string } };
    expect(out.error.code).toBe('E_INTERRUPTED');
    expect(out.error.message).toMatch(/^interrupted: \d+ of 10 posted$/);
    expect(out.error.hint).toBe('jlog ci continues');
  }, 60_000);

  it('without a terminal, prints a line per issue as it completes', async () => {
    const env = await setup();
    for (let i = 1; i <= 6; i++) repo.commit(`PROJ-${i} #time 1h part ${i}`, { date: day(1) });
    repo.commit('PROJ-1 #time 30m more', { date: day(1) });
    const r = await runJlog(['sync'], { cwd: repo.dir, env });
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => /^PROJ-\d+: /.test(l));
    expect(lines).toHaveLength(6);
    expect(lines).toContain(lines.find((l) => l.startsWith('PROJ-1: 2 posted (')));
    expect(lines[lines.length - 1]).toMatch(/\(7 of 7 done\)$/);
  });

  it("says at once that it waits for another jlog's post lock, naming its pid", async () => {
    const env = await setup();
    repo.commit('PROJ-1 #time 1h first', { date: day(1) });
    sandbox!.fault({ fault: { kind: 'latency', ms: 4000 }, method: 'POST' });
    const first = spawn(process.execPath, [JLOG_BIN, 'sync'], { cwd: repo.dir, env, stdio: 'ignore' });
    let firstDone = false;
    const firstExit = new Promise<number | null>((r) =>
      first.on('close', (c) => {
        firstDone = true;
        r(c);
      }),
    );
    await until(() => sandbox!.requests.some((q) => q.method === 'POST'));
    const second = spawn(process.execPath, [JLOG_BIN, 'flush'], { cwd: repo.dir, env });
    let stderr = '';
    let saidWhileHeld = false;
    second.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (/waiting for another jlog/.test(stderr) && !firstDone) saidWhileHeld = true;
    });
    second.stdout.resume();
    const secondExit = new Promise<number | null>((r) => second.on('close', r));
    expect(await firstExit).toBe(0);
    expect(await secondExit).toBe(0);
    expect(stderr).toContain(`jlog: waiting for another jlog (pid ${first.pid}) to finish posting…`);
    expect(saidWhileHeld).toBe(true);
    expect(sandbox!.worklogs()).toHaveLength(1);
  }, 30_000);

  it("says at once that it waits for Jira's Retry-After", async () => {
    const env = await setup();
    repo.commit('PROJ-1 #time 1h x', { date: day(1) });
    sandbox!.fault({ fault: { kind: 'status', status: 429, retryAfter: 2 }, method: 'POST' });
    const r = await runJlog(['sync'], { cwd: repo.dir, env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^jlog: Jira asked to slow down: waiting 2 s before trying again…$/m);
    expect(sandbox!.worklogs()).toHaveLength(1);
  });

  it('says a wait that many requests share once, not once per request', async () => {
    const env = await setup();
    for (let i = 1; i <= 4; i++) repo.commit(`PROJ-${i} #time 1h part ${i}`, { date: day(1) });
    // Jira is down for every read: each of the ~9 reads waits and retries 3 times, all at about once.
    sandbox!.fault({ fault: { kind: 'status', status: 503, retryAfter: 2 }, method: 'GET', times: Infinity });
    const r = await runJlog(['sync'], { cwd: repo.dir, env, timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    const waits = r.stderr.split('\n').filter((l) => /^jlog: Jira answered 503: waiting/.test(l));
    const retries = sandbox!.requests.filter((q) => q.method === 'GET').length;
    expect(retries).toBeGreaterThan(20); // the old way said one line per retry
    expect(waits.length).toBeGreaterThan(0);
    expect(waits.length).toBeLessThanOrEqual(8);
  }, 60_000);
});
