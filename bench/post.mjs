// Post figure (issue 13): `jlog sync` posting N worklogs over 50 issues to the sandbox with 50 ms of
// injected latency on every request and `concurrency` 16, against the ideal for that latency:
// (N POSTs + one check per issue) x latency / 16. Ratio ideal / actual; the goal is >= 0.9 with zero
// 429s at 1,000 worklogs. Growth at 100, 1,000 and 5,000 worklogs (5,000 only once, bounded by a
// timeout). The per-issue write limit of Jira Cloud is on in the sandbox, so pacing is real.
// Beside it, a bare undici script (bench/lib/bare-poster.mjs) twice: making jlog's requests (the
// remote check reads each issue's worklogs and its tombstones), and without the tombstone read, the
// ideal's one check per issue. What separates those two is the tombstone read's cost, not jlog's.
//   node bench/post.mjs            (BENCH_SIZES=100,1000 to pick sizes; BENCH_RUNS=n rounds)
import {
  JLOG,
  ROOT,
  benchEnv,
  ensureBuilt,
  figure,
  fmt,
  generateRepo,
  loadSandbox,
  median,
  run,
} from './lib/env.mjs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';

const BARE = join(import.meta.dirname, 'lib', 'bare-poster.mjs');
const SIZES = (process.env.BENCH_SIZES ?? '100,1000,5000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ISSUES = 50;
const LATENCY_MS = 50;
const CONCURRENCY = 16;
const TIMEOUT_MS = 180_000; // the 5,000 run under load must not hold the whole bench hostage

const ideal = (n) => ((n + ISSUES) * LATENCY_MS) / CONCURRENCY;

/**
 * Wall time of bench/lib/bare-poster.mjs posting n worklogs over the issues, as the run spreads them;
 * `tombstones: false` leaves out the tombstone read (the ideal's one check per issue).
 */
async function barePost(n, startSandbox, tombstones = true) {
  const issues = {};
  for (let i = 0; i < n; i++) {
    const key = `PROJ-${1 + (i % ISSUES)}`;
    issues[key] = (issues[key] ?? 0) + 1;
  }
  const sandbox = await startSandbox();
  sandbox.fault({ fault: { kind: 'latency', ms: LATENCY_MS }, times: Infinity });
  try {
    const r = await run(process.execPath, [BARE], {
      cwd: ROOT,
      env: {
        ...b.env,
        ...sandbox.env,
        BARE_PLAN: JSON.stringify({ concurrency: CONCURRENCY, issues, tombstones }),
      },
    });
    const posted = sandbox.worklogs().length;
    if (posted !== n) throw new Error(`bare poster posted ${posted} of ${n}: ${r.err.slice(0, 300)}`);
    return r.ms;
  } finally {
    await sandbox.close();
  }
}

ensureBuilt();
const b = benchEnv('post');
try {
  const startSandbox = await loadSandbox(b.root);
  // Recent commits (sync's default window is 30 days); one token per commit, spread over the issues.
  const startSec = Math.floor(Date.now() / 1000) - 3 * 86_400;
  const rows = [];
  for (const n of SIZES) {
    const rounds = n > 1000 ? 1 : RUNS;
    const ratios = [];
    const times = [];
    const bareRatios = [];
    const oneReadRatios = [];
    let rejected = 0;
    for (let round = 0; round < rounds; round++) {
      const dir = generateRepo(b.dir(`repo-${n}-${round}`), b.env, {
        commits: n,
        startSec: startSec + round,
        authors: [['Dev', 'dev@example.com']],
        tokenFor: (i) => `PROJ-${1 + (i % ISSUES)} #time 15m step ${i} of run ${round}`,
      });
      writeFileSync(join(dir, '.jlogrc.json'), JSON.stringify({ concurrency: CONCURRENCY }));
      const sandbox = await startSandbox();
      sandbox.fault({ fault: { kind: 'latency', ms: LATENCY_MS }, times: Infinity });
      try {
        const p = run(process.execPath, [JLOG, 'sync', '--since', '10 days ago'], {
          cwd: dir,
          env: { ...b.env, ...sandbox.env },
        });
        const timer = new Promise((_, reject) => {
          const t = setTimeout(() => reject(new Error(`post ${n}: over ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
          p.finally(() => clearTimeout(t)).catch(() => {});
        });
        const r = await Promise.race([p, timer]);
        const posted = sandbox.worklogs().length;
        if (posted !== n) throw new Error(`posted ${posted} of ${n} worklogs: ${r.err.slice(0, 300)}`);
        rejected += sandbox.requests.filter((q) => q.status === 429).length;
        const requests = sandbox.requests.length;
        ratios.push(ideal(n) / r.ms);
        times.push(r.ms);
        if (round === 0) console.log(`  post ${n}: ${requests} requests for ${n} worklogs`);
      } finally {
        await sandbox.close();
      }
      // The reference, right after: the same requests from a bare undici script (bench/lib/bare-poster.mjs).
      if (rounds > 1) {
        bareRatios.push(ideal(n) / (await barePost(n, startSandbox)));
        oneReadRatios.push(ideal(n) / (await barePost(n, startSandbox, false)));
      }
    }
    const bare = bareRatios.length > 0 ? median(bareRatios) : undefined;
    const oneRead = oneReadRatios.length > 0 ? median(oneReadRatios) : undefined;
    const row = { n, ms: median(times), ideal: ideal(n), ratio: median(ratios), rejected, bare, oneRead };
    rows.push(row);
    console.log(
      `post ${n} worklogs / ${ISSUES} issues, ${LATENCY_MS} ms latency, concurrency ${CONCURRENCY}: ` +
        `${fmt.ms(row.ms)} vs ideal ${fmt.ms(row.ideal)} = ${row.ratio.toFixed(2)} of ideal, ${rejected} x 429 (median of ${rounds})` +
        (bare === undefined
          ? ''
          : `; a bare undici script making the same requests: ${bare.toFixed(2)} of ideal, ` +
            `${oneRead.toFixed(2)} without the tombstone read (${n + ISSUES} requests, the ideal's count)`),
    );
  }
  const r1k = rows.find((r) => r.n === 1000);
  if (r1k) {
    figure({
      name: 'post 1,000 worklogs',
      ratio: r1k.ratio,
      goal: '>= 0.90 of ideal, 0 x 429',
      value:
        `${r1k.ratio.toFixed(2)} of ideal, ${r1k.rejected} x 429` +
        (r1k.bare
          ? ` (bare ${r1k.bare.toFixed(2)}, ${r1k.oneRead.toFixed(2)} without the tombstone read)`
          : ''),
      ok: r1k.ratio >= 0.9 && r1k.rejected === 0,
    });
  }
  const growth = rows
    .map(
      (r) =>
        `${r.n}: ${fmt.ms(r.ms)} (${r.ratio.toFixed(2)} of ideal, ${(r.ms / r.n).toFixed(1)} ms/worklog)`,
    )
    .join(' · ');
  figure({ name: 'post growth', value: growth, goal: 'linear in worklogs', info: true, ok: true });
} finally {
  b.cleanup();
}
