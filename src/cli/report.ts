// `jlog report`: time logged, from the ledger (posted worklogs only), by issue or by day.
import { formatDuration } from '../core/duration.js';
import { reportCsv, type DateBound, type ReportBy } from '../core/report.js';
import { runReport } from '../engine/report.js';
import { usageError } from '../errors.js';
import { color, out, printJson, table } from './output.js';

interface ReportFlags {
  since?: string;
  until?: string;
  by?: string;
  json?: boolean;
  csv?: boolean;
}

function describe(b: DateBound): string {
  return 'day' in b ? b.day : new Date(b.ms).toISOString();
}

function period(since: DateBound | undefined, until: DateBound | undefined): string {
  return `from ${since ? describe(since) : 'the start'} to ${until ? describe(until) : 'now'}`;
}

export async function run(_args: string[], raw: Record<string, unknown>): Promise<number> {
  const flags = raw as ReportFlags;
  const by = (flags.by ?? 'issue') as ReportBy;
  if (by !== 'issue' && by !== 'day') throw usageError(`--by ${String(by)}: use issue or day`);
  if (flags.json && flags.csv) throw usageError('--json and --csv do not go together', 'pick one');
  const { report, units, since, until } = await runReport({
    cwd: process.cwd(),
    by,
    since: flags.since,
    until: flags.until,
  });

  if (flags.json) {
    printJson({
      total: report.total,
      groups: report.groups,
      comments: report.comments ?? 0,
      transitions: report.transitions ?? 0,
      by,
      ...(since ? { since: describe(since) } : {}),
      ...(until ? { until: describe(until) } : {}),
    });
    return 0;
  }
  if (flags.csv) {
    for (const line of reportCsv(report)) out(line);
    return 0;
  }
  if (report.groups.length === 0) {
    const window = since || until ? ` ${period(since, until)}` : '';
    out(
      `Nothing logged${window} as far as this clone's ledger knows (it records what jlog posted from here).`,
    );
    return 0;
  }
  const dur = (s: number): string => formatDuration(s, units);
  const rows = [
    [by === 'day' ? 'day' : 'issue', 'time', 'worklogs'],
    ...report.groups.map((g) => [g.key, dur(g.seconds), String(g.worklogs)]),
    ['total', dur(report.total), String(report.worklogs)],
  ];
  const lines = table(rows);
  out(color.dim(lines[0] ?? ''));
  for (const line of lines.slice(1, -1)) out(line);
  out(color.bold(lines[lines.length - 1] ?? ''));
  if (since || until) out(color.dim(`(${period(since, until)})`));
  if (report.comments !== undefined || report.transitions !== undefined)
    out(`also posted: ${report.comments ?? 0} comment(s), ${report.transitions ?? 0} transition(s)`);
  return 0;
}
