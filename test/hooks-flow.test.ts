// The hook handlers through real git: amend and rebase carry ledger state, pre-push scopes, postOn,
// failPushOnError, strict mode, the failure notice, JLOG_SKIP and JLOG_DEBUG.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/server.js';
import { JLOG_BIN, runJlog } from './helpers/cli.js';
import { loggedIssues, markerCounts, sandboxFor } from './helpers/jira.js';
import { makeRepo, type TempRepo } from './helpers/repo.js';

let repo: TempRepo;
let sandbox: Sandbox;
afterEach(async () => {
  await sandbox?.close();
  repo?.cleanup();
});

async function setup(config: object = {}) {
  repo = makeRepo({ branch: 'main' });
  const s = await sandboxFor(repo);
  sandbox = s.sandbox;
  const env: NodeJS.ProcessEnv = { ...s.env, JLOG_BIN };
  writeFileSync(join(repo.dir, '.jlogrc.json'), JSON.stringify(config));
  const remote = join(repo.dir, '..', 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote], { env });
  repo.git('remote', 'add', 'origin', remote);
  const init = await runJlog(['init', '--git'], { cwd: repo.dir, env });
  expect(init.code).toBe(0);
  return env;
}

let counter = 0;
// Asynchronous on purpose: the sandbox lives in this process and must answer while git runs.
function git(env: NodeJS.ProcessEnv, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: repo.dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}
async function commit(env: NodeJS.ProcessEnv, message: string, extra: string[] = []) {
  writeFileSync(join(repo.dir, `f${counter++}.txt`), message);
  await git(env, ['add', '-A']);
  return await git(env, ['commit', '-q', ...extra, '-m', message]);
}
async function status(env: NodeJS.ProcessEnv) {
  return JSON.parse((await runJlog(['status', '--json'], { cwd: repo.dir, env })).stdout) as {
    pending: number;
    posted: number;
    failed: number;
    skipped: number;
    entries: { id: string; state: string; issue: string; error?: string }[];
  };
}
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 80 && !done(); i++) await new Promise((r) => setTimeout(r, 250));
}
async function settle(env: NodeJS.ProcessEnv) {
  for (let i = 0; i < 80; i++) {
    const s = await status(env);
    if (s.pending === 0) return s;
    await new Promise((r) => setTimeout(r, 250));
  }
  return status(env);
}

describe('hook flow', () => {
  it('amend before push: the amended commit carries the token, the old one is not posted', async () => {
    const env = await setup();
    await commit(env, 'PROJ-1 #time 1h first');
    await git(env, ['commit', '-q', '--amend', '-m', 'PROJ-1 #time 1h first, reworded']);
    await git(env, ['push', '-q', '-u', 'origin', 'main']);
    const s = await settle(env);
    expect(s.posted).toBe(1);
    expect(sandbox.worklogs()).toHaveLength(1);
    const head = repo.git('rev-parse', 'HEAD');
    expect(sandbox.worklogs()[0]!.properties[0]!.value).toMatchObject({ id: `${head}:0` });
  }, 60_000);

  // Committer dates are pinned: within one second an amend or --force-rebase that changes nothing
  // writes the very same commit again (git still lists it to post-rewrite), otherwise a new one.
  const T = (s: number) => `2026-11-29T10:00:0${s}Z`;
  it.each([
    ['every rewrite makes new commits', T(1), T(2)],
    ['the amend writes the same commit again', T(0), T(2)],
    ['the rebase writes the same commits again', T(1), T(0)],
    ['both write the same commits again', T(0), T(0)],
  ])(
    'amend and rebase after posting (%s): the rewritten commits inherit posted, nothing is posted twice',
    async (_, amendAt, rebaseAt) => {
      const env = await setup();
      const at = (date: string) => ({ ...env, GIT_COMMITTER_DATE: date });
      await commit(at(T(0)), 'PROJ-1 #time 1h a');
      await commit(at(T(0)), 'PROJ-2 #time 2h b');
      await git(env, ['push', '-q', '-u', 'origin', 'main']);
      await settle(env);
      await git(at(amendAt), ['commit', '-q', '--amend', '--no-edit', '--allow-empty']);
      await git(at(rebaseAt), ['rebase', '-q', 'HEAD~2', '--force-rebase']);
      const s = await status(env);
      const head = repo.git('rev-parse', 'HEAD');
      expect(s.entries.find((e) => e.id === `${head}:0`)?.state).toBe('posted');
      expect(s.pending).toBe(0);
      await git(env, ['push', '-q', '-f', 'origin', 'main']);
      await settle(env);
      const sync = await runJlog(['sync', '--json'], { cwd: repo.dir, env });
      expect(JSON.parse(sync.stdout).posted).toEqual([]);
      expect([...markerCounts(sandbox).values()]).toEqual([1, 1]);
      expect(
        sandbox
          .worklogs()
          .map((w) => w.timeSpentSeconds)
          .sort(),
      ).toEqual([3600, 7200]);
      // The rewritten commits' records replace the old ones: the time is reported once.
      const report = await runJlog(['report', '--json'], { cwd: repo.dir, env });
      expect(JSON.parse(report.stdout).total).toBe(3 * 3600);
    },
    60_000,
  );

  it('amending a posted token after push updates its worklog on the next posting run (one worklog, 2h)', async () => {
    const env = await setup();
    await commit(env, 'PROJ-1 #time 1h first');
    await git(env, ['push', '-q', '-u', 'origin', 'main']);
    await settle(env);
    const old = repo.git('rev-parse', 'HEAD');
    const [before] = sandbox.worklogs();
    const amend = await git(env, ['commit', '-q', '--amend', '-m', 'PROJ-1 #time 2h first']);
    expect(amend.stderr).toContain(`PROJ-1 1h from ${old.slice(0, 10)} is on Jira and the amend changed it`);
    await git(env, ['push', '-q', '-f', 'origin', 'main']);
    await settle(env);
    expect(sandbox.worklogs().map((w) => [w.id, w.timeSpentSeconds])).toEqual([[before!.id, 7200]]);
    const marker = sandbox.worklogs()[0]!.properties.find((p) => p.key === 'jlog')?.value as {
      also?: { id: string }[];
    };
    expect(marker.also?.map((a) => a.id)).toEqual([`${repo.git('rev-parse', 'HEAD')}:0`]);
  }, 60_000);

  it('what a Jira outage left pending goes with the next push, and the next hook says it is pending', async () => {
    const env = await setup();
    sandbox.fault({ fault: { kind: 'status', status: 503, retryAfter: 0 }, times: Infinity });
    await commit(env, 'PROJ-1 #time 1h during the outage');
    await git(env, ['push', '-q', '-u', 'origin', 'main']);
    // The worker gives up (fail closed) and leaves the token pending with the reason.
    for (let i = 0; i < 120; i++) {
      if ((await status(env)).entries.some((e) => e.state === 'pending' && e.error)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    sandbox.clearFaults();
    const next = await commit(env, 'PROJ-2 #time 1h after it');
    expect(next.stderr).toMatch(
      /^jlog: 1 worklog still pending: [a-z][^()]*\(?[^()]*\)?; they post on your next push/m,
    );
    expect(next.stderr).not.toMatch(/\.\)|\.;/);
    await git(env, ['push', '-q', 'origin', 'main']);
    await until(() => sandbox.worklogs().length === 2);
    expect(loggedIssues(sandbox)).toEqual(['PROJ-1', 'PROJ-2']);
  }, 90_000);

  it('with time tracking off on the site, the next hook does not promise that the next push posts what waits', async () => {
    const env = await setup();
    sandbox.setTimeTracking({ enabled: false });
    await commit(env, 'PROJ-1 #time 1h while time tracking is off');
    await git(env, ['push', '-q', '-u', 'origin', 'main']);
    for (let i = 0; i < 120; i++) {
      if ((await status(env)).entries.some((e) => e.state === 'pending' && e.error)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const next = await commit(env, 'PROJ-2 #time 1h still off');
    expect(next.stderr).toMatch(
      /^jlog: 1 worklog still pending: .*time tracking.*; they post once a Jira admin turns time tracking on$/im,
    );
    expect(next.stderr).not.toContain('they post on your next push');
    sandbox.setTimeTracking({ enabled: true });
    await git(env, ['push', '-q', 'origin', 'main']);
    await until(() => sandbox.worklogs().length === 2);
    expect(loggedIssues(sandbox)).toEqual(['PROJ-1', 'PROJ-2']);
  }, 90_000);

  it('a reword in rebase -i carries the posted token without a false alarm; a squash posts nothing again', async () => {
    const env = await setup();
    await commit(env, 'base');
    await commit(env, 'Fix lgoin\n\nPROJ-1 #time 1h');
    await commit(env, 'PROJ-2 #time 30m tests');
    await git(env, ['push', '-q', '-u', 'origin', 'main']);
    await until(() => sandbox.worklogs().length === 2);
    await settle(env);
    const reword = await git(
      { ...env, GIT_SEQUENCE_EDITOR: "sed -i '1s/^pick/reword/'", GIT_EDITOR: "sed -i 's/lgoin/login/'" },
      ['rebase', '-i', 'HEAD~2'],
    );
    expect(reword.code).toBe(0);
    expect(reword.stderr).not.toMatch(/jlog undo/);
    const squash = await git(
      { ...env, GIT_SEQUENCE_EDITOR: "sed -i '2s/^pick/squash/'", GIT_EDITOR: 'true' },
      ['rebase', '-i', 'HEAD~2'],
    );
    expect(squash.code).toBe(0);
    expect(squash.stderr).not.toMatch(/jlog undo/);
    const sync = await runJlog(['sync', '--json'], { cwd: repo.dir, env });
    expect(JSON.parse(sync.stdout).posted).toEqual([]);
    expect(sandbox.worklogs()).toHaveLength(2);
  }, 90_000);

  it('a commit and its cherry-pick pushed together are one worklog; a reset-away commit is not posted', async () => {
    const env = await setup({ postOn: 'manual' });
    await commit(env, 'base');
    await git(env, ['checkout', '-q', '-b', 'feature']);
    await commit(env, 'PROJ-1 #time 1h fix');
    await git(env, ['checkout', '-q', 'main']);
    await git(env, ['cherry-pick', 'feature']);
    await commit(env, 'PROJ-2 #time 1h first try');
    await git(env, ['reset', '-q', '--soft', 'HEAD~1']);
    await git(env, ['commit', '-q', '-m', 'PROJ-2 #time 2h second try']);
    const flush = await runJlog(['flush', '--json'], { cwd: repo.dir, env });
    expect(flush.code).toBe(0);
    expect(
      sandbox
        .worklogs()
        .map((w) => `${w.issue} ${w.timeSpentSeconds}`)
        .sort(),
    ).toEqual(['PROJ-1 3600', 'PROJ-2 7200']);
    const s = await status(env);
    expect(s.pending).toBe(0);
    expect(s.entries.find((e) => e.issue === 'PROJ-2' && e.state === 'skipped')?.error).toMatch(/no branch/);
  }, 90_000);

  it('pre-push posts only the commits being pushed; a deletion posts nothing', async () => {
    const env = await setup();
    await commit(env, 'PROJ-1 #time 1h pushed');
    await git(env, ['push', '-q', '-u', 'origin', 'main']);
    await settle(env);
    await git(env, ['checkout', '-q', '-b', 'feature']);
    await commit(env, 'PROJ-2 #time 1h local only');
    await git(env, ['checkout', '-q', 'main']);
    await commit(env, 'PROJ-3 #time 1h pushed later');
    await git(env, ['push', '-q', 'origin', 'main']);
    await until(() => sandbox.worklogs().length === 2);
    expect(loggedIssues(sandbox)).toEqual(['PROJ-1', 'PROJ-3']);
    const waiting = await status(env);
    expect(waiting.entries.filter((e) => e.state === 'pending').map((e) => e.issue)).toEqual(['PROJ-2']);
    await git(env, ['push', '-q', 'origin', 'feature']);
    await settle(env);
    const posts = sandbox.requests.filter((r) => r.method === 'POST').length;
    expect((await git(env, ['push', '-q', 'origin', ':feature'])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 1000));
    expect(sandbox.requests.filter((r) => r.method === 'POST').length).toBe(posts);
    expect(loggedIssues(sandbox)).toEqual(['PROJ-1', 'PROJ-2', 'PROJ-3']);
  }, 60_000);

  it('postOn commit posts right after the commit; manual waits for jlog flush', async () => {
    const env = await setup({ postOn: 'commit' });
    await commit(env, 'PROJ-1 #time 1h now');
    await settle(env);
    expect(sandbox.worklogs()).toHaveLength(1);
    writeFileSync(join(repo.dir, '.jlogrc.json'), JSON.stringify({ postOn: 'manual' }));
    await commit(env, 'PROJ-2 #time 1h later');
    await git(env, ['push', '-q', '-u', 'origin', 'main']);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await status(env)).pending).toBe(1);
    const flush = await runJlog(['flush'], { cwd: repo.dir, env });
    expect(flush.code).toBe(0);
    expect(sandbox.worklogs()).toHaveLength(2);
  }, 60_000);

  it('failPushOnError fails the push when a worklog fails, and the next hook reports failures once', async () => {
    const env = await setup({ failPushOnError: true });
    sandbox.fault({
      fault: {
        kind: 'status',
        status: 403,
        body: { errorMessages: ['You do not have permission to work on this issue.'], errors: {} },
      },
      method: 'POST',
    });
    await commit(env, 'PROJ-1 #time 1h forbidden');
    const push = await git(env, ['push', '-q', '-u', 'origin', 'main']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toMatch(/permission/);
    const next = await commit(env, 'PROJ-2 #time 1h next');
    expect(next.stderr).toMatch(/jlog: 1 worklog failed, run jlog status/);
    const again = await commit(env, 'PROJ-3 #time 1h again');
    expect(again.stderr).not.toMatch(/failed, run jlog status/);
    const retry = await runJlog(['sync', '--retry-failed', '--json'], { cwd: repo.dir, env });
    expect(retry.code).toBe(0);
    expect(loggedIssues(sandbox)).toEqual(['PROJ-1', 'PROJ-2', 'PROJ-3']);
  }, 60_000);

  it('a token that failed on a wrong key and is amended to the right one is posted at the next push', async () => {
    const env = await setup();
    const missing = {
      errorMessages: ['Issue does not exist or you do not have permission to see it.'],
      errors: {},
    };
    sandbox.fault({
      fault: { kind: 'status', status: 404, body: missing },
      issue: 'PROJ-8',
      times: Infinity,
    });
    await commit(env, 'PROJ-8 #time 1h fixed login');
    await git(env, ['push', '-q', '-u', 'origin', 'main']);
    const failed = await settle(env);
    expect(failed.failed).toBe(1);
    await git(env, ['commit', '-q', '--amend', '-m', 'PROJ-9 #time 1h fixed login']);
    await git(env, ['push', '-q', '-f', 'origin', 'main']);
    const s = await settle(env);
    expect(s).toMatchObject({ pending: 0, failed: 0 });
    expect(sandbox.worklogs().map((w) => [w.issue, w.timeSpentSeconds])).toEqual([['PROJ-9', 3600]]);
  }, 60_000);

  it('strict mode rejects a malformed token; otherwise it is only reported', async () => {
    const env = await setup({ strict: true });
    const bad = await commit(env, 'PROJ-1 #time soon');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/line 1/);
    writeFileSync(join(repo.dir, '.jlogrc.json'), '{}');
    const ok = await commit(env, 'PROJ-1 #time soon');
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/not a duration/);
  }, 60_000);

  it("writes the branch's key into a keyless #time line", async () => {
    const env = await setup();
    await git(env, ['checkout', '-q', '-b', 'feature/PROJ-42-login']);
    expect((await commit(env, 'fix the form\n\n#time 1h 15m')).code).toBe(0);
    expect(repo.git('log', '-1', '--format=%B')).toContain('PROJ-42 #time 1h 15m');
    expect((await status(env)).entries.map((e) => e.issue)).toEqual(['PROJ-42']);
  }, 60_000);

  it('a config error in post-commit is one line with the fix, and the commit is queued, not lost', async () => {
    const env = await setup();
    writeFileSync(join(repo.dir, '.jlogrc.json'), '{ "postOn": "sometimes" }');
    const broken = await commit(env, 'PROJ-1 #time 1h while the config was broken');
    expect(broken.code).toBe(0);
    expect(broken.stderr.trimEnd().split('\n')).toEqual([
      'jlog: post-commit hook: .jlogrc.json: postOn: must be one of push, commit, manual, got a string; ' +
        "fix this key in .jlogrc.json (every key is described in jlog's .jlogrc.example); " +
        'the commit is queued for the next hook, git is not affected',
    ]);
    const head = repo.git('rev-parse', 'HEAD').trim();
    expect(readFileSync(join(repo.dir, '.git', 'jlog', 'queue'), 'utf8')).toBe(`${head}\n`);
    const doctor = await runJlog(['doctor'], { cwd: repo.dir, env });
    expect(doctor.stdout).toContain(
      '1 commit queued by a hook that could not record it (no node, no jlog, or an error',
    );

    writeFileSync(join(repo.dir, '.jlogrc.json'), '{}');
    const next = await commit(env, 'PROJ-2 #time 30m after the fix');
    expect(next.stderr).toContain('jlog: recorded 1 worklog from 1 commit queued by an earlier hook');
    const s = await status(env);
    expect(s.entries.map((e) => [e.issue, e.state]).sort()).toEqual([
      ['PROJ-1', 'pending'],
      ['PROJ-2', 'pending'],
    ]);
  });

  it('JLOG_SKIP=1 disables every hook; JLOG_DEBUG=1 logs to the ledger dir without the token', async () => {
    const env = await setup();
    await commit({ ...env, JLOG_SKIP: '1' }, 'PROJ-1 #time 1h skipped');
    expect((await status(env)).entries).toEqual([]);
    const debugEnv = { ...env, JLOG_DEBUG: '1' };
    await commit(debugEnv, 'PROJ-2 #time 1h debug');
    await git(debugEnv, ['push', '-q', '-u', 'origin', 'main']);
    await settle(env);
    const log = join(repo.dir, '.git', 'jlog', 'jlog.log');
    expect(existsSync(log)).toBe(true);
    const text = readFileSync(log, 'utf8');
    // What each hook did, then the worker's requests.
    expect(text).toMatch(/post-commit [0-9a-f]{12}: 1 pending, 0 skipped/);
    expect(text).toMatch(/pre-push origin: 2 commits with tokens, 0 leaving the branch/);
    expect(text).toMatch(/POST/);
    expect(text).not.toContain(sandbox.env.JIRA_API_TOKEN!);
    // The push picked up the commit the skipped hooks never recorded.
    expect(loggedIssues(sandbox)).toEqual(['PROJ-1', 'PROJ-2']);
  }, 60_000);
});
