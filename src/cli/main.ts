// The one entry point. Hooks take a fast path that skips commander and loads only the hook code; so do
// the plain shapes of `sync` and `status` (fast-path.ts); every other command is wired by program.ts
// and loads its own module when it runs.
import { fastCommand, runFast } from './fast-path.js';
import { guard } from './watchdog.js';

// `jlog status | head`: a reader that went away is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const argv = process.argv.slice(2);
const fast = fastCommand(argv);
if (argv[0] === 'hook' && argv[1] !== undefined && !argv.includes('--help') && !argv.includes('-h')) {
  const { runHook } = await import('./hook.js');
  // A hook never fails git by crashing: runHook catches everything and decides the exit code itself.
  process.exitCode = await guard(runHook(argv[1], argv.slice(2)), { hook: true });
} else if (fast !== null) {
  await guard(runFast(fast), { hook: false });
} else {
  const { runCli } = await import('./run.js');
  await guard(runCli(argv), { hook: false });
}
