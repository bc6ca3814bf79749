// The detached worker: hooks hand posting to `jlog flush --background`, which outlives the hook, logs
// to the ledger dir and waits its turn on the post lock, so git never waits for Jira.
import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { ensurePrivateDirSync, openAppendSync } from '../ledger/nofollow.js';
import type { RepoContext } from './context.js';

/** The CLI the worker runs; null: this process's own script (jlog.js). */
let workerCli: string | null = null;

/** The hooks' own build (dist/hook/, whose script is not the CLI) names the CLI beside it. */
export function setWorkerCli(path: string): void {
  workerCli = path;
}

/**
 * `shas`: commits to record and post first. With `onlyPushed` (pre-push), the worker posts those and
 * older pending tokens whose commit is on a remote, never local-only commits, even when `shas` is empty.
 */
export function spawnBackgroundFlush(
  ctx: RepoContext,
  shas: readonly string[],
  opts: { onlyPushed?: boolean } = {},
): void {
  const entry = workerCli ?? process.argv[1];
  if (entry === undefined) return;
  ensurePrivateDirSync(ctx.ledger.dir);
  // Never through a symlink; a log that cannot be opened safely costs the log, not the posting.
  let log: number | 'ignore' = 'ignore';
  try {
    log = openAppendSync(ctx.ledger.folder.logPath('flush.log'));
  } catch {
    // posted without a log
  }
  try {
    const args = [entry, 'flush', '--background'];
    if (shas.length > 0 || opts.onlyPushed) args.push(`--shas=${shas.join(',')}`);
    const child = spawn(process.execPath, args, {
      cwd: ctx.repo.top,
      env: ctx.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    child.unref();
  } finally {
    if (log !== 'ignore') closeSync(log);
  }
}
