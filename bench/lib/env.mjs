// What every bench shares: an isolated environment (own HOME, empty global git config, no JIRA_/JLOG_
// variables from the caller), temp dirs, the built CLI, interleaved timing with medians, peak RSS of a
// child, repos generated with `git fast-import`, the sandbox bundled from src/, and the one-line
// figure each bench hands to bench/run.mjs. Absolute times on a loaded machine mean little, so every
// figure is a ratio against a baseline measured in the same process, interleaved with the subject.
import { build } from 'esbuild';
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { Buffer } from 'node:buffer';
import { tmpdir } from 'node:os';
import { clearInterval, setInterval } from 'node:timers';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nodeBundle } from '../../scripts/esbuild-node.mjs';

export const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
export const JLOG = join(ROOT, 'dist', 'jlog.js');

/** Builds dist/ unless bench/run.mjs already did (it sets BENCH_BUILT). */
export function ensureBuilt() {
  if (process.env.BENCH_BUILT === '1' && existsSync(JLOG)) return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
}

/** A temp dir with an isolated HOME; `env` is what every child process of the bench gets. */
export function benchEnv(name) {
  const root = realpathSync(mkdtempSync(join(tmpdir(), `jlog-bench-${name}-`)));
  const home = join(root, 'home');
  mkdirSync(home);
  writeFileSync(join(home, '.gitconfig'), '');
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('GIT_') && !k.startsWith('JIRA_') && !k.startsWith('JLOG_')) env[k] = v;
  }
  Object.assign(env, {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    GIT_CONFIG_GLOBAL: join(home, '.gitconfig'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Dev',
    GIT_AUTHOR_EMAIL: 'dev@example.com',
    GIT_COMMITTER_NAME: 'Dev',
    GIT_COMMITTER_EMAIL: 'dev@example.com',
    JLOG_BIN: JLOG,
    NO_COLOR: '1',
  });
  return {
    root,
    env,
    dir: (sub) => {
      const d = join(root, sub);
      mkdirSync(d, { recursive: true });
      return d;
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Wall time and peak RSS (MB, from /proc VmHWM polled every 5 ms) of one child; throws on a failure. */
export function run(cmd, args, { cwd, env, stdin, okCodes = [0] } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, {
      cwd,
      env,
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let hwmKb = 0;
    p.stdout.on('data', (d) => {
      if (out.length < 256e6) out += d;
    });
    p.stderr.on('data', (d) => {
      if (err.length < 1e5) err += d;
    });
    if (stdin !== undefined) p.stdin.end(stdin);
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'));
        if (m) hwmKb = Math.max(hwmKb, Number(m[1]));
      } catch {
        // gone already
      }
    }, 5);
    p.on('error', reject);
    p.on('close', (code) => {
      clearInterval(poll);
      const ms = performance.now() - t0;
      if (!okCodes.includes(code)) {
        reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(0, 500)}`));
      } else resolve({ ms, rssMb: hwmKb / 1024, out, err, code });
    });
  });
}

/** Runs `variants` (name -> async () => ms) interleaved `rounds` times, rotating the order; medians. */
export async function interleave(rounds, variants) {
  const names = Object.keys(variants);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < rounds; i++) {
    for (let k = 0; k < names.length; k++) {
      const n = names[(k + i) % names.length];
      times[n].push(await variants[n](i));
    }
  }
  return { times, med: Object.fromEntries(names.map((n) => [n, median(times[n])])) };
}

export function git(cwd, env, ...args) {
  return execFileSync('git', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
}

export function initRepo(dir, env) {
  mkdirSync(dir, { recursive: true });
  git(dir, env, 'init', '-q', '-b', 'main');
  git(dir, env, 'config', 'user.email', 'dev@example.com');
  git(dir, env, 'config', 'user.name', 'Dev');
  git(dir, env, 'config', 'commit.gpgsign', 'false');
  git(dir, env, 'config', 'gc.auto', '0');
  return dir;
}

const AUTHORS = [
  ['Dev', 'dev@example.com'],
  ['Ana Souza', 'ana@example.com'],
  ['Kim Lee', 'kim@example.com'],
  ['Omar Haddad', 'omar@example.com'],
];
const VERBS = ['fix', 'add', 'refactor', 'update', 'remove', 'rename', 'document', 'test'];
const THINGS = ['login form', 'session cache', 'retry loop', 'csv export', 'date parser', 'api client'];

/**
 * A repo of `commits` commits made with one `git fast-import` stream (one file changed per commit,
 * realistic subjects and bodies, a few authors, one minute apart ending `endSec`). `tokenFor(i)`
 * returns the token line for commit i or undefined.
 */
export function generateRepo(dir, env, { commits, tokenFor, startSec, authors = AUTHORS }) {
  initRepo(dir, env);
  const parts = [];
  for (let i = 0; i < commits; i++) {
    const [name, email] = authors[i % authors.length];
    const when = startSec + i * 60;
    const subject = `${VERBS[i % VERBS.length]} ${THINGS[i % THINGS.length]} (step ${i})`;
    const token = tokenFor(i);
    const body = `The ${THINGS[(i + 1) % THINGS.length]} needed this; see the review notes.`;
    const msg = `${subject}\n\n${body}\n${token ? `\n${token}\n` : ''}`;
    const content = `line ${i}\n`;
    parts.push(
      `commit refs/heads/main\nmark :${i + 1}\n` +
        `author ${name} <${email}> ${when} +0000\ncommitter ${name} <${email}> ${when} +0000\n` +
        `data ${Buffer.byteLength(msg)}\n${msg}\n` +
        (i > 0 ? `from :${i}\n` : '') +
        `M 644 inline f${i % 50}.txt\ndata ${Buffer.byteLength(content)}\n${content}\n`,
    );
  }
  execFileSync('git', ['fast-import', '--quiet'], {
    cwd: dir,
    env,
    input: parts.join(''),
    stdio: ['pipe', 'ignore', 'pipe'],
    maxBuffer: 1 << 28,
  });
  git(dir, env, 'reset', '-q', '--hard', 'main');
  return dir;
}

/** The sandbox (src/sandbox) bundled with esbuild into `tmp`, so it runs in this process. */
export async function loadSandbox(tmp) {
  const entry = join(tmp, 'sandbox-entry.ts');
  writeFileSync(
    entry,
    `export { startSandbox } from ${JSON.stringify(join(ROOT, 'src/sandbox/server.ts'))};`,
  );
  await build({ entryPoints: [entry], outfile: join(tmp, 'sandbox.mjs'), ...nodeBundle });
  return (await import(pathToFileURL(join(tmp, 'sandbox.mjs')).href)).startSandbox;
}

/**
 * The figure a bench reports to bench/run.mjs: one line `FIGURE {json}` on stdout. `ok` is whether
 * every goal of the figure is met; `text` is the ratio and goal as run.mjs prints them.
 */
export function figure(f) {
  console.log(`FIGURE ${JSON.stringify(f)}`);
  if (!f.ok) process.exitCode = 1;
}

export const fmt = {
  x: (r) => `${r.toFixed(2)}x`,
  ms: (ms) => `${ms.toFixed(0)} ms`,
  mb: (mb) => `${mb.toFixed(0)} MB`,
};
