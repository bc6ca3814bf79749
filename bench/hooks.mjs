// What jlog's hooks cost a `git commit` (docs/commands.md: a commit without a token costs no Node start).
// Three repos side by side: no hooks, empty `#!/bin/sh` hooks in jlog's four slots, and jlog's hooks
// installed by `jlog init --git`. Runs are interleaved and each figure is the median of per-round
// differences against the no-hooks repo, so machine load hits every variant alike.
//   node bench/hooks.mjs            (BENCH_RUNS=n for more rounds; default 25, at least 15)
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { benchEnv } from './lib/env.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const JLOG = join(ROOT, 'dist', 'jlog.js');
const RUNS = Math.max(15, Number(process.env.BENCH_RUNS ?? 25));
const HOOKS = ['commit-msg', 'post-commit', 'post-rewrite', 'pre-push'];
const TARGET_NO_TOKEN = 1.5; // jlog's added time / empty hooks' added time
const TARGET_TOKEN = 1.5; // jlog's added time with a token / a bare `node -e 0` (issue 13)

if (process.env.BENCH_BUILT !== '1' || !existsSync(JLOG)) {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
}

// Isolated HOME and global git config, shared with every bench (bench/lib/env.mjs).
const bench = benchEnv('hooks');
const { root, env } = bench;

function makeRepo(name) {
  const dir = join(root, name);
  mkdirSync(dir);
  const git = (...args) => execFileSync('git', args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'bench@example.com');
  git('config', 'user.name', 'Bench');
  git('config', 'commit.gpgsign', 'false');
  git('config', 'gc.auto', '0');
  git('commit', '-q', '--allow-empty', '-m', 'root');
  return dir;
}

const repos = {
  none: makeRepo('none'),
  empty: makeRepo('empty'),
  jlog: makeRepo('jlog'),
  big: makeRepo('big'),
};
for (const h of HOOKS) {
  const path = join(repos.empty, '.git', 'hooks', h);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
}
// postOn "push" (the starter config's value): a token commit records, posting waits for the push.
for (const n of ['jlog', 'big']) {
  writeFileSync(join(repos[n], '.jlogrc.json'), '{ "postOn": "push" }\n');
  execFileSync(process.execPath, [JLOG, 'init', '--git'], { cwd: repos[n], env, stdio: 'ignore' });
}
// A ledger that years of use filled (25,000 tokens): a hook's cost must not grow with it.
const BIG = 25_000;
mkdirSync(join(repos.big, '.git', 'jlog'), { recursive: true });
let lines = '';
for (let i = 0; i < BIG; i++) {
  const sha = i.toString(16).padStart(40, '0');
  lines +=
    JSON.stringify({
      id: `${sha}:0`,
      sha,
      issue: `PROJ-${i + 1}`,
      seconds: 3600,
      state: 'posted',
      at: '2026-01-01T00:00:00.000Z',
      started: '2026-01-01T10:00:00.000+0000',
      comment: 'a comment of ordinary length',
      fp: 'f'.repeat(32),
      authorEmail: 'bench@example.com',
      worklogId: String(10000 + i),
    }) + '\n';
}
writeFileSync(join(repos.big, '.git', 'jlog', 'ledger.jsonl'), lines);

function time(cmd, args, cwd) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}: ${r.stderr}`);
  return ms;
}

const commit = (dir, message) => time('git', ['commit', '-q', '--allow-empty', '-m', message], dir);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const d = { emptyPlain: [], jlogPlain: [], jlogToken: [], bigToken: [], node: [], nonePlain: [] };
const names = Object.keys(repos);
// one warm-up round, not counted
for (const n of names) {
  commit(repos[n], 'warm-up');
  commit(repos[n], 'PROJ-1 #time 1m warm-up');
}
time(process.execPath, ['-e', '0'], root);
for (let i = 0; i < RUNS; i++) {
  const plain = {};
  const token = {};
  // rotate the order each round so no variant always runs first
  const order = names.map((_, k) => names[(k + i) % names.length]);
  for (const n of order) plain[n] = commit(repos[n], `plain commit ${i}`);
  for (const n of order) token[n] = commit(repos[n], `PROJ-1 #time 1h bench ${i}`);
  const node = time(process.execPath, ['-e', '0'], root);
  d.nonePlain.push(plain.none);
  d.emptyPlain.push(plain.empty - plain.none);
  d.jlogPlain.push(plain.jlog - plain.none);
  d.jlogToken.push(token.jlog - token.none);
  d.bigToken.push(token.big - token.none);
  d.node.push(node);
}
bench.cleanup();

const emptyAdded = median(d.emptyPlain);
const jlogPlainAdded = median(d.jlogPlain);
const jlogTokenAdded = median(d.jlogToken);
const nodeStart = median(d.node);
// An added time under half a millisecond is noise: do not divide by it.
const ratioPlain = jlogPlainAdded / Math.max(emptyAdded, 0.5);
const ratioToken = jlogTokenAdded / nodeStart;
const bigTokenAdded = median(d.bigToken);
const ratioBig = bigTokenAdded / nodeStart;
const f = (ms) => `${ms.toFixed(1)} ms`;

console.log(`git commit, median of ${RUNS} interleaved rounds (differences against a repo without hooks):`);
console.log(`  git commit, no hooks:                         ${f(median(d.nonePlain))}`);
console.log(`  added by empty #!/bin/sh hooks:               ${f(emptyAdded)}`);
console.log(
  `  added by jlog, commit without a token:        ${f(jlogPlainAdded)}  ratio to empty hooks ${ratioPlain.toFixed(2)} (target <= ${TARGET_NO_TOKEN})`,
);
console.log(`  node -e 0:                                    ${f(nodeStart)}`);
console.log(
  `  added by jlog, commit with PROJ-1 #time 1h:   ${f(jlogTokenAdded)}  ratio to node -e 0 ${ratioToken.toFixed(2)} (target <= ${TARGET_TOKEN})`,
);
console.log(
  `  the same with a ${BIG.toLocaleString('en')}-token ledger:          ${f(bigTokenAdded)}  ratio to node -e 0 ${ratioBig.toFixed(2)} (target <= ${TARGET_TOKEN})`,
);
const missed = [];
if (ratioPlain > TARGET_NO_TOKEN) missed.push('commit without a token');
if (ratioToken > TARGET_TOKEN) missed.push('commit with a token');
if (ratioBig > TARGET_TOKEN) missed.push('commit with a token, big ledger');
// The line bench/run.mjs collects (see bench/lib/env.mjs figure()).
const fig = (name, ratio, goal, ok) =>
  console.log(`FIGURE ${JSON.stringify({ name, ratio, goal, value: `${ratio.toFixed(2)}x`, ok })}`);
fig('hook: commit with a token', ratioToken, `<= ${TARGET_TOKEN}x node -e 0`, ratioToken <= TARGET_TOKEN);
fig('hook: same, 25k-token ledger', ratioBig, `<= ${TARGET_TOKEN}x node -e 0`, ratioBig <= TARGET_TOKEN);
fig(
  'hook: commit without a token',
  ratioPlain,
  `<= ${TARGET_NO_TOKEN}x empty hooks`,
  ratioPlain <= TARGET_NO_TOKEN,
);
if (missed.length > 0) {
  console.log(`MISSED: ${missed.join(', ')}`);
  process.exitCode = 1;
} else {
  console.log('ok: every target met');
}
