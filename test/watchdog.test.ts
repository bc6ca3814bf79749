// The watchdog (src/cli/watchdog.ts) as the built CLI uses it: a process whose work can never
// settle (nothing left on the event loop) fails loudly instead of exiting 0 with nothing said.
import { buildSync } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from './helpers/cli.js';
import { makeTempDir } from './helpers/repo.js';

const WATCHDOG = join(import.meta.dirname, '..', 'src', 'cli', 'watchdog.ts');

/** A tiny program that guards `body` the way main.ts guards a command, bundled with esbuild. */
function program(body: string, hook: boolean): string {
  const dir = makeTempDir('jlog-watchdog-');
  const entry = join(dir, 'entry.ts');
  writeFileSync(
    entry,
    `import { guard } from ${JSON.stringify(WATCHDOG)};\n` +
      `process.exitCode = await guard((async () => { ${body} })(), { hook: ${hook} });\n`,
  );
  const out = join(dir, 'entry.mjs');
  buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: out,
    logLevel: 'silent',
  });
  return out;
}

describe('the watchdog', () => {
  it('a run whose work never settles exits 1 and says so (not 0, not silently)', async () => {
    // A promise nothing will settle: what a stalled connection pool leaves behind.
    const r = await runCommand(process.execPath, [program('await new Promise(() => {}); return 0;', false)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('jlog: the run stopped before it finished');
    expect(r.stderr).toContain('stay pending');
  });

  it('a hook says so too, and exits 0: git is never failed by it', async () => {
    const r = await runCommand(process.execPath, [program('await new Promise(() => {}); return 0;', true)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('jlog: the run stopped before it finished');
  });

  it('a run that finishes, even after waiting on timers, is left alone', async () => {
    const r = await runCommand(process.execPath, [
      program('await new Promise((r) => setTimeout(r, 50)); return 3;', false),
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('');
  });
});
