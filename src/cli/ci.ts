import { usageError } from '../errors.js';
import { ciRange } from '../engine/ci-range.js';
import { runPosting } from '../engine/run.js';
import { repoInfo } from '../git/index.js';
import { printRun, runExitCode } from './run-output.js';
import { runUi } from './run-ui.js';

interface CiOptions {
  range?: string;
  dryRun?: boolean;
  offline?: boolean;
  json?: boolean;
}

export async function run(_args: string[], raw: Record<string, unknown>): Promise<number> {
  const opts = raw as CiOptions;
  if (opts.offline && !opts.dryRun)
    throw usageError('--offline only goes with --dry-run', 'run jlog ci --dry-run --offline');
  const cwd = process.cwd();
  const repo = await repoInfo(cwd);
  const range = await ciRange(repo.top, opts.range, process.env, repo.isShallow);
  const ui = runUi('jlog ci', { json: opts.json === true });
  const report = await runPosting({
    cwd,
    scope: { kind: 'ci', range: range.range, window: range.window },
    dryRun: opts.dryRun === true,
    offline: opts.offline === true,
    ...ui,
  }).finally(() => ui.close());
  if (report === null) return 1;
  printRun(report, opts.json === true);
  return runExitCode(report);
}
