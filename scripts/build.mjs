// Bundles the CLI into dist/ with esbuild. Commands are dynamic imports, so esbuild splits them into
// chunks and a hook loads only what it runs: the hot path stays a few small files.
import { build } from 'esbuild';
import { readFileSync, renameSync, rmSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

// Build beside dist/ and swap it in, so a CLI that is running (a test, a hook) never finds dist/ missing.
const outdir = process.argv[2] ?? 'dist';
const staging = `${outdir}.build-${process.pid}`;
await build({
  entryPoints: { jlog: 'src/cli/main.ts' },
  outdir: staging,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  sourcemap: false,
  minifySyntax: true,
  legalComments: 'none',
  chunkNames: 'chunks/[name]-[hash]',
  // cosmiconfig can load .ts configs through the compiler; jlog never searches for those, and bundling
  // it would make every YAML/JS config load pull in 9 MB.
  external: ['typescript'],
  banner: {
    // Bundled CommonJS dependencies call require() for Node built-ins.
    js: "#!/usr/bin/env node\nimport { createRequire as __jlogCreateRequire } from 'node:module';\nconst require = __jlogCreateRequire(import.meta.url); const __filename = import.meta.filename;",
  },
  define: { JLOG_VERSION: JSON.stringify(version) },
  logLevel: 'warning',
});
rmSync(`${outdir}.old-${process.pid}`, { recursive: true, force: true });
try {
  renameSync(outdir, `${outdir}.old-${process.pid}`);
} catch {
  // first build: nothing to move aside
}
renameSync(staging, outdir);
rmSync(`${outdir}.old-${process.pid}`, { recursive: true, force: true });
