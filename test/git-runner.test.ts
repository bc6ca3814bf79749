// The git chokepoint's runner (src/git/exec.ts, simple-git underneath): exit codes as answers, git's
// own words in errors, stdin, the user's environment passed on, and a hook fast path that never loads
// simple-git at all.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isJlogError } from '../src/errors.js';
import { execGit, getConfig, gitDirsAt, isAncestor } from '../src/git/index.js';
import { runCommand } from './helpers/cli.js';
import { makeRepo, makeTempDir, type TempRepo } from './helpers/repo.js';

const repos: TempRepo[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function repo(): TempRepo {
  const r = makeRepo();
  repos.push(r);
  return r;
}

async function failure(p: Promise<unknown>) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isJlogError(err, 'E_GIT')).toBe(true);
  return err as Error & { hint?: string };
}

describe('execGit', () => {
  it('returns an exit code the caller asked about, with what git printed', async () => {
    const r = repo();
    r.commit('one');
    const ok = await execGit(['rev-parse', 'HEAD'], { cwd: r.dir, env: r.env });
    expect(ok).toEqual({ stdout: `${r.git('rev-parse', 'HEAD')}\n`, stderr: '', code: 0 });
    const unset = await execGit(['config', '--get', 'no.such'], { cwd: r.dir, env: r.env, okCodes: [1] });
    expect(unset).toEqual({ stdout: '', stderr: '', code: 1 });
    const bad = await execGit(['rev-parse', '--verify', 'nope^{commit}'], {
      cwd: r.dir,
      env: r.env,
      okCodes: [128],
    });
    expect(bad.code).toBe(128);
    expect(bad.stderr).toMatch(/^fatal: /);
  });

  it('an exit code nobody asked about is E_GIT with git’s first line, without its fatal: prefix', async () => {
    const r = repo();
    r.commit('one');
    const err = await failure(execGit(['log', 'no-such-rev'], { cwd: r.dir, env: r.env }));
    expect(err.message).toMatch(/^git log failed: ambiguous argument 'no-such-rev'/);
    // Asked about 1, got 128: still a failure.
    await failure(execGit(['log', 'no-such-rev'], { cwd: r.dir, env: r.env, okCodes: [1] }));
  });

  it('answers false, not an error, for a commit that is not an ancestor', async () => {
    const r = repo();
    const first = r.commit('one');
    const second = r.commit('two');
    expect(await isAncestor(r.dir, first, second)).toBe(true);
    expect(await isAncestor(r.dir, second, first)).toBe(false);
  });

  it('writes stdin and keeps stderr of a successful run', async () => {
    const r = repo();
    const sha = r.commit('from stdin');
    const log = await execGit(['log', '--no-walk', '--stdin', '--format=%s'], {
      cwd: r.dir,
      env: r.env,
      input: `${sha}\n`,
    });
    expect(log.stdout).toBe('from stdin\n');
    const hash = await execGit(
      ['hash-object', '--stdin', '-w', '--no-filters', '--literally', '-t', 'blob'],
      {
        cwd: r.dir,
        env: { ...r.env, GIT_TRACE: '2' },
        input: 'x',
      },
    );
    expect(hash.stdout.trim()).toMatch(/^[0-9a-f]{40}$/);
    expect(hash.stderr).toContain('trace:');
  });

  it('passes the user’s environment on: git -c settings, GIT_DIR and an editor reach git', async () => {
    const r = repo();
    r.commit('one');
    const env = {
      ...r.env,
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'core.hooksPath',
      GIT_CONFIG_VALUE_0: 'elsewhere',
      GIT_CONFIG_PARAMETERS: "'jlog.probe'='from-git-c'",
      EDITOR: 'vi',
      GIT_EDITOR: 'true',
      GIT_DIR: join(r.dir, '.git'),
    };
    const outside = makeTempDir('jlog-git-env-');
    dirs.push(outside);
    const got = async (key: string) =>
      (await execGit(['config', '--get', key], { cwd: outside, env })).stdout.trim();
    expect(await got('core.hooksPath')).toBe('elsewhere');
    expect(await got('jlog.probe')).toBe('from-git-c');
  });

  it('says when git is missing and when the directory is', async () => {
    const r = repo();
    const noGit = await failure(execGit(['status'], { cwd: r.dir, env: { ...r.env, PATH: '/nonexistent' } }));
    expect(noGit.message).toBe('git is not installed or not on PATH');
    expect(noGit.hint).toMatch(/install git/);
    const gone = join(r.dir, 'gone');
    const noDir = await failure(execGit(['status'], { cwd: gone, env: r.env }));
    expect(noDir.message).toBe(`git status failed: ${gone} does not exist`);
  });

  it('getConfig: null for an unset key, the value otherwise', async () => {
    const r = repo();
    expect(await getConfig(r.dir, 'jlog.none')).toBeNull();
    r.git('config', 'jlog.some', 'a b');
    expect(await getConfig(r.dir, 'jlog.some')).toBe('a b');
  });
});

describe('gitDirsAt: the one file-based git-dir finder', () => {
  it('finds .git, a linked worktree’s gitdir file and commondir, GIT_DIR; null elsewhere', () => {
    const r = repo();
    r.commit('one');
    const git = join(r.dir, '.git');
    expect(gitDirsAt(r.dir, {})).toEqual({ gitDir: git, commonDir: git });
    const wt = join(r.dir, '..', 'wt');
    r.git('worktree', 'add', '-q', wt);
    expect(gitDirsAt(wt, {})).toEqual({ gitDir: join(git, 'worktrees', 'wt'), commonDir: git });
    expect(gitDirsAt(wt, { GIT_DIR: git })).toEqual({ gitDir: git, commonDir: git });
    const none = makeTempDir('jlog-no-git-');
    dirs.push(none);
    expect(gitDirsAt(none, {})).toBeNull();
  });
});

describe('the post-commit hook does not load simple-git', () => {
  it('records a token with the simple-git chunk removed from the bundle, where a command that runs git fails', async () => {
    const bundle = makeTempDir('jlog-bundle-');
    dirs.push(bundle);
    execFileSync(process.execPath, ['scripts/build.mjs', bundle], { stdio: 'ignore' });
    const chunks = join(bundle, 'chunks');
    // One copy in the commands' build and one in the hooks' own build (scripts/build.mjs): both go.
    const simpleGitChunks = readdirSync(chunks).filter((f) =>
      readFileSync(join(chunks, f), 'utf8').includes('is blocked by the environment guard'),
    );
    expect(simpleGitChunks.length).toBeGreaterThan(0);
    for (const f of simpleGitChunks) rmSync(join(chunks, f));
    const bin = join(bundle, 'jlog.js');

    const r = repo();
    writeFileSync(join(r.dir, '.jlogrc.json'), '{ "postOn": "push" }\n');
    r.commit('PROJ-7 #time 1h fixed login');
    const hook = await runCommand(process.execPath, [bin, 'hook', 'post-commit'], {
      cwd: r.dir,
      env: r.env,
      timeoutMs: 60_000,
    });
    expect(hook.stderr).toContain('PROJ-7 1h pending');
    expect(hook.code).toBe(0);
    // The same bundle cannot run git through simple-git: the chunk really is gone. (`undo` resolves
    // its commit through execGit; `status` no longer shows this, its reads take the lean runner.)
    const undo = await runCommand(process.execPath, [bin, 'undo', 'HEAD', '--yes'], {
      cwd: r.dir,
      env: r.env,
    });
    expect(undo.code).not.toBe(0);
  });
});
