// Real git repositories in temp dirs, isolated from the developer's own git config (so a test never depends
// on who runs it).
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempRepo {
  dir: string;
  home: string;
  env: NodeJS.ProcessEnv;
  git(...args: string[]): string;
  /** Commits with the given message (an empty commit unless files are given); returns the new SHA. */
  commit(
    message: string,
    opts?: { date?: string; email?: string; name?: string; files?: Record<string, string> },
  ): string;
  cleanup(): void;
}

/** An environment with no trace of the developer's git or Jira settings. */
export function isolatedEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('GIT_') || k.startsWith('JIRA_') || k.startsWith('JLOG_') || k === 'NO_COLOR') continue;
    // CI itself sets CI=true: a test that wants CI behaviour says so.
    if (k === 'CI' || k === 'GITHUB_EVENT_PATH' || k === 'GITHUB_ACTIONS' || k.startsWith('CI_COMMIT'))
      continue;
    env[k] = v;
  }
  return {
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    GIT_CONFIG_GLOBAL: join(home, '.gitconfig'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    ...extra,
  };
}

export function makeTempDir(prefix = 'jlog-test-'): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

export function makeRepo(
  opts: { email?: string; name?: string; branch?: string; bare?: boolean } = {},
): TempRepo {
  const root = makeTempDir();
  const home = join(root, 'home');
  const dir = join(root, 'repo');
  mkdirSync(home);
  mkdirSync(dir);
  writeFileSync(join(home, '.gitconfig'), '');
  const env = isolatedEnv(home);
  const git = (...args: string[]): string =>
    execFileSync('git', args, {
      cwd: dir,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trimEnd();
  git('init', '-q', '-b', opts.branch ?? 'main');
  git('config', 'user.email', opts.email ?? 'dev@example.com');
  git('config', 'user.name', opts.name ?? 'Dev Eloper');
  git('config', 'commit.gpgsign', 'false');
  git('config', 'gc.auto', '0');
  let counter = 0;
  return {
    dir,
    home,
    env,
    git,
    commit(message, c = {}) {
      const cenv: NodeJS.ProcessEnv = { ...env };
      if (c.date) cenv.GIT_AUTHOR_DATE = cenv.GIT_COMMITTER_DATE = c.date;
      if (c.email) cenv.GIT_AUTHOR_EMAIL = c.email;
      if (c.name) cenv.GIT_AUTHOR_NAME = c.name;
      const files = c.files ?? { [`file-${counter++}.txt`]: `${Date.now()} ${counter}\n` };
      for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
      execFileSync('git', ['add', '-A'], { cwd: dir, env: cenv });
      execFileSync('git', ['commit', '-q', '-F', '-'], { cwd: dir, env: cenv, input: message });
      return git('rev-parse', 'HEAD');
    },
    cleanup() {
      // A detached background worker may still be writing its last ledger lines after the test's
      // assertions (slow under load): stop it first (the ledger survives kill -9 by design), then
      // retry instead of failing on ENOTEMPTY (Node retries with a growing delay).
      killProcessesUnder(root);
      rmSync(root, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    },
  };
}

/**
 * SIGKILLs the processes (detached `jlog flush --background` workers, hooks) whose working directory
 * is under `root`, and waits (bounded) until they are gone. Linux only (/proc); elsewhere a no-op.
 */
export function killProcessesUnder(root: string): void {
  if (!existsSync('/proc/self/cwd')) return;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd !== root && !cwd.startsWith(`${root}/`)) continue;
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('jlog')) continue;
      process.kill(Number(entry), 'SIGKILL');
      pids.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 100 && pids.some(alive); i++) {
    Atomics.wait(pause, 0, 0, 20);
  }
}

/** Still running: /proc has it and it is not a zombie waiting for a parent that may never reap it. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
