// The one place jlog starts git: every git process goes through simple-git here (lint keeps
// node:child_process out of everywhere else). Exit codes that are answers (`merge-base --is-ancestor`,
// `config --get`, `rev-parse --verify`) come back through simple-git's error handling: a non-zero exit
// is a GitError carrying `exitCode`, and `okCodes` turns the ones a caller asked about into results.
// simple-git is imported on first use: a post-commit hook that reads HEAD from the object store
// (head.ts) never loads it.
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import type * as SimpleGitModule from 'simple-git';
import type { GitError as GitErrorType, SimpleGit, SimpleGitOptions } from 'simple-git';
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
  /** The environment git runs in; process.env when not given. */
  env?: NodeJS.ProcessEnv;
}

/** simple-git's GitError with what the process said: how `okCodes` reads the exit code. */
interface GitExit extends GitErrorType {
  exitCode: number;
  stdout: string;
  stderr: string;
}

// Fixed for every call: unquoted UTF-8 paths, no signature noise in `log`, no colour (`-c` pairs that
// simple-git puts before the command), and no pager.
export const FIXED_CONFIG = ['core.quotepath=off', 'log.showSignature=false', 'color.ui=false'];
export const FIXED_ARGS = ['--no-pager'];

/** Every category simple-git's environment guard checks (see the comment where it is used). */
const TRUSTED_ENVIRONMENT: SimpleGitOptions['unsafe'] = {
  allowUnsafeAlias: true,
  allowUnsafeAskPass: true,
  allowUnsafeCommandBinaries: true,
  allowUnsafeConfigPaths: true,
  allowUnsafeConfigEnvCount: true,
  allowUnsafeCredentialHelper: true,
  allowUnsafeEditor: true,
  allowUnsafeMergeDriver: true,
  allowUnsafePager: true,
  allowUnsafeProtocolOverride: true,
  allowUnsafePack: true,
  allowUnsafeSshCommand: true,
  allowUnsafeGitProxy: true,
  allowUnsafeExec: true,
  allowUnsafeHooksPath: true,
  allowUnsafeDiffExternal: true,
  allowUnsafeDiffTextConv: true,
  allowUnsafeFilter: true,
  allowUnsafeFsMonitor: true,
  allowUnsafeGpgProgram: true,
  allowUnsafeTemplateDir: true,
  allowUnsafeInclude: true,
  allowUnsafeSubmodule: true,
  allowUnsafeUrlRewrite: true,
};

let loaded: Promise<typeof SimpleGitModule> | null = null;
const load = (): Promise<typeof SimpleGitModule> => (loaded ??= import('simple-git'));

export function gitEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  // LC_ALL=C keeps git's messages stable (we only ever show their first line); never prompt for anything.
  return { ...base, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' };
}

/** Runs `git <args>` in `cwd`; throws JlogError('E_GIT') unless it exits 0 or with one of `okCodes`. */
export async function execGit(args: readonly string[], opts: ExecGitOptions): Promise<GitResult> {
  const sg = await load();
  const env = gitEnv(opts.env ?? process.env);
  const stderr: Buffer[] = [];
  let git: SimpleGit;
  try {
    // One instance per call (building one costs a few microseconds): stdin and stderr are per call.
    git = sg
      .simpleGit({
        baseDir: opts.cwd,
        config: FIXED_CONFIG,
        // The environment is the user's own (a hook inherits git's: GIT_DIR, GIT_EXEC_PATH, GIT_EDITOR,
        // GIT_CONFIG_PARAMETERS from `git -c`), and git must see it as the user's git does. simple-git's
        // guards are for untrusted input; jlog's arguments are fixed here and revisions pass safeRev.
        allowEnvironment: Object.keys(env),
        unsafe: TRUSTED_ENVIRONMENT,
        // `close` comes after stdout and stderr are drained: no need to race it against `exit`.
        completion: { onClose: true, onExit: false },
        errors: (error, result) => {
          if (result.exitCode === 0) return error;
          return Object.assign(new sg.GitError(undefined, text(result.stdErr)), {
            exitCode: result.exitCode,
            stdout: text(result.stdOut),
            stderr: text(result.stdErr),
          });
        },
        ...(opts.input === undefined ? {} : { input: () => opts.input }),
      })
      .env(env);
  } catch (err) {
    // simple-git refuses a missing directory before starting anything.
    if (err instanceof sg.GitConstructError) {
      throw new JlogError('E_GIT', `git ${args[0] ?? ''} failed: ${opts.cwd} does not exist`, { cause: err });
    }
    throw err;
  }
  git.outputHandler((_command, out, err) => {
    err.on('data', (chunk: Buffer) => stderr.push(chunk));
    // simple-git waits 50 ms more after a process that printed nothing (its guard for `exit` firing
    // before the output is read); with `close` the streams are already drained. Many of our
    // questions print nothing (`merge-base --is-ancestor`, `cat-file -e`), so mark the end of
    // stdout as output.
    out.once('end', () => out.emit('data', Buffer.alloc(0)));
  });
  try {
    const stdout = await git.raw([...FIXED_ARGS, ...args]);
    return { stdout, stderr: text(stderr), code: 0 };
  } catch (err) {
    if (isGitExit(sg, err)) {
      if (err.exitCode > 0 && opts.okCodes?.includes(err.exitCode)) {
        return { stdout: err.stdout, stderr: err.stderr, code: err.exitCode };
      }
      throw gitError(args, opts.cwd, err);
    }
    throw new JlogError('E_GIT', `git ${args[0] ?? ''} failed: ${firstLine(String(err))}`, { cause: err });
  }
}

const text = (chunks: Buffer[]): string => Buffer.concat(chunks).toString('utf8');

function isGitExit(sg: typeof SimpleGitModule, err: unknown): err is GitExit {
  return err instanceof sg.GitError && typeof (err as Partial<GitExit>).exitCode === 'number';
}

function gitError(args: readonly string[], cwd: string, err: GitExit): JlogError {
  // A process that never started reports the spawn errno as a negative exit code; spawn reports a
  // directory removed since as ENOENT too, so tell the two apart before blaming git.
  if (err.exitCode === -constants.errno.ENOENT && !existsSync(cwd)) {
    return new JlogError('E_GIT', `git ${args[0] ?? ''} failed: ${cwd} does not exist`, { cause: err });
  }
  if (err.exitCode === -constants.errno.ENOENT) {
    return new JlogError('E_GIT', 'git is not installed or not on PATH', {
      cause: err,
      hint: 'install git (2.25 or later) and try again',
    });
  }
  const first = firstLine(err.stderr) || `exit code ${err.exitCode}`;
  return new JlogError('E_GIT', `git ${args[0] ?? ''} failed: ${first}`, { cause: err });
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
