// Sync throughput (issue: "a sync of many issues runs at close to concurrency / latency"). The sandbox
// answers every request after a fixed latency; the same sync of one token on each of many issues runs
// with concurrency 1 (the baseline, same process) and with the default 4. Each issue costs two round
// trips (the remote check, then the POST), so the ideal speed-up is the concurrency itself.
// Standalone: `node bench/sync.mjs` (builds dist/ and bundles the sandbox with esbuild).
import { build } from 'esbuild';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const JLOG = join(ROOT, 'dist', 'jlog.js');
const ISSUES = 40;
const LATENCY_MS = 150;
const RUNS = 3;
const MIN_EFFICIENCY = 0.6; // speed-up / concurrency

execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
const tmp = mkdtempSync(join(tmpdir(), 'jlog-bench-sync-'));
try {
  const entry = join(tmp, 'entry.ts');
  writeFileSync(
    entry,
    `export { startSandbox } from ${JSON.stringify(join(ROOT, 'src/sandbox/server.ts'))};`,
  );
  await build({
    entryPoints: [entry],
    outfile: join(tmp, 'sb.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    logLevel: 'warning',
  });
  const { startSandbox } = await import(pathToFileURL(join(tmp, 'sb.mjs')).href);

  const home = join(tmp, 'home');
  mkdirSync(home);
  writeFileSync(join(home, '.gitconfig'), '');
  const env = {
    ...process.env,
    HOME: home,
    GIT_CONFIG_GLOBAL: join(home, '.gitconfig'),
    GIT_CONFIG_NOSYSTEM: '1',
  };
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

  async function once(concurrency, run) {
    const dir = join(tmp, `repo-${concurrency}-${run}`);
    mkdirSync(dir);
    const git = (...a) => execFileSync('git', a, { cwd: dir, env, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'dev@example.com');
    git('config', 'user.name', 'Dev');
    writeFileSync(join(dir, '.jlogrc.json'), JSON.stringify({ concurrency }));
    git('add', '-A');
    for (let i = 1; i <= ISSUES; i++)
      git('commit', '-q', '--allow-empty', '-m', `PROJ-${i} #time 1h work ${i}`);
    const sandbox = await startSandbox();
    sandbox.fault({ fault: { kind: 'latency', ms: LATENCY_MS }, times: Infinity });
    try {
      const t0 = performance.now();
      // Asynchronous: the sandbox lives in this process and must answer while jlog runs.
      const r = await new Promise((resolve) => {
        const p = spawn(process.execPath, [JLOG, 'sync'], {
          cwd: dir,
          env: { ...env, ...sandbox.env },
          stdio: 'ignore',
        });
        p.on('close', (code) => resolve(code));
      });
      const ms = performance.now() - t0;
      if (r !== 0 || sandbox.worklogs().length !== ISSUES) throw new Error(`sync failed (exit ${r})`);
      return ms;
    } finally {
      await sandbox.close();
    }
  }

  const serial = [];
  const parallel = [];
  for (let run = 0; run < RUNS; run++) {
    serial.push(await once(1, run));
    parallel.push(await once(4, run));
  }
  const s = median(serial);
  const p = median(parallel);
  const speedup = s / p;
  console.log(`sync of ${ISSUES} issues, ${LATENCY_MS} ms latency per request, median of ${RUNS}:`);
  console.log(
    `  concurrency 1: ${s.toFixed(0)} ms   (ideal ${(2 * ISSUES * LATENCY_MS).toFixed(0)} ms + start-up)`,
  );
  console.log(`  concurrency 4: ${p.toFixed(0)} ms   speed-up ${speedup.toFixed(2)}x of 4 ideal`);
  if (speedup / 4 < MIN_EFFICIENCY) {
    console.log(`MISSED: speed-up below ${MIN_EFFICIENCY * 4}x`);
    process.exitCode = 1;
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
