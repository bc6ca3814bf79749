// Where we are: the repository's top, its git dirs, branch, HEAD and settings. Few processes: this
// runs in every hook, sync and status, so it runs git without simple-git (spawn.ts).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { JlogError, isJlogError } from '../errors.js';
import { execGit, firstLine } from './exec.js';
import { runGit } from './spawn.js';

export interface RepoInfo {
  /** The work tree's top (absolute). */
  top: string;
  /** This work tree's git dir (absolute; `<common>/worktrees/<name>` in a linked worktree). */
  gitDir: string;
  /** The git dir shared by every worktree (absolute): the ledger lives under it. */
  commonDir: string;
  /** Short branch name (`main`), or null when HEAD is detached. */
  branch: string | null;
  userEmail: string | null;
  /** HEAD's SHA, or null before the first commit. */
  head: string | null;
  isShallow: boolean;
}

/**
 * One rev-parse (plus `config user.email` alongside it); a second process only before the first commit.
 * `userEmail: false` skips the config read (userEmail reads as null) for a command that never needs it:
 * `jlog status` is all start-up, and a process is a good part of it.
 */
export function repoInfo(cwd: string, opts: { userEmail?: boolean } = {}): Promise<RepoInfo> {
  const e = early;
  early = null;
  if (e !== null && e.cwd === cwd && (opts.userEmail !== false || !e.withEmail)) return e.info;
  return readRepoInfo(cwd, opts);
}

/**
 * Started before it is asked for, alongside the sync's early log (issue 13: independent git reads run
 * in parallel, while Node loads): the first repoInfo for the same directory takes it, once.
 */
let early: { cwd: string; info: Promise<RepoInfo>; withEmail: boolean } | null = null;

/**
 * `userEmail: false` says that nothing in this process will read user.email (a sync for all authors
 * plans everyone's tokens): the prefetch then runs one git process, not two, and whoever takes it
 * gets `userEmail: null`.
 */
export function prefetchRepoInfo(cwd: string, opts: { userEmail?: boolean } = {}): void {
  const withEmail = opts.userEmail !== false;
  const info = readRepoInfo(cwd, { userEmail: withEmail });
  // Unclaimed, its failure is nobody's error; a claimer gets the same rejection.
  info.catch(() => undefined);
  early = { cwd, info, withEmail };
}

async function readRepoInfo(cwd: string, opts: { userEmail?: boolean } = {}): Promise<RepoInfo> {
  const args = [
    'rev-parse',
    '--show-toplevel',
    '--absolute-git-dir',
    '--git-common-dir',
    '--is-shallow-repository',
    'HEAD',
    '--symbolic-full-name',
    'HEAD',
  ];
  const [rp, userEmail] = await Promise.all([
    // 128 is both "not a repo" and "HEAD is unborn": tell them apart by what was printed before it.
    runGit(args, { cwd, okCodes: [128] }),
    opts.userEmail === false ? null : getConfig(cwd, 'user.email').catch(() => null),
  ]);
  const lines = rp.stdout.split('\n');
  const [top, gitDir, commonDir, shallow] = lines;
  if (
    top === undefined ||
    gitDir === undefined ||
    commonDir === undefined ||
    shallow === undefined ||
    top === ''
  ) {
    if (/not a git repository|must be run in a work tree/.test(rp.stderr)) throw notARepo(cwd, rp.stderr);
    // e.g. "detected dubious ownership": git's own words say what to do
    throw new JlogError('E_GIT', `git rev-parse failed: ${firstLine(rp.stderr) || 'no output'}`);
  }
  let head: string | null = null;
  let branch: string | null;
  if (rp.code === 0) {
    head = lines[4] ?? null;
    const ref = lines[5] ?? '';
    branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : null;
  } else {
    // Unborn HEAD (no commit yet): the branch still has a name.
    const sym = await runGit(['symbolic-ref', '-q', '--short', 'HEAD'], { cwd, okCodes: [1] });
    branch = sym.code === 0 ? sym.stdout.trim() || null : null;
  }
  return {
    top,
    gitDir,
    commonDir: resolve(cwd, commonDir),
    branch,
    userEmail,
    head,
    isShallow: shallow === 'true',
  };
}

function notARepo(cwd: string, stderr: string): JlogError {
  const bare = /must be run in a work tree/.test(stderr);
  return new JlogError(
    'E_NOT_A_REPO',
    bare
      ? `${cwd} is inside a git dir or a bare repository, not a work tree`
      : `${cwd} is not in a git repository`,
    { hint: 'run jlog inside the work tree of a git repository (git init, or cd into your clone)' },
  );
}

/** `git config --get <key>`; null when unset. */
export async function getConfig(cwd: string, key: string): Promise<string | null> {
  const r = await runGit(['config', '--get', key], { cwd, okCodes: [1] });
  return r.code === 0 ? r.stdout.replace(/\n$/, '') : null;
}

/** `git rev-parse --git-path <name>`, absolute (honours core.hooksPath, worktrees, GIT_COMMON_DIR). */
export async function gitPath(cwd: string, name: string): Promise<string> {
  const r = await execGit(['rev-parse', '--git-path', name], { cwd }).catch((err: unknown) => {
    throw isJlogError(err, 'E_GIT') && /not a git repository/.test(err.message) ? notARepo(cwd, '') : err;
  });
  return resolve(cwd, r.stdout.replace(/\n$/, ''));
}

/** The directory git runs hooks from: core.hooksPath when set (relative to the top), else `<common>/hooks`. */
export async function hooksDir(cwd: string): Promise<string> {
  return gitPath(cwd, 'hooks');
}

/** A rebase is running: post-commit must not record the commits it replays (no process, from gitDir). */
export function isRebaseInProgress(gitDir: string): boolean {
  return existsSync(join(gitDir, 'rebase-merge')) || existsSync(join(gitDir, 'rebase-apply'));
}

/** A cherry-pick (or revert sequence) is running (no process, from gitDir). */
export function isCherryPickInProgress(gitDir: string): boolean {
  return existsSync(join(gitDir, 'CHERRY_PICK_HEAD')) || existsSync(join(gitDir, 'sequencer'));
}
