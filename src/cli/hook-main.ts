// The hook path's CommonJS build (dist/hook/hook-core.cjs, scripts/build.mjs), which the shims run
// through dist/hook/hook.cjs (hook-load.ts: with V8's code cache): what `jlog hook <hook>` does,
// without the CLI's entry. A CommonJS script skips Node's ES-module loader, and a token commit is
// about one Node start (issue 13). Only stderr is used: hooks print nothing else, and making stdout
// costs a stream nobody reads.
import { join } from 'node:path';
import { setWorkerCli } from '../engine/background.js';
import { runHook } from './hook.js';
import { guard } from './watchdog.js';

// The lazy files of this build require errors.ts from here (scripts/build.mjs): one JlogError class for
// all of them, without a file of its own to resolve and read on every commit.
export * from '../errors.js';

// A reader that went away (git's stderr closed) is not worth a crash, least of all in commit-msg,
// whose exit status decides the commit.
process.stderr.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

// The background worker is the CLI's `jlog flush`: dist/jlog.js, one folder up from this build.
setWorkerCli(join(__dirname, '..', 'jlog.js'));

const [name = '', ...args] = process.argv.slice(2);
// runHook catches everything and decides the exit code itself: a hook never fails git by crashing.
void guard(runHook(name, args), { hook: true }).then((code) => {
  process.exitCode = code;
});
