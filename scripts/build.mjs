// Bundles the CLI into dist/ with esbuild. Commands are dynamic imports, so esbuild splits them into
// chunks and a command loads only what it runs. The hooks get a build of their own (dist/hook.js, see
// hookPath below): a token commit must cost about one Node start (issue 13).
import { build } from 'esbuild';
import { NODE_BANNER, nodeBundle } from './esbuild-node.mjs';
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { thirdPartyNotices } from './notices.mjs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

// Build beside dist/ and swap it in, so a CLI that is running (a test, a hook) never finds dist/ missing.
const outdir = process.argv[2] ?? 'dist';
const staging = `${outdir}.build-${process.pid}`;

const common = {
  ...nodeBundle,
  outdir: staging,
  splitting: true,
  sourcemap: false,
  minifySyntax: true,
  // Licenses go whole into dist/THIRD-PARTY-NOTICES (below), not as scattered comments.
  legalComments: 'none',
  metafile: true,
  define: { JLOG_VERSION: JSON.stringify(version) },
  // graceful-fs (proper-lockfile's fs) patches every fs function when it loads, to queue opens past
  // EMFILE: a lock takes a few files at most, and that load was most of proper-lockfile's cost on a
  // hook's path. proper-lockfile gets node:fs itself.
  alias: { 'graceful-fs': 'node:fs' },
};

const cli = await build({
  ...common,
  entryPoints: { jlog: 'src/cli/main.ts' },
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: `#!/usr/bin/env node\n${NODE_BANNER}` },
  plugins: [hookEntry()],
});
const hooks = await build({
  ...common,
  entryPoints: { hook: 'src/cli/hook.ts' },
  chunkNames: 'chunks/hook-[name]-[hash]',
  plugins: [hookPath()],
});
writeFileSync(
  `${staging}/THIRD-PARTY-NOTICES`,
  thirdPartyNotices({ inputs: { ...cli.metafile.inputs, ...hooks.metafile.inputs } }),
);
rmSync(`${outdir}.old-${process.pid}`, { recursive: true, force: true });
try {
  renameSync(outdir, `${outdir}.old-${process.pid}`);
} catch {
  // first build: nothing to move aside
}
renameSync(staging, outdir);
rmSync(`${outdir}.old-${process.pid}`, { recursive: true, force: true });
await import('./build-schema.mjs');

/**
 * main.ts's hook fast path loads dist/hook.js, the hooks' own build, instead of bundling the hook code
 * again (`jlog hook --help` through commander still has its own copy).
 */
function hookEntry() {
  const main = resolve('src/cli/main.ts');
  return {
    name: 'jlog-hook-entry',
    setup(b) {
      b.onResolve({ filter: /^\.\/hook\.js$/ }, (args) =>
        args.importer === main ? { path: './hook.js', external: true } : undefined,
      );
    },
  };
}

/**
 * One chunk for the hook path. esbuild puts a module in a chunk by the set of entry points that reach
 * it, and every dynamic import is an entry point: in one build with the commands, the hook path's
 * modules are shared by many different sets of commands, so a hook loaded 22 small files. In a build
 * of its own, only the source modules it imports lazily (the config's validator, a failPushOnError
 * post, the ledger's status snapshot, ...) still split it. Each of those is made to import the hook
 * handlers too (only in this build: a side-effect-free import of a module already loaded), so every
 * module of the hook path is reached by the same set of entry points and lands in one chunk; what the
 * lazy modules add (zod, undici, ...) stays in their own chunks, loaded only when they run.
 */
function hookPath() {
  const handlers = resolve('src/engine/hooks.ts');
  const lazy = lazySourceModules('src');
  lazy.delete(handlers);
  return {
    name: 'jlog-hook-path',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!lazy.has(args.path)) return undefined;
        const source = readFileSync(args.path, 'utf8');
        return { contents: `${source}\nimport ${JSON.stringify(handlers)};\n`, loader: 'ts' };
      });
    },
  };
}

/** Every source module some source file imports with `import('./…')` (packages are not ours to touch). */
function lazySourceModules(dir) {
  const found = new Set();
  for (const entry of readdirSync(dir, { recursive: true })) {
    const file = join(dir, String(entry));
    if (!file.endsWith('.ts')) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/\bimport\(\s*['"](\.\.?\/[^'"]+)\.js['"]\s*\)/g)) {
      found.add(resolve(dirname(file), `${m[1]}.ts`));
    }
  }
  return found;
}
