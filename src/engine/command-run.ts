// The comment and transition step of a posting run (docs/exactly-once.md, issue 12), after the worklogs: plan
// the selected commits' commands (core/command-plan.ts), record what the plan settles, then reconcile and
// apply each issue's commands in order (commands.ts). With `commands.comment` and
// `commands.transitions` off (the default) it does nothing at all: no request, no ledger line.
import type { Credentials } from '../config/credentials.js';
import {
  commitCommandTokens,
  commandOptionsOff,
  planCommands,
  type CommandPlanOptions,
} from '../core/command-plan.js';
import { commandContentKey, type PlannedCommand, type PlannedComment } from '../core/commands.js';
import { isSquashCommit } from '../core/identity.js';
import { REWRITTEN, type PlanOptions } from '../core/plan.js';
import { outcomeStep } from '../core/rewrite.js';
import type { Commit, LedgerRecord } from '../core/types.js';
import { readCommits } from '../git/index.js';
import type { JiraClient } from '../jira/client.js';
import type { JlogError } from '../errors.js';
import {
  applyIssueCommands,
  emptyCommandResult,
  removeGoneComments,
  type CommandRecordExtra,
  type CommandResult,
  type CommandState,
} from './commands.js';
import type { RepoContext } from './context.js';
import { ledgerRecord } from './record.js';
import type { Selection } from './select.js';

export interface CommandRunOptions {
  ctx: RepoContext;
  selection: Selection;
  planOptions: PlanOptions;
  /** null: no Jira this run (offline, dry run without credentials): the plan only. */
  jira: JiraClient | null;
  deployment: Credentials['deployment'];
  dryRun: boolean;
  flush: boolean;
  ancestors: (pairs: readonly [string, string][]) => Promise<ReadonlySet<string>>;
  stopped?: () => JlogError | null;
  log?: ((line: string) => void) | undefined;
  /** The text to post for a comment (`jlog ci` names other authors first); the token's own when absent. */
  commentText?: (c: PlannedComment) => string;
}

export function commandPlanOptions(
  ctx: RepoContext,
  planOptions: PlanOptions,
  flush: boolean,
  selection: Selection,
): CommandPlanOptions {
  return {
    grammar: planOptions.grammar,
    comments: ctx.config.commands.comment,
    transitions: ctx.config.commands.transitions,
    isSquash: (c) => isSquashCommit(c, planOptions.squashPatterns),
    authors: planOptions.authors,
    retryFailed: planOptions.retryFailed,
    ...(planOptions.reportRewrites ? { reportRewrites: true } : {}),
    ...(flush ? { fresh: new Set(selection.pushed.map((c) => c.sha)) } : {}),
  };
}

/** A command's ledger line: seconds 0 and its kind, so reports never count it as time. */
export function commandRecord(
  c: PlannedCommand,
  state: LedgerRecord['state'],
  extra: CommandRecordExtra = {},
): LedgerRecord {
  const r: LedgerRecord = {
    id: c.id,
    sha: c.sha,
    issue: c.issue,
    seconds: 0,
    state,
    at: new Date().toISOString(),
    kind: c.kind,
    comment: c.kind === 'comment' ? c.text : `#${c.name}`,
    fp: c.fp,
    authorEmail: c.authorEmail,
  };
  // A rewrite's heir keeps what it replaces whatever its state, as a worklog's record does (rewrite.ts).
  const replaces = extra.replaces ?? c.replaces;
  if (replaces !== undefined) r.replaces = replaces;
  if (extra.from !== undefined) r.from = extra.from;
  if (extra.commentId !== undefined) r.commentId = extra.commentId;
  if (extra.error !== undefined) r.error = extra.error;
  if (extra.code !== undefined) r.code = extra.code;
  if (extra.retryable !== undefined) r.retryable = extra.retryable;
  if (extra.unknownAt !== undefined) r.unknownAt = extra.unknownAt;
  return r;
}

export async function runCommands(o: CommandRunOptions): Promise<CommandResult> {
  const result = emptyCommandResult();
  const opts = commandPlanOptions(o.ctx, o.planOptions, o.flush, o.selection);
  if (commandOptionsOff(opts)) return result;
  const merged = await mergedCommands(o.ctx, o.selection.commits, opts);
  const plan = planCommands(o.selection.commits, await o.ctx.ledger.read(), opts, { merged });

  for (const d of plan.done) result.alreadyLogged.push({ command: d.command, commentId: d.record.commentId });
  for (const f of plan.failed) result.failed.push({ command: f.command, error: f.error, code: f.code });
  for (const s of plan.skipped) result.skipped.push({ command: s.command, reason: s.reason, code: s.code });
  for (const c of plan.copies) result.alreadyLogged.push({ command: c.command });
  if (!o.dryRun) {
    // What the plan alone settles is recorded once: copies (never applied) and other authors' commands.
    const view = await o.ctx.ledger.read();
    const records = [
      ...plan.copies
        .filter((c) => view.get(c.command.id)?.state !== 'skipped')
        .map((c) => commandRecord(c.command, 'skipped', { code: 'E_COPY', error: c.copyOf })),
      ...plan.skipped
        .filter((s) => s.code === 'E_NOT_MINE' && view.get(s.command.id) === undefined)
        .map((s) => commandRecord(s.command, 'skipped', { code: 'E_NOT_MINE', error: s.reason })),
    ];
    if (records.length > 0) await o.ctx.ledger.append(records);
  }
  if (o.jira === null) {
    for (const c of plan.toApply) result.planned.push({ command: c });
    return result;
  }

  const known = result.failed.length;
  const byIssue = new Map<string, PlannedCommand[]>();
  for (const c of plan.toApply) byIssue.set(c.issue, [...(byIssue.get(c.issue) ?? []), c]);
  const goneByIssue = new Map<string, LedgerRecord[]>();
  for (const r of plan.gone) goneByIssue.set(r.issue, [...(goneByIssue.get(r.issue) ?? []), r]);
  const jira = o.jira;
  const record = async (c: PlannedCommand, state: CommandState, extra: CommandRecordExtra) => {
    // A rewrite may have been recorded while this command was in flight (post-rewrite runs in another
    // process, after post-commit's worker started): keep what it said, with what this run learnt, as
    // worklogs do (apply.ts, rewrite.ts outcomeStep).
    await o.ctx.ledger.update((view) => {
      const current = view.get(c.id);
      const step = outcomeStep(current, c.replaces !== undefined);
      if (step === 'as-planned') return { records: [commandRecord(c, state, extra)], result: null };
      if (step === 'heir') {
        // Posted (or tried) as new work while post-rewrite made it an old token's heir: it keeps
        // replacing the old token (pending with its comment), so the next run drops the old comment.
        const heir = { ...c, replaces: current!.replaces };
        const commentId = extra.commentId ?? current!.commentId;
        const records =
          state === 'posted'
            ? [commandRecord(heir, 'pending', commentId ? { commentId } : {})]
            : [commandRecord(heir, state, extra)];
        return { records, result: null };
      }
      // 'rewritten': post-rewrite made it an old token meanwhile; its heir takes over. Only a comment
      // that landed matters: gone from history, it stays posted and the next run deletes it.
      if (state !== 'posted') return { records: [], result: null };
      const gone = current!.rewritten!.to === null;
      return {
        records: [
          ledgerRecord(current!, {
            state: gone ? 'posted' : 'skipped',
            ...(extra.commentId ? { commentId: extra.commentId } : {}),
            ...(gone ? {} : { code: REWRITTEN, error: current!.error ?? 'rewritten' }),
          }),
        ],
        result: null,
      };
    });
  };
  const recordGone = async (r: LedgerRecord) => {
    await o.ctx.ledger.append([
      ledgerRecord(r, {
        state: 'skipped',
        code: REWRITTEN,
        error: 'taken out of history by a rewrite; comment deleted',
      }),
    ]);
  };
  // Issues side by side (the client shares its request slots); each issue's commands in order.
  await Promise.all(
    [...byIssue].map(([issue, commands]) =>
      applyIssueCommands(
        issue,
        commands,
        {
          jira,
          dryRun: o.dryRun,
          record,
          ancestors: o.ancestors,
          ...(o.stopped ? { stopped: o.stopped } : {}),
          ...(o.commentText ? { commentText: o.commentText } : {}),
          log: o.log,
        },
        result,
      ),
    ),
  );
  // Comments whose token left history: after the issues' own commands, as worklogs do.
  await Promise.all(
    [...goneByIssue].map(([issue, gone]) =>
      removeGoneComments(
        issue,
        gone,
        { jira, dryRun: o.dryRun, recordGone, ...(o.stopped ? { stopped: o.stopped } : {}) },
        result,
      ),
    ),
  );
  result.newFailures = result.failed.length - known;
  return result;
}

/**
 * For each merge commit with commands: the commands of the commits it merges (reachable from it, not
 * from its first parent), by content key. git alone decides what is a copy (docs/exactly-once.md).
 */
async function mergedCommands(
  ctx: RepoContext,
  commits: readonly Commit[],
  opts: CommandPlanOptions,
): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>();
  for (const merge of commits) {
    if (merge.parents.length < 2) continue;
    if (commitCommandTokens(merge, opts).length === 0) continue;
    const brought = await readCommits(ctx.repo.top, { range: `${merge.parents[0]}..${merge.sha}` }).catch(
      () => [] as Commit[],
    );
    const keys = new Map<string, string>();
    for (const c of brought) {
      if (c.sha === merge.sha) continue;
      for (const t of commitCommandTokens(c, opts))
        if (!keys.has(commandContentKey(t))) keys.set(commandContentKey(t), t.id);
    }
    if (keys.size > 0) out.set(merge.sha, keys);
  }
  return out;
}
