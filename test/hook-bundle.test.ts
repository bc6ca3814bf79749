// The hooks' own build (scripts/build.mjs): a token commit loads the hook path as one chunk, not the
// commands' many small shared chunks (issue 13), and nothing from the commands' build but the entry.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCommand } from './helpers/cli.js';
import { makeRepo, makeTempDir, type TempRepo } from './helpers/repo.js';

const repos: TempRepo[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The files a module loads before it runs: its static imports, transitively (relative ones). */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(
    /^(?:import|export)\b[^;'"]*?from\s*["'](\.[^"']+)["']|^import\s*["'](\.[^"']+)["']/gm,
  )) {
    staticClosure(join(dirname(file), (m[1] ?? m[2])!), seen);
  }
  return seen;
}

describe('the hook bundle', () => {
  it('loads the hook path as one chunk, and records a token with every commands chunk removed', async () => {
    const bundle = makeTempDir('jlog-bundle-');
    dirs.push(bundle);
    execFileSync(process.execPath, ['scripts/build.mjs', bundle], { stdio: 'ignore' });
    const hook = join(bundle, 'hook.js');
    // hook.js, the hook path's code and esbuild's small runtime helpers, which its lazy chunks share.
    const eager = [...staticClosure(hook)].filter((f) => f !== hook);
    expect(eager.length).toBeLessThanOrEqual(2);
    expect(Math.max(...eager.map((f) => readFileSync(f).length))).toBeGreaterThan(50_000);

    // Everything the entry (jlog.js) does not load before it hands over to hook.js, and that is not
    // the hooks' build, goes: post-commit must not need any of it.
    const keep = new Set(staticClosure(join(bundle, 'jlog.js')));
    const chunks = join(bundle, 'chunks');
    let removed = 0;
    for (const f of readdirSync(chunks)) {
      if (f.startsWith('hook-') || keep.has(join(chunks, f))) continue;
      rmSync(join(chunks, f));
      removed++;
    }
    expect(removed).toBeGreaterThan(10);

    const r = makeRepo();
    repos.push(r);
    writeFileSync(join(r.dir, '.jlogrc.json'), '{ "postOn": "push" }\n');
    r.commit('PROJ-7 #time 1h fixed login');
    const bin = join(bundle, 'jlog.js');
    const run = await runCommand(process.execPath, [bin, 'hook', 'post-commit'], {
      cwd: r.dir,
      env: r.env,
      timeoutMs: 60_000,
    });
    expect(run.stderr).toContain('PROJ-7 1h pending');
    expect(run.code).toBe(0);
    const ledger = readFileSync(join(r.dir, '.git', 'jlog', 'ledger.jsonl'), 'utf8');
    expect(ledger).toContain('"state":"pending"');
    // The commands really are gone from this bundle.
    const doctor = await runCommand(process.execPath, [bin, 'doctor'], { cwd: r.dir, env: r.env });
    expect(doctor.code).not.toBe(0);
  });
});

describe("the shims' build (dist/hook/hook.cjs)", () => {
  it('post-commit loads one CommonJS file, no ES module and no child_process, and needs nothing else of dist/', async () => {
    const bundle = makeTempDir('jlog-bundle-');
    dirs.push(bundle);
    execFileSync(process.execPath, ['scripts/build.mjs', bundle], { stdio: 'ignore' });
    // Only the hooks' own build is left: the CLI's entry, its chunks and the ES-module hook build go.
    for (const f of readdirSync(bundle)) if (f !== 'hook') rmSync(join(bundle, f), { recursive: true });

    const r = makeRepo();
    repos.push(r);
    writeFileSync(join(r.dir, '.jlogrc.json'), '{ "postOn": "push" }\n');
    const hook = join(bundle, 'hook', 'hook.cjs');
    // The first run validates the config (the lazy validator) and remembers it; the second is a commit's usual path.
    r.commit('PROJ-7 #time 30m first');
    const first = await runCommand(process.execPath, [hook, 'post-commit'], { cwd: r.dir, env: r.env });
    expect(first.stderr).toContain('PROJ-7 30m pending');
    r.commit('PROJ-7 #time 1h fixed login');
    // What the process loaded, written as it exits.
    const seen = join(bundle, 'loaded.json');
    const probe = join(bundle, 'probe.cjs');
    writeFileSync(
      probe,
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(seen)}, ` +
        `JSON.stringify({ builtins: process.moduleLoadList, files: Object.keys(require.cache) })));\n`,
    );
    const run = await runCommand(process.execPath, ['-r', probe, hook, 'post-commit'], {
      cwd: r.dir,
      env: r.env,
      timeoutMs: 60_000,
    });
    expect(run.stderr).toContain('PROJ-7 1h pending');
    expect(run.code).toBe(0);
    expect(readFileSync(join(r.dir, '.git', 'jlog', 'ledger.jsonl'), 'utf8')).toContain('"state":"pending"');
    const loaded = JSON.parse(readFileSync(seen, 'utf8')) as { builtins: string[]; files: string[] };
    expect(loaded.files.filter((f) => f !== probe)).toEqual([hook]);
    expect(loaded.builtins).not.toContain('NativeModule internal/modules/esm/loader');
    expect(loaded.builtins).not.toContain('NativeModule child_process');

    // A JlogError thrown in a lazy file (the config's validator) is still one to the hook: its message,
    // not "internal error".
    writeFileSync(join(r.dir, '.jlogrc.json'), '{ "postOn": "sometimes" }\n');
    r.commit('PROJ-7 #time 2h more');
    const bad = await runCommand(process.execPath, [hook, 'post-commit'], {
      cwd: r.dir,
      env: r.env,
      timeoutMs: 60_000,
    });
    expect(bad.code).toBe(0);
    expect(bad.stderr).toMatch(/^jlog: post-commit hook: .*\.jlogrc\.json.*postOn/m);
    expect(bad.stderr).not.toContain('internal error');
  });
});

describe("the shims' build: V8's code cache", () => {
  it('is made by the first run beside the build, used by the next, and a bad one is only recompiled', async () => {
    const bundle = makeTempDir('jlog-bundle-');
    dirs.push(bundle);
    execFileSync(process.execPath, ['scripts/build.mjs', bundle], { stdio: 'ignore' });
    const dir = join(bundle, 'hook');
    const hook = join(dir, 'hook.cjs');
    const caches = () => readdirSync(dir).filter((f) => f.endsWith('.v8'));
    expect(caches()).toEqual([]);
    const r = makeRepo();
    repos.push(r);
    writeFileSync(join(r.dir, '.jlogrc.json'), '{ "postOn": "push" }\n');
    const commitAndHook = async (message: string) => {
      r.commit(message);
      return runCommand(process.execPath, [hook, 'post-commit'], { cwd: r.dir, env: r.env });
    };
    expect((await commitAndHook('PROJ-7 #time 1h one')).stderr).toContain('PROJ-7 1h pending');
    // Named for the build's content and this Node: no other build or Node ever reads it.
    const [cache] = caches();
    expect(cache).toMatch(
      new RegExp(`^hook-core\\.cjs\\.[0-9a-f]{16}\\.${process.version}-${process.arch}\\.v8$`),
    );
    const made = readFileSync(join(dir, cache!));
    expect(made.length).toBeGreaterThan(1000);
    expect((await commitAndHook('PROJ-7 #time 2h two')).stderr).toContain('PROJ-7 2h pending');
    expect(readFileSync(join(dir, cache!)).equals(made)).toBe(true); // used, not made again
    // Garbage in its place: V8 rejects it, the hook runs as before, and a good cache replaces it.
    writeFileSync(join(dir, cache!), Buffer.alloc(made.length, 7));
    const third = await commitAndHook('PROJ-7 #time 3h three');
    expect(third.code).toBe(0);
    expect(third.stderr).toContain('PROJ-7 3h pending');
    expect(readFileSync(join(dir, cache!)).equals(Buffer.alloc(made.length, 7))).toBe(false);
    expect(caches()).toEqual([cache]);
    const ledger = readFileSync(join(r.dir, '.git', 'jlog', 'ledger.jsonl'), 'utf8');
    expect(ledger.match(/"state":"pending"/g)).toHaveLength(3);
  });
});
