// Every error jlog raises has a stable code, a message that says what failed and what to do, and its
// cause. Only the CLI entry turns them into exit codes. Messages never contain a credential.

export type ErrorCode =
  // user mistakes: exit 2
  | 'E_USAGE'
  | 'E_CONFIG'
  | 'E_CREDENTIALS'
  | 'E_NOT_A_REPO'
  // git
  | 'E_GIT'
  | 'E_SHALLOW'
  // ledger
  | 'E_LEDGER_LOCKED'
  | 'E_LEDGER_IO'
  // Jira
  | 'E_JIRA_AUTH' // 401: stops the run, everything stays pending
  | 'E_JIRA_BAD_REQUEST' // 400
  | 'E_JIRA_FORBIDDEN' // 403
  | 'E_JIRA_NOT_FOUND' // 404
  | 'E_JIRA_LIMIT' // 413
  | 'E_JIRA_RATE_LIMITED' // 429 after every retry
  | 'E_JIRA_UNAVAILABLE' // 5xx / network after every retry, request known not to have landed or a read
  | 'E_JIRA_UNKNOWN_OUTCOME' // a write that may or may not have landed: reconcile, never re-post blindly
  | 'E_JIRA_TIME_TRACKING_OFF'
  | 'E_JIRA_PROTOCOL' // an answer jlog cannot read
  | 'E_INTERNAL';

const USER_ERRORS: ReadonlySet<ErrorCode> = new Set([
  'E_USAGE',
  'E_CONFIG',
  'E_CREDENTIALS',
  'E_NOT_A_REPO',
  'E_JIRA_AUTH',
  'E_SHALLOW',
]);

export interface JlogErrorOptions {
  cause?: unknown;
  /** What the user can do about it, printed after the message. */
  hint?: string;
  /** HTTP status, when the error is Jira's answer. */
  status?: number;
  /** For rate limits and unknown outcomes: how long Jira asked us to wait. */
  retryAfterMs?: number;
  /** Whether trying again later (after a fix or a wait) can help. */
  retryable?: boolean;
}

export class JlogError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: JlogErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JlogError';
    this.code = code;
    this.hint = options.hint;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.retryable = options.retryable ?? false;
  }
}

export function isJlogError(err: unknown, code?: ErrorCode): err is JlogError {
  return err instanceof JlogError && (code === undefined || err.code === code);
}

/** Exit code for an error that ends a command (SPEC §6): 2 for usage, config and credentials. */
export function exitCodeFor(err: unknown): number {
  return err instanceof JlogError && USER_ERRORS.has(err.code) ? 2 : 1;
}

export function usageError(message: string, hint?: string): JlogError {
  return new JlogError('E_USAGE', message, hint === undefined ? {} : { hint });
}

/**
 * Why a token is `skipped` (SPEC §4, §5), beside ErrorCode: a skipped token is not an error, and the
 * planner decides by its code whether it may be posted after all.
 */
export type SkipCode =
  | 'E_NOT_MINE' // another author's token: a hook or sync with authors "me" leaves it (ci logs it)
  | 'E_OFF_BRANCH' // its commit was on no branch when a flush looked: decided again when seen
  | 'E_REWRITTEN' // its commit was rewritten (amend, rebase, force-push): the new token stands for it
  | 'E_UNDONE' // undone with jlog undo (a tombstone on Jira says so to every clone)
  | 'E_COPY'; // a merge commit's copy of a token of a commit it merges: never posted

/** Skip codes the planner decides again (the token may yet be posted from here). */
export const RECONSIDERED_SKIPS: ReadonlySet<string> = new Set<SkipCode>(['E_NOT_MINE', 'E_OFF_BRANCH']);
