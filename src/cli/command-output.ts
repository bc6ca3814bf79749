// How a run reports its `#comment` and transition tokens (issue 12): entries in the same JSON lists as
// worklogs (docs/commands.md), told apart by `kind`, and one line each for a person.
import { formatStarted } from '../core/jira-format.js';
import type { CommandOutcome, CommandResult } from '../engine/commands.js';
import { errColor, out, warn } from './output.js';

export interface CommandJsonEntry {
  id: string;
  sha: string;
  issue: string;
  kind: 'comment' | 'transition';
  /** Always 0: a comment or a transition logs no time. */
  seconds: 0;
  /** The commit's author date in Jira's format (nothing is sent as `started`). */
  started: string;
  /** The comment's text, or the transition command as written (`#resolve`). */
  comment: string;
  commentId?: string;
  transition?: string;
  error?: string;
  code?: string;
}

function started(authorDate: string): string {
  try {
    return formatStarted(authorDate);
  } catch {
    return authorDate;
  }
}

export function commandEntry(o: CommandOutcome): CommandJsonEntry {
  const c = o.command;
  const e: CommandJsonEntry = {
    id: c.id,
    sha: c.sha,
    issue: c.issue,
    kind: c.kind,
    seconds: 0,
    started: started(c.authorDate),
    comment: c.kind === 'comment' ? c.text : `#${c.name}`,
  };
  if (o.commentId !== undefined) e.commentId = o.commentId;
  if (o.transition !== undefined) e.transition = o.transition;
  const error = o.error ?? o.reason;
  if (error !== undefined) e.error = error;
  if (o.code !== undefined) e.code = o.code;
  return e;
}

/** The command lists keyed as the run's JSON keys them. */
export function commandJson(r: CommandResult, dryRun: boolean): Record<string, CommandJsonEntry[]> {
  return {
    [dryRun ? 'planned' : 'posted']: (dryRun ? r.planned : r.posted).map(commandEntry),
    updated: r.updated.map(commandEntry),
    deleted: r.deleted.map(commandEntry),
    alreadyLogged: r.alreadyLogged.map(commandEntry),
    failed: r.failed.map(commandEntry),
    pending: r.pending.map(commandEntry),
    skipped: r.skipped.map(commandEntry),
  };
}

const what = (o: CommandOutcome): string =>
  o.command.kind === 'comment'
    ? `${o.command.issue} comment ${o.command.id.slice(0, 10)}`
    : `${o.command.issue} #${o.command.name} ${o.command.id.slice(0, 10)}`;

const textOf = (o: CommandOutcome): string => (o.command.kind === 'comment' ? o.command.text : '');

export function printCommands(r: CommandResult, dryRun: boolean): void {
  for (const o of dryRun ? r.planned : r.posted) {
    const done = o.command.kind === 'comment' ? 'commented on' : `moved (${o.transition ?? ''})`;
    out(
      `${dryRun ? 'would have ' : ''}${done} ${o.command.issue}${o.command.kind === 'comment' ? `: ${o.command.text}` : ''}`,
    );
  }
  const would = dryRun ? 'would have ' : '';
  for (const o of r.updated) out(`${would}updated the comment on ${o.command.issue}: ${textOf(o)}`);
  for (const o of r.deleted) out(`${would}deleted comment ${o.commentId ?? '?'} on ${o.command.issue}`);
  for (const o of r.failed) warn(`${errColor.red('failed')} ${what(o)}: ${o.error ?? ''}`);
  for (const o of r.pending) warn(`${errColor.yellow('pending')} ${what(o)}: ${o.error ?? ''}`);
}
