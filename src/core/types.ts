// The plain data that flows through jlog: git → commits → grammar → tokens → plan → poster → ledger.

/** One `#time` token: a worklog to post. */
export interface WorklogToken {
  issue: string;
  /** Whole minutes, in seconds (docs/grammar.md). */
  seconds: number;
  /** The token's own comment text, '' when it has none (the subject fallback is applied when posting). */
  comment: string;
  /** 1-based line of the message the token came from. */
  line: number;
}

export interface CommentCommand {
  issue: string;
  text: string;
  line: number;
}

export interface TransitionCommand {
  issue: string;
  /** The command name as written, without `#` (`resolve`, `start-progress`). */
  name: string;
  args: string;
  line: number;
}

export interface Diagnostic {
  /** 1-based line of the message (0 when it is about the whole message). */
  line: number;
  message: string;
  issue?: string;
}

export interface ParseResult {
  worklogs: WorklogToken[];
  comments: CommentCommand[];
  transitions: TransitionCommand[];
  diagnostics: Diagnostic[];
}

export interface GrammarOptions {
  /** Allow-list of project keys (`PROJ`), or null for any. */
  projects: readonly string[] | null;
  hoursPerDay: number;
  daysPerWeek: number;
  /** Upper bound of one token, in seconds (from `maxDuration`). */
  maxSeconds: number;
  /** Branch name: a `#time` line without a key takes the branch's key when exactly one is there. */
  branch?: string | undefined;
}

/** A commit as git reports it (read with NUL separators). */
export interface Commit {
  sha: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  /** Strict ISO 8601 with the author's own offset, as `git log --format=%aI` prints it. */
  authorDate: string;
  subject: string;
  /** The full raw message (`%B`). */
  message: string;
}

/** A token that a marker also stands for (docs/exactly-once.md `also`): a rewrite, or a copy that claimed it. */
export interface MarkerRef {
  id: string;
  fp: string;
  /** Set when a copy commit's token claimed the worklog (docs/exactly-once.md Copies). */
  copy?: true;
}

/**
 * What a `jlog` property holds on Jira (docs/exactly-once.md), on worklogs and comments. Readers take v1
 * (`{v:1,id,fp}`) as v2 without `a` and `also` (core/marker.ts).
 */
export interface Marker {
  v: 2;
  /** `<sha>:<n>` (`<sha>:c<n>` for a comment). */
  id: string;
  /** Fingerprint: issue, seconds, comment, author email, author date, twin index. Survives rebase and cherry-pick. */
  fp: string;
  /** First 12 hex digits of SHA-256 of the lower-cased author email. */
  a?: string;
  /** Posted for a copy commit's token (a squash logged first). */
  copy?: true;
  /** Other tokens this worklog stands for, at most 50. */
  also?: MarkerRef[];
}

/** The issue property `jlog` (docs/exactly-once.md): tombstones and applied transitions, newest last, at most 500 each. */
export interface IssueMarks {
  v: 1;
  undone: { id: string; fp: string }[];
  transitions: { id: string; fp: string }[];
}

/** What a token asks of Jira. Only worklogs today; comments and transitions join as kinds of their own. */
export type TokenKind = 'worklog';

/** A worklog as jlog means to post it. */
export interface PlannedWorklog {
  /** Absent means 'worklog'. */
  kind?: TokenKind;
  /** `<sha>:<n>` */
  id: string;
  sha: string;
  /** Index among the commit's worklogs, 0-based, message order. */
  n: number;
  issue: string;
  seconds: number;
  /** The token's own comment. */
  comment: string;
  /** The text posted as the worklog comment after the fallback ('' = no comment). */
  postComment: string;
  /** Exactly as sent to Jira: `yyyy-MM-dd'T'HH:mm:ss.SSS±HHMM`. */
  started: string;
  /** The same instant in Unix ms (for the remote check's window). */
  startedMs: number;
  authorEmail: string;
  /** The marker's `a`: first 12 hex of SHA-256 of the lower-cased author email (from authorEmail when absent). */
  author?: string;
  /** `a` of the author and of every `Co-authored-by:` trailer: the squash rule's preference. */
  authors?: string[];
  fp: string;
  /** The commit is a squash merge: it may claim, on content key, a marker of a commit it does not contain. */
  squash: boolean;
  /**
   * The squash is inferred, not written in the message: the lone commit a GitLab merge commit brings
   * (GitLab's squash commit, or the developer's own commit of a one-commit MR), so it claims only
   * markers of its own authors, never a colleague's token with the same text.
   */
  inferredSquash?: true;
  /** A merge commit's copy of a token of a commit it merges (that token's id): never posted. */
  copyOf?: string | undefined;
  /** The token this one replaces (a rewrite): the run reconciles that one's worklog instead of posting. */
  replaces?: RewriteSource | undefined;
  /** A POST of this token had an unknown outcome then (Unix ms). */
  unknownAt?: number | undefined;
}

export type LedgerState = 'pending' | 'posted' | 'failed' | 'skipped' | 'undone';

/**
 * One line of the ledger. The ledger is a log: the last record of an id is its state. Records carry
 * enough of the token to report on it without git.
 */
export interface LedgerRecord {
  /** A `#comment` or transition token (docs/exactly-once.md, issue 12); absent for a worklog. Its `seconds` is 0. */
  kind?: 'comment' | 'transition';
  /** A comment token: the comment's id on Jira. */
  commentId?: string;
  id: string;
  sha: string;
  issue: string;
  seconds: number;
  state: LedgerState;
  /** When this record was written (ISO). */
  at: string;
  started?: string;
  comment?: string;
  fp?: string;
  authorEmail?: string;
  worklogId?: string;
  /** failed: Jira's reason; skipped: why. */
  error?: string;
  code?: string;
  /** failed: whether `sync --retry-failed` can help. */
  retryable?: boolean;
  /** Written by earlier versions: the id post-rewrite carried this record's state from. */
  from?: string;
  /** The token this one replaces (post-rewrite, or a force-push seen by pre-push): reconciled on Jira. */
  replaces?: RewriteSource;
  /** This token was rewritten: by what, and into which token (null: gone from history). */
  rewritten?: { by: RewriteKind; to: string | null };
  /** A POST whose outcome is unknown (Unix ms): no new POST before the settle window has passed. */
  unknownAt?: number;
  /**
   * post-commit's blind record, appended without reading the ledger: it counts only when the id has no
   * record yet (an amend that changes nothing in the same second writes the very same commit again).
   */
  ifNew?: true;
}

/** What rewrote a token: `amend`/`rebase` (post-rewrite) or `push` (a force-push, from pre-push). */
export type RewriteKind = 'amend' | 'rebase' | 'push';

/** The old token a rewritten one replaces, as the ledger knew it when the rewrite happened. */
export interface RewriteSource {
  id: string;
  fp: string;
  issue: string;
  seconds: number;
  comment: string;
  /** The old token's worklog, when the ledger knew it was posted. */
  worklogId?: string;
  /** A `#comment` token's: the old token's comment, when the ledger knew it was posted. */
  commentId?: string;
  /** A transition token's: the old token was applied (its heir is never applied again). */
  applied?: true;
}
