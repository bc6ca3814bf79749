// Bundles the CLI into dist/ with esbuild. Commands are dynamic imports, so esbuild splits them into
// chunks and a hook loads only what it runs: the hot path stays a few small files.
import { build } from 'esbuild';
import { NODE_BANNER, nodeBundle } from './esbuild-node.mjs';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { thirdPartyNotices } from './notices.mjs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

// Build beside dist/ and swap it in, so a CLI that is running (a test, a hook) never finds dist/ missing.
const outdir = process.argv[2] ?? 'dist';
const staging = `${outdir}.build-${process.pid}`;
const result = await build({
  entryPoints: { jlog: 'src/cli/main.ts' },
  outdir: staging,
  ...nodeBundle,
  splitting: true,
  sourcemap: false,
  minifySyntax: true,
  // Licenses go whole into dist/THIRD-PARTY-NOTICES (below), not as scattered comments.
  legalComments: 'none',
  metafile: true,
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: `#!/usr/bin/env node\n${NODE_BANNER}` },
  define: { JLOG_VERSION: JSON.stringify(version) },
});
writeFileSync(`${staging}/THIRD-PARTY-NOTICES`, thirdPartyNotices(result.metafile));
rmSync(`${outdir}.old-${process.pid}`, { recursive: true, force: true });
try {
  renameSync(outdir, `${outdir}.old-${process.pid}`);
} catch {
  // first build: nothing to move aside
}
renameSync(staging, outdir);
rmSync(`${outdir}.old-${process.pid}`, { recursive: true, force: true });
await import('./build-schema.mjs');
