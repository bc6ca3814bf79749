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
  | 'E_INTERRUPTED' // Ctrl-C: what was done is recorded, the next run carries on
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
  /**
   * The problems the message lists, one per printed line (config problems). The message keeps them
   * on one line for logs and JSON; the CLI prints these instead, under the first part of the message.
   */
  details?: readonly string[];
}

export class JlogError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly retryable: boolean;
  readonly details: readonly string[] | undefined;

  constructor(code: ErrorCode, message: string, options: JlogErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JlogError';
    this.code = code;
    this.hint = options.hint;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }
}

export function isJlogError(err: unknown, code?: ErrorCode): err is JlogError {
  return err instanceof JlogError && (code === undefined || err.code === code);
}

/**
 * The next step for each code, when the error does not carry a more precise one of its own: one table,
 * so that every command says the same thing about the same failure.
 */
export const HINTS: Readonly<Record<ErrorCode, string>> = {
  E_USAGE: 'run jlog <command> --help for the arguments',
  E_CONFIG: 'fix the config file; jlog config shows what applies and from where',
  E_CREDENTIALS: 'run jlog login, or set JIRA_BASE_URL, JIRA_USER_EMAIL and JIRA_API_TOKEN',
  E_NOT_A_REPO: 'run jlog inside a git repository',
  E_GIT: 'run the git command yourself to see what git says, or set JLOG_DEBUG=1 for the details',
  E_SHALLOW: 'fetch the whole history: git fetch --unshallow, or fetch-depth: 0 in actions/checkout',
  E_LEDGER_LOCKED: 'another jlog is posting from this clone; run the command again when it ends',
  E_LEDGER_IO: 'check that .git/jlog is writable by you, then run the command again',
  E_JIRA_AUTH: 'run jlog login, or check JIRA_USER_EMAIL and JIRA_API_TOKEN; nothing was lost',
  E_JIRA_BAD_REQUEST: 'fix the token in the commit, or cancel it with jlog undo <id>',
  E_JIRA_FORBIDDEN: 'ask a Jira admin for the work on issues permission, or cancel it with jlog undo <id>',
  E_JIRA_NOT_FOUND: 'log the time on the right key: jlog log <key> <duration> --instead-of <id>',
  E_JIRA_LIMIT: 'the issue holds too many worklogs; log the time on another issue with jlog log',
  E_JIRA_RATE_LIMITED: 'Jira is busy; the tokens stay pending, run jlog sync later',
  E_JIRA_UNAVAILABLE: 'the tokens stay pending; run jlog sync when Jira answers again',
  E_JIRA_UNKNOWN_OUTCOME: 'the next jlog sync checks Jira before posting again; nothing is posted twice',
  E_JIRA_TIME_TRACKING_OFF: 'ask a Jira admin to turn time tracking on; the tokens stay pending until then',
  E_JIRA_PROTOCOL: 'check that the base URL is your Jira site (jlog config), or run jlog doctor',
  E_INTERRUPTED: 'run the same command again: it carries on where this run stopped',
  E_INTERNAL: 'this is a bug in jlog: run again with JLOG_DEBUG=1 and report what it logs',
};

/** The error's own hint, else the table's. */
export function hintFor(err: JlogError): string {
  return err.hint ?? HINTS[err.code];
}

/** Exit code for an error that ends a command (docs/commands.md): 2 for usage, config and credentials. */
export function exitCodeFor(err: unknown): number {
  return err instanceof JlogError && USER_ERRORS.has(err.code) ? 2 : 1;
}

export function usageError(message: string, hint?: string): JlogError {
  return new JlogError('E_USAGE', message, hint === undefined ? {} : { hint });
}

/**
 * Why a token is `skipped` (docs/exactly-once.md, docs/commands.md), beside ErrorCode: a skipped token is not
 * an error, and the planner decides by its code whether it may be posted after all.
 */
export type SkipCode =
  | 'E_NOT_MINE' // another author's token: a hook or sync with authors "me" leaves it (ci logs it)
  | 'E_OFF_BRANCH' // its commit was on no branch when a flush looked: decided again when seen
  | 'E_REWRITTEN' // its commit was rewritten (amend, rebase, force-push): the new token stands for it
  | 'E_UNDONE' // undone with jlog undo (a tombstone on Jira says so to every clone)
  | 'E_COPY'; // a merge commit's copy of a token of a commit it merges: never posted

/** Skip codes the planner decides again (the token may yet be posted from here). */
export const RECONSIDERED_SKIPS: ReadonlySet<string> = new Set<SkipCode>(['E_NOT_MINE', 'E_OFF_BRANCH']);
