// Ledger benchmark: reading a 100,000-record ledger, against JSON.parse of the same records as one
// array in the same process (the baseline), plus the per-operation costs the poster pays on a ledger
// that size. Standalone: `node bench/ledger.mjs` (bundles src/ledger with esbuild into a temp dir).
import { build } from 'esbuild';
import { nodeBundle } from '../scripts/esbuild-node.mjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL, fileURLToPath } from 'node:url';

const RECORDS = 100_000;
const RUNS = 7;

const tmp = mkdtempSync(join(tmpdir(), 'jlog-bench-ledger-'));
try {
  await build({
    entryPoints: [fileURLToPath(new URL('../src/ledger/ledger.ts', import.meta.url))],
    outfile: join(tmp, 'ledger.mjs'),
    ...nodeBundle,
  });
  const { Ledger } = await import(pathToFileURL(join(tmp, 'ledger.mjs')).href);
  const dir = join(tmp, 'jlog');

  // 70k tokens, 30k of them also moved to posted: 100k lines, realistic fields.
  const record = (i, state, extra = {}) => ({
    id: `${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}${'0'.repeat(32)}:${i % 3}`,
    sha: `${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}${'0'.repeat(32)}`,
    issue: `PROJ-${i % 500}`,
    seconds: 60 * (1 + (i % 240)),
    state,
    at: new Date(1_700_000_000_000 + i * 60_000).toISOString(),
    started: '2024-05-01T10:00:00.000+0200',
    comment: `fixed the thing number ${i}`,
    fp: `fp${i.toString(36).padStart(12, '0')}`,
    authorEmail: 'dev@example.com',
    ...extra,
  });
  const all = [];
  for (let i = 0; i < 70_000; i++) all.push(record(i, 'pending'));
  for (let i = 0; i < 30_000; i++) all.push(record(i, 'posted', { worklogId: String(10_000 + i) }));

  const writer = Ledger.open(dir);
  let t = performance.now();
  for (let i = 0; i < all.length; i += 1000) await writer.append(all.slice(i, i + 1000));
  const fillMs = performance.now() - t;
  const bytes = readFileSync(join(dir, 'ledger.jsonl'));

  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  async function measure(fn) {
    const times = [];
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      await fn(r);
      times.push(performance.now() - t0);
    }
    return median(times);
  }

  // Baseline: the same records as one JSON array, parsed in one call (no I/O).
  const asArray = '[' + bytes.toString('utf8').trimEnd().split('\n').join(',') + ']';
  const baselineMs = await measure(() => JSON.parse(asArray).length);
  const textMs = await measure(() => readFileSync(join(dir, 'ledger.jsonl'), 'utf8').length);
  let size = 0;
  const readMs = await measure(async () => {
    size = (await Ledger.open(dir).read()).size;
  });
  if (size !== 70_000) throw new Error(`expected 70000 ids, got ${size}`);

  // What a poster pays per token on a ledger this size (its instance already read it once).
  const poster = Ledger.open(dir);
  await poster.read();
  const other = Ledger.open(dir);
  let k = 0;
  const incrementalMs = await measure(async () => {
    await other.append([record(200_000 + k++, 'pending')]);
    await poster.read();
  });
  const appendMs = await measure(() => other.append([record(300_000 + k++, 'pending')]));
  const updateMs = await measure(() =>
    poster.update((view) => {
      const r = view.get(record(k++, 'pending').id);
      return { records: r ? [{ ...r, state: 'skipped' }] : [], result: undefined };
    }),
  );
  const compactMs = await measure(() => Ledger.open(dir).compact());

  const f = (ms) => ms.toFixed(1).padStart(8);
  console.log(
    `ledger: ${RECORDS} records (${(bytes.length / 1e6).toFixed(1)} MB, 70,000 ids), median of ${RUNS} runs`,
  );
  console.log(`  JSON.parse of the same records as one array (baseline) ${f(baselineMs)} ms`);
  console.log(
    `  Ledger.read() from disk, fresh instance                ${f(readMs)} ms  (${(readMs / baselineMs).toFixed(2)}× baseline)`,
  );
  console.log(`  for scale: readFileSync(utf8) of the file            ${f(textMs)} ms`);
  console.log(
    `  read() after another process appended 1 record         ${f(incrementalMs)} ms  (includes that append)`,
  );
  console.log(`  append() of 1 record (lock + write + fsync)            ${f(appendMs)} ms`);
  console.log(`  update() claim of 1 record                             ${f(updateMs)} ms`);
  console.log(`  compact() of 70,000 ids                                ${f(compactMs)} ms`);
  console.log(`  filling: ${RECORDS / 1000} appends of 1000 records                   ${f(fillMs)} ms`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
