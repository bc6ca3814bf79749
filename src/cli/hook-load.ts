// dist/hook/hook.cjs, what the shims run: loads the hooks' CommonJS build (hook-core.cjs, from
// hook-main.ts) with V8's code cache, so a commit does not compile the hook path again each time
// (issue 13: compiling it was ~4 ms of a token commit; Node 20 has no module.enableCompileCache).
// The cache sits beside the build, named for the build's hash and this Node, so a cache is only ever
// read by the code it was made from; V8 checks the rest (its version and flags) and rejects what does
// not fit. Everything about the cache is best effort: a read-only install, a full disk or a rejected
// cache only means compiling, as before. Kept tiny, and with nothing that can throw outside a `try`
// but loading the build itself.
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import type ModuleClass from 'node:module';
import { join } from 'node:path';
import { Script } from 'node:vm';

declare const JLOG_HOOK_CORE: string; // the build's file name, set by scripts/build.mjs
declare const JLOG_HOOK_HASH: string; // a hash of its content

// This module's own class: require('node:module') would load Node's ES-module loader with it.
const Module = module.constructor as typeof ModuleClass;
const file = join(__dirname, JLOG_HOOK_CORE);
const cacheFile = join(
  __dirname,
  `${JLOG_HOOK_CORE}.${JLOG_HOOK_HASH}.${process.version}-${process.arch}.v8`,
);
let cached: Buffer | undefined;
try {
  cached = readFileSync(cacheFile);
} catch {
  // none yet (or unreadable): compile
}
const script = new Script(Module.wrap(readFileSync(file, 'utf8')), {
  filename: file,
  ...(cached ? { cachedData: cached } : {}),
});
if (cached === undefined || script.cachedDataRejected === true) {
  // Made at exit: by then V8 has compiled the functions the hook ran, and the cache holds them too.
  process.once('exit', () => {
    const tmp = `${cacheFile}.${process.pid}`;
    try {
      writeFileSync(tmp, script.createCachedData(), { mode: 0o644, flag: 'wx' });
      renameSync(tmp, cacheFile);
    } catch {
      try {
        unlinkSync(tmp);
      } catch {
        // nothing was written
      }
    }
  });
}
// The build's module object is this file's: its exports (errors.ts, for its lazy files, which require
// ./hook.cjs) are this module's, set before any of them loads.
const run = script.runInThisContext() as (
  exports: unknown,
  require: NodeJS.Require,
  module: NodeJS.Module,
  filename: string,
  dirname: string,
) => void;
run.call(module.exports, module.exports, Module.createRequire(file), module, file, __dirname);
