// `jlog undo <sha>`: list what will be deleted, ask (on a TTY, unless --yes), then delete.
import { createInterface } from 'node:readline/promises';
import { formatDuration } from '../core/duration.js';
import { openRepo } from '../engine/context.js';
import {
  applyUndo,
  planUndo,
  planUndoToken,
  type UndoEntry,
  type UndoResult,
  type UndoTarget,
} from '../engine/undo.js';
import { usageError } from '../errors.js';
import { color, out, printJson, table, warn } from './output.js';

interface UndoFlags {
  yes?: boolean;
  json?: boolean;
}

const dur = (s: number): string => formatDuration(s);
const short = (sha: string): string => sha.slice(0, 10);
const day = (started: string | undefined): string => started?.slice(0, 10) ?? '';

function planRow(t: UndoTarget): string[] {
  // Comments and transitions (issue 12) log no time: their text stands where the duration would.
  if (t.kind !== undefined) {
    const what = t.kind === 'comment' ? `comment: ${t.text ?? ''}` : (t.text ?? 'transition');
    if (t.action === 'irreversible') return ['keep', t.issue, what, '', 'a transition cannot be undone'];
    if (t.action === 'cancel') return ['cancel', t.issue, what, '', `${t.state}: will not be posted`];
    return ['delete', t.issue, what, '', `comment ${t.commentId ?? '(found by its marker)'}`];
  }
  switch (t.action) {
    case 'delete':
      return ['delete', t.issue, dur(t.seconds), day(t.started), `worklog ${t.worklogId ?? '?'}`];
    case 'lookup':
      if (t.state === 'pending')
        return [
          'cancel',
          t.issue,
          dur(t.seconds),
          day(t.started),
          'pending: will not be posted (deleted if on Jira)',
        ];
      return [
        'delete',
        t.issue,
        dur(t.seconds),
        day(t.started),
        'if Jira has it (the ledger has no worklog id)',
      ];
    case 'cancel':
      return ['cancel', t.issue, dur(t.seconds), day(t.started), `${t.state}: will not be posted`];
    case 'irreversible':
      return ['keep', t.issue, dur(t.seconds), day(t.started), 'cannot be undone'];
  }
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function emptyResult(sha: string): UndoResult {
  return { sha, deleted: [], alreadyGone: [], cancelled: [], failed: [], notices: [] };
}

export async function run(args: string[], raw: Record<string, unknown>): Promise<number> {
  const flags = raw as UndoFlags;
  const rev = args[0];
  if (rev === undefined) throw usageError('which commit? jlog undo <sha>');
  const ctx = await openRepo(process.cwd());
  // One token (`<sha>:<n>`, `manual:<uuid>`), or every token of a commit.
  const plan = rev.includes(':') ? await planUndoToken(ctx, rev) : await planUndo(ctx, rev);

  const label = rev.includes(':') ? rev : short(plan.sha);
  if (plan.targets.length === 0) {
    const message =
      plan.alreadyUndone.length > 0
        ? `nothing to undo for ${label}: its worklogs were undone already`
        : rev.includes(':')
          ? `nothing to undo for ${label}: that token is neither posted, pending nor failed`
          : `nothing posted for ${label}: jlog has no worklog of that commit`;
    if (flags.json) printJson({ ...emptyResult(plan.sha), message });
    else warn(`jlog: ${message}`);
    return 1;
  }

  // docs/commands.md: asks first on a TTY unless --yes. Without a terminal there is no one to ask, and a
  // script that deletes worklogs must say so: it needs --yes (a usage error otherwise, nothing changed).
  if (!flags.yes && process.stdin.isTTY !== true) {
    throw usageError(
      `jlog undo ${rev} would change ${plan.targets.length} token${plan.targets.length === 1 ? '' : 's'}, and there is no terminal to ask`,
      `run jlog undo ${rev} --yes to go ahead`,
    );
  }
  if (!flags.yes) {
    warn(`jlog undo ${label}${plan.inGit ? '' : ' (no longer in git; from the ledger)'}:`);
    for (const line of table(plan.targets.map(planRow))) warn(`  ${line}`);
    const deletes = plan.targets.filter(
      (t) => t.action !== 'cancel' && t.action !== 'irreversible' && t.state !== 'pending',
    ).length;
    const question =
      deletes > 0
        ? `Delete ${deletes === 1 ? 'this worklog' : `these ${deletes} worklogs`} from Jira? [y/N] `
        : 'Cancel these tokens? [y/N] ';
    if (!(await confirm(question))) {
      warn('jlog: nothing changed');
      return 1;
    }
  }

  const result = await applyUndo(ctx, plan);
  if (flags.json) printJson(result);
  else printResult(result, label);
  return result.failed.length > 0 ? 1 : 0;
}

function printResult(r: UndoResult, label: string): void {
  const row = (label: string, e: UndoEntry, note: string): string[] => [
    label,
    e.issue,
    dur(e.seconds),
    day(e.started),
    note,
  ];
  const rows = [
    ...r.deleted.map((e) =>
      row(
        color.green('deleted'),
        e,
        e.kind === 'comment'
          ? `comment ${e.commentId ?? ''}`
          : `worklog ${e.worklogId ?? ''}, estimate restored`,
      ),
    ),
    ...r.alreadyGone.map((e) =>
      row(color.green('deleted'), e, `worklog ${e.worklogId ?? ''} was already gone from Jira`),
    ),
    ...r.cancelled.map((e) =>
      row(
        color.yellow('cancelled'),
        e,
        `${e.was === 'unknown' ? 'never posted' : (e.was ?? 'pending')}: will not be posted`,
      ),
    ),
    ...r.failed.map((e) => row(color.red('failed'), e, e.error ?? '')),
  ];
  for (const line of table(rows)) out(line);
  const done = r.deleted.length + r.alreadyGone.length;
  const settled = done + r.cancelled.length;
  const parts = [`${done} worklog${done === 1 ? '' : 's'} deleted`];
  if (r.cancelled.length > 0)
    parts.push(`${r.cancelled.length} unposted token${r.cancelled.length === 1 ? '' : 's'} cancelled`);
  if (settled > 0)
    out(`${label}: ${parts.join(', ')}; jlog will not post ${settled === 1 ? 'it' : 'them'} again.`);
  for (const n of r.notices) warn(`jlog: ${n}`);
  if (r.failed.length > 0) warn(`jlog: ${r.failed.length} could not be undone; run jlog undo ${label} again`);
}
