// Rewrites of `#comment` and transition tokens in the ledger (they follow the worklog rules,
// docs/exactly-once.md), beside the worklogs' (rewrites.ts), in the same ledger update: post-rewrite and a
// force-push seen by pre-push record which new command token stands for which old one. Only git and the
// ledger: the next posting run updates the old comment, or deletes it (and posts the new one when it moved).
import { commitCommandTokens, commandOptionsOff } from '../core/command-plan.js';
import {
  commandHeirStep,
  commandRewriteToken,
  inheritCommandsByCommit,
  inheritCommandsByContent,
  recordedCommandToken,
  type CommandRewriteToken,
} from '../core/command-rewrite.js';
import type { PlannedCommand } from '../core/commands.js';
import { isSquashCommit } from '../core/identity.js';
import { REWRITTEN, type PlanOptions } from '../core/plan.js';
import type { Inheritance } from '../core/rewrite.js';
import type { Commit, LedgerRecord, RewriteKind, RewriteSource } from '../core/types.js';
import type { LedgerView } from '../ledger/ledger.js';
import { commandRecord } from './command-run.js';
import type { RepoContext } from './context.js';
import { goneRecord, rewrittenRecord } from './record.js';
import type { RewriteNote } from './rewrites.js';

/** The command tokens of these commits; none when `commands.*` are off (nothing to carry then). */
export function commandTokensOf(
  ctx: RepoContext,
  commits: readonly Commit[],
  options: PlanOptions,
): PlannedCommand[] {
  const opts = {
    grammar: options.grammar,
    comments: ctx.config.commands.comment,
    transitions: ctx.config.commands.transitions,
    isSquash: (c: Commit) => isSquashCommit(c, options.squashPatterns),
  };
  if (commandOptionsOff(opts)) return [];
  return commits.flatMap((c) => commitCommandTokens(c, opts));
}

type CommandRecord = LedgerRecord & { kind: 'comment' | 'transition' };
const isCommand = (r: LedgerRecord): r is CommandRecord => r.kind !== undefined;

/**
 * The old commit's command tokens: what the ledger knows (not yet carried away by an earlier rewrite),
 * and what git still shows of the ones it never recorded (posted from another clone or CI, say).
 */
function oldCommandTokens(
  view: LedgerView,
  sha: string,
  parsed: readonly PlannedCommand[],
): CommandRewriteToken[] {
  const known = view.bySha(sha).filter(isCommand);
  if (known.some((r) => r.code === REWRITTEN || r.rewritten !== undefined)) return [];
  const fromLedger = known.map(recordedCommandToken);
  const ids = new Set(fromLedger.map((t) => t.id));
  return [...fromLedger, ...parsed.filter((c) => c.sha === sha && !ids.has(c.id)).map(commandRewriteToken)];
}

/** post-rewrite, inside the worklogs' ledger update: the command records of git's old→new pairs. */
export function carryCommitCommands(
  view: LedgerView,
  kind: 'amend' | 'rebase',
  pairs: readonly (readonly [string, string])[],
  oldParsed: readonly PlannedCommand[],
  newTokens: readonly PlannedCommand[],
): { records: LedgerRecord[]; result: RewriteNote[] } {
  if (oldParsed.length === 0 && newTokens.length === 0) return { records: [], result: [] };
  const oldBySha = new Map<string, CommandRewriteToken[]>();
  for (const [oldSha] of pairs) oldBySha.set(oldSha, oldCommandTokens(view, oldSha, oldParsed));
  const newBySha = new Map<string, CommandRewriteToken[]>();
  for (const c of newTokens) newBySha.set(c.sha, [...(newBySha.get(c.sha) ?? []), commandRewriteToken(c)]);
  const inheritance = inheritCommandsByCommit(pairs, oldBySha, newBySha);
  return carryCommands(view, kind, inheritance, [...oldBySha.values()].flat(), newTokens, oldParsed);
}

/** A force-push, inside the worklogs' ledger update: leaving commits' command tokens to pushed ones. */
export function carryPushedCommands(
  view: LedgerView,
  leaving: readonly Commit[],
  oldParsed: readonly PlannedCommand[],
  newTokens: readonly PlannedCommand[],
): { records: LedgerRecord[]; result: RewriteNote[] } {
  if (oldParsed.length === 0 && newTokens.length === 0) return { records: [], result: [] };
  const old = leaving.flatMap((c) => oldCommandTokens(view, c.sha, oldParsed));
  const inheritance = inheritCommandsByContent(old, newTokens.map(commandRewriteToken));
  return carryCommands(view, 'push', inheritance, old, newTokens, oldParsed);
}

function carryCommands(
  view: LedgerView,
  kind: RewriteKind,
  inheritance: Inheritance,
  old: readonly CommandRewriteToken[],
  newTokens: readonly PlannedCommand[],
  oldParsed: readonly PlannedCommand[],
): { records: LedgerRecord[]; result: RewriteNote[] } {
  const records: LedgerRecord[] = [];
  const notes: RewriteNote[] = [];
  const byId = new Map(newTokens.map((c) => [c.id, c]));
  const parsedById = new Map(oldParsed.map((c) => [c.id, c]));
  for (const o of old) {
    const known = view.get(o.id) !== undefined;
    const parsed = parsedById.get(o.id);
    const before = view.get(o.id) ?? (parsed ? commandRecord(parsed, 'pending') : undefined);
    if (before === undefined) continue;
    const heir = inheritance.heirs.get(o.id);
    const n = heir ? byId.get(heir.to) : undefined;
    if (heir !== undefined && n !== undefined) {
      const current = view.get(n.id);
      const step = commandHeirStep(o.kind, current, before, known, heir.rule);
      const replaces = replacesOf(before);
      if (step === 'posted')
        records.push(
          commandRecord(n, 'posted', {
            ...(before.commentId ? { commentId: before.commentId } : {}),
            from: before.id,
          }),
        );
      if (step === 'replace') records.push(commandRecord(n, 'pending', { replaces }));
      if (step === 'fresh') records.push(commandRecord(n, 'pending'));
      if (step === 'alias')
        records.push(commandRecord(n, 'pending', { replaces: { ...replaces, applied: true } }));
      if (step === 'rejoin')
        records.push(
          commandRecord(n, 'pending', {
            ...(current?.commentId ? { commentId: current.commentId } : {}),
            replaces,
          }),
        );
      if (step === 'same')
        records.push(
          commandRecord(n, before.state as 'failed' | 'skipped', {
            ...(before.error ? { error: before.error } : {}),
            ...(before.code ? { code: before.code } : {}),
            ...(before.retryable !== undefined ? { retryable: before.retryable } : {}),
            from: before.id,
          }),
        );
      if (o.kind === 'comment' && before.state === 'posted' && step !== 'posted')
        notes.push({ old: before, to: n.id });
      records.push(rewrittenRecord(before, kind, n.id));
    } else if (!(before.state === 'posted' && o.kind === 'transition')) {
      // An applied transition whose command left history stays applied: a transition cannot be undone.
      const retired = goneRecord(before, kind, known);
      if (retired !== null) records.push(retired);
      if (before.state === 'posted') notes.push({ old: before, to: null });
    }
  }
  return { records, result: notes };
}

function replacesOf(before: LedgerRecord): RewriteSource {
  return {
    id: before.id,
    fp: before.fp ?? '',
    issue: before.issue,
    seconds: 0,
    comment: before.comment ?? '',
    ...(before.state === 'posted' && before.commentId ? { commentId: before.commentId } : {}),
  };
}
