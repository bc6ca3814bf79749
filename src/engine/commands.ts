// Reconcile and apply an issue's `#comment` and transition tokens (docs/exactly-once.md, issue 12), after the
// issue's worklogs. Comments: the remote check reads the issue's comments with their `jlog`
// properties; a marker that stands for the token (id, fingerprint or `also`) means it is there. Posting
// writes the marker with the comment, so a kill after the POST leaves a comment the next run finds.
// Transitions: one recorded in the issue property's `transitions` (by id or fingerprint) is done,
// whatever the status is now; otherwise the name is matched against what Jira offers, an issue already
// in the target status is skipped, and an applied one is recorded in the property right after Jira
// accepts it. A write whose outcome is unknown is never sent again in the run: the comment is looked
// for again, the status read back.
import type { PlannedCommand, PlannedComment, PlannedTransition } from '../core/commands.js';
import { sameComment, withAlso } from '../core/match.js';
import { parseCommandId } from '../core/commands.js';
import { MARKER_KEY } from '../core/jira-format.js';
import { fitIssueMarks } from '../core/marker.js';
import type { IssueMarks, LedgerRecord, Marker, RewriteSource } from '../core/types.js';
import { matchTransition, transitionMatchError } from '../core/transition-match.js';
import { JlogError, isJlogError } from '../errors.js';
import type { JiraClient, RemoteComment } from '../jira/client.js';
import { ISSUE_PROPERTY, asJlogError, issueMarksOf, readFailure } from './remote.js';

export interface CommandOutcome {
  command: PlannedCommand;
  /** The comment's id on Jira (posted or found). */
  commentId?: string | undefined;
  /** For a transition: the transition Jira applied, or the status the issue was already in. */
  transition?: string | undefined;
  error?: string | undefined;
  code?: string | undefined;
  /** skipped: why. */
  reason?: string | undefined;
}

export interface CommandResult {
  posted: CommandOutcome[];
  /** Comments changed to match a rewritten token (PUT), with the new token. */
  updated: CommandOutcome[];
  /** Comments deleted because their token left history or moved to another issue (the old token). */
  deleted: CommandOutcome[];
  alreadyLogged: CommandOutcome[];
  failed: CommandOutcome[];
  pending: CommandOutcome[];
  skipped: CommandOutcome[];
  /** --dry-run: what a real run would do. */
  planned: CommandOutcome[];
  notices: string[];
  /** Failures of this run (not the ones the ledger already held): for the next hook's notice. */
  newFailures: number;
}

export const emptyCommandResult = (): CommandResult => ({
  posted: [],
  updated: [],
  deleted: [],
  alreadyLogged: [],
  failed: [],
  pending: [],
  skipped: [],
  planned: [],
  notices: [],
  newFailures: 0,
});

export type CommandState = 'posted' | 'failed' | 'pending' | 'skipped';

export interface CommandApplyOptions {
  jira: JiraClient;
  dryRun: boolean;
  /** The ledger write for a command's new state (the engine's record builder). */
  record: (c: PlannedCommand, state: CommandState, extra: CommandRecordExtra) => Promise<void>;
  /** `"<ancestor> <descendant>"` pairs that hold, from git. */
  ancestors: (pairs: readonly [string, string][]) => Promise<ReadonlySet<string>>;
  /** The text to post for a comment (CI's author prefix); the token's own text when absent. */
  commentText?: (c: PlannedComment) => string;
  /** How long to wait before reading back after an unknown outcome. */
  readBackMs?: number;
  log?: ((line: string) => void) | undefined;
  /** True when the run must stop writing (401 seen, lock lost). */
  stopped?: () => JlogError | null;
}

export interface CommandRecordExtra {
  commentId?: string;
  /** A rewrite's heir (command-rewrites.ts): the token it replaces, or the one it was carried from. */
  replaces?: RewriteSource;
  from?: string;
  error?: string;
  code?: string;
  retryable?: boolean;
  unknownAt?: number;
}

const FAILING = new Set(['E_JIRA_BAD_REQUEST', 'E_JIRA_FORBIDDEN', 'E_JIRA_NOT_FOUND', 'E_JIRA_LIMIT']);
const READ_BACK_MS = 3000;
export const UNDONE_SKIP = 'E_UNDONE';
export const IN_STATUS_SKIP = 'E_ALREADY_IN_STATUS';

/** Whether a marker (id, fp, or an `also` entry) names this token. */
function names(
  marker: Marker,
  c: { id: string; fp: string },
  fpCounts: (markerId: string) => boolean,
): boolean {
  const refs = [{ id: marker.id, fp: marker.fp }, ...(marker.also ?? [])];
  return refs.some((r) => r.id === c.id || (r.fp === c.fp && fpCounts(r.id)));
}

const shaOf = (id: string): string | undefined =>
  parseCommandId(id)?.sha ?? /^([0-9a-f]{7,64}):/.exec(id)?.[1];

/**
 * Applies one issue's commands in order (the caller sorts them: docs/exactly-once.md's line order). Never
 * throws for a Jira answer: every command ends in the result and, unless dry-run, in the ledger.
 */
export async function applyIssueCommands(
  issue: string,
  commands: readonly PlannedCommand[],
  opts: CommandApplyOptions,
  result: CommandResult,
): Promise<void> {
  if (commands.length === 0) return;
  let marks: IssueMarks | undefined;
  let comments: RemoteComment[] | undefined;

  const settle = async (
    c: PlannedCommand,
    state: CommandState | 'planned',
    outcome: Omit<CommandOutcome, 'command'> = {},
    extra: CommandRecordExtra = {},
  ): Promise<void> => {
    if (state !== 'planned' && !opts.dryRun) await opts.record(c, state, extra);
    const list =
      state === 'planned'
        ? result.planned
        : state === 'posted' && outcome.reason === 'found'
          ? result.alreadyLogged
          : result[state];
    const { reason, ...rest } = outcome;
    list.push({ command: c, ...rest, ...(reason !== undefined && reason !== 'found' ? { reason } : {}) });
  };

  const leavePending = (c: PlannedCommand, err: unknown, unknownAt?: number) => {
    const e = asJlogError(err);
    return settle(
      c,
      'pending',
      { error: e.message, code: e.code },
      { error: e.message, code: e.code, ...(unknownAt === undefined ? {} : { unknownAt }) },
    );
  };
  const fail = (c: PlannedCommand, err: unknown) => {
    const e = asJlogError(err);
    return settle(
      c,
      'failed',
      { error: e.message, code: e.code },
      { error: e.message, code: e.code, retryable: e.retryable },
    );
  };

  /**
   * A write that threw: Jira said no (fail), something else broke (rethrown), or the outcome is unknown:
   * never sent again in this run, recorded pending first, then `readBack` looks for it after a moment.
   * What it found when it landed; otherwise undefined, and the token is settled (failed, or pending for
   * a later run).
   */
  const afterWriteError = async <T>(
    c: PlannedCommand,
    err: unknown,
    readBack: () => Promise<T | undefined>,
  ): Promise<T | undefined> => {
    if (!isJlogError(err, 'E_JIRA_UNKNOWN_OUTCOME')) {
      if (isJlogError(err) && FAILING.has(err.code)) {
        await fail(c, err);
        return undefined;
      }
      throw err;
    }
    const at = Date.now();
    await opts.record(c, 'pending', { error: err.message, code: err.code, unknownAt: at });
    await sleep(opts.readBackMs ?? READ_BACK_MS);
    const found = await readBack();
    if (found === undefined) await leavePending(c, err, at);
    return found;
  };
  /** A read or write that did not work: the rest of the issue's commands wait for the next run. */
  const stopIssue = async (from: number, err: unknown): Promise<void> => {
    const how = readFailure(err);
    for (const c of commands.slice(from)) await (how === 'fail' ? fail(c, err) : leavePending(c, err));
  };

  // Ancestry for fingerprint matches (docs/exactly-once.md): asked of git once for every marker the issue
  // holds.
  const fpCountsFor = async (c: PlannedCommand, markerIds: readonly string[]) => {
    const pairs: [string, string][] = [];
    for (const id of markerIds) {
      const sha = shaOf(id);
      if (sha !== undefined && sha !== c.sha) pairs.push([sha, c.sha]);
    }
    const yes = pairs.length > 0 ? await opts.ancestors(pairs) : new Set<string>();
    return (markerId: string) => {
      const sha = shaOf(markerId);
      return sha === undefined || sha === c.sha || !yes.has(`${sha} ${c.sha}`);
    };
  };

  for (let i = 0; i < commands.length; i++) {
    const c = commands[i] as PlannedCommand;
    const stop = opts.stopped?.();
    if (stop) return stopIssue(i, stop);
    try {
      // Tombstones and applied transitions: one read per issue per run (the dry run reads too, so its
      // plan is what a real run would do).
      marks ??= issueMarksOf(await opts.jira.getIssueProperty(issue, ISSUE_PROPERTY));
      if (marks.undone.some((u) => u.id === c.id || u.fp === c.fp)) {
        await settle(
          c,
          'skipped',
          { reason: 'undone with jlog undo' },
          { code: UNDONE_SKIP, error: 'undone' },
        );
        continue;
      }
      if (c.kind === 'comment') {
        comments ??= await opts.jira.listComments(issue);
        await applyComment(c, comments);
      } else {
        await applyTransition(c, marks);
      }
    } catch (err) {
      if (isJlogError(err, 'E_JIRA_AUTH')) return stopIssue(i, err);
      // A read failed (fail closed) or a write failed in a way handled below: stop this issue here,
      // so nothing after it goes out of order.
      return stopIssue(i, err);
    }
  }

  async function applyComment(c: PlannedComment, onJira: RemoteComment[]): Promise<void> {
    const marked = onJira.filter((r) => r.marker !== undefined);
    const ids = marked.flatMap((r) => [r.marker!.id, ...(r.marker!.also ?? []).map((a) => a.id)]);
    const fpCounts = await fpCountsFor(c, ids);
    let hit = marked.find((r) => names(r.marker!, c, fpCounts));
    // A squash commit's comment is the copy of a branch commit's comment with the same content that
    // is not in its history (docs/exactly-once.md Copies), claimed like a worklog.
    if (hit === undefined && c.squash) {
      hit = marked.find(
        (r) =>
          r.marker!.also?.some((a) => a.copy === true) !== true &&
          c.text !== '' &&
          sameComment(c.text, r.body) &&
          fpCounts(r.marker!.id),
      );
      if (hit !== undefined && !opts.dryRun) {
        const claimed: Marker = {
          ...hit.marker!,
          also: [...(hit.marker!.also ?? []), { id: c.id, fp: c.fp, copy: true as const }].slice(-50),
        };
        await opts.jira.setCommentProperty(issue, hit.id, MARKER_KEY, claimed);
        hit.marker = claimed;
      }
    }
    if (hit !== undefined) {
      // A rewrite's new token is on Jira already (CI in a fresh clone posted it): a separate comment of
      // the old token is deleted and tombstoned, never updated, so one comment remains
      // (docs/exactly-once.md).
      if (c.replaces !== undefined && !opts.dryRun) await dropSeparateOld(c, hit.id);
      await settle(c, 'posted', { commentId: hit.id, reason: 'found' }, { commentId: hit.id });
      return;
    }
    if (c.replaces !== undefined && (await reconcileRewrite(c, onJira))) return;
    if (opts.dryRun) return settle(c, 'planned');
    const text = opts.commentText?.(c) ?? c.text;
    const marker: Marker = { v: 2, id: c.id, fp: c.fp, a: c.author };
    try {
      const { id } = await opts.jira.addComment(issue, text, marker);
      onJira.push({ id, body: text, marker, created: new Date().toISOString() });
      await settle(c, 'posted', { commentId: id }, { commentId: id });
    } catch (err) {
      const landed = await afterWriteError(c, err, async () => {
        comments = await opts.jira.listComments(issue);
        return comments.find((r) => r.marker !== undefined && names(r.marker, c, () => true));
      });
      if (landed) await settle(c, 'posted', { commentId: landed.id }, { commentId: landed.id });
    }
  }

  /** The comments of an issue: this issue's as read for the run, another's read now. */
  async function commentsOf(key: string): Promise<RemoteComment[]> {
    if (key !== issue) return opts.jira.listComments(key);
    comments ??= await opts.jira.listComments(issue);
    return comments;
  }

  /** Deletes the old token's comment (tombstoned first, on its own issue). */
  async function dropOld(c: PlannedComment, list: RemoteComment[], hit: RemoteComment): Promise<void> {
    const old = c.replaces!;
    const undone = await removeComment(opts.jira, old.issue, hit.id, old, result.notices);
    if (old.issue === issue && undone !== null) marks = undone;
    list.splice(list.indexOf(hit), 1);
    result.deleted.push({ command: oldCommand(old, c), commentId: hit.id });
  }

  async function dropSeparateOld(c: PlannedComment, keep: string): Promise<void> {
    const list = await commentsOf(c.replaces!.issue);
    const hit = commentFor(list, c.replaces!);
    if (hit !== undefined && hit.id !== keep) await dropOld(c, list, hit);
  }

  /**
   * A rewritten comment whose old token's comment is on Jira (docs/exactly-once.md, as for worklogs): on the
   * same issue it is updated to the new text and its marker gains the new token; moved to another issue,
   * it is deleted and tombstoned there and the caller posts the new one. Returns whether the token is
   * settled.
   */
  async function reconcileRewrite(c: PlannedComment, onJira: RemoteComment[]): Promise<boolean> {
    const old = c.replaces!;
    const list = old.issue === issue ? onJira : await commentsOf(old.issue);
    const hit = commentFor(list, old);
    if (hit === undefined || hit.marker === undefined) return false;
    // CI's author prefix and GitHub's ` (#12)` are no difference; anything else is the new text.
    const same = sameComment(c.text, hit.body);
    if (opts.dryRun) {
      if (old.issue !== issue) return false;
      (same ? result.alreadyLogged : result.updated).push({ command: c, commentId: hit.id });
      return true;
    }
    if (old.issue !== issue) {
      await dropOld(c, list, hit);
      return false;
    }
    if (!same) {
      const text = opts.commentText?.(c) ?? c.text;
      await opts.jira.updateComment(issue, hit.id, text);
      hit.body = text;
    }
    // The marker stands for the new token too, so no clone or CI job posts it again.
    const marker = withAlso(hit.marker, { id: c.id, fp: c.fp });
    await opts.jira.setCommentProperty(issue, hit.id, MARKER_KEY, marker);
    hit.marker = marker;
    await opts.record(c, 'posted', { commentId: hit.id });
    (same ? result.alreadyLogged : result.updated).push({ command: c, commentId: hit.id });
    return true;
  }

  async function applyTransition(c: PlannedTransition, m: IssueMarks): Promise<void> {
    // Recorded as applied by any clone or CI job: done, whatever the status is now (docs/exactly-once.md).
    const recorded = m.transitions.find((t) => t.id === c.id || t.fp === c.fp);
    if (recorded !== undefined) {
      await settle(c, 'posted', { reason: 'found' });
      return;
    }
    // The heir of an applied transition whose fingerprint a rewrite changed: recorded as applied too,
    // so no fresh clone or CI job applies it again; never applied a second time (docs/exactly-once.md).
    if (c.replaces?.applied === true) {
      if (!opts.dryRun && !(await recordTransition(c).catch(() => false))) {
        result.notices.push(
          `${issue}: the rewritten #${c.name} is not recorded on the issue, so other clones and CI may apply it again`,
        );
      }
      await settle(c, 'posted', { reason: 'found' });
      return;
    }
    const [offered, status] = await Promise.all([
      opts.jira.listTransitions(issue),
      opts.jira.getIssueStatus(issue),
    ]);
    const match = matchTransition(c.name, offered);
    // `#done` on an issue that is Done already: no transition out of Done is called so, but the
    // status is, as Atlassian matches names (any case, `-` for a space, a unique prefix). Nothing to
    // do, not an error. An ambiguous command stays an error: it may mean one of those transitions.
    const inStatus = match.kind === 'none' && matchTransition(c.name, [status]).kind === 'match';
    if (match.kind !== 'match' && !inStatus) {
      return fail(c, new JlogError('E_JIRA_BAD_REQUEST', transitionMatchError(issue, c.name, match)));
    }
    const t = match.kind === 'match' ? match.transition : undefined;
    if (t === undefined || t.to.id === status.id) {
      // Recorded like an applied one: the issue was where the command wanted it, so no clone or CI
      // job applies it (or fails on it) later after someone moved the issue on.
      const reason = `${issue} is already ${status.name}`;
      if (!opts.dryRun) await recordTransition(c).catch(() => false);
      return settle(
        c,
        'skipped',
        { reason, code: IN_STATUS_SKIP, transition: t?.name ?? status.name },
        { code: IN_STATUS_SKIP, error: reason },
      );
    }
    if (opts.dryRun) return settle(c, 'planned', { transition: t.name });
    try {
      await opts.jira.transitionIssue(issue, t.id);
    } catch (err) {
      // The status tells whether it landed.
      const landed = async () => ((await opts.jira.getIssueStatus(issue)).id === t.to.id ? true : undefined);
      if (!(await afterWriteError(c, err, landed))) return;
    }
    // Recorded on Jira right after Jira accepted it: no clone or CI job applies it again. The
    // transition is applied whatever happens to that record, so it is posted either way.
    let why: string | undefined;
    try {
      if (!(await recordTransition(c))) why = `no permission to edit ${issue}`;
    } catch (err) {
      why = asJlogError(err).message;
    }
    await settle(c, 'posted', { transition: t.name });
    if (why !== undefined) {
      result.notices.push(
        `${why}: the transition ${t.name} is applied but not recorded on the issue, so other clones and CI may try it again`,
      );
    }
  }

  /** Appends to the issue property's `transitions`, read fresh just before; false on a 403. */
  async function recordTransition(c: PlannedTransition): Promise<boolean> {
    const fresh = issueMarksOf(await opts.jira.getIssueProperty(issue, ISSUE_PROPERTY));
    const next = fitIssueMarks({ ...fresh, transitions: [...fresh.transitions, { id: c.id, fp: c.fp }] });
    try {
      await opts.jira.setIssueProperty(issue, ISSUE_PROPERTY, next);
    } catch (err) {
      if (isJlogError(err, 'E_JIRA_FORBIDDEN')) return false;
      throw err;
    }
    marks = next;
    return true;
  }
}

/** The comment that holds a token: by id (its marker or an `also` entry), else the id the ledger knew. */
function commentFor(
  list: readonly RemoteComment[],
  t: { id: string; commentId?: string | undefined },
): RemoteComment | undefined {
  const holds = (m: Marker) => m.id === t.id || (m.also ?? []).some((a) => a.id === t.id);
  return (
    list.find((r) => r.marker !== undefined && holds(r.marker)) ??
    (t.commentId === undefined ? undefined : list.find((r) => r.id === t.commentId))
  );
}

/**
 * Tombstone first, then delete (as for worklogs): a kill in between leaves a comment the next run
 * deletes, never a re-post. Returns the issue's new marks, or null when Jira refused the tombstone
 * (the comment is deleted all the same, and a notice says what that means).
 */
async function removeComment(
  jira: JiraClient,
  issue: string,
  commentId: string,
  token: { id: string; fp: string },
  notices: string[],
): Promise<IssueMarks | null> {
  const fresh = issueMarksOf(await jira.getIssueProperty(issue, ISSUE_PROPERTY));
  let next: IssueMarks | null = fresh;
  if (!fresh.undone.some((u) => u.id === token.id)) {
    next = fitIssueMarks({ ...fresh, undone: [...fresh.undone, { id: token.id, fp: token.fp }] });
    try {
      await jira.setIssueProperty(issue, ISSUE_PROPERTY, next);
    } catch (err) {
      if (!isJlogError(err, 'E_JIRA_FORBIDDEN')) throw err;
      next = null;
      notices.push(
        `no permission to edit ${issue}: comment ${commentId} is deleted but not tombstoned, so other clones and CI may post it again`,
      );
    }
  }
  try {
    await jira.deleteComment(issue, commentId);
  } catch (err) {
    if (!isJlogError(err, 'E_JIRA_NOT_FOUND')) throw err;
  }
  return next;
}

/** The old token of a rewrite (or a comment that left history), in the shape results report. */
function oldCommand(
  old: Pick<RewriteSource, 'id' | 'fp' | 'issue' | 'comment'>,
  like?: PlannedComment,
  authorEmail = like?.authorEmail ?? '',
): PlannedComment {
  const parsed = parseCommandId(old.id);
  return {
    kind: 'comment',
    id: old.id,
    sha: parsed?.sha ?? shaOf(old.id) ?? '',
    n: parsed?.n ?? 0,
    issue: old.issue,
    line: like?.line ?? 0,
    authorEmail,
    author: like?.author ?? '',
    authors: like?.authors ?? [],
    authorDate: like?.authorDate ?? '',
    fp: old.fp,
    squash: false,
    text: old.comment,
  };
}

/**
 * Posted comments a rewrite took out of history (core/command-plan.ts `gone`): deleted and
 * tombstoned, like a gone worklog (docs/exactly-once.md), then recorded as rewritten. A read or write that
 * fails leaves them for the next run.
 */
export async function removeGoneComments(
  issue: string,
  gone: readonly LedgerRecord[],
  opts: Pick<CommandApplyOptions, 'jira' | 'dryRun' | 'stopped'> & {
    recordGone: (r: LedgerRecord) => Promise<void>;
  },
  result: CommandResult,
): Promise<void> {
  if (gone.length === 0) return;
  let list: RemoteComment[] | undefined;
  for (const r of gone) {
    const command = oldCommand({ ...r, fp: r.fp ?? '', comment: r.comment ?? '' }, undefined, r.authorEmail);
    try {
      const stop = opts.stopped?.();
      if (stop) throw stop;
      list ??= await opts.jira.listComments(issue);
      const hit = commentFor(list, { id: r.id, commentId: r.commentId });
      if (hit !== undefined && !opts.dryRun) {
        await removeComment(opts.jira, issue, hit.id, { id: r.id, fp: r.fp ?? '' }, result.notices);
        list.splice(list.indexOf(hit), 1);
      }
      if (!opts.dryRun) await opts.recordGone(r);
      result.deleted.push({ command, commentId: hit?.id });
    } catch (err) {
      const e = asJlogError(err);
      result.pending.push({ command, error: e.message, code: e.code });
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
