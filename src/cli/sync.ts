import { usageError } from '../errors.js';
import { runPosting } from '../engine/run.js';
import { repoInfo } from '../git/index.js';
import { runUi } from './run-ui.js';
import { printRun, runExitCode } from './run-output.js';

interface SyncOptions {
  since?: string;
  until?: string;
  author?: string;
  allAuthors?: boolean;
  retryFailed?: boolean;
  dryRun?: boolean;
  offline?: boolean;
  json?: boolean;
  applyRewrites?: boolean;
}

export async function run(args: string[], raw: Record<string, unknown>): Promise<number> {
  const opts = raw as SyncOptions;
  if (opts.offline && !opts.dryRun)
    throw usageError('--offline only goes with --dry-run', 'run jlog sync --dry-run --offline');
  const cwd = process.cwd();
  let authors: string[] | null = null;
  if (!opts.allAuthors) {
    const email = opts.author ?? (await repoInfo(cwd)).userEmail;
    if (!email)
      throw usageError(
        'no author to sync for: git user.email is not set',
        'set it (git config user.email you@example.com), or pass --author <email> or --all-authors',
      );
    authors = [email];
  }
  const ui = runUi('jlog sync', { json: opts.json === true });
  const report = await runPosting({
    cwd,
    scope: { kind: 'sync', range: args[0], since: opts.since, until: opts.until, authors },
    dryRun: opts.dryRun === true,
    offline: opts.offline === true,
    retryFailed: opts.retryFailed === true,
    applyRewrites: opts.applyRewrites === true,
    ...ui,
  }).finally(() => ui.close());
  if (report === null) return 1;
  printRun(report, opts.json === true);
  return runExitCode(report);
}
