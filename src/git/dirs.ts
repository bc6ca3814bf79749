// Where a work tree's git dirs are, from files alone: the one finder for the places that must not start
// git (the post-commit fast path, a hook's crash log). Everything else asks git itself (repoInfo).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface GitDirs {
  /** This work tree's git dir (`<common>/worktrees/<name>` in a linked worktree). */
  gitDir: string;
  /** The git dir every worktree shares: the ledger lives under it. */
  commonDir: string;
}

/**
 * The git dirs of the work tree whose top is `top`, as git finds them for a hook: `GIT_DIR` when git
 * exported it (linked worktrees), else `.git` as a directory or a `gitdir:` file; the common dir from
 * `GIT_COMMON_DIR` or the git dir's `commondir` file. Null when `top` has none of these.
 */
export function gitDirsAt(top: string, env: NodeJS.ProcessEnv = process.env): GitDirs | null {
  let gitDir: string;
  const dotGit = join(top, '.git');
  if (env.GIT_DIR) gitDir = resolve(top, env.GIT_DIR);
  else if (isDir(dotGit)) gitDir = dotGit;
  else if (existsSync(dotGit)) {
    const m = /^gitdir: (.+)$/m.exec(readText(dotGit) ?? '');
    if (!m) return null;
    gitDir = resolve(top, m[1]!.trim());
  } else return null;
  let commonDir = gitDir;
  if (env.GIT_COMMON_DIR) commonDir = resolve(top, env.GIT_COMMON_DIR);
  else if (existsSync(join(gitDir, 'commondir'))) {
    commonDir = resolve(gitDir, readText(join(gitDir, 'commondir')) ?? '.');
  }
  return { gitDir, commonDir };
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
