// Tests that run the CLI use the built bundle, as a user would: build it once per test run.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  if (process.env.JLOG_SKIP_BUILD === '1') return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
