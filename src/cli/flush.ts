import { noteBlockedAt } from '../engine/notice.js';
import { runInBackground, runPosting } from '../engine/run.js';
import { runUi } from './run-ui.js';
import { printRun, runExitCode, summary } from './run-output.js';
import { escapeTerminal, out } from './output.js';

interface FlushOptions {
  json?: boolean;
  background?: boolean;
  shas?: string;
}

export async function run(_args: string[], raw: Record<string, unknown>): Promise<number> {
  const opts = raw as FlushOptions;
  const shas = opts.shas === undefined ? undefined : opts.shas.split(',').filter((s) => s !== '');
  const ui = runUi('jlog flush', { json: opts.json === true, quiet: opts.background === true });
  const report = await (opts.background ? runInBackground : runPosting)({
    cwd: process.cwd(),
    scope: { kind: 'flush', shas },
    ...ui,
  })
    .catch(async (err: unknown) => {
      // Nobody reads the worker's log: what stops posting altogether is said by the next hook
      // (docs/commands.md).
      if (opts.background) await noteBlockedAt(process.cwd(), err).catch(() => {});
      throw err;
    })
    .finally(() => ui.close());
  if (report === null) return 0;
  if (opts.background) {
    // The worker's output goes to <ledger dir>/flush.log; the next hook tells the user about failures.
    out(`${new Date().toISOString()} [${process.pid}] ${summary(report)}`);
    for (const o of [...report.failed, ...report.pending])
      out(`  ${o.worklog.id} ${o.worklog.issue}: ${escapeTerminal(o.error ?? '')}`);
    return runExitCode(report);
  }
  printRun(report, opts.json === true);
  return runExitCode(report);
}
