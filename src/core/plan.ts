// Plan, then apply: from the selected commits, what git says about them and the ledger's
// state, decide every token's fate that can be decided without Jira. Pure and complete: the engine
// reconciles what is left with Jira and applies it; `--dry-run` prints it.
import { startedOf } from './jira-format.js';
import { fallbackComment, parseMessage } from './grammar.js';
import { coAuthorEmails, contentKey, identify, isSquashCommit } from './identity.js';
import { authorHash } from './marker.js';
import type { Commit, GrammarOptions, LedgerRecord, PlannedWorklog } from './types.js';
import { RECONSIDERED_SKIPS, type SkipCode } from '../errors.js';

export interface PlanOptions {
  grammar: GrammarOptions;
  commentFallback: 'subject' | 'none';
  started: 'commit' | 'commit-minus-duration';
  squashPatterns: readonly RegExp[];
  /** Author emails in scope (any case); null for everyone. Other authors' tokens are skipped as not mine. */
  authors: readonly string[] | null;
  /** Post again the failed tokens whose cause may have been fixed. */
  retryFailed: boolean;
  /** flush: only the tokens the ledger holds as pending; the rest of their commits was settled before. */
  pendingOnly?: boolean;
  /** `rewrites: "report"`: list rewrites of posted tokens instead of bringing Jira in line. */
  reportRewrites?: boolean;
}

/** What git says about the selected commits beyond their messages. */
export interface PlanFacts {
  /**
   * For each merge commit: the content keys of the tokens of the commits it merges (reachable from it,
   * not from its first parent), each with that token's id.
   */
  merged?: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Commits that are the lone commit a GitLab merge commit brings: squashes, though not by message. */
  squashes?: ReadonlySet<string>;
  /**
   * `commitWorklogs` of the selected commits, worked out while git was still printing them (issue 13),
   * by SHA; used only by a plan given the very `options` object they were computed with.
   */
  worklogs?: { options: PlanOptions; bySha: ReadonlyMap<string, CommitWorklogs> };
}

export interface CommitWorklogs {
  worklogs: PlannedWorklog[];
  diagnostics: PlanDiagnostic[];
}

export interface PlanFailure {
  worklog: PlannedWorklog;
  error: string;
  code?: string | undefined;
}

export interface PlanSkip {
  worklog: PlannedWorklog;
  reason: string;
  code?: string | undefined;
}

export interface PlanDiagnostic {
  sha: string;
  line: number;
  message: string;
}

export interface Plan {
  /**
   * Not logged as far as the ledger knows: reconciling with Jira decides between posting, already
   * logged, a claim, and (for a rewritten token, `replaces`) an alias, an update or a delete.
   */
  toPost: PlannedWorklog[];
  /** The ledger says posted. */
  posted: { worklog: PlannedWorklog; worklogId?: string | undefined }[];
  /** Merge commits' copies of tokens they merge: recorded as logged, never posted. */
  copies: PlannedWorklog[];
  failed: PlanFailure[];
  skipped: PlanSkip[];
  diagnostics: PlanDiagnostic[];
  /** Posted tokens an amend or rebase took out of history: their worklogs are deleted and tombstoned. */
  gone: LedgerRecord[];
  /** Posted tokens of commits a force-push dropped with no counterpart: listed, never deleted. */
  orphans: LedgerRecord[];
  /** `rewrites: "report"`: rewrites of posted tokens waiting to be applied (old record, new token). */
  rewrites: { from: LedgerRecord | PlannedWorklog['replaces']; to: PlannedWorklog | null }[];
}

export const NOT_MINE: SkipCode = 'E_NOT_MINE';
/** Skipped because the commit was on no branch when a flush looked: decided again when it is seen. */
export const OFF_BRANCH: SkipCode = 'E_OFF_BRANCH';
export const REWRITTEN: SkipCode = 'E_REWRITTEN';
export const UNDONE: SkipCode = 'E_UNDONE';
export const COPY: SkipCode = 'E_COPY';

/** Every worklog a commit carries, with identity, `started` and the comment to post. */
export function commitWorklogs(
  commit: Commit,
  opts: Pick<PlanOptions, 'grammar' | 'commentFallback' | 'started' | 'squashPatterns'>,
): CommitWorklogs {
  const parsed = parseMessage(commit.message, opts.grammar);
  const ids = identify(commit, parsed.worklogs);
  const squash = isSquashCommit(commit, opts.squashPatterns);
  // Only tokens without a comment of their own post the subject: most commits never need it (issue 13).
  const subjectComment =
    opts.commentFallback === 'subject' && parsed.worklogs.some((w) => w.comment === '')
      ? fallbackComment(commit.subject, opts.grammar)
      : '';
  const author = authorHash(commit.authorEmail);
  const authors = [author, ...coAuthorEmails(commit.message).map(authorHash)];
  const worklogs = parsed.worklogs.map((w, n): PlannedWorklog => {
    const { started, startedMs } = startedOf(
      commit.authorDate,
      opts.started === 'commit-minus-duration' ? w.seconds : 0,
    );
    const id = ids[n]!;
    return {
      kind: 'worklog',
      id: id.id,
      sha: commit.sha,
      n,
      issue: w.issue,
      seconds: w.seconds,
      comment: w.comment,
      postComment: w.comment !== '' ? w.comment : subjectComment,
      started,
      startedMs,
      authorEmail: commit.authorEmail,
      author,
      authors,
      fp: id.fp,
      squash,
    };
  });
  const diagnostics = parsed.diagnostics.map((d) => ({ sha: commit.sha, line: d.line, message: d.message }));
  return { worklogs, diagnostics };
}

export interface PlanLedger {
  get(id: string): LedgerRecord | undefined;
  all(): LedgerRecord[];
  /**
   * The records `all()` holds that are not posted or were taken out of history by a rewrite (the
   * ledger's `isListed`), in the same order: all the gone-token scan below needs, without every record.
   */
  listed?(): LedgerRecord[];
}

export function plan(
  commits: readonly Commit[],
  ledger: PlanLedger,
  opts: PlanOptions,
  facts: PlanFacts = {},
): Plan {
  const result: Plan = {
    toPost: [],
    posted: [],
    copies: [],
    failed: [],
    skipped: [],
    diagnostics: [],
    gone: [],
    orphans: [],
    rewrites: [],
  };
  const authors = opts.authors === null ? null : new Set(opts.authors.map((a) => a.trim().toLowerCase()));
  // Oldest first, so worklogs are posted in the order they were committed.
  const early = facts.worklogs?.options === opts ? facts.worklogs.bySha : undefined;
  for (const commit of [...commits].reverse()) {
    const { worklogs, diagnostics } = early?.get(commit.sha) ?? commitWorklogs(commit, opts);
    if (!opts.pendingOnly) result.diagnostics.push(...diagnostics);
    const mine = authors === null || authors.has(commit.authorEmail.trim().toLowerCase());
    const merged = facts.merged?.get(commit.sha);
    const inferredSquash = facts.squashes?.has(commit.sha) === true;
    for (const planned of worklogs) {
      const record = ledger.get(planned.id);
      const state = record?.state ?? 'pending';
      if (opts.pendingOnly && (record === undefined || state !== 'pending')) continue;
      const worklog: PlannedWorklog = {
        ...planned,
        ...(inferredSquash && !planned.squash ? { squash: true, inferredSquash: true as const } : {}),
        ...(record?.replaces ? { replaces: record.replaces } : {}),
        ...(record?.unknownAt !== undefined && state === 'pending' ? { unknownAt: record.unknownAt } : {}),
      };
      const copyOf = merged?.get(contentKey(worklog));
      if (state === 'posted') {
        result.posted.push({ worklog, worklogId: record?.worklogId });
      } else if (state === 'undone') {
        result.skipped.push({ worklog, reason: 'undone with jlog undo', code: UNDONE });
      } else if (state === 'skipped' && !RECONSIDERED_SKIPS.has(record?.code ?? '')) {
        if (record?.code === COPY) result.copies.push({ ...worklog, copyOf: record.error });
        else result.skipped.push({ worklog, reason: record?.error ?? 'skipped', code: record?.code });
      } else if (copyOf !== undefined) {
        // A merge commit repeating a token of a commit it merges: that commit's token is the work.
        result.copies.push({ ...worklog, copyOf });
      } else if (!mine) {
        result.skipped.push({ worklog, reason: `not mine (${commit.authorEmail})`, code: NOT_MINE });
      } else if (state === 'failed' && !(opts.retryFailed && record?.retryable === true)) {
        result.failed.push({ worklog, error: record?.error ?? 'failed', code: record?.code });
      } else if (opts.reportRewrites && worklog.replaces?.worklogId !== undefined) {
        result.rewrites.push({ from: worklog.replaces, to: worklog });
      } else {
        result.toPost.push(worklog);
      }
    }
  }
  // Rewrites that took a posted token out of history, wherever its commit is now (the ledger alone).
  for (const r of ledger.listed?.() ?? ledger.all()) {
    if (r.state !== 'posted' || r.rewritten === undefined || r.rewritten.to !== null) continue;
    // A `#comment` that left history is the command run's to delete (core/command-plan.ts).
    if (r.kind !== undefined) continue;
    if (r.rewritten.by === 'push') result.orphans.push(r);
    else if (opts.reportRewrites) result.rewrites.push({ from: r, to: null });
    else result.gone.push(r);
  }
  return result;
}
