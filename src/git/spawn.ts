// The lean runner for the read path that every sync and status takes (rev-parse, config, log):
// child_process directly, with exec.ts's fixed flags, environment and error words. simple-git costs
// ~10 ms to load and ~1 ms per call (issue 13), which is a tenth of a whole `jlog status`; the rest of
// jlog's git calls stay on execGit. A run started early (a prefetch) can be left unreferenced, so an
// answer nobody waits for never keeps the process alive.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { JlogError } from '../errors.js';
import { FIXED_ARGS, FIXED_CONFIG, firstLine, gitEnv, type ExecGitOptions, type GitResult } from './exec.js';

export interface GitRun {
  /** Settles like execGit: the result, or E_GIT unless the exit code is 0 or one of `okCodes`. */
  readonly result: Promise<GitResult>;
  /** Whether the process may keep Node's event loop alive (it does unless told otherwise). */
  ref(keep: boolean): void;
  /** Stops it (an answer no longer wanted); its result then rejects. */
  kill(): void;
  /** Every chunk of stdout: those already in at once, then each as it comes. */
  onStdout(fn: (chunk: Buffer) => void): void;
}

/** Starts `git <args>` in `cwd` at once. */
export function startGit(args: readonly string[], opts: ExecGitOptions): GitRun {
  const config = FIXED_CONFIG.flatMap((c) => ['-c', c]);
  const child = spawn('git', [...config, ...FIXED_ARGS, ...args], {
    cwd: opts.cwd,
    env: gitEnv(opts.env ?? process.env),
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const listeners: ((chunk: Buffer) => void)[] = [];
  child.stdout!.on('data', (b: Buffer) => {
    out.push(b);
    for (const fn of listeners) fn(b);
  });
  child.stderr!.on('data', (b: Buffer) => err.push(b));
  // EPIPE when git exits without reading all of stdin (a bad revision): its exit code says why.
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(opts.input);
  const result = new Promise<GitResult>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) => reject(spawnError(args, opts.cwd, e)));
    // `close` comes after stdout and stderr are drained.
    child.on('close', (code, signal) => {
      let text: string | undefined;
      // Built when asked: a caller that read stdout as it came (a streamed log) never pays for a
      // second copy of megabytes of it.
      const answer = (code: number): GitResult => ({
        get stdout() {
          return (text ??= Buffer.concat(out).toString('utf8'));
        },
        stderr,
        code,
      });
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) return resolve(answer(0));
      if (code !== null && opts.okCodes?.includes(code)) return resolve(answer(code));
      const stdout = answer(code ?? -1).stdout;
      const why =
        firstLine(stderr) || (code === null ? `killed by ${signal ?? 'a signal'}` : `exit code ${code}`);
      const cause = Object.assign(new Error(stderr.trim() || why), { exitCode: code, stdout, stderr });
      reject(new JlogError('E_GIT', `git ${args[0] ?? ''} failed: ${why}`, { cause }));
    });
  });
  // The pipes are sockets: each holds the loop open on its own, like the process.
  const handles = [child, child.stdout, child.stderr] as unknown as { ref(): void; unref(): void }[];
  return {
    result,
    ref(keep) {
      for (const h of handles) {
        if (keep) h.ref();
        else h.unref();
      }
    },
    kill() {
      child.kill();
    },
    onStdout(fn) {
      for (const b of out) fn(b);
      listeners.push(fn);
    },
  };
}

/** `git <args>` in `cwd`, without simple-git: the same contract as execGit. */
export function runGit(args: readonly string[], opts: ExecGitOptions): Promise<GitResult> {
  return startGit(args, opts).result;
}

function spawnError(args: readonly string[], cwd: string, e: NodeJS.ErrnoException): JlogError {
  // spawn reports a missing cwd as ENOENT too: tell it apart from a missing git before blaming git.
  if (e.code === 'ENOENT' && !existsSync(cwd)) {
    return new JlogError('E_GIT', `git ${args[0] ?? ''} failed: ${cwd} does not exist`, { cause: e });
  }
  if (e.code === 'ENOENT') {
    return new JlogError('E_GIT', 'git is not installed or not on PATH', {
      cause: e,
      hint: 'install git (2.25 or later) and try again',
    });
  }
  return new JlogError('E_GIT', `git ${args[0] ?? ''} failed: ${e.message}`, { cause: e });
}
