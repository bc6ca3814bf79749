// jlog sync end to end: real git repos, the built CLI, the sandbox on 127.0.0.1.
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/server.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JLOG_BIN, runCommand, runJlog } from './helpers/cli.js';
import { loggedIssues, markerCounts, posts, sandboxFor } from './helpers/jira.js';
import { makeRepo, type TempRepo } from './helpers/repo.js';

let repo: TempRepo;
let sandbox: Sandbox;
afterEach(async () => {
  await sandbox?.close();
  repo?.cleanup();
});

async function setup(opts: Parameters<typeof sandboxFor>[1] = {}) {
  repo = makeRepo();
  const s = await sandboxFor(repo, opts);
  sandbox = s.sandbox;
  return s.env;
}

const recent = (daysAgo: number, time = '10:00:00', offset = '+01:00'): string => {
  const d = new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  return `${d}T${time}${offset}`;
};

const sync = (env: NodeJS.ProcessEnv, ...args: string[]) =>
  runJlog(['sync', ...args], { cwd: repo.dir, env });
const json = (r: { stdout: string }) =>
  JSON.parse(r.stdout) as Record<
    string,
    { id: string; issue: string; seconds: number; started: string; comment: string }[]
  >;

describe('jlog sync', () => {
  it('posts each token once with the wire format of docs/exactly-once.md, and nothing on the second run', async () => {
    const env = await setup();
    const date = recent(2, '09:05:00', '+01:00');
    const sha = repo.commit('PROJ-7 #time 1h 30m fixed login', { date });
    repo.commit('PROJ-2 PROJ-3 #time 45m review\n\nOPS-1 #time 1x', { date: recent(1) });
    const first = await sync(env, '--json');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const out = json(first);
    expect(out.posted!.map((p) => p.issue)).toEqual(['PROJ-7', 'PROJ-2', 'PROJ-3']);
    expect(out.diagnostics).toHaveLength(1);
    const proj7 = sandbox.worklogs('PROJ-7');
    expect(proj7).toHaveLength(1);
    expect(proj7[0]!.started).toBe(`${date.slice(0, 10)}T09:05:00.000+0100`);
    expect(proj7[0]!.timeSpentSeconds).toBe(5400);
    expect(proj7[0]!.comment).toEqual({
      type: 'doc',
      version: 1,
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'fixed login' }] }],
    });
    expect(proj7[0]!.properties).toEqual([
      { key: 'jlog', value: expect.objectContaining({ v: 2, id: `${sha}:0` }) },
    ]);
    const post = sandbox.requests.find((r) => r.method === 'POST')!;
    expect(post.query).toMatchObject({ adjustEstimate: 'auto', notifyUsers: 'false' });
    expect(post.body).not.toHaveProperty('timeSpent');

    const second = await sync(env, '--json');
    expect(second.code).toBe(0);
    expect(json(second).posted).toEqual([]);
    expect(json(second).alreadyLogged).toHaveLength(3);
    expect(sandbox.worklogs()).toHaveLength(3);
  });

  it('plans with --dry-run exactly what it then posts', async () => {
    const env = await setup();
    repo.commit('PROJ-1 #time 1h a\nPROJ-2 #time 2h b', { date: recent(3) });
    repo.commit('PROJ-1 #time 15m c', { date: recent(2) });
    const dry = await sync(env, '--dry-run', '--json');
    expect(dry.code).toBe(0);
    expect(posts(sandbox)).toBe(0);
    const real = await sync(env, '--json');
    const withoutId = (list: object[] = []) =>
      list.map(({ worklogId: _, ...rest }: { worklogId?: string }) => rest);
    expect(json(dry).planned).toHaveLength(3);
    expect(withoutId(json(real).posted)).toEqual(json(dry).planned);
  });

  it('finds tokens logged elsewhere through the markers on Jira (another machine, a lost ledger)', async () => {
    const env = await setup();
    repo.commit('PROJ-1 #time 1h a', { date: recent(1) });
    await sync(env);
    const { rmSync } = await import('node:fs');
    rmSync(`${repo.dir}/.git/jlog`, { recursive: true, force: true });
    const again = await sync(env, '--json');
    expect(json(again).posted).toEqual([]);
    expect(json(again).alreadyLogged).toHaveLength(1);
    expect(sandbox.worklogs()).toHaveLength(1);
  });

  it('checks an issue with two reads at once, its worklogs and its jlog property, and no property list', async () => {
    const env = await setup();
    repo.commit('PROJ-1 #time 1h a\nPROJ-2 #time 1h b', { date: recent(1) });
    expect((await sync(env)).code).toBe(0);
    for (const issue of ['PROJ-1', 'PROJ-2']) {
      const reads = sandbox.requests
        .filter((r) => r.method === 'GET' && r.path.includes(`/issue/${issue}/`))
        .map((r) => r.path.replace(`/rest/api/3/issue/${issue}`, ''))
        .sort();
      expect(reads, issue).toEqual(['/properties/jlog', '/worklog']);
    }
    expect(loggedIssues(sandbox)).toEqual(['PROJ-1', 'PROJ-2']);
  });

  it('retries a 429 after Retry-After and posts once', async () => {
    const env = await setup();
    repo.commit('PROJ-1 #time 1h a', { date: recent(1) });
    sandbox.fault({ fault: { kind: 'status', status: 429, retryAfter: 1 }, method: 'POST' });
    const r = await sync(env, '--json');
    expect(r.code).toBe(0);
    expect(json(r).posted).toHaveLength(1);
    expect([...markerCounts(sandbox).values()]).toEqual([1]);
  });

  it('posts exactly once after a dropped connection after the worklog was stored (read back)', async () => {
    const env = await setup();
    repo.commit('PROJ-1 #time 1h a\nPROJ-1 #time 2h b', { date: recent(1) });
    sandbox.fault({ fault: { kind: 'drop-after-store' }, method: 'POST' });
    const r = await sync(env, '--json');
    expect(r.code).toBe(0);
    expect(json(r).posted).toHaveLength(2);
    const counts = markerCounts(sandbox);
    expect(counts.size).toBe(2);
    expect([...counts.values()]).toEqual([1, 1]);
  });

  it.each([
    ['a dropped connection before anything was stored', { kind: 'drop-before-store' } as const],
    ['a 503 on the POST', { kind: 'status', status: 503, retryAfter: 0 } as const],
    ['a 500 on the POST', { kind: 'status', status: 500 } as const],
  ])(
    'never sends a POST again after %s until the settle window (4 × timeoutMs) has passed, then posts it once',
    async (_name, fault) => {
      const env = await setup();
      // 4 × 2.5 s = a 10 s window: wide enough that the second run falls in it however slow the machine.
      repo.commit('PROJ-1 #time 1h a\nPROJ-1 #time 2h b', {
        date: recent(1),
        files: { '.jlogrc.json': '{"timeoutMs": 2500}' },
      });
      sandbox.fault({ fault, method: 'POST' });
      const r = await sync(env, '--json');
      expect(r.code).toBe(1);
      expect(json(r).posted).toHaveLength(1);
      expect(json(r).pending).toMatchObject([{ code: 'E_JIRA_UNKNOWN_OUTCOME' }]);
      expect(posts(sandbox)).toBe(2);
      // Within the window: Jira is read, nothing is sent.
      const soon = await sync(env, '--json');
      expect(soon.code).toBe(1);
      expect(json(soon).pending).toHaveLength(1);
      expect(posts(sandbox)).toBe(2);
      await new Promise((r) => setTimeout(r, 10_500));
      const later = await sync(env, '--json');
      expect(later.code).toBe(0);
      expect(json(later).posted).toHaveLength(1);
      const counts = markerCounts(sandbox);
      expect([...counts.values()]).toEqual([1, 1]);
    },
    60_000,
  );

  it('leaves the token pending when a request hangs past timeoutMs, then posts it once', async () => {
    const env = await setup();
    repo.commit('PROJ-1 #time 1h a', { date: recent(1), files: { '.jlogrc.json': '{"timeoutMs": 1500}' } });
    sandbox.fault({ fault: { kind: 'hang' }, method: 'POST' });
    sandbox.fault({ fault: { kind: 'hang' }, method: 'GET', pathIncludes: '/worklog', times: 20 });
    const r = await sync(env, '--json');
    expect(r.code).toBe(1);
    expect(json(r).pending).toHaveLength(1);
    sandbox.clearFaults();
    const again = await sync(env, '--json');
    expect(again.code).toBe(0);
    expect(json(again).posted.length + json(again).alreadyLogged.length).toBe(1);
    expect(sandbox.worklogs()).toHaveLength(1);
  });

  it.each([['/worklog'], ['/properties/jlog']])(
    'posts nothing when the remote check fails (fail closed, %s) and keeps the token pending',
    async (pathIncludes) => {
      const env = await setup();
      repo.commit('PROJ-1 #time 1h a', { date: recent(1), files: { '.jlogrc.json': '{"timeoutMs": 2000}' } });
      sandbox.fault({
        fault: { kind: 'status', status: 503, retryAfter: 0 },
        method: 'GET',
        pathIncludes,
        times: Infinity,
      });
      const r = await sync(env, '--json');
      expect(r.code).toBe(1);
      expect(json(r).pending).toHaveLength(1);
      expect(posts(sandbox)).toBe(0);
      const status = await runJlog(['status', '--json'], { cwd: repo.dir, env });
      expect(JSON.parse(status.stdout)).toMatchObject({ pending: 1, posted: 0 });
    },
  );

  it("fails a token on 404 with Jira's message and stops the run on 401 with everything pending", async () => {
    const env = await setup({ issues: ['PROJ-1'] });
    repo.commit('NOPE-9 #time 1h typo', { date: recent(2) });
    repo.commit('PROJ-1 #time 1h ok', { date: recent(1) });
    const r = await sync(env, '--json');
    expect(r.code).toBe(1);
    const out = json(r);
    expect(out.failed).toHaveLength(1);
    expect(out.failed![0]).toMatchObject({ issue: 'NOPE-9' });
    expect(JSON.stringify(out.failed)).toMatch(/does not exist/);
    repo.commit('PROJ-1 #time 2h more', { date: recent(0) });
    const bad = await sync({ ...env, JIRA_API_TOKEN: 'wrong-token-123' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/JIRA_API_TOKEN|jlog login/);
    expect(bad.stderr).not.toContain('wrong-token-123');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    expect(sandbox.worklogs('PROJ-1')).toHaveLength(1);
  });

  it('keeps tokens pending while time tracking is off, and says so', async () => {
    const env = await setup({ timeTracking: { enabled: false } });
    repo.commit('PROJ-1 #time 1h a', { date: recent(1) });
    const r = await sync(env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/time tracking is off/);
    sandbox.setTimeTracking({ enabled: true });
    const again = await sync(env);
    expect(again.code).toBe(0);
    expect(sandbox.worklogs()).toHaveLength(1);
  });

  it("converts days and weeks with the site's working hours", async () => {
    const env = await setup({ timeTracking: { hoursPerDay: 6, daysPerWeek: 4 } });
    repo.commit('PROJ-1 #time 1d\nPROJ-2 #time 1w', { date: recent(1) });
    expect((await sync(env)).code).toBe(0);
    expect(sandbox.worklogs('PROJ-1')[0]!.timeSpentSeconds).toBe(6 * 3600);
    expect(sandbox.worklogs('PROJ-2')[0]!.timeSpentSeconds).toBe(24 * 3600);
    // jlog parse is offline, and uses the site's working day the last run cached.
    const parsed = await runJlog(['parse', '--json', 'PROJ-3 #time 1d'], { cwd: repo.dir, env });
    expect(JSON.parse(parsed.stdout).worklogs[0].seconds).toBe(6 * 3600);
  });

  it("reads the issues while the site's working hours are on their way, and posts with the site's answer", async () => {
    const env = await setup({ timeTracking: { hoursPerDay: 6, daysPerWeek: 4 } });
    repo.commit('PROJ-1 #time 1d\nPROJ-2 #time 2h', { date: recent(1) });
    sandbox.fault({ fault: { kind: 'latency', ms: 400 }, pathIncludes: '/configuration' });
    expect((await sync(env)).code).toBe(0);
    const config = sandbox.requests.find((q) => q.path.endsWith('/configuration'))!;
    const firstCheck = sandbox.requests.find((q) => q.path.endsWith('/worklog') && q.method === 'GET')!;
    expect(firstCheck.at).toBeLessThan(config.at + 400);
    // Planned with 8 h days first; the answer (6 h) made the plan again before anything was written.
    expect(sandbox.worklogs('PROJ-1').map((w) => w.timeSpentSeconds)).toEqual([6 * 3600]);
    expect(sandbox.worklogs('PROJ-2').map((w) => w.timeSpentSeconds)).toEqual([2 * 3600]);
    const status = JSON.parse((await runJlog(['status', '--json'], { cwd: repo.dir, env })).stdout);
    expect(status.posted).toBe(2);
  });

  it('posts #comment and transitions when the config asks for them (issue 12), after the worklog', async () => {
    const env = await setup();
    repo.commit('PROJ-1 #time 1h work #comment done #resolve', {
      date: recent(1),
      files: { '.jlogrc.json': '{"commands": {"comment": true, "transitions": true}}' },
    });
    const r = await sync(env);
    expect(r.code).toBe(0);
    expect(sandbox.worklogs()).toHaveLength(1);
    expect(sandbox.comments('PROJ-1')).toHaveLength(1);
    expect(sandbox.status('PROJ-1')).toBe('Done');
    const writes = sandbox.requests.filter((q) => q.method !== 'GET' && !q.path.endsWith('/comment/list'));
    expect(writes.map((q) => `${q.method} ${q.path.replace('/rest/api/3/issue/PROJ-1', '')}`)).toEqual([
      'POST /worklog',
      'POST /comment',
      'POST /transitions',
      'PUT /properties/jlog',
    ]);
  });

  it('posts with the default working day when the site does not answer /configuration', async () => {
    const env = await setup();
    repo.commit('PROJ-1 #time 1d', { date: recent(1) });
    sandbox.fault({
      fault: { kind: 'status', status: 404 },
      pathIncludes: '/configuration',
      times: Infinity,
    });
    const r = await sync(env);
    expect(r.code).toBe(0);
    expect(sandbox.worklogs('PROJ-1')[0]!.timeSpentSeconds).toBe(8 * 3600);
  });

  it('shows a progress bar on a terminal when there is more than a handful to post, and none when piped', async () => {
    const env = await setup();
    for (let i = 1; i <= 7; i++) repo.commit(`PROJ-${i} #time 1h part ${i}`, { date: recent(1) });
    // script(1) gives jlog a real terminal; its transcript holds every byte jlog wrote there.
    const transcript = join(repo.home, 'tty.txt');
    const cmd = `${process.execPath} ${JLOG_BIN} sync`;
    const r = await runCommand('script', ['-qec', cmd, transcript], {
      cwd: repo.dir,
      env: { ...env, NO_COLOR: '1' },
    });
    expect(r.code).toBe(0);
    expect(readFileSync(transcript, 'utf8')).toMatch(/posting .* \d\/7/);
    expect(sandbox.worklogs()).toHaveLength(7);
    repo.commit('PROJ-9 #time 1h more', { date: recent(0) });
    const piped = await sync(env);
    expect(piped.stderr).not.toMatch(/posting/);
  });

  it("syncs only the user's own commits unless --all-authors", async () => {
    const env = await setup();
    repo.commit('PROJ-1 #time 1h mine', { date: recent(1) });
    repo.commit('PROJ-2 #time 1h theirs', { date: recent(1), email: 'colleague@example.com', name: 'Col' });
    await sync(env);
    expect(sandbox.worklogs().map((w) => w.issue)).toEqual(['PROJ-1']);
    await sync(env, '--all-authors');
    expect(loggedIssues(sandbox)).toEqual(['PROJ-1', 'PROJ-2']);
  });
});
