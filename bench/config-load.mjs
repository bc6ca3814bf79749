// How long loadConfig takes cold, in a fresh node process, as the git hooks pay it: no config file,
// a .jlogrc.json (the file `jlog init` writes) and a .jlogrc.yml (cosmiconfig + YAML).
// Usage: node bench/config-load.mjs [runs]   (default 15). Prints medians; the ratio is against a bare
// `node -e ''` started by this same process, so a busy machine slows both sides alike.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { nodeBundle } from '../scripts/esbuild-node.mjs';

const runs = Number(process.argv[2] ?? 15);
const work = mkdtempSync(join(tmpdir(), 'jlog-bench-config-'));
const out = join(work, 'dist');
const built = await build({
  entryPoints: { load: 'src/config/load.ts' },
  outdir: out,
  ...nodeBundle,
  splitting: true, // keeps validate.js (zod) and cosmiconfig as lazy chunks, as in dist/
  minifySyntax: true,
  // cosmiconfig's loaders require('typescript') for .ts configs, which jlog never searches; without this
  // esbuild puts the whole compiler (9 MB) in cosmiconfig's chunk. BENCH_BUNDLE_TS=1 measures that.
  external: process.env.BENCH_BUNDLE_TS === '1' ? [] : ['typescript'],
  metafile: true,
  logLevel: 'warning',
});

for (const [file, { bytes }] of Object.entries(built.metafile.outputs)) {
  console.log(`${(bytes / 1024).toFixed(0).padStart(6)} KiB  ${file.slice(out.length + 1)}`);
}

const probe = join(work, 'probe.mjs');
writeFileSync(
  probe,
  `const t0 = performance.now();
const { loadConfig } = await import(${JSON.stringify(join(out, 'load.js'))});
const r = await loadConfig(process.argv[2]);
process.stdout.write(JSON.stringify({ ms: performance.now() - t0, postOn: r.config.postOn }));`,
);

function repo(name, files) {
  const dir = join(work, name);
  mkdirSync(join(dir, '.git'), { recursive: true });
  mkdirSync(join(dir, 'src', 'deep'), { recursive: true });
  for (const [f, t] of Object.entries(files)) writeFileSync(join(dir, f), t);
  return join(dir, 'src', 'deep'); // search starts two levels down, as from a subdirectory
}
const scenarios = {
  'no config': repo('none', {}),
  '.jlogrc.json': repo('json', {
    '.jlogrc.json': '{"jira":{"baseUrl":"https://acme.atlassian.net"},"postOn":"commit"}',
  }),
  '.jlogrc.yml': repo('yaml', {
    '.jlogrc.yml': 'jira:\n  baseUrl: https://acme.atlassian.net\npostOn: commit\n',
  }),
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function wall(args) {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return { wall: performance.now() - t, stdout: r.stdout };
}

execFileSync(process.execPath, ['-e', '']); // warm the OS caches for node itself
const rows = [];
for (const [name, cwd] of Object.entries(scenarios)) {
  const base = [];
  const cand = [];
  const inner = [];
  for (let i = 0; i < runs; i++) {
    base.push(wall(['-e', '']).wall);
    const r = wall([probe, cwd]);
    cand.push(r.wall);
    inner.push(JSON.parse(r.stdout).ms);
  }
  rows.push({
    scenario: name,
    'loadConfig ms (in process, import + call)': median(inner).toFixed(1),
    'process wall ms': median(cand).toFixed(1),
    'bare node ms': median(base).toFixed(1),
    'ratio vs bare node': (median(cand) / median(base)).toFixed(2),
  });
}
console.table(rows);
rmSync(work, { recursive: true, force: true });
