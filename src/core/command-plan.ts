// Plan, then apply, for `#comment` and transition tokens (docs/exactly-once.md, issue 12): from the
// selected commits and the ledger, everything that can be decided without Jira. Pure. With
// `commands.comment` and `commands.transitions` off (the default) the plan is empty, so no comment or
// transition request is ever sent.
import {
  applyOrder,
  commandContentKey,
  commitCommands,
  type CommandOptions,
  type PlannedCommand,
} from './commands.js';
import { parseMessage } from './grammar.js';
import { authorHash } from './marker.js';
import type { Commit, GrammarOptions, LedgerRecord } from './types.js';

export interface CommandPlanOptions {
  grammar: GrammarOptions;
  comments: boolean;
  transitions: boolean;
  /** Whether a commit is a squash merge (the engine's rule, docs/exactly-once.md Copies). */
  isSquash: (commit: Commit) => boolean;
  /** Author emails in scope (any case); null for everyone. */
  authors: readonly string[] | null;
  retryFailed: boolean;
  /**
   * flush: commands of these commits (the pushed ones) are planned whatever the ledger knows; of the
   * other selected commits only those the ledger holds as pending.
   */
  fresh?: ReadonlySet<string>;
  /** `rewrites: "report"`: a posted comment's rewrite is listed, not applied (docs/exactly-once.md). */
  reportRewrites?: boolean;
}

export interface CommandPlanFacts {
  /** For each merge commit: content keys of the commands of the commits it merges, with their ids. */
  merged?: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

export interface CommandPlan {
  /** To reconcile with Jira and apply, in docs/exactly-once.md's order within each commit, oldest commit first. */
  toApply: PlannedCommand[];
  /** The ledger says done (posted, or found on Jira before). */
  done: { command: PlannedCommand; record: LedgerRecord }[];
  /** A merge commit's copy of a command of a commit it merges: recorded as done, never applied. */
  copies: { command: PlannedCommand; copyOf: string }[];
  failed: { command: PlannedCommand; error: string; code?: string | undefined }[];
  skipped: { command: PlannedCommand; reason: string; code?: string | undefined }[];
  /** Posted comments an amend or rebase took out of history: deleted and tombstoned (docs/exactly-once.md). */
  gone: LedgerRecord[];
}

/** Why a rewritten comment waits (rewrites: "report"). */
export const REPORTED_REWRITE =
  'a rewrite of a posted comment waits (rewrites: "report"): jlog sync --apply-rewrites brings it in line';

export const emptyCommandPlan = (): CommandPlan => ({
  toApply: [],
  done: [],
  copies: [],
  failed: [],
  skipped: [],
  gone: [],
});

export function commandOptionsOff(o: Pick<CommandPlanOptions, 'comments' | 'transitions'>): boolean {
  return !o.comments && !o.transitions;
}

/** Every command a commit carries, with identity (empty when both options are off). */
export function commitCommandTokens(
  commit: Commit,
  opts: Pick<CommandPlanOptions, 'grammar' | 'comments' | 'transitions' | 'isSquash'>,
): PlannedCommand[] {
  if (commandOptionsOff(opts)) return [];
  const parsed = parseMessage(commit.message, opts.grammar);
  const options: CommandOptions = {
    comments: opts.comments,
    transitions: opts.transitions,
    coAuthors: coAuthors(commit.message).map(authorHash),
    squash: opts.isSquash(commit),
  };
  const commands = commitCommands(commit, parsed, options);
  return applyOrder(commands, (c) => ({ line: c.line, kind: c.kind, n: c.n }));
}

const CO_AUTHOR = /^co-authored-by:.*<([^>]+)>\s*$/gim;

function coAuthors(message: string): string[] {
  return [...message.matchAll(CO_AUTHOR)].map((m) => (m[1] as string).trim());
}

export function planCommands(
  commits: readonly Commit[],
  ledger: { get(id: string): LedgerRecord | undefined; all?(): LedgerRecord[]; listed?(): LedgerRecord[] },
  opts: CommandPlanOptions,
  facts: CommandPlanFacts = {},
): CommandPlan {
  const out = emptyCommandPlan();
  if (commandOptionsOff(opts)) return out;
  const authors = opts.authors === null ? null : new Set(opts.authors.map((a) => a.trim().toLowerCase()));
  // Oldest first, as worklogs are: a transition of an older commit goes before a newer one's.
  for (const commit of [...commits].reverse()) {
    const mine = authors === null || authors.has(commit.authorEmail.trim().toLowerCase());
    const merged = facts.merged?.get(commit.sha);
    for (const token of commitCommandTokens(commit, opts)) {
      const record = ledger.get(token.id);
      const state = record?.state;
      // A rewrite's heir: the run brings the old token's comment in line instead of posting
      // (docs/exactly-once.md).
      const command = record?.replaces ? { ...token, replaces: record.replaces } : token;
      if (opts.fresh !== undefined && !opts.fresh.has(commit.sha) && state !== 'pending') continue;
      const copyOf = merged?.get(commandContentKey(command));
      if (state === 'posted' && record !== undefined) out.done.push({ command, record });
      else if (state === 'undone')
        out.skipped.push({ command, reason: 'undone with jlog undo', code: 'E_UNDONE' });
      else if (state === 'skipped' && record?.code === 'E_COPY')
        out.copies.push({ command, copyOf: record.error ?? '' });
      // Not mine is decided again (ci logs everyone's); any other skip stands.
      else if (state === 'skipped' && record?.code !== 'E_NOT_MINE')
        out.skipped.push({ command, reason: record?.error ?? 'skipped', code: record?.code });
      else if (copyOf !== undefined) out.copies.push({ command, copyOf });
      else if (!mine)
        out.skipped.push({ command, reason: `not mine (${commit.authorEmail})`, code: 'E_NOT_MINE' });
      else if (state === 'failed' && !(opts.retryFailed && record?.retryable === true))
        out.failed.push({ command, error: record?.error ?? 'failed', code: record?.code });
      else if (opts.reportRewrites && command.replaces?.commentId !== undefined)
        out.skipped.push({ command, reason: REPORTED_REWRITE });
      else out.toApply.push(command);
    }
  }
  // Comments a rewrite took out of history, wherever their commit is now (the ledger alone); a
  // force-push's are listed as orphans by status, never deleted without jlog undo.
  for (const r of ledger.listed?.() ?? ledger.all?.() ?? []) {
    if (r.kind !== 'comment' || r.state !== 'posted' || r.rewritten?.to !== null) continue;
    if (r.rewritten.by !== 'push' && !opts.reportRewrites) out.gone.push(r);
  }
  return out;
}
