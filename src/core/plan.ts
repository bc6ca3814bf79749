// Plan, then apply (STYLE.md): from commits and the ledger's state, decide what to post. Pure; the
// engine applies the plan, `--dry-run` prints it.
import { formatStarted, startedToMs } from './jira-format.js';
import { fallbackComment, parseMessage } from './grammar.js';
import { identify, isSquashCommit } from './identity.js';
import type { Commit, GrammarOptions, LedgerRecord, PlannedWorklog } from './types.js';

export interface PlanOptions {
  grammar: GrammarOptions;
  commentFallback: 'subject' | 'none';
  started: 'commit' | 'commit-minus-duration';
  squashPattern: RegExp | null;
  /** Author emails in scope (any case); null for everyone. Other authors' tokens are skipped as not mine. */
  authors: readonly string[] | null;
  /** Post again the failed tokens whose cause may have been fixed. */
  retryFailed: boolean;
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
  /** Not logged as far as the ledger knows: the remote check decides between posting and already logged. */
  toPost: PlannedWorklog[];
  /** The ledger says posted. */
  posted: { worklog: PlannedWorklog; worklogId?: string | undefined }[];
  failed: PlanFailure[];
  skipped: PlanSkip[];
  diagnostics: PlanDiagnostic[];
}

export const NOT_MINE = 'E_NOT_MINE';
/** Skipped because the commit was on no branch when a flush looked: decided again when it is seen. */
export const OFF_BRANCH = 'E_OFF_BRANCH';

/** Every worklog a commit carries, with identity, `started` and the comment to post. */
export function commitWorklogs(
  commit: Commit,
  opts: PlanOptions,
): { worklogs: PlannedWorklog[]; diagnostics: PlanDiagnostic[] } {
  const parsed = parseMessage(commit.message, opts.grammar);
  const ids = identify(commit, parsed.worklogs);
  const squash = isSquashCommit(commit, opts.squashPattern);
  const subjectComment =
    opts.commentFallback === 'subject' ? fallbackComment(commit.subject, opts.grammar) : '';
  const worklogs = parsed.worklogs.map((w, n): PlannedWorklog => {
    const started = formatStarted(
      commit.authorDate,
      opts.started === 'commit-minus-duration' ? w.seconds : 0,
    );
    const id = ids[n]!;
    return {
      id: id.id,
      sha: commit.sha,
      n,
      issue: w.issue,
      seconds: w.seconds,
      comment: w.comment,
      postComment: w.comment !== '' ? w.comment : subjectComment,
      started,
      startedMs: startedToMs(started),
      authorEmail: commit.authorEmail,
      fp: id.fp,
      squash,
    };
  });
  const diagnostics = parsed.diagnostics.map((d) => ({ sha: commit.sha, line: d.line, message: d.message }));
  return { worklogs, diagnostics };
}

export function plan(
  commits: readonly Commit[],
  ledger: { get(id: string): LedgerRecord | undefined },
  opts: PlanOptions,
): Plan {
  const result: Plan = { toPost: [], posted: [], failed: [], skipped: [], diagnostics: [] };
  const authors = opts.authors === null ? null : new Set(opts.authors.map((a) => a.trim().toLowerCase()));
  // Oldest first, so worklogs are posted in the order they were committed.
  for (const commit of [...commits].reverse()) {
    const { worklogs, diagnostics } = commitWorklogs(commit, opts);
    result.diagnostics.push(...diagnostics);
    const mine = authors === null || authors.has(commit.authorEmail.trim().toLowerCase());
    for (const worklog of worklogs) {
      const record = ledger.get(worklog.id);
      const state = record?.state ?? 'pending';
      if (state === 'posted') {
        result.posted.push({ worklog, worklogId: record?.worklogId });
      } else if (state === 'undone') {
        result.skipped.push({ worklog, reason: 'undone with jlog undo', code: 'E_UNDONE' });
      } else if (state === 'skipped' && record?.code !== NOT_MINE && record?.code !== OFF_BRANCH) {
        result.skipped.push({ worklog, reason: record?.error ?? 'skipped', code: record?.code });
      } else if (!mine) {
        result.skipped.push({ worklog, reason: `not mine (${commit.authorEmail})`, code: NOT_MINE });
      } else if (state === 'failed' && !(opts.retryFailed && record?.retryable === true)) {
        result.failed.push({ worklog, error: record?.error ?? 'failed', code: record?.code });
      } else {
        result.toPost.push(worklog);
      }
    }
  }
  return result;
}
