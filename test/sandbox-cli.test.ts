// `jlog sandbox` as a user runs it: a child process that prints the env, serves, and stops on a signal.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JLOG_BIN, runJlog } from './helpers/cli.js';
import { basicAuth, worklog } from './helpers/sandbox-fetch.js';

interface Running {
  child: ChildProcessWithoutNullStreams;
  env: Record<string, string>;
  stderr: () => string;
  exit: Promise<number | null>;
}

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Starts `jlog sandbox`, resolves once it has printed its exports and its stderr line. */
function startCli(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [JLOG_BIN, 'sandbox', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no exports within 20 s; stderr: ${stderr}`)), 20_000);
    // Ready once the exports are on stdout and the "Ctrl-C to stop" line is on stderr.
    const check = () => {
      let env: Record<string, string> = {};
      for (const m of stdout.matchAll(/^export (\w+)=(.*)$/gm)) env[m[1] as string] = m[2] as string;
      // --json: one object with the server's url and the same environment.
      if (stdout.trimEnd().endsWith('}')) {
        const json = JSON.parse(stdout) as { url: string; env: Record<string, string> };
        env = { ...json.env, url: json.url };
      }
      if (Object.keys(env).length >= 3 && stderr.includes('\n')) {
        clearTimeout(timer);
        resolve({ child, env, stderr: () => stderr, exit });
      }
    };
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      check();
    });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      check();
    });
    void exit.then((code) => reject(new Error(`exited ${String(code)} early; stderr: ${stderr}`)));
  });
}

describe('jlog sandbox', () => {
  it('prints the exports, answers /myself with them, and exits 0 on SIGTERM', async () => {
    const run = await startCli(['--port', '0']);
    expect(run.env.JIRA_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(run.env.JIRA_USER_EMAIL).toBe('dev@example.com');
    expect(run.stderr()).toMatch(/Ctrl-C to stop/);
    const auth = basicAuth(run.env.JIRA_USER_EMAIL as string, run.env.JIRA_API_TOKEN as string);
    const me = await fetch(`${run.env.JIRA_BASE_URL}/rest/api/3/myself`, {
      headers: { Authorization: auth },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ emailAddress: 'dev@example.com' });
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });

  it('--json prints the server and its environment as one JSON object', async () => {
    const run = await startCli(['--json']);
    expect(run.env.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(run.env.JIRA_BASE_URL).toBe(run.env.url);
    const auth = basicAuth(run.env.JIRA_USER_EMAIL as string, run.env.JIRA_API_TOKEN as string);
    const me = await fetch(`${run.env.JIRA_BASE_URL}/rest/api/3/myself`, {
      headers: { Authorization: auth },
    });
    expect(me.status).toBe(200);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });

  it('keeps its data across restarts with --data, and stops on SIGINT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jlog-sandbox-cli-'));
    try {
      const data = join(dir, 'data.json');
      const first = await startCli(['--data', data]);
      const auth = basicAuth(first.env.JIRA_USER_EMAIL as string, first.env.JIRA_API_TOKEN as string);
      const posted = await fetch(`${first.env.JIRA_BASE_URL}/rest/api/3/issue/PROJ-1/worklog`, {
        method: 'POST',
        headers: { Authorization: auth, 'Content-Type': 'application/json' },
        body: JSON.stringify(worklog()),
      });
      expect(posted.status).toBe(201);
      first.child.kill('SIGINT');
      expect(await first.exit).toBe(0);

      const second = await startCli(['--data', data]);
      const page = await fetch(`${second.env.JIRA_BASE_URL}/rest/api/3/issue/PROJ-1/worklog`, {
        headers: { Authorization: auth },
      });
      expect(await page.json()).toMatchObject({ total: 1 });
      second.child.kill('SIGTERM');
      expect(await second.exit).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([['abc'], ['70000'], ['-1']])('refuses --port %s as a usage error', async (port) => {
    const res = await runJlog(['sandbox', '--port', port]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--port/);
    expect(res.stdout).toBe('');
  });

  it('--projects, --time-tracking off and --fault set up the failure cases', async () => {
    const run = await startCli([
      '--projects',
      'PROJ',
      '--time-tracking',
      'off',
      '--fault',
      '503,method=GET,path=/myself',
      '--fault',
      'drop-before-store,method=POST,times=1',
    ]);
    expect(run.stderr()).toMatch(/projects PROJ, time tracking off, 2 faults queued/);
    const auth = basicAuth(run.env.JIRA_USER_EMAIL as string, run.env.JIRA_API_TOKEN as string);
    const get = (path: string) =>
      fetch(`${run.env.JIRA_BASE_URL}/rest/api/3${path}`, { headers: { Authorization: auth } });
    expect((await get('/myself')).status).toBe(503);
    expect((await get('/myself')).status).toBe(200);
    expect(await (await get('/configuration')).json()).toMatchObject({ timeTrackingEnabled: false });
    expect((await get('/issue/OPS-1/worklog')).status).toBe(404);
    const post = () =>
      fetch(`${run.env.JIRA_BASE_URL}/rest/api/3/issue/PROJ-1/worklog`, {
        method: 'POST',
        headers: { Authorization: auth, 'Content-Type': 'application/json' },
        body: JSON.stringify(worklog()),
      });
    await expect(post()).rejects.toThrow();
    const refused = await post();
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toMatch(/Time tracking is disabled/);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });

  it.each([
    [['--fault', 'nope'], /unknown fault 'nope'/],
    [['--fault', '503,times=0'], /times must be a positive number or all/],
    [['--projects', 'a/b'], /--projects takes project keys/],
    [['--time-tracking', 'maybe'], /--time-tracking must be on or off/],
  ])('refuses %j as a usage error', async (args, message) => {
    const res = await runJlog(['sandbox', ...args]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stdout).toBe('');
  });

  it('documents every option in --help', async () => {
    const res = await runJlog(['sandbox', '--help']);
    for (const option of [
      '--port',
      '--data',
      '--projects',
      '--time-tracking',
      '--fault',
      'drop-after-store',
    ]) {
      expect(res.stdout).toContain(option);
    }
  });
});
