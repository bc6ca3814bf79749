// The odd setups hooks meet in real life, through the built CLI in real repos (docs/commands.md): a GUI
// client whose PATH has git and sh but no Node, a `git worktree add` with no node_modules, husky in a
// subfolder with the real husky package, hooks an older jlog left, and credentials Jira refuses.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/server.js';
import { HOOK_NAMES } from '../src/install/hook-names.js';
import { runCommand, runJlog, type CliResult } from './helpers/cli.js';
import { loggedIssues, sandboxFor } from './helpers/jira.js';
import { makeRepo, makeTempDir, type TempRepo } from './helpers/repo.js';

const ROOT = join(import.meta.dirname, '..');
const HUSKY_BIN = join(ROOT, 'node_modules', 'husky', 'bin.js');

let repo: TempRepo;
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  repo?.cleanup();
});

interface Status {
  pending: number;
  posted: number;
  entries: { id: string; sha: string; issue: string; state: string }[];
}

/** jlog installed in `dir` as npm would put it: node_modules/jlog (this checkout) and its bin link. */
function installJlog(dir: string): void {
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', 'jlog'));
  symlinkSync('../jlog/dist/jlog.js', join(dir, 'node_modules', '.bin', 'jlog'));
}

/** A PATH of one temp dir holding only these commands: a GUI client's, with no Node. */
function binWith(commands: string[]): string {
  const bin = makeTempDir('jlog-bin-');
  for (const c of commands) {
    const path = execFileSync('sh', ['-c', `command -v ${c}`], { encoding: 'utf8' }).trim();
    symlinkSync(path, join(bin, c));
  }
  return bin;
}

async function setup(config: object = {}): Promise<NodeJS.ProcessEnv> {
  repo = makeRepo();
  const s = await sandboxFor(repo);
  sandbox = s.sandbox;
  writeFileSync(join(repo.dir, '.gitignore'), 'node_modules\n');
  writeFileSync(join(repo.dir, '.jlogrc.json'), JSON.stringify(config));
  const remote = join(repo.dir, '..', 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote], { env: s.env });
  repo.git('remote', 'add', 'origin', remote);
  return s.env;
}

const git = (env: NodeJS.ProcessEnv, args: string[], cwd = repo.dir): Promise<CliResult> =>
  runCommand('git', args, { cwd, env, timeoutMs: 60_000 });

let n = 0;
async function commit(env: NodeJS.ProcessEnv, message: string, cwd = repo.dir): Promise<CliResult> {
  writeFileSync(join(cwd, `f${n++}.txt`), message);
  await git(env, ['add', '-A'], cwd);
  return git(env, ['commit', '-q', '-m', message], cwd);
}

async function status(env: NodeJS.ProcessEnv, cwd = repo.dir): Promise<Status> {
  const r = await runJlog(['status', '--json'], { cwd, env, timeoutMs: 60_000 });
  return JSON.parse(r.stdout) as Status;
}

async function until(done: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 240 && !(await done()); i++) await new Promise((r) => setTimeout(r, 250));
}

describe('a GUI client with git and sh but no Node on PATH', () => {
  it('queues the commit with sh alone, says how to fix PATH, and the next hook with Node records it', async () => {
    const env = await setup();
    installJlog(repo.dir);
    expect((await runJlog(['init', '--git', '--no-prepare'], { cwd: repo.dir, env })).code).toBe(0);
    const gui = { ...env, PATH: binWith(['git', 'mkdir']), JLOG_NODE_DIRS: '' };
    const queued = await commit(gui, 'PROJ-1 #time 1h from the GUI');
    expect(queued.code).toBe(0);
    expect(queued.stderr).toMatch(
      /^jlog: node not found on PATH, post-commit skipped; queued [0-9a-f]{7} .*init\.sh\n$/,
    );
    expect(queued.stderr).not.toMatch(/env: .?node/);
    expect((await status(env)).entries).toEqual([]);
    const doctor = await runJlog(['doctor', '--json'], { cwd: repo.dir, env, timeoutMs: 60_000 });
    expect(doctor.stdout).toContain('1 commit queued by a hook that could not record it (no node');

    const next = await commit(env, 'PROJ-2 #time 30m from the terminal');
    expect(next.code).toBe(0);
    expect(next.stderr).toContain('jlog: recorded 1 worklog from 1 commit queued by an earlier hook');
    const s = await status(env);
    expect(s.entries.map((e) => `${e.issue} ${e.state}`).sort()).toEqual([
      'PROJ-1 pending',
      'PROJ-2 pending',
    ]);
    expect(existsSync(join(repo.dir, '.git', 'jlog', 'queue'))).toBe(false);

    expect((await git(env, ['push', '-q', '-u', 'origin', 'main'])).code).toBe(0);
    await until(() => sandbox!.worklogs().length === 2);
    expect(loggedIssues(sandbox!)).toEqual(['PROJ-1', 'PROJ-2']);
  }, 150_000);
});

describe('the sh-only queue and jlog flush', () => {
  it('jlog flush records a commit the GUI queued and posts it', async () => {
    const env = await setup();
    installJlog(repo.dir);
    expect((await runJlog(['init', '--git', '--no-prepare'], { cwd: repo.dir, env })).code).toBe(0);
    const gui = { ...env, PATH: binWith(['git', 'mkdir']), JLOG_NODE_DIRS: '' };
    expect((await commit(gui, 'PROJ-8 #time 2h from the GUI')).stderr).toContain('queued');
    const flush = await runJlog(['flush', '--json'], { cwd: repo.dir, env, timeoutMs: 60_000 });
    expect(flush.code, flush.stderr).toBe(0);
    expect(loggedIssues(sandbox!)).toEqual(['PROJ-8']);
    expect(existsSync(join(repo.dir, '.git', 'jlog', 'queue'))).toBe(false);
  }, 120_000);
});

describe('a worktree made with git worktree add', () => {
  it("has no node_modules: the hooks run the main worktree's jlog and record the token", async () => {
    const env = await setup();
    installJlog(repo.dir);
    expect((await runJlog(['init', '--git', '--no-prepare'], { cwd: repo.dir, env })).code).toBe(0);
    repo.commit('base');
    const wt = join(repo.dir, '..', 'wt');
    repo.git('worktree', 'add', '-q', '-b', 'feature/PROJ-9-wt', wt);
    expect(existsSync(join(wt, 'node_modules'))).toBe(false);
    // The branch supplies the key: commit-msg (Node) writes it in, post-commit records it.
    const r = await commit(env, 'work in the worktree\n\n#time 45m', wt);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/not found/);
    expect(r.stderr).toContain('PROJ-9 45m pending');
    const s = await status(env);
    expect(s.entries.map((e) => `${e.issue} ${e.state}`)).toEqual(['PROJ-9 pending']);
    expect((await git(env, ['push', '-q', '-u', 'origin', 'feature/PROJ-9-wt'], wt)).code).toBe(0);
    await until(() => sandbox!.worklogs().length === 1);
    expect(loggedIssues(sandbox!)).toEqual(['PROJ-9']);
  }, 150_000);
});

describe('plain git with the package in a subfolder', () => {
  it("the shims find jlog in app/node_modules (one folder down), and init adds app's prepare script", async () => {
    const env = await setup();
    const app = join(repo.dir, 'app');
    mkdirSync(app);
    writeFileSync(
      join(app, 'package.json'),
      '{\n  "name": "app",\n  "devDependencies": { "jlog": "*" }\n}\n',
    );
    installJlog(app);
    const init = await runJlog(['init', '--git'], { cwd: app, env });
    expect(init.code, init.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')).scripts).toEqual({
      prepare: 'jlog init --quiet',
    });
    const r = await commit(env, 'PROJ-6 #time 15m');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('PROJ-6 15m pending');
  }, 120_000);
});

describe('husky in a subfolder (the real husky package)', () => {
  /** husky's documented monorepo layout: package.json in app/, `cd .. && husky app/.husky`. */
  async function monorepo(env: NodeJS.ProcessEnv): Promise<string> {
    const app = join(repo.dir, 'app');
    mkdirSync(app);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify(
        { name: 'app', private: true, scripts: { prepare: 'cd .. && husky app/.husky' } },
        null,
        2,
      ),
    );
    installJlog(app);
    await husky(env);
    writeFileSync(join(app, '.husky', 'pre-commit'), 'echo user-pre-commit\n');
    return app;
  }
  /** What `npm install` runs through the prepare script: husky rewrites app/.husky/_. */
  async function husky(env: NodeJS.ProcessEnv): Promise<void> {
    const r = await runCommand(process.execPath, [HUSKY_BIN, 'app/.husky'], { cwd: repo.dir, env });
    expect(r.code, r.stderr + r.stdout).toBe(0);
  }
  const snapshot = (dir: string): Record<string, string> =>
    Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

  it("init writes into app/.husky (never husky's _/), the hooks run, survive husky's reinstall, and doctor checks there", async () => {
    const env = await setup();
    const app = await monorepo(env);
    const generated = snapshot(join(app, '.husky', '_'));
    const init = await runJlog(['init'], { cwd: app, env });
    expect(init.code, init.stderr).toBe(0);
    for (const h of HOOK_NAMES) expect(init.stdout).toContain(`+ .husky/${h}`);
    expect(snapshot(join(app, '.husky', '_'))).toEqual(generated);
    expect(readFileSync(join(app, '.husky', 'post-commit'), 'utf8')).toContain('"app/node_modules/jlog"');

    const first = await commit(env, 'PROJ-1 #time 1h first');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('PROJ-1 1h pending');

    await husky(env); // the next npm install
    const second = await commit(env, 'PROJ-2 #time 1h second');
    expect(second.stderr).toContain('PROJ-2 1h pending');
    expect((await status(env)).entries.map((e) => e.issue).sort()).toEqual(['PROJ-1', 'PROJ-2']);

    const doctor = await runJlog(['doctor', '--json'], { cwd: app, env });
    const hooks = (
      JSON.parse(doctor.stdout) as { checks: { name: string; ok: boolean; message: string }[] }
    ).checks.find((c) => c.name === 'hooks');
    expect(hooks).toMatchObject({ ok: true, message: '4 hooks installed in app/.husky/' });

    expect((await git(env, ['push', '-q', '-u', 'origin', 'main'])).code).toBe(0);
    await until(() => sandbox!.worklogs().length === 2);
    expect(loggedIssues(sandbox!)).toEqual(['PROJ-1', 'PROJ-2']);

    // uninstall finds the same place, and leaves husky's own files alone.
    const generatedNow = snapshot(join(app, '.husky', '_'));
    const un = await runJlog(['uninstall'], { cwd: app, env });
    expect(un.stdout).toContain('- .husky/post-commit');
    expect(existsSync(join(app, '.husky', 'pre-push'))).toBe(false);
    expect(readFileSync(join(app, '.husky', 'pre-commit'), 'utf8')).toBe('echo user-pre-commit\n');
    expect(snapshot(join(app, '.husky', '_'))).toEqual(generatedNow);
  }, 150_000);

  it('in a worktree of that monorepo, the line finds the main worktree’s app/node_modules', async () => {
    const env = await setup();
    const app = await monorepo(env);
    expect((await runJlog(['init'], { cwd: app, env })).code).toBe(0);
    await git(env, ['add', '-A']);
    await git(env, ['commit', '-q', '-m', 'husky and jlog']);
    const wt = join(repo.dir, '..', 'wt');
    repo.git('worktree', 'add', '-q', '-b', 'side', wt);
    expect(existsSync(join(wt, 'app', 'node_modules'))).toBe(false);
    // husky's own _/ is generated, not committed: `npx husky app/.husky` in the worktree makes it.
    const h = await runCommand(process.execPath, [HUSKY_BIN, 'app/.husky'], { cwd: wt, env });
    expect(h.code, h.stderr + h.stdout).toBe(0);
    const r = await commit(env, 'PROJ-3 #time 20m in the worktree', wt);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('PROJ-3 20m pending');
  }, 120_000);
});

describe('hooks an older jlog left', () => {
  it('doctor flags them and init rewrites them, idempotently (plain git and husky)', async () => {
    const env = await setup();
    installJlog(repo.dir);
    expect((await runJlog(['init', '--git', '--no-prepare'], { cwd: repo.dir, env })).code).toBe(0);
    // What jlog 0.1 installed: the shim without a version stamp (version 1), no common block beside it.
    const hook = join(repo.dir, '.git', 'hooks', 'pre-push');
    writeFileSync(hook, readFileSync(hook, 'utf8').replace(/^# jlog-hook-version: \d+\n/m, ''));
    const stale = await runJlog(['doctor', '--json'], { cwd: repo.dir, env });
    const check = (r: CliResult) =>
      (
        JSON.parse(r.stdout) as { checks: { name: string; ok: boolean; message: string; hint?: string }[] }
      ).checks.find((c) => c.name === 'hooks');
    expect(check(stale)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/left by an older jlog \(hook version 1, .*\): pre-push/),
      hint: expect.stringContaining('jlog init'),
    });
    const init = await runJlog(['init', '--no-prepare'], { cwd: repo.dir, env });
    expect(init.stdout).toContain('~ .git/hooks/pre-push (updated)');
    expect(check(await runJlog(['doctor', '--json'], { cwd: repo.dir, env }))).toMatchObject({ ok: true });
    expect(readFileSync(hook, 'utf8')).toBe(readFileSync(join(ROOT, 'hooks', 'pre-push'), 'utf8'));
    expect(statSync(hook).mode & 0o111).not.toBe(0);
    const again = await runJlog(['init', '--no-prepare'], { cwd: repo.dir, env });
    expect(again.stdout).not.toMatch(/updated|created/);
  }, 120_000);

  it('a husky line from an older jlog is replaced in place', async () => {
    const env = await setup();
    installJlog(repo.dir);
    writeFileSync(join(repo.dir, 'package.json'), '{ "name": "x", "private": true }\n');
    expect((await runCommand(process.execPath, [HUSKY_BIN], { cwd: repo.dir, env })).code).toBe(0);
    const old =
      'if [ -f node_modules/jlog/hooks/post-commit ]; then sh node_modules/jlog/hooks/post-commit "$@"; fi # jlog';
    mkdirSync(join(repo.dir, '.husky'), { recursive: true });
    writeFileSync(join(repo.dir, '.husky', 'post-commit'), `echo mine\n${old}\n`);
    const doctor = await runJlog(['doctor', '--json'], { cwd: repo.dir, env, timeoutMs: 60_000 });
    expect(doctor.stdout).toMatch(/left by an older jlog \(hook version 1[^)]*\): post-commit/);
    const init = await runJlog(['init'], { cwd: repo.dir, env });
    expect(init.stdout).toContain('~ .husky/post-commit (updated)');
    const text = readFileSync(join(repo.dir, '.husky', 'post-commit'), 'utf8');
    expect(text.startsWith('echo mine\n')).toBe(true);
    expect(text).not.toContain(old);
    expect(text.match(/# jlog hooks v\d+$/gm)).toHaveLength(1);
    const r = await commit(env, 'PROJ-4 #time 1h');
    expect(r.stderr).toContain('PROJ-4 1h pending');
  }, 120_000);
});

describe('what stops posting altogether is said by the next hook, in one line with the fix', () => {
  it('credentials Jira refuses (401): the commit does not promise "posts on push"; commit and push say how many wait', async () => {
    const env = await setup();
    installJlog(repo.dir);
    expect((await runJlog(['init', '--git', '--no-prepare'], { cwd: repo.dir, env })).code).toBe(0);
    const bad = { ...env, JIRA_API_TOKEN: 'not-the-right-token' };
    expect((await commit(bad, 'PROJ-1 #time 1h')).code).toBe(0);
    const push = await git(bad, ['push', '-q', '-u', 'origin', 'main']);
    expect(push.code).toBe(0);
    // The worker met the 401 in the background.
    await until(() => existsSync(join(repo.dir, '.git', 'jlog', 'cache-blocked.json')));
    const next = await commit(bad, 'PROJ-2 #time 30m');
    expect(next.code).toBe(0);
    const lines = next.stderr.trimEnd().split('\n');
    expect(lines).toContain('jlog: PROJ-2 30m pending');
    // The bad token is exported: jlog login could not override it, so the fix is where it is set.
    expect(lines).toContain(
      'jlog: Jira refused the credentials (401); 2 worklogs waiting: check JIRA_USER_EMAIL and JIRA_API_TOKEN',
    );
    expect(next.stderr).not.toContain('posts on push');
    expect(next.stderr).not.toContain('not-the-right-token');
    const again = await git(bad, ['push', '-q']);
    expect(again.stderr).toContain('jlog: Jira refused the credentials (401)');

    // Fixed: the next push posts both and the line is gone.
    expect((await commit(env, 'plain commit')).code).toBe(0);
    await git(env, ['push', '-q']);
    await until(() => sandbox!.worklogs().length === 2);
    expect(loggedIssues(sandbox!)).toEqual(['PROJ-1', 'PROJ-2']);
    await until(async () => !(await commit(env, 'PROJ-3 #time 1m')).stderr.includes('refused'));
    expect((await commit(env, 'PROJ-5 #time 5m')).stderr).toBe('jlog: PROJ-5 5m pending, posts on push\n');
  }, 120_000);

  it('no credentials at all: the commit says so with the fix instead of "posts on push"', async () => {
    const env = await setup();
    installJlog(repo.dir);
    expect((await runJlog(['init', '--git', '--no-prepare'], { cwd: repo.dir, env })).code).toBe(0);
    const none = { ...env, JIRA_API_TOKEN: '', JIRA_USER_EMAIL: '' };
    const r = await commit(none, 'PROJ-1 #time 1h');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'jlog: PROJ-1 1h pending\njlog: no Jira credentials; 1 worklog waiting: run jlog login\n',
    );
  }, 120_000);

  it('no site configured: once the worker met it, the next commit names it with the login to run', async () => {
    const env = await setup();
    installJlog(repo.dir);
    expect((await runJlog(['init', '--git', '--no-prepare'], { cwd: repo.dir, env })).code).toBe(0);
    const none = { ...env, JIRA_BASE_URL: '', JIRA_API_TOKEN: '', JIRA_USER_EMAIL: '' };
    expect((await commit(none, 'PROJ-1 #time 1h')).code).toBe(0);
    expect((await git(none, ['push', '-q', '-u', 'origin', 'main'])).code).toBe(0);
    await until(() => existsSync(join(repo.dir, '.git', 'jlog', 'cache-blocked.json')));
    const next = await commit(none, 'PROJ-2 #time 1h');
    expect(next.stderr).toContain(
      'jlog: no Jira site is configured; 2 worklogs waiting: run jlog login --base-url https://your-site.atlassian.net\n',
    );
  }, 120_000);

  it('failPushOnError: refused credentials stop the push with the same one line', async () => {
    const env = await setup({ failPushOnError: true });
    installJlog(repo.dir);
    expect((await runJlog(['init', '--git', '--no-prepare'], { cwd: repo.dir, env })).code).toBe(0);
    const bad = { ...env, JIRA_API_TOKEN: 'not-the-right-token' };
    expect((await commit(bad, 'PROJ-1 #time 1h')).code).toBe(0);
    const push = await git(bad, ['push', '-q', '-u', 'origin', 'main']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain(
      'jlog: Jira refused the credentials (401); 1 worklog waiting: check JIRA_USER_EMAIL and JIRA_API_TOKEN\n',
    );
    expect(push.stderr).toContain('stopped (failPushOnError: true)');
    expect(push.stderr).not.toMatch(/\n\s+at /);
    expect((await status(env)).entries.map((e) => e.state)).toEqual(['pending']);
  }, 120_000);

  it('a push with no token hands older pending tokens (already on the remote) to the worker', async () => {
    const env = await setup();
    installJlog(repo.dir);
    expect((await runJlog(['init', '--git', '--no-prepare'], { cwd: repo.dir, env })).code).toBe(0);
    // Pushed without the hook (git push --no-verify): the token is on the remote, still pending.
    expect((await commit(env, 'PROJ-7 #time 1h')).code).toBe(0);
    expect((await git(env, ['push', '-q', '--no-verify', '-u', 'origin', 'main'])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(sandbox!.worklogs()).toHaveLength(0);
    expect((await commit(env, 'docs: no token here')).code).toBe(0);
    expect((await git(env, ['push', '-q'])).code).toBe(0);
    await until(() => sandbox!.worklogs().length === 1);
    expect(loggedIssues(sandbox!)).toEqual(['PROJ-7']);
  }, 150_000);
});
