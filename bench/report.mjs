// jlog report benchmark: grouping 100,000 posted ledger records (by issue, by day, with a date
// filter), against a bare loop that sums seconds per issue into a Map in the same process (the
// baseline). Standalone: `node bench/report.mjs` (bundles src/core/report.ts with esbuild).
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL, fileURLToPath } from 'node:url';

const RECORDS = 100_000;
const RUNS = 9;

const tmp = mkdtempSync(join(tmpdir(), 'jlog-bench-report-'));
try {
  await build({
    entryPoints: [fileURLToPath(new URL('../src/core/report.ts', import.meta.url))],
    outfile: join(tmp, 'report.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  const { buildReport, parseDateBound } = await import(pathToFileURL(join(tmp, 'report.mjs')).href);
  const pad = (n) => String(n).padStart(2, '0');
  const records = Array.from({ length: RECORDS }, (_, i) => {
    const sha = ((i * 2654435761) >>> 0).toString(16).padStart(8, '0').padEnd(40, '0');
    return {
      id: `${sha}:0`,
      sha,
      issue: `PROJ-${i % 500}`,
      seconds: 60 * (1 + (i % 240)),
      state: i % 10 === 0 ? 'pending' : 'posted',
      at: '2026-01-01T00:00:00.000Z',
      started: `2025-${pad(1 + (i % 12))}-${pad(1 + (i % 28))}T${pad(i % 24)}:00:00.000+0100`,
      worklogId: String(i),
    };
  });

  const median = (fn) => {
    const times = [];
    for (let r = 0; r < RUNS; r++) {
      const t = performance.now();
      fn();
      times.push(performance.now() - t);
    }
    return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
  };
  const baseline = median(() => {
    const m = new Map();
    for (const r of records) if (r.state === 'posted') m.set(r.issue, (m.get(r.issue) ?? 0) + r.seconds);
    return m;
  });
  const since = parseDateBound('2025-06-01', '2026-01-01');
  const cases = {
    'by issue': () => buildReport(records, { by: 'issue' }),
    'by day': () => buildReport(records, { by: 'day' }),
    'by day, --since (a day)': () => buildReport(records, { by: 'day', since }),
    'by issue, --since (an instant)': () =>
      buildReport(records, { by: 'issue', since: parseDateBound('2025-06-01T00:00Z', '2026-01-01') }),
  };
  console.log(`report over ${RECORDS} records (90% posted), median of ${RUNS} runs`);
  console.log(`  baseline (Map sum by issue): ${baseline.toFixed(2)} ms`);
  for (const [name, fn] of Object.entries(cases)) {
    const ms = median(fn);
    console.log(`  ${name}: ${ms.toFixed(2)} ms (${(ms / baseline).toFixed(1)}x baseline)`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
