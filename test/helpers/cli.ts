// Runs the built CLI the way a user does: a child process, real argv, real stdin, real exit code.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// JLOG_TEST_BIN lets a developer test a bundle built elsewhere (node scripts/build.mjs <dir>).
export const JLOG_BIN =
  process.env.JLOG_TEST_BIN ?? fileURLToPath(new URL('../../dist/jlog.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

export function runJlog(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  return runCommand(process.execPath, [JLOG_BIN, ...args], opts);
}

/** Any command, asynchronously (a sandbox in the test process must keep answering while it runs). */
export function runCommand(command: string, args: string[], opts: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    // A command that exits without reading its stdin (a hook that has nothing to do) closes the pipe
    // first: that EPIPE is not the test's failure, the exit code and output say what happened.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}
