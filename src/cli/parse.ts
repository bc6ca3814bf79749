// `jlog parse [<message>|-] [--json] [--branch <name>]`: what a message would log, offline
// (docs/commands.md).
import { loadConfig } from '../config/load.js';
import { DEFAULT_UNITS, formatDuration, parseMaxDuration, type DurationUnits } from '../core/duration.js';
import { parseMessage } from '../core/grammar.js';
import type { ParseResult } from '../core/types.js';
import { usageError } from '../errors.js';
import { siteTimeTracking } from '../engine/site.js';
import { repoInfo } from '../git/index.js';
import { Ledger, ledgerDirFor } from '../ledger/ledger.js';
import { color, escapeTerminal, out, printJson, table } from './output.js';

export async function run(args: string[], opts: Record<string, unknown>): Promise<number> {
  const message = await readMessage(args[0]);
  const cwd = process.cwd();
  const { config } = await loadConfig(cwd);
  const repo = await repoInfo(cwd).catch(() => null);
  // Offline: the config's working day, else the Jira site's as the last run cached it, else 8 and 5.
  const units: DurationUnits =
    repo === null
      ? {
          hoursPerDay: config.timeTracking?.hoursPerDay ?? DEFAULT_UNITS.hoursPerDay,
          daysPerWeek: config.timeTracking?.daysPerWeek ?? DEFAULT_UNITS.daysPerWeek,
        }
      : await siteTimeTracking(config, Ledger.open(ledgerDirFor(repo.commonDir)), null);
  const branch = typeof opts.branch === 'string' ? opts.branch : (repo?.branch ?? null);
  const result = parseMessage(message, {
    projects: config.projects,
    hoursPerDay: units.hoursPerDay,
    daysPerWeek: units.daysPerWeek,
    maxSeconds: parseMaxDuration(config.maxDuration, units),
    branch: branch ?? undefined,
  });
  if (opts.json === true) printJson(toJson(result));
  else printHuman(result, units);
  return result.diagnostics.length > 0 ? 1 : 0;
}

/** The argument; stdin for `-`, or when no argument is given and stdin is piped. */
async function readMessage(arg: string | undefined): Promise<string> {
  if (arg !== undefined && arg !== '-') return arg;
  if (arg === undefined && process.stdin.isTTY === true) {
    throw usageError(
      'no message to parse',
      'give it as an argument (jlog parse "PROJ-7 #time 1h"), or pipe it in',
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** docs/commands.md's shape, fields in its order. */
function toJson(r: ParseResult) {
  return {
    worklogs: r.worklogs.map((w) => ({
      issue: w.issue,
      seconds: w.seconds,
      comment: w.comment,
      line: w.line,
    })),
    comments: r.comments.map((c) => ({ issue: c.issue, text: c.text, line: c.line })),
    transitions: r.transitions.map((t) => ({ issue: t.issue, name: t.name, args: t.args, line: t.line })),
    diagnostics: r.diagnostics.map((d) => ({
      line: d.line,
      message: d.message,
      ...(d.issue === undefined ? {} : { issue: d.issue }),
    })),
  };
}

function printHuman(r: ParseResult, units: DurationUnits): void {
  if (r.worklogs.length > 0) {
    const rows = [['issue', 'duration', 'seconds', 'comment']];
    for (const w of r.worklogs)
      rows.push([w.issue, formatDuration(w.seconds, units), String(w.seconds), escapeTerminal(w.comment)]);
    const [head, ...body] = table(rows);
    out(color.bold(head ?? ''));
    for (const line of body) out(line);
  } else {
    out('no worklogs');
  }
  const extra = [
    ...r.comments.map((c) => ['comment', c.issue, escapeTerminal(c.text)]),
    ...r.transitions.map((t) => [
      'transition',
      t.issue,
      escapeTerminal(`#${t.name}${t.args === '' ? '' : ` ${t.args}`}`),
    ]),
  ];
  if (extra.length > 0) {
    out();
    for (const line of table(extra)) out(line);
  }
  if (r.diagnostics.length > 0) {
    out();
    for (const d of r.diagnostics) out(color.yellow(`line ${d.line}: ${escapeTerminal(d.message)}`));
  }
}
