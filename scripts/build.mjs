// Bundles the CLI into dist/ with esbuild. Commands are dynamic imports, so esbuild splits them into
// chunks and a command loads only what it runs. The hooks get builds of their own: a token commit must
// cost about one Node start (issue 13). dist/hook.js (see hookPath below) is what `jlog hook` loads;
// dist/hook.cjs (see hookScript below) is what the shims run.
import { build } from 'esbuild';
import { NODE_BANNER, nodeBundle } from './esbuild-node.mjs';
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { builtinModules } from 'node:module';
import { createHash } from 'node:crypto';
import { thirdPartyNotices } from './notices.mjs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

/** Built-ins hook.cjs requires on first use (the functions the hook path imports from them). */
const LAZY_BUILTINS = { child_process: ['spawn'] };

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
const script = await hookScript();
writeFileSync(
  `${staging}/THIRD-PARTY-NOTICES`,
  thirdPartyNotices({ inputs: { ...cli.metafile.inputs, ...hooks.metafile.inputs, ...script } }),
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
 * dist/hook/hook-core.cjs: the hook path as CommonJS, for the shims, which run it through hook.cjs
 * (`node dist/hook/hook.cjs <hook>`, src/cli/hook-load.ts: with V8's code cache). Node
 * loads CommonJS without its ES-module loader, which cost a token commit about 7 ms (a CPU profile
 * shows it resolving, linking and compiling modules before any jlog code runs). CommonJS has no
 * chunks, so this splits by hand, every file beside hook.cjs in dist/hook/:
 * - what the hook path imports lazily stays lazy: a jlog module behind `import()` (the config's
 *   validator, the foreground post of failPushOnError, ...) is a file of its own, `lazy-<path>.cjs`,
 *   required when the import runs, and so is every package hook.cjs imports (`vendor-<name>.cjs`).
 *   Inlined, V8 would parse ~1.5 MB on every commit;
 * - errors.ts is in hook-core.cjs, which exports it through hook.cjs, and the lazy files require it from there: a JlogError
 *   thrown in a lazy file is still a JlogError to the hook that catches it (its message depends on it);
 * - child_process, which loads net, dgram and streams, is required on the first spawn, not at start:
 *   post-commit's fast path starts no process.
 * Returns the metafile inputs, for the notices.
 */
async function hookScript() {
  const dir = `${staging}/hook`;
  const src = resolve('src') + sep;
  const errors = resolve('src/errors.ts');
  const inputs = {};
  const queued = new Map(); // entry path → output file name
  const built = new Set();
  const lazyName = (abs) =>
    `lazy-${abs
      .slice(src.length)
      .replace(/\.ts$/, '')
      .replace(/[^a-z0-9]+/gi, '-')}.cjs`;
  const vendorName = (pkg) => `vendor-${pkg.replace(/[^a-z0-9]+/gi, '-')}.cjs`;
  const vendors = new Set();

  /** The imports of one build of the CommonJS hook script; `core` is hook.cjs itself. */
  const splitter = (entry, core) => ({
    name: 'jlog-hook-split',
    setup(b) {
      const split = (file) => ({ path: `./${file}`, namespace: 'jlog-split' });
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.namespace === 'jlog-split') return { path: args.path, external: true };
        if (args.namespace !== 'file' || args.kind === 'entry-point') return undefined;
        const spec = args.path;
        if (spec.startsWith('node:') || builtinModules.includes(spec)) {
          const name = spec.replace(/^node:/, '');
          return core && LAZY_BUILTINS[name] ? { path: name, namespace: 'jlog-lazy-builtin' } : undefined;
        }
        if (spec.startsWith('.')) {
          const abs = resolve(args.resolveDir, spec.replace(/\.js$/, '.ts'));
          if (!abs.startsWith(src)) return undefined; // inside a package
          if (abs === errors && !core) return split('hook.cjs');
          if (args.kind !== 'dynamic-import') return undefined;
          if (!queued.has(abs)) queued.set(abs, lazyName(abs));
          return split(queued.get(abs));
        }
        if (!core) return undefined; // a lazy file bundles its packages (esbuild drops what it does not use)
        vendors.add(spec);
        return split(vendorName(spec));
      });
      // Required when the import runs: esbuild wraps a lazily imported module, so a static import
      // inside it waits for it to be needed.
      b.onLoad({ filter: /.*/, namespace: 'jlog-split' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
      b.onLoad({ filter: /.*/, namespace: 'jlog-lazy-builtin' }, (args) => ({
        contents:
          `let m;\nconst get = () => (m ??= require(${JSON.stringify(`node:${args.path}`)}));\n` +
          LAZY_BUILTINS[args.path]
            .map((f) => `export function ${f}(...a) { return get().${f}(...a); }\n`)
            .join(''),
        loader: 'js',
      }));
    },
  });
  const cjs = { ...common, format: 'cjs', splitting: false, banner: {}, outdir: undefined };
  const one = async (entry, file, core) => {
    const r = await build({
      ...cjs,
      entryPoints: [entry],
      outfile: `${dir}/${file}`,
      plugins: [splitter(entry, core)],
    });
    Object.assign(inputs, r.metafile.inputs);
  };
  await one(resolve('src/cli/hook-main.ts'), 'hook-core.cjs', true);
  // The shims' entry: loads hook-core.cjs with V8's code cache (hook-load.ts).
  const hash = createHash('sha256')
    .update(readFileSync(`${dir}/hook-core.cjs`))
    .digest('hex')
    .slice(0, 16);
  const loader = await build({
    ...cjs,
    entryPoints: ['src/cli/hook-load.ts'],
    outfile: `${dir}/hook.cjs`,
    define: { ...common.define, JLOG_HOOK_CORE: '"hook-core.cjs"', JLOG_HOOK_HASH: JSON.stringify(hash) },
  });
  Object.assign(inputs, loader.metafile.inputs);
  for (;;) {
    const next = [...queued].find(([abs]) => !built.has(abs));
    if (next === undefined) break;
    built.add(next[0]);
    await one(next[0], next[1], false);
  }
  for (const pkg of vendors) {
    const r = await build({
      ...cjs,
      stdin: { contents: `module.exports = require(${JSON.stringify(pkg)});`, resolveDir: '.' },
      outfile: `${dir}/${vendorName(pkg)}`,
    });
    Object.assign(inputs, r.metafile.inputs);
  }
  return inputs;
}

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
