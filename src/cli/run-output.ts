// How sync, ci and flush report a run: the docs/commands.md JSON shape, or a short human summary.
import type { PlannedWorklog } from '../core/types.js';
import { formatDuration } from '../core/duration.js';
import type { Outcome } from '../engine/apply.js';
import type { RunReport } from '../engine/run.js';
import { HINTS, type ErrorCode } from '../errors.js';
import { commandJson, printCommands } from './command-output.js';
import {
  clause,
  errColor,
  escapeTerminal,
  out,
  outLines,
  printJson,
  shortId,
  table,
  warn,
} from './output.js';

interface JsonEntry {
  id: string;
  sha: string;
  issue: string;
  seconds: number;
  started: string;
  comment: string;
  worklogId?: string;
  error?: string;
  code?: string;
}

function entry(w: PlannedWorklog, extra: Partial<JsonEntry> = {}): JsonEntry {
  const e: JsonEntry = {
    id: w.id,
    sha: w.sha,
    issue: w.issue,
    seconds: w.seconds,
    started: w.started,
    comment: w.postComment,
  };
  for (const [k, v] of Object.entries(extra))
    if (v !== undefined) (e as unknown as Record<string, unknown>)[k] = v;
  return e;
}

const fromOutcome = (o: Outcome): JsonEntry =>
  entry(o.worklog, { worklogId: o.worklogId, error: o.error, code: o.code });

export function reportJson(r: RunReport): Record<string, unknown> {
  // Comments and transitions (issue 12) join the same lists, after the worklogs, with their `kind`.
  const c = commandJson(r.commands, r.dryRun);
  const done = r.dryRun ? 'planned' : 'posted';
  return {
    [done]: [...(r.dryRun ? r.planned : r.posted).map(fromOutcome), ...(c[done] ?? [])],
    updated: [...r.updated.map(fromOutcome), ...(c.updated ?? [])],
    deleted: [...r.deleted.map(fromOutcome), ...(c.deleted ?? [])],
    alreadyLogged: [...r.alreadyLogged.map(fromOutcome), ...(c.alreadyLogged ?? [])],
    failed: [...r.failed.map(fromOutcome), ...(c.failed ?? [])],
    pending: [...r.pending.map(fromOutcome), ...(c.pending ?? [])],
    skipped: [
      ...r.skipped.map((s) => entry(s.worklog, { error: s.reason, code: s.code })),
      ...(c.skipped ?? []),
    ],
    diagnostics: r.diagnostics,
    ...(r.offlineReason ? { offline: r.offlineReason } : {}),
    ...(r.rewrites.length > 0 ? { rewrites: r.rewrites.map(fromOutcome) } : {}),
    ...(r.notices.length > 0 ? { notices: r.notices } : {}),
  };
}

/** Exit code of a run (docs/commands.md): 1 when a token in scope failed or is still pending. */
export function runExitCode(r: RunReport): number {
  if (r.dryRun) return 0;
  const c = r.commands;
  return r.failed.length + r.pending.length + c.failed.length + c.pending.length > 0 ? 1 : 0;
}

const units = { hoursPerDay: 8, daysPerWeek: 5 };
// A plan of thousands of tokens has a few dozen distinct durations: each is formatted once.
const durations = new Map<number, string>();
const dur = (s: number): string => {
  let text = durations.get(s);
  if (text === undefined) {
    text = formatDuration(s, units);
    if (durations.size < 10_000) durations.set(s, text);
  }
  return text;
};

export function printRun(r: RunReport, json: boolean): void {
  if (json) return printJson(reportJson(r));
  if (r.offlineReason) warn(`jlog: ${r.offlineReason}`);
  for (const n of r.notices) warn(`jlog: ${n}`);
  for (const d of r.diagnostics)
    warn(`${errColor.yellow('warning')} ${d.sha.slice(0, 10)} line ${d.line}: ${escapeTerminal(d.message)}`);
  if (r.dryRun) {
    if (r.planned.length > 0) {
      out('would log:');
      outLines(table(r.planned.map((o) => worklogRow(o.worklog))).map((line) => `  ${line}`));
    }
  }
  printGrouped(errColor.red('failed'), r.failed);
  printGrouped(errColor.yellow('pending'), r.pending, true);
  printCommands(r.commands, r.dryRun);
  const failed = r.failed.length + r.commands.failed.length;
  // A dry run records nothing: status would show none of these until a real run has failed them.
  if (failed > 0 && r.dryRun)
    warn(`jlog: dry run, nothing recorded; jlog sync records ${failed === 1 ? 'it' : 'them'} as failed`);
  else if (failed > 0) warn('jlog: run jlog status for the way out of each failed token');
  out(summary(r));
}

/**
 * Failed and pending tokens, grouped by reason: Jira down is said once with the tokens it holds back,
 * not once per token. A reason that names one token stays on that token's line.
 */
function printGrouped(label: string, outcomes: readonly Outcome[], withHint = false): void {
  const byReason = new Map<string, Outcome[]>();
  for (const o of outcomes) {
    const hint = withHint && o.code !== undefined ? HINTS[o.code as ErrorCode] : undefined;
    const text = escapeTerminal(clause(withoutIssue(o.error ?? '', o.worklog.issue)));
    const reason = hint === undefined ? text : `${text}; ${hint}`;
    byReason.set(reason, [...(byReason.get(reason) ?? []), o]);
  }
  for (const [reason, list] of byReason) {
    const tokens = list.map((o) => `${o.worklog.issue} ${dur(o.worklog.seconds)} ${shortId(o.worklog.id)}`);
    if (list.length === 1) {
      warn(`${label} ${tokens[0]}: ${reason}`);
      continue;
    }
    warn(`${label} ${list.length} worklogs: ${reason}`);
    for (const line of table(
      list.map((o) => [o.worklog.issue, dur(o.worklog.seconds), shortId(o.worklog.id)]),
    ))
      warn(`  ${line}`);
  }
}

/**
 * The reason without the clause that names the token's issue (`reading the worklogs of PROJ-1: the
 * connection failed`), so that one outage reads the same for every issue it holds back.
 */
export function withoutIssue(reason: string, issue: string): string {
  const colon = reason.indexOf(': ');
  if (colon === -1) return reason;
  // The clause may sit inside a parenthesis (`outcome unknown (adding a worklog to PROJ-1: ...)`):
  // only the clause goes, never the parenthesis that opens before it.
  const from = reason.lastIndexOf('(', colon) + 1;
  return reason.slice(from, colon).includes(issue) ? reason.slice(0, from) + reason.slice(colon + 2) : reason;
}

function worklogRow(w: PlannedWorklog): string[] {
  return [w.issue, dur(w.seconds), w.started, w.sha.slice(0, 10), escapeTerminal(w.postComment)];
}

export function summary(r: RunReport): string {
  const done = r.dryRun ? r.planned : r.posted;
  const seconds = done.reduce((s, o) => s + o.worklog.seconds, 0);
  const issues = new Set(done.map((o) => o.worklog.issue)).size;
  const parts = [
    done.length === 0
      ? 'nothing new to log'
      : `${r.dryRun ? 'would log' : 'logged'} ${done.length} worklog${done.length === 1 ? '' : 's'} ` +
        `(${dur(seconds)}) on ${issues} issue${issues === 1 ? '' : 's'}`,
  ];
  if (r.updated.length > 0) parts.push(`${r.updated.length} updated`);
  if (r.deleted.length > 0) parts.push(`${r.deleted.length} deleted`);
  if (r.alreadyLogged.length > 0) parts.push(`${r.alreadyLogged.length} already logged`);
  if (r.skipped.length > 0) parts.push(`${r.skipped.length} skipped`);
  if (r.pending.length > 0) parts.push(`${r.pending.length} still pending`);
  if (r.failed.length > 0) {
    const first = r.failed[0]!;
    parts.push(`${r.failed.length} failed: ${first.worklog.issue} ${shortReason(first.error)}`);
  }
  return parts.join(', ');
}

function shortReason(error: string | undefined): string {
  if (!error) return '';
  if (/does not exist|not found/i.test(error)) return 'not found';
  return error.length > 80 ? `${error.slice(0, 77)}...` : error;
}
