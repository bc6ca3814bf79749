// Scan figure (issue 13): `jlog sync --dry-run --offline --all-authors --since <before the first
// commit>` against `git log --grep='#time'` over the same commits (the physical floor: git has to walk
// them too), in repos generated with `git fast-import` of 1k, 10k, 20k and 100k commits (one token per
// 10 commits, a few authors). Interleaved runs, medians; peak RSS of jlog from /proc VmHWM.
// Goals: <= 2.0x and <= 100 MB at 20k commits; <= 1.4x at 100k. Growth is reported per 1k commits.
// With 20k in the sizes, the same sync also runs in a clone whose ledger holds 100,000 entries (98,000
// of commits long ago, and the 2,000 tokens of the scanned commits, pending as the hooks leave them:
// the same plan, each token found in the ledger), against the clone with no ledger: a sync must not
// cost more with the ledger's size (goal <= 1.1x). Its first run, which indexes the ledger, is shown
// apart; the figure is every later run.
//   node bench/scan.mjs            (BENCH_SIZES=1000,20000 to pick sizes; BENCH_RUNS=n rounds)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  JLOG,
  benchEnv,
  ensureBuilt,
  figure,
  fmt,
  generateRepo,
  git,
  interleave,
  median,
  run,
} from './lib/env.mjs';
import { ledgerLines } from './lib/ledger.mjs';

const SIZES = (process.env.BENCH_SIZES ?? '1000,10000,20000,100000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const START = 1_600_000_000; // 2020-09-13; every commit is after --since
const SINCE = '2020-01-01';

const LEDGER_ENTRIES = 100_000;

ensureBuilt();
const b = benchEnv('scan');
/** The 20k sync with a 100,000-entry ledger against the same sync with none. */
async function ledgerFigure(dir, jlogArgs, planned) {
  const big = b.dir('repo-20000-ledger');
  git(b.root, b.env, 'clone', '-q', dir, big);
  const pending = planned.map((w) =>
    JSON.stringify({
      id: w.id,
      sha: w.sha,
      issue: w.issue,
      seconds: w.seconds,
      state: 'pending',
      at: '2026-01-01T10:00:00.000Z',
      started: w.started,
      comment: w.comment,
      authorEmail: 'dev@example.com',
    }),
  );
  mkdirSync(join(big, '.git', 'jlog'), { recursive: true });
  writeFileSync(
    join(big, '.git', 'jlog', 'ledger.jsonl'),
    ledgerLines(LEDGER_ENTRIES - pending.length) + pending.join('\n') + '\n',
  );
  const first = await run(process.execPath, jlogArgs, { cwd: big, env: b.env });
  const check = JSON.parse(
    (await run(process.execPath, [...jlogArgs, '--json'], { cwd: big, env: b.env })).out,
  );
  if (JSON.stringify(check.planned) !== JSON.stringify(planned))
    throw new Error('the sync with a 100,000-entry ledger planned otherwise than with none');
  const { med } = await interleave(RUNS, {
    none: async () => (await run(process.execPath, jlogArgs, { cwd: dir, env: b.env })).ms,
    big: async () => (await run(process.execPath, jlogArgs, { cwd: big, env: b.env })).ms,
  });
  const ratio = med.big / med.none;
  console.log(
    `sync 20k commits, ledger of ${LEDGER_ENTRIES.toLocaleString('en')} entries ${fmt.ms(med.big)} vs no ledger ` +
      `${fmt.ms(med.none)} = ${fmt.x(ratio)} (median of ${RUNS}; its first run, which indexes the ledger, ${fmt.ms(first.ms)})`,
  );
  return { ratio, first: first.ms };
}

let ledgerRow;
try {
  const rows = [];
  for (const commits of SIZES) {
    const dir = generateRepo(b.dir(`repo-${commits}`), b.env, {
      commits,
      startSec: START,
      tokenFor: (i) =>
        i % 10 === 0 ? `PROJ-${1 + ((i / 10) % 50)} #time 30m worked on step ${i}` : undefined,
    });
    const tokens = Math.ceil(commits / 10);
    const jlogArgs = [JLOG, 'sync', '--dry-run', '--offline', '--all-authors', '--since', SINCE];
    // Once, outside the timing: the run must plan every token (no commit left out by a default window).
    const check = await run(process.execPath, [...jlogArgs, '--json'], { cwd: dir, env: b.env });
    const planned = JSON.parse(check.out).planned.length;
    if (planned !== tokens)
      throw new Error(`jlog planned ${planned} of ${tokens} tokens at ${commits} commits`);
    const gitCheck = await run('git', ['log', '--grep=#time', '--since', SINCE, '--format=%H'], {
      cwd: dir,
      env: b.env,
    });
    if (gitCheck.out.trim().split('\n').length !== tokens) throw new Error('git log --grep missed commits');

    const rss = [];
    const rounds = commits >= 100_000 ? Math.max(3, Math.ceil(RUNS / 2)) : RUNS;
    const { med } = await interleave(rounds, {
      git: async () =>
        (await run('git', ['log', '--grep=#time', '--since', SINCE], { cwd: dir, env: b.env })).ms,
      jlog: async () => {
        const r = await run(process.execPath, jlogArgs, { cwd: dir, env: b.env });
        rss.push(r.rssMb);
        return r.ms;
      },
    });
    const row = {
      commits,
      tokens,
      jlogMs: med.jlog,
      gitMs: med.git,
      ratio: med.jlog / med.git,
      rssMb: median(rss),
    };
    rows.push(row);
    if (commits === 20_000) ledgerRow = await ledgerFigure(dir, jlogArgs, JSON.parse(check.out).planned);
    console.log(
      `scan ${commits} commits / ${tokens} tokens: jlog ${fmt.ms(row.jlogMs)} vs git log --grep ${fmt.ms(row.gitMs)} ` +
        `= ${fmt.x(row.ratio)}, peak RSS ${fmt.mb(row.rssMb)}, ${(row.jlogMs / (commits / 1000)).toFixed(1)} ms per 1k commits (median of ${rounds})`,
    );
  }
  const at = (n) => rows.find((r) => r.commits === n);
  const r20 = at(20_000);
  const r100 = at(100_000);
  if (r20) {
    figure({
      name: 'scan 20k commits',
      ratio: r20.ratio,
      goal: '<= 2.0x, <= 100 MB',
      value: `${fmt.x(r20.ratio)}, ${fmt.mb(r20.rssMb)}`,
      ok: r20.ratio <= 2 && r20.rssMb <= 100,
    });
  }
  if (r100) {
    figure({
      name: 'scan 100k commits',
      ratio: r100.ratio,
      goal: '<= 1.4x',
      value: `${fmt.x(r100.ratio)}, ${fmt.mb(r100.rssMb)}`,
      ok: r100.ratio <= 1.4,
    });
  }
  if (ledgerRow) {
    figure({
      name: 'sync 20k, 100k-entry ledger',
      ratio: ledgerRow.ratio,
      goal: '<= 1.1x no ledger',
      value: `${fmt.x(ledgerRow.ratio)}`,
      ok: ledgerRow.ratio <= 1.1,
    });
  }
  const growth = rows
    .map((r) => `${r.commits / 1000}k ${fmt.ms(r.jlogMs)} (${fmt.x(r.ratio)}, ${fmt.mb(r.rssMb)})`)
    .join(' · ');
  figure({ name: 'scan growth', value: growth, goal: 'linear in commits', info: true, ok: true });
} finally {
  b.cleanup();
}
