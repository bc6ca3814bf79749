// `jlog report`: what the ledger says was posted, grouped. Reads no Jira; the config only supplies the
// working day and week for showing `d` and `w`, so a broken config does not stop a report.
import { DEFAULT_UNITS, type DurationUnits } from '../core/duration.js';
import {
  buildReport,
  DATE_HINT,
  localDay,
  parseDateBound,
  type DateBound,
  type Report,
  type ReportBy,
} from '../core/report.js';
import { isJlogError, usageError } from '../errors.js';
import { repoInfo } from '../git/index.js';
import { Ledger, ledgerDirFor } from '../ledger/ledger.js';
import { openRepo } from './context.js';
import { siteTimeTracking } from './site.js';

export interface ReportOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  by: ReportBy;
  since?: string | undefined;
  until?: string | undefined;
  /** For relative dates (`yesterday`, `30 days ago`); default: now. */
  now?: Date;
}

export interface ReportResult {
  report: Report;
  units: DurationUnits;
  since?: DateBound;
  until?: DateBound;
}

// The day logic is pure and lives in core/report.ts; the engine's callers keep importing it from here.
export { localDay };

function bound(flag: string, text: string | undefined, today: string): DateBound | undefined {
  if (text === undefined) return undefined;
  const b = parseDateBound(text, today);
  if (b === null) throw usageError(`${flag} "${text.slice(0, 80)}" is not a date`, DATE_HINT);
  return b;
}

export async function runReport(opts: ReportOptions): Promise<ReportResult> {
  const today = localDay(opts.now ?? new Date());
  const since = bound('--since', opts.since, today);
  const until = bound('--until', opts.until, today);
  let ledger: Ledger;
  let units: DurationUnits = DEFAULT_UNITS;
  try {
    const ctx = await openRepo(opts.cwd, opts.env);
    ledger = ctx.ledger;
    const tt = await siteTimeTracking(ctx.config, ledger, null);
    units = { hoursPerDay: tt.hoursPerDay, daysPerWeek: tt.daysPerWeek };
  } catch (err) {
    if (!isJlogError(err, 'E_CONFIG')) throw err;
    ledger = Ledger.open(ledgerDirFor((await repoInfo(opts.cwd)).commonDir));
  }
  const view = await ledger.read();
  const report = buildReport(view.all(), { by: opts.by, since, until });
  return { report, units, ...(since ? { since } : {}), ...(until ? { until } : {}) };
}
