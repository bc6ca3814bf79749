// End to end as a user gets it: the packed package installed into a temp project, `jlog init` (plain
// git and husky), real `git commit` and `git push` to a bare remote, the sandbox receiving the worklogs.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adfToText } from '../src/core/jira-format.js';
import type { Sandbox } from '../src/sandbox/server.js';
import { sandboxFor } from './helpers/jira.js';
import { makeRepo, makeTempDir, type TempRepo } from './helpers/repo.js';

const ROOT = join(import.meta.dirname, '..');
let pkgDir: string;

beforeAll(() => {
  pkgDir = makeTempDir('jlog-pkg-');
  execFileSync('npm', ['pack', '--silent', '--pack-destination', pkgDir], { cwd: ROOT, stdio: 'pipe' });
  const tgz = readdirSync(pkgDir).find((f) => f.endsWith('.tgz'))!;
  writeFileSync(join(pkgDir, 'package.json'), '{"name":"jlog-e2e","private":true}');
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--silent', join(pkgDir, tgz)], {
    cwd: pkgDir,
    stdio: 'pipe',
  });
  symlinkSync(join(ROOT, 'node_modules', 'husky'), join(pkgDir, 'node_modules', 'husky'));
}, 120_000);
afterAll(() => rmSync(pkgDir, { recursive: true, force: true }));

let repo: TempRepo;
let sandbox: Sandbox;
afterEach(async () => {
  await sandbox?.close();
  repo?.cleanup();
});

interface Project {
  env: NodeJS.ProcessEnv;
  git: (args: string[], extraEnv?: NodeJS.ProcessEnv) => { code: number | null; stderr: string };
  jlog: (...args: string[]) => { code: number | null; stdout: string; stderr: string };
  commit: (
    message: string,
    extraEnv?: NodeJS.ProcessEnv,
  ) => { code: number | null; stderr: string; sha: string };
}

async function project(): Promise<Project> {
  repo = makeRepo();
  const s = await sandboxFor(repo);
  sandbox = s.sandbox;
  const env = s.env;
  writeFileSync(join(repo.dir, '.gitignore'), 'node_modules\n');
  writeFileSync(join(repo.dir, 'package.json'), '{"name":"app","private":true}\n');
  symlinkSync(join(pkgDir, 'node_modules'), join(repo.dir, 'node_modules'));
  const remote = join(repo.dir, '..', 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote], { env });
  repo.git('remote', 'add', 'origin', remote);
  const git: Project['git'] = (args, extraEnv = {}) => {
    const r = spawnSync('git', args, { cwd: repo.dir, env: { ...env, ...extraEnv }, encoding: 'utf8' });
    return { code: r.status, stderr: r.stderr };
  };
  const jlog: Project['jlog'] = (...args) => {
    const r = spawnSync(join(repo.dir, 'node_modules', '.bin', 'jlog'), args, {
      cwd: repo.dir,
      env,
      encoding: 'utf8',
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  let n = 0;
  const commit: Project['commit'] = (message, extraEnv = {}) => {
    writeFileSync(join(repo.dir, `f${n++}.txt`), message);
    git(['add', '-A']);
    const r = git(['commit', '-q', '-m', message], extraEnv);
    return { ...r, sha: repo.git('rev-parse', 'HEAD') };
  };
  return { env, git, jlog, commit };
}

/** Waits (bounded) for the background worker to leave nothing pending. */
async function settled(p: Project): Promise<Record<string, number>> {
  let status: Record<string, number> = {};
  for (let i = 0; i < 80; i++) {
    status = JSON.parse(p.jlog('status', '--json').stdout) as Record<string, number>;
    if (status.pending === 0) return status;
    await new Promise((r) => setTimeout(r, 250));
  }
  return status;
}

async function commitPushAndCheck(p: Project): Promise<void> {
  const date = '2026-11-20T09:05:00+01:00';
  const mine = p.commit('PROJ-7 #time 1h 30m fixed login', { GIT_AUTHOR_DATE: date });
  expect(mine.code).toBe(0);
  expect(mine.stderr).toContain('PROJ-7 1h 30m pending');
  const theirs = p.commit('PROJ-8 #time 2h their work', {
    GIT_AUTHOR_EMAIL: 'colleague@example.com',
    GIT_AUTHOR_NAME: 'Colleague',
  });
  expect(theirs.code).toBe(0);
  expect(sandbox.worklogs()).toHaveLength(0); // postOn: push
  const push = p.git(['push', '-q', '-u', 'origin', 'main']);
  expect(push.code).toBe(0);
  const status = await settled(p);
  expect(status).toMatchObject({ pending: 0, posted: 1, skipped: 1, failed: 0 });
  const logged = sandbox.worklogs();
  expect(logged).toHaveLength(1);
  expect(logged[0]).toMatchObject({
    issue: 'PROJ-7',
    timeSpentSeconds: 5400,
    started: '2026-11-20T09:05:00.000+0100',
  });
  expect(adfToText(logged[0]!.comment)).toBe('fixed login');
  expect(logged[0]!.properties[0]).toMatchObject({ key: 'jlog', value: { v: 2, id: `${mine.sha}:0` } });
  const post = sandbox.requests.find((r) => r.method === 'POST');
  expect(post?.query.adjustEstimate).toBe('auto');
}

describe('hooks end to end (packed package)', () => {
  it('plain git: init, commit, push, and the worker posts exactly my tokens', async () => {
    const p = await project();
    const init = p.jlog('init');
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('.git/hooks/pre-push');
    await commitPushAndCheck(p);
  }, 120_000);

  it('husky: init appends to .husky hooks, commit and push post the same way', async () => {
    const p = await project();
    const husky = spawnSync(process.execPath, [join(repo.dir, 'node_modules', 'husky', 'bin.js'), 'init'], {
      cwd: repo.dir,
      env: p.env,
      encoding: 'utf8',
    });
    expect(husky.status).toBe(0);
    writeFileSync(join(repo.dir, '.husky', 'pre-commit'), ''); // husky init's sample runs npm test
    const init = p.jlog('init');
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/\.husky\/commit-msg/);
    await commitPushAndCheck(p);
  }, 120_000);

  it('never fails git when Jira is down, credentials are missing, or the config is broken', async () => {
    const p = await project();
    expect(p.jlog('init').code).toBe(0);
    await sandbox.close();
    // Jira down: the worker cannot reach it; commit and push still succeed.
    expect(p.commit('PROJ-1 #time 1h a').code).toBe(0);
    expect(p.git(['push', '-q', '-u', 'origin', 'main']).code).toBe(0);
    // No credentials at all.
    const noCreds = { JIRA_BASE_URL: '', JIRA_USER_EMAIL: '', JIRA_API_TOKEN: '' };
    expect(p.commit('PROJ-2 #time 1h b', noCreds).code).toBe(0);
    expect(p.git(['push', '-q'], noCreds).code).toBe(0);
    // A broken config file.
    writeFileSync(join(repo.dir, '.jlogrc.json'), '{ "postOn": ');
    const broken = p.commit('PROJ-3 #time 1h c');
    expect(broken.code).toBe(0);
    expect(broken.stderr).toMatch(/jlog: .*\.jlogrc\.json/);
    expect(broken.stderr).not.toMatch(/\n\s+at /);
    expect(p.git(['push', '-q']).code).toBe(0);
    // Nothing was lost: the tokens wait in the ledger (status reads no config).
    rmSync(join(repo.dir, '.jlogrc.json'));
    const status = JSON.parse(p.jlog('status', '--json').stdout) as Record<string, number>;
    expect(status.posted).toBe(0);
    expect(status.pending).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
