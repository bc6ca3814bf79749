// Tests that run the CLI use the built bundle, as a user would: build it once per test run. Every
// temporary file of the run (tests, the git and jlog processes they start) goes under one directory
// of its own, removed at the end, so a run leaves nothing in the machine's temp dir.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'jlog-tests-'));
  // os.tmpdir() reads TMPDIR on every call; the workers and their children inherit it.
  process.env.TMPDIR = dir;
  if (process.env.JLOG_SKIP_BUILD !== '1') {
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  }
  return () => rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
