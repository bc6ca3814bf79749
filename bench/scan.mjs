// Scan figure (issue 13): `jlog sync --dry-run --offline --all-authors --since <before the first
// commit>` against `git log --grep='#time'` over the same commits (the physical floor: git has to walk
// them too), in repos generated with `git fast-import` of 1k, 10k, 20k and 100k commits (one token per
// 10 commits, a few authors). Interleaved runs, medians; peak RSS of jlog from /proc VmHWM.
// Goals: <= 2.0x and <= 100 MB at 20k commits; <= 1.4x at 100k. Growth is reported per 1k commits.
//   node bench/scan.mjs            (BENCH_SIZES=1000,20000 to pick sizes; BENCH_RUNS=n rounds)
import {
  JLOG,
  benchEnv,
  ensureBuilt,
  figure,
  fmt,
  generateRepo,
  interleave,
  median,
  run,
} from './lib/env.mjs';

const SIZES = (process.env.BENCH_SIZES ?? '1000,10000,20000,100000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const START = 1_600_000_000; // 2020-09-13; every commit is after --since
const SINCE = '2020-01-01';

ensureBuilt();
const b = benchEnv('scan');
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
  const growth = rows
    .map((r) => `${r.commits / 1000}k ${fmt.ms(r.jlogMs)} (${fmt.x(r.ratio)}, ${fmt.mb(r.rssMb)})`)
    .join(' · ');
  figure({ name: 'scan growth', value: growth, goal: 'linear in commits', info: true, ok: true });
} finally {
  b.cleanup();
}
