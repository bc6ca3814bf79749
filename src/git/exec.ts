// The one place jlog starts git. execFile, not a shell and not simple-git: the hook path pays for
// every millisecond, and we need exit codes (merge-base --is-ancestor, config --get) as data.
import type { ExecFileException } from 'node:child_process';
import { existsSync } from 'node:fs';
import { JlogError } from '../errors.js';

export interface GitResult {
  stdout: string;
  stderr: string;
  /** 0 on success; git's own exit code otherwise (only returned when `okCodes` allows it). */
  code: number;
}

export interface ExecGitOptions {
  cwd: string;
  /** Written to git's stdin. */
  input?: string;
  /** Exit codes that are answers, not failures (e.g. [1] for `config --get` of an unset key). */
  okCodes?: readonly number[];
}

// Fixed for every call: unquoted UTF-8 paths, no pager, no colour, no signature noise in `log`.
const FIXED_ARGS = [
  '-c',
  'core.quotepath=off',
  '-c',
  'log.showSignature=false',
  '-c',
  'color.ui=false',
  '--no-pager',
];

// Large histories: `git log` of a big repo must not hit execFile's default 1 MiB cap.
const MAX_BUFFER = 512 * 1024 * 1024;

function gitEnv(): NodeJS.ProcessEnv {
  // LC_ALL=C keeps git's messages stable (we only ever show their first line); never prompt for anything.
  return { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' };
}

/** Runs `git <args>` in `cwd`; throws JlogError('E_GIT') unless it exits 0 or with one of `okCodes`. */
export async function execGit(args: readonly string[], opts: ExecGitOptions): Promise<GitResult> {
  // Loaded on first use: a post-commit hook that reads HEAD from the object store never pays for it.
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...FIXED_ARGS, ...args],
      { cwd: opts.cwd, env: gitEnv(), encoding: 'utf8', maxBuffer: MAX_BUFFER, windowsHide: true },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr, code: 0 });
        const code = typeof error.code === 'number' ? error.code : -1;
        if (code >= 0 && opts.okCodes?.includes(code)) return resolve({ stdout, stderr, code });
        reject(gitError(args, opts.cwd, error, stderr));
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

function gitError(args: readonly string[], cwd: string, error: ExecFileException, stderr: string): JlogError {
  // spawn reports a missing cwd as ENOENT too, so tell the two apart before blaming git.
  if (error.code === 'ENOENT' && !existsSync(cwd)) {
    return new JlogError('E_GIT', `git ${args[0] ?? ''} failed: ${cwd} does not exist`, { cause: error });
  }
  if (error.code === 'ENOENT') {
    return new JlogError('E_GIT', 'git is not installed or not on PATH', {
      cause: error,
      hint: 'install git (2.25 or later) and try again',
    });
  }
  const first = firstLine(stderr) || error.message.split('\n')[0] || 'unknown error';
  return new JlogError('E_GIT', `git ${args[0] ?? ''} failed: ${first}`, { cause: error });
}

/** The first meaningful stderr line, without git's `fatal: ` / `error: ` prefix. */
export function firstLine(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.replace(/^(fatal|error):\s*/, '').trim();
}

/**
 * A revision from outside (a flag, CI env) goes to git as an argument: one starting with `-` would be
 * read as an option, so refuse it (portable to gits without --end-of-options).
 */
export function safeRev(rev: string): string {
  if (rev.startsWith('-') || rev === '' || rev.includes('\0')) {
    throw new JlogError('E_USAGE', `"${rev.slice(0, 80)}" is not a revision`, {
      hint: 'give a commit SHA, a branch or a range like main..HEAD',
    });
  }
  return rev;
}
