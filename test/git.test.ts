import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  commitExists,
  getConfig,
  gitPath,
  hooksDir,
  isAncestor,
  isCherryPickInProgress,
  isRebaseInProgress,
  readCommit,
  readCommits,
  repoInfo,
  resolveRev,
  revList,
} from '../src/git/index.js';
import { isJlogError } from '../src/errors.js';
import { makeRepo, makeTempDir, type TempRepo } from './helpers/repo.js';

// execGit inherits this process's environment: keep the developer's git config out of it.
beforeAll(() => {
  const home = makeTempDir('jlog-git-home-');
  writeFileSync(join(home, '.gitconfig'), '');
  for (const k of Object.keys(process.env)) if (k.startsWith('GIT_')) delete process.env[k];
  process.env.GIT_CONFIG_GLOBAL = join(home, '.gitconfig');
  process.env.GIT_CONFIG_NOSYSTEM = '1';
});

const repos: TempRepo[] = [];
function repo(opts?: Parameters<typeof makeRepo>[0]): TempRepo {
  const r = makeRepo(opts);
  repos.push(r);
  return r;
}
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('repoInfo', () => {
  it('describes a repository from its top and from a subdirectory', async () => {
    const r = repo({ email: 'me@example.com', branch: 'feature/PROJ-7-login' });
    const sha = r.commit('first');
    mkdirSync(join(r.dir, 'a', 'b'), { recursive: true });
    for (const cwd of [r.dir, join(r.dir, 'a', 'b')]) {
      expect(await repoInfo(cwd)).toEqual({
        top: r.dir,
        gitDir: join(r.dir, '.git'),
        commonDir: join(r.dir, '.git'),
        branch: 'feature/PROJ-7-login',
        userEmail: 'me@example.com',
        head: sha,
        isShallow: false,
      });
    }
  });

  it('knows the branch before the first commit, and has no HEAD', async () => {
    const r = repo({ branch: 'trunk' });
    const info = await repoInfo(r.dir);
    expect(info.branch).toBe('trunk');
    expect(info.head).toBeNull();
  });

  it('reports a detached HEAD as no branch', async () => {
    const r = repo();
    const sha = r.commit('one');
    r.git('checkout', '-q', '--detach');
    const info = await repoInfo(r.dir);
    expect(info.branch).toBeNull();
    expect(info.head).toBe(sha);
  });

  it('has no user email when none is configured', async () => {
    const r = repo();
    r.commit('one');
    r.git('config', '--unset', 'user.email');
    expect((await repoInfo(r.dir)).userEmail).toBeNull();
  });

  it('shares the common dir with a linked worktree', async () => {
    const r = repo();
    r.commit('one');
    const wt = join(r.dir, '..', 'wt');
    r.git('worktree', 'add', '-q', '-b', 'side', wt);
    const info = await repoInfo(wt);
    expect(info.top).toBe(wt);
    expect(info.commonDir).toBe(join(r.dir, '.git'));
    expect(info.gitDir).toBe(join(r.dir, '.git', 'worktrees', 'wt'));
    expect(info.branch).toBe('side');
  });

  it('sees a shallow clone', async () => {
    const r = repo();
    r.commit('one');
    r.commit('two');
    const clone = join(r.dir, '..', 'shallow');
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${r.dir}`, clone], { env: r.env });
    expect((await repoInfo(clone)).isShallow).toBe(true);
    expect((await repoInfo(r.dir)).isShallow).toBe(false);
  });

  it('throws E_NOT_A_REPO with a hint outside a repository', async () => {
    const dir = makeTempDir('jlog-norepo-');
    const err = await rejection(repoInfo(dir));
    expect(isJlogError(err, 'E_NOT_A_REPO')).toBe(true);
    expect((err as { hint?: string }).hint).toMatch(/git init|cd into/);
  });
});

describe('readCommits', () => {
  it('reads messages with newlines, CRLF, unicode and an empty body, newest first', async () => {
    const r = repo();
    const crlf = 'PROJ-1 #time 1h fix\r\n\r\nbody with CRLF\r\n';
    const a = r.commit('first');
    execFileSync('git', ['commit', '-q', '--allow-empty', '--cleanup=verbatim', '-F', '-'], {
      cwd: r.dir,
      env: r.env,
      input: crlf,
    });
    const b = r.git('rev-parse', 'HEAD');
    execFileSync('git', ['commit', '-q', '--allow-empty', '--allow-empty-message', '-m', ''], {
      cwd: r.dir,
      env: r.env,
    });
    const c = r.git('rev-parse', 'HEAD');
    const d = r.commit('Ünïcødé ✓ PROJ-2 #time 30m\n\nline 2\n\tline 3', {
      name: 'Zoë',
      email: 'zoe@example.com',
    });
    const commits = await readCommits(r.dir);
    expect(commits.map((x) => x.sha)).toEqual([d, c, b, a]);
    expect(commits[0]).toMatchObject({
      parents: [c],
      authorName: 'Zoë',
      authorEmail: 'zoe@example.com',
      subject: 'Ünïcødé ✓ PROJ-2 #time 30m',
      message: 'Ünïcødé ✓ PROJ-2 #time 30m\n\nline 2\n\tline 3\n',
    });
    expect(commits[1]?.message).toBe('');
    expect(commits[2]?.message).toBe(crlf);
    expect(commits[3]?.parents).toEqual([]);
  });

  it('keeps the author date with its own offset', async () => {
    const r = repo();
    r.commit('PROJ-1 #time 1h', { date: '2026-11-27T09:05:00+0100' });
    expect((await readCommits(r.dir))[0]?.authorDate).toBe('2026-11-27T09:05:00+01:00');
  });

  it('filters by #time (any case), author email, dates, range and count', async () => {
    const r = repo();
    const a = r.commit('PROJ-1 #time 1h', { date: '2026-01-01T10:00:00Z' });
    const b = r.commit('no token here', { date: '2026-01-02T10:00:00Z' });
    const c = r.commit('PROJ-2 #TIME 2h', { date: '2026-01-03T10:00:00Z', email: 'other@example.com' });
    const d = r.commit('PROJ-3 #Time 3h', { date: '2026-01-04T10:00:00Z', email: 'DEV@example.com' });
    const shas = async (o: Parameters<typeof readCommits>[1]) =>
      (await readCommits(r.dir, o)).map((x) => x.sha);
    expect(await shas({ grepTime: true })).toEqual([d, c, a]);
    expect(await shas({ author: 'dev@example.com' })).toEqual([d, b, a]);
    expect(await shas({ author: 'dev@example.com', grepTime: true })).toEqual([d, a]);
    // a regex-looking email is a literal, and a longer address does not match a shorter one
    expect(await shas({ author: 'ev@example.com' })).toEqual([]);
    expect(await shas({ author: 'dev@example.co.' })).toEqual([]);
    expect(await shas({ since: '2026-01-02T00:00:00Z', until: '2026-01-03T23:00:00Z' })).toEqual([c, b]);
    expect(await shas({ range: `${a}..${c}` })).toEqual([c, b]);
    expect(await shas({ maxCount: 2 })).toEqual([d, c]);
    expect(await shas({ shas: [a, c] })).toEqual([c, a]);
    expect(await shas({ shas: [] })).toEqual([]);
  });

  it('returns nothing in a repository without commits, and fails on a bad range', async () => {
    const r = repo();
    expect(await readCommits(r.dir)).toEqual([]);
    r.commit('one');
    expect(isJlogError(await rejection(readCommits(r.dir, { range: 'nope..HEAD' })), 'E_GIT')).toBe(true);
    // a revision that would be an option is refused before git sees it
    expect(isJlogError(await rejection(readCommits(r.dir, { range: '--output=/tmp/x' })), 'E_USAGE')).toBe(
      true,
    );
  });

  it('readCommit reads one commit, or null for an unknown one', async () => {
    const r = repo();
    const a = r.commit('PROJ-1 #time 1h\n\nbody');
    r.commit('two');
    expect(await readCommit(r.dir, a)).toMatchObject({
      sha: a,
      subject: 'PROJ-1 #time 1h',
      message: 'PROJ-1 #time 1h\n\nbody\n',
    });
    expect(await readCommit(r.dir, 'f'.repeat(40))).toBeNull();
  });
});

describe('revisions', () => {
  it('answers ancestry, existence and resolution, false or null for unknown objects', async () => {
    const r = repo();
    const a = r.commit('a');
    const b = r.commit('b');
    const unknown = '0123456789abcdef0123456789abcdef01234567';
    expect(await isAncestor(r.dir, a, b)).toBe(true);
    expect(await isAncestor(r.dir, b, a)).toBe(false);
    expect(await isAncestor(r.dir, unknown, b)).toBe(false);
    expect(await commitExists(r.dir, a)).toBe(true);
    expect(await commitExists(r.dir, unknown)).toBe(false);
    expect(await resolveRev(r.dir, 'HEAD~1')).toBe(a);
    expect(await resolveRev(r.dir, a.slice(0, 10))).toBe(a);
    expect(await resolveRev(r.dir, 'no-such-branch')).toBeNull();
  });

  it('lists what a push sends: remote..local, and a new branch against every remote ref', async () => {
    const r = repo();
    const a = r.commit('a');
    const remote = join(r.dir, '..', 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', remote], { env: r.env });
    r.git('remote', 'add', 'origin', remote);
    r.git('push', '-q', 'origin', 'main');
    r.git('checkout', '-q', '-b', 'topic');
    const b = r.commit('b');
    const c = r.commit('c');
    expect(await revList(r.dir, [`${a}..${c}`])).toEqual([c, b]);
    expect(await revList(r.dir, ['topic', '--not', '--remotes'])).toEqual([c, b]);
    expect(await revList(r.dir, ['main', '--not', '--remotes'])).toEqual([]);
  });
});

describe('paths and settings', () => {
  it('gitPath is absolute; hooksDir honours core.hooksPath relative to the top', async () => {
    const r = repo();
    r.commit('one');
    mkdirSync(join(r.dir, 'sub'));
    expect(await gitPath(join(r.dir, 'sub'), 'jlog')).toBe(join(r.dir, '.git', 'jlog'));
    expect(await hooksDir(join(r.dir, 'sub'))).toBe(join(r.dir, '.git', 'hooks'));
    r.git('config', 'core.hooksPath', '.husky/_');
    expect(await hooksDir(join(r.dir, 'sub'))).toBe(join(r.dir, '.husky', '_'));
    expect(await getConfig(r.dir, 'core.hooksPath')).toBe('.husky/_');
    expect(await getConfig(r.dir, 'jlog.nothing')).toBeNull();
  });

  it('hooks of a linked worktree are the shared ones', async () => {
    const r = repo();
    r.commit('one');
    const wt = join(r.dir, '..', 'wt2');
    r.git('worktree', 'add', '-q', '-b', 'other', wt);
    expect(await hooksDir(wt)).toBe(join(r.dir, '.git', 'hooks'));
  });

  it('sees a rebase and a cherry-pick in progress from the git dir', async () => {
    const r = repo();
    r.commit('base', { files: { 'f.txt': 'base\n' } });
    r.git('checkout', '-q', '-b', 'side');
    const side = r.commit('side', { files: { 'f.txt': 'side\n' } });
    r.git('checkout', '-q', 'main');
    r.commit('main', { files: { 'f.txt': 'main\n' } });
    const gitDir = join(r.dir, '.git');
    expect(isRebaseInProgress(gitDir)).toBe(false);
    expect(isCherryPickInProgress(gitDir)).toBe(false);

    expect(() => r.git('cherry-pick', side)).toThrow();
    expect(isCherryPickInProgress(gitDir)).toBe(true);
    r.git('cherry-pick', '--abort');
    expect(isCherryPickInProgress(gitDir)).toBe(false);

    r.git('checkout', '-q', 'side');
    expect(() => r.git('rebase', 'main')).toThrow();
    expect(isRebaseInProgress(gitDir)).toBe(true);
    r.git('rebase', '--abort');
    expect(isRebaseInProgress(gitDir)).toBe(false);
  });
});
