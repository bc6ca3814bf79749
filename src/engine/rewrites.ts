// Rewrites in the ledger (docs/exactly-once.md): post-rewrite and a force-push seen by pre-push record which
// new token stands for which old one. Only git and the ledger: the next posting run brings Jira in line
// (alias, update, delete + tombstone), so hooks never wait for Jira.
import { commitWorklogs, REWRITTEN, type PlanOptions } from '../core/plan.js';
import {
  heirStep,
  inheritByCommit,
  inheritByContent,
  type Inheritance,
  type RewriteToken,
} from '../core/rewrite.js';
import type { Commit, LedgerRecord, PlannedWorklog, RewriteKind } from '../core/types.js';
import { readCommits } from '../git/index.js';
import type { LedgerView } from '../ledger/ledger.js';
import type { RepoContext } from './context.js';
import { carryCommitCommands, carryPushedCommands, commandTokensOf } from './command-rewrites.js';
import { goneRecord, ledgerRecord, offlinePlanOptions, recordCommits, rewrittenRecord } from './record.js';

export interface RewriteNote {
  /** The old token, posted, that the next posting run changes on Jira (or, for a force-push, lists). */
  old: LedgerRecord;
  /** Its heir, or null when it left history. */
  to: string | null;
}

/** post-rewrite: git's old→new commit pairs. */
export async function recordCommitRewrite(
  ctx: RepoContext,
  kind: 'amend' | 'rebase',
  allPairs: readonly (readonly [string, string])[],
): Promise<RewriteNote[]> {
  // An amend or --force-rebase that changes nothing within the same second writes the very same
  // commit again, and git still lists it: that commit is its own heir, so there is nothing to carry.
  const pairs = allPairs.filter(([from, to]) => from !== to);
  if (pairs.length === 0) return [];
  const options = await offlinePlanOptions(ctx);
  const newCommits = await readCommits(ctx.repo.top, { shas: [...new Set(pairs.map((p) => p[1]))] });
  const oldCommits = await readCommits(ctx.repo.top, { shas: [...new Set(pairs.map((p) => p[0]))] }).catch(
    () => [] as Commit[],
  );
  const newTokens = tokensOf(newCommits, options);
  const oldParsed = tokensOf(oldCommits, options);
  const newCommands = commandTokensOf(ctx, newCommits, options);
  const oldCommands = commandTokensOf(ctx, oldCommits, options);
  const notes = await ctx.ledger.update((view) => {
    const oldBySha = new Map<string, RewriteToken[]>();
    for (const [oldSha] of pairs) oldBySha.set(oldSha, oldTokens(view, oldSha, oldParsed));
    const newBySha = new Map<string, RewriteToken[]>();
    for (const [sha, list] of groupBySha(newTokens)) newBySha.set(sha, list.map(rewriteToken));
    const inheritance = inheritByCommit(pairs, oldBySha, newBySha);
    const worklogs = carry(view, kind, inheritance, [...oldBySha.values()].flat(), newTokens, oldParsed);
    // `#comment` and transition tokens in the same update (docs/exactly-once.md: the same rewrite rules).
    const commands = carryCommitCommands(view, kind, pairs, oldCommands, newCommands);
    return {
      records: [...worklogs.records, ...commands.records],
      result: [...worklogs.result, ...commands.result],
    };
  });
  // Tokens that are new in the rewritten commits (a reworded message) are recorded like post-commit's.
  await recordCommits(ctx, newCommits, options);
  return notes;
}

/**
 * A force-push: the commits that leave the branch and the commits pushed instead. Their tokens pair
 * on content key; a posted token with no counterpart is an orphan (listed, never deleted).
 */
export async function recordForcePush(
  ctx: RepoContext,
  leavingShas: readonly string[],
  pushedShas: readonly string[],
): Promise<RewriteNote[]> {
  if (leavingShas.length === 0) return [];
  const options = await offlinePlanOptions(ctx);
  // Commits with only `#comment` or transitions count too when those are posted (issue 12).
  const grepCommands = ctx.config.commands.comment || ctx.config.commands.transitions;
  const leaving = await readCommits(ctx.repo.top, { shas: [...leavingShas], grepTime: true, grepCommands });
  if (leaving.length === 0) return [];
  const pushed = await readCommits(ctx.repo.top, { shas: [...pushedShas], grepTime: true, grepCommands });
  const oldParsed = tokensOf(leaving, options);
  const newTokens = tokensOf(pushed, options);
  const oldCommands = commandTokensOf(ctx, leaving, options);
  const newCommands = commandTokensOf(ctx, pushed, options);
  return ctx.ledger.update((view) => {
    const old = leaving.flatMap((c) => oldTokens(view, c.sha, oldParsed));
    const inheritance = inheritByContent(old, newTokens.map(rewriteToken));
    const worklogs = carry(view, 'push', inheritance, old, newTokens, oldParsed);
    const commands = carryPushedCommands(view, leaving, oldCommands, newCommands);
    return {
      records: [...worklogs.records, ...commands.records],
      result: [...worklogs.result, ...commands.result],
    };
  });
}

function tokensOf(commits: readonly Commit[], options: PlanOptions): PlannedWorklog[] {
  return commits.flatMap((c) => commitWorklogs(c, options).worklogs);
}

function groupBySha(tokens: readonly PlannedWorklog[]): Map<string, PlannedWorklog[]> {
  const out = new Map<string, PlannedWorklog[]>();
  for (const t of tokens) out.set(t.sha, [...(out.get(t.sha) ?? []), t]);
  return out;
}

function rewriteToken(w: PlannedWorklog): RewriteToken {
  return { id: w.id, sha: w.sha, fp: w.fp, issue: w.issue, seconds: w.seconds, comment: w.postComment };
}

/**
 * The old commit's tokens: what the ledger knows (not yet carried away by an earlier rewrite), and
 * what git still shows of the ones it never recorded (posted from another clone or CI, say).
 */
function oldTokens(view: LedgerView, sha: string, parsed: readonly PlannedWorklog[]): RewriteToken[] {
  // Worklogs only: `#comment` and transition records are carried by command-rewrites.ts.
  const known = view.bySha(sha).filter((r) => r.kind === undefined);
  if (known.some((r) => r.code === REWRITTEN || r.rewritten !== undefined)) return [];
  const fromLedger = known.map((r) => ({
    id: r.id,
    sha: r.sha,
    fp: r.fp ?? '',
    issue: r.issue,
    seconds: r.seconds,
    comment: r.comment ?? '',
  }));
  const ids = new Set(fromLedger.map((t) => t.id));
  return [...fromLedger, ...parsed.filter((w) => w.sha === sha && !ids.has(w.id)).map(rewriteToken)];
}

/** The ledger records of a rewrite: heirs take over (or replace) the old tokens' state. */
function carry(
  view: LedgerView,
  kind: RewriteKind,
  inheritance: Inheritance,
  old: readonly RewriteToken[],
  newTokens: readonly PlannedWorklog[],
  oldParsed: readonly PlannedWorklog[],
): { records: LedgerRecord[]; result: RewriteNote[] } {
  const records: LedgerRecord[] = [];
  const notes: RewriteNote[] = [];
  const byId = new Map(newTokens.map((w) => [w.id, w]));
  const parsedById = new Map(oldParsed.map((w) => [w.id, w]));
  for (const o of old) {
    const heir = inheritance.heirs.get(o.id);
    const n = heir ? byId.get(heir.to) : undefined;
    const before =
      view.get(o.id) ??
      (parsedById.has(o.id) ? ledgerRecord(parsedById.get(o.id)!, { state: 'pending' }) : undefined);
    if (before === undefined) continue;
    const known = view.get(o.id) !== undefined;
    if (n !== undefined) {
      const current = view.get(n.id);
      // post-commit already recorded an amend's new tokens as pending (or its worker even posted
      // them): see heirStep.
      const step = heirStep(current, before);
      if (step === 'carry') records.push(heirRecord(before, n, known, heir!.rule === 'fingerprint'));
      if (step === 'rejoin') records.push(rejoined(current!, before));
      if (before.state === 'posted' && heir!.rule !== 'fingerprint') notes.push({ old: before, to: n.id });
      records.push(rewrittenRecord(before, kind, n.id));
    } else {
      const retired = goneRecord(before, kind, known);
      if (retired !== null) records.push(retired);
      if (before.state === 'posted') notes.push({ old: before, to: null });
    }
  }
  return { records, result: notes };
}

/** The heir, posted as new work before the rewrite was recorded, now pending as the old token's heir. */
function rejoined(current: LedgerRecord, before: LedgerRecord): LedgerRecord {
  return ledgerRecord(current, {
    state: 'pending',
    ...(current.worklogId ? { worklogId: current.worklogId } : {}),
    replaces: replacesOf(before),
  });
}

function replacesOf(before: LedgerRecord): NonNullable<LedgerRecord['replaces']> {
  return {
    id: before.id,
    fp: before.fp ?? '',
    issue: before.issue,
    seconds: before.seconds,
    comment: before.comment ?? '',
    ...(before.state === 'posted' && before.worklogId ? { worklogId: before.worklogId } : {}),
  };
}

/**
 * The heir's record. The same fingerprint on a posted token: Jira's marker already stands for it, so
 * the state is carried as is. Anything else the next posting run reconciles: pending, replacing the
 * old token (whose POST may even be in flight right now).
 */
function heirRecord(before: LedgerRecord, n: PlannedWorklog, known: boolean, sameFp: boolean): LedgerRecord {
  if (before.state === 'posted' && sameFp) {
    return ledgerRecord(n, {
      state: 'posted',
      ...(before.worklogId ? { worklogId: before.worklogId } : {}),
      from: before.id,
    });
  }
  if (before.state === 'posted' || before.state === 'pending' || !known) {
    return ledgerRecord(n, {
      state: 'pending',
      replaces: replacesOf(before),
    });
  }
  // A failed token changed by the rewrite (a wrong key put right, say): nothing of it is on Jira, and
  // what Jira refused is not what the heir sends, so the heir is a fresh try.
  if (before.state === 'failed' && !sameFp) return ledgerRecord(n, { state: 'pending' });
  // failed, skipped (not mine, a copy), undone: the new token is in the same state.
  return ledgerRecord(n, {
    state: before.state,
    ...(before.error ? { error: before.error } : {}),
    ...(before.code ? { code: before.code } : {}),
    ...(before.retryable !== undefined ? { retryable: before.retryable } : {}),
    from: before.id,
  });
}
