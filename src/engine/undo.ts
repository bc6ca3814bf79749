// `jlog undo <sha>`: delete the worklogs a commit posted (adjustEstimate=auto, so Jira restores the
// remaining estimate) and record every token of the commit as `undone`, which the planner never posts
// again. Plan first (what the user is asked to confirm), then apply under the post lock, re-deciding
// each token from the ledger as it is then: a poster may have landed a pending token meanwhile.
import { resolveCredentials } from '../config/credentials.js';
import { startedToMs } from '../core/jira-format.js';
import { commitWorklogs } from '../core/plan.js';
import type { LedgerRecord, LedgerState, PlannedWorklog } from '../core/types.js';
import { JlogError, isJlogError, usageError } from '../errors.js';
import { readCommit, resolveRev } from '../git/index.js';
import { createJiraClient, type JiraClient } from '../jira/client.js';
import type { LedgerView } from '../ledger/ledger.js';
import type { RepoContext } from './context.js';
import { debugLogger } from './debug.js';
import { findToken } from './manual.js';
import { ledgerRecord, offlinePlanOptions } from './record.js';
import { addTombstones } from './remote.js';
import { MANUAL_PREFIX } from './run.js';

/**
 * delete: the ledger has the worklog id. lookup: it may be on Jira without the ledger knowing its id
 * (a post that was interrupted, or a token posted from another clone or CI): find it by its marker.
 * cancel: not posted; recording it undone keeps it from being posted later.
 */
export type UndoAction = 'delete' | 'lookup' | 'cancel' | 'irreversible';

export interface UndoTarget {
  id: string;
  sha: string;
  issue: string;
  seconds: number;
  started?: string | undefined;
  worklogId?: string | undefined;
  /** The ledger's state, or `unknown` for a token of the commit the ledger has never seen. */
  state: LedgerState | 'unknown';
  action: UndoAction;
  /** A `#comment` or transition token (issue 12): a comment is deleted, a transition cannot be undone. */
  kind?: 'comment' | 'transition';
  commentId?: string | undefined;
  /** The command as written, for messages (`#resolve`). */
  text?: string | undefined;
}

export interface UndoPlan {
  /** The commit's full SHA (from git, or from the ledger when git no longer has it). */
  sha: string;
  /** Whether git still has the commit. */
  inGit: boolean;
  targets: UndoTarget[];
  /** Tokens an earlier undo already took care of. */
  alreadyUndone: UndoTarget[];
}

export interface UndoEntry {
  id: string;
  sha: string;
  issue: string;
  seconds: number;
  started?: string;
  worklogId?: string;
  /** cancelled: the state it had (pending, failed, unknown); failed: what went wrong. */
  was?: string;
  /** A comment token (issue 12), with the comment deleted. */
  kind?: 'comment';
  commentId?: string;
  error?: string;
  code?: string;
}

export interface UndoResult {
  sha: string;
  deleted: UndoEntry[];
  /** Deleted on Jira already (by hand, or by an undo that was interrupted): recorded undone. */
  alreadyGone: UndoEntry[];
  /** Never posted: recorded undone so they are not posted later. */
  cancelled: UndoEntry[];
  /** Left as they were; running undo again retries them. */
  failed: UndoEntry[];
  /** What the user must know beyond the entries (a tombstone Jira refused). */
  notices: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Around `started` when looking a token up by its marker (a `started` setting may have moved it). */
const WINDOW_MS = 15 * DAY_MS;
const HEX_PREFIX = /^[0-9a-f]{4,40}$/i;

function targetOf(r: LedgerRecord | undefined, w: PlannedWorklog | undefined): UndoTarget | null {
  const base = r ?? w;
  if (base === undefined) return null;
  const t = {
    id: base.id,
    sha: base.sha,
    issue: base.issue,
    seconds: base.seconds,
    started: r?.started ?? w?.started,
  };
  if (r?.kind !== undefined) return commandTarget(r, t);
  switch (r?.state) {
    case undefined:
      return { ...t, state: 'unknown', action: 'lookup' };
    case 'posted':
      return r.worklogId
        ? { ...t, state: 'posted', worklogId: r.worklogId, action: 'delete' }
        : { ...t, state: 'posted', action: 'lookup' };
    case 'pending':
      // A pending token's worklog may be on Jira all the same: a POST whose answer was lost, a run
      // killed between Jira's answer and the ledger write, another clone or CI. Looked for by its marker.
      return { ...t, state: 'pending', action: 'lookup' };
    case 'failed':
      return { ...t, state: r.state, action: 'cancel' };
    case 'undone':
      return { ...t, state: 'undone', action: 'cancel' };
    case 'skipped':
      // Not mine, or skipped for a reason: jlog never posted it from here and will not.
      return null;
  }
}

/**
 * A comment token is undone like a worklog (deleted, tombstoned); an applied transition cannot be
 * undone (Jira has no "untransition"), so it is left as it is and the result says so.
 */
function commandTarget(r: LedgerRecord, t: Omit<UndoTarget, 'state' | 'action'>): UndoTarget | null {
  const c = { ...t, kind: r.kind, text: r.comment, commentId: r.commentId };
  if (r.state === 'undone') return { ...c, state: 'undone', action: 'cancel' };
  if (r.state === 'pending' || r.state === 'failed') return { ...c, state: r.state, action: 'cancel' };
  if (r.state !== 'posted') return null;
  if (r.kind === 'transition') return { ...c, state: 'posted', action: 'irreversible' };
  return { ...c, state: 'posted', action: r.commentId ? 'delete' : 'lookup' };
}

/** Which commit `rev` means: git first, else a SHA prefix of the ledger's records (the commit is gone). */
async function findCommit(
  ctx: RepoContext,
  view: LedgerView,
  rev: string,
): Promise<{ sha: string; inGit: boolean }> {
  const full = await resolveRev(ctx.repo.top, rev);
  if (full !== null) return { sha: full, inGit: true };
  const prefix = rev.toLowerCase();
  const shas = HEX_PREFIX.test(rev)
    ? [...new Set(view.all().map((r) => r.sha))].filter((s) => s.startsWith(prefix))
    : [];
  if (shas.length === 1) return { sha: shas[0]!, inGit: false };
  if (shas.length > 1) {
    throw usageError(
      `"${rev}" is ambiguous: it starts ${shas.length} commits in the ledger`,
      `give more of the SHA (${shas.map((s) => s.slice(0, 12)).join(', ')})`,
    );
  }
  throw usageError(
    `"${rev.slice(0, 80)}" names no commit here and none in the ledger`,
    'give the SHA of a commit jlog posted (jlog status lists them)',
  );
}

/** The commit's tokens the ledger knows, plus (when git has the commit) those it does not. */
async function commitTokens(
  ctx: RepoContext,
  sha: string,
  inGit: boolean,
  view: LedgerView,
): Promise<Map<string, { r?: LedgerRecord; w?: PlannedWorklog }>> {
  const tokens = new Map<string, { r?: LedgerRecord; w?: PlannedWorklog }>();
  for (const r of view.bySha(sha)) tokens.set(r.id, { r });
  if (inGit) {
    const commit = await readCommit(ctx.repo.top, sha);
    if (commit !== null) {
      for (const w of commitWorklogs(commit, await offlinePlanOptions(ctx)).worklogs)
        tokens.set(w.id, { ...tokens.get(w.id), w });
    }
  }
  return tokens;
}

export async function planUndo(ctx: RepoContext, rev: string): Promise<UndoPlan> {
  const view = await ctx.ledger.read();
  const { sha, inGit } = await findCommit(ctx, view, rev);
  const targets: UndoTarget[] = [];
  const alreadyUndone: UndoTarget[] = [];
  for (const { r, w } of (await commitTokens(ctx, sha, inGit, view)).values()) {
    const t = targetOf(r, w);
    if (t === null) continue;
    (t.state === 'undone' ? alreadyUndone : targets).push(t);
  }
  return { sha, inGit, targets, alreadyUndone };
}

function entryOf(t: UndoTarget, extra: Partial<UndoEntry> = {}): UndoEntry {
  const e: UndoEntry = { id: t.id, sha: t.sha, issue: t.issue, seconds: t.seconds };
  if (t.started !== undefined) e.started = t.started;
  if (t.worklogId !== undefined) e.worklogId = t.worklogId;
  return { ...e, ...extra };
}

function undoneRecord(
  r: LedgerRecord | undefined,
  w: PlannedWorklog | undefined,
  worklogId: string | undefined,
): LedgerRecord {
  const base: LedgerRecord = r ?? ledgerRecord(w!, { state: 'undone' });
  const record = ledgerRecord(base, { state: 'undone', ...(worklogId ? { worklogId } : {}) });
  if (worklogId === undefined) delete record.worklogId;
  return record;
}

/** Applies the plan under the post lock; throws on a 401 (what was done so far stays recorded). */
export async function applyUndo(ctx: RepoContext, plan: UndoPlan): Promise<UndoResult> {
  const log = debugLogger(ctx, ctx.env);
  let jira: JiraClient | null = null;
  const client = async (): Promise<JiraClient> => {
    if (jira !== null) return jira;
    const creds = await resolveCredentials(ctx.config, ctx.env);
    return (jira = createJiraClient(creds, {
      timeoutMs: ctx.config.timeoutMs,
      concurrency: 1,
      ...(log ? { debug: log } : {}),
    }));
  };
  try {
    // Waits for a poster that holds the lock (wait: true never returns null; it throws after its timeout).
    return (await ctx.ledger.folder.withLock('post', () => undoLocked(ctx, plan, client, log), {
      wait: true,
    }))!;
  } finally {
    await (jira as JiraClient | null)?.close();
  }
}

async function undoLocked(
  ctx: RepoContext,
  plan: UndoPlan,
  client: () => Promise<JiraClient>,
  log: ((line: string) => void) | undefined,
): Promise<UndoResult> {
  const result: UndoResult = {
    sha: plan.sha,
    deleted: [],
    alreadyGone: [],
    cancelled: [],
    failed: [],
    notices: [],
  };
  const view = await ctx.ledger.read();
  const tokens = await commitTokens(ctx, plan.sha, plan.inGit, view);
  const { refused, unreachable } = await tombstone(plan, tokens, client, result);
  for (const planned of plan.targets) {
    const token = tokens.get(planned.id);
    // Decide again from the ledger as it is now, under the lock.
    const t = token ? targetOf(token.r, token.w) : null;
    if (t === null || t.state === 'undone') continue;
    const record = async (worklogId?: string): Promise<void> =>
      ctx.ledger.append([undoneRecord(token?.r, token?.w, worklogId)]);
    if (t.action === 'irreversible') {
      result.notices.push(
        `the transition ${t.text ?? ''} on ${t.issue} cannot be undone: move the issue back in Jira if you need to`,
      );
      continue;
    }
    try {
      if (t.kind === 'comment') {
        await undoComment(await client(), t, token?.r, ctx, result);
        continue;
      }
      let worklogId = t.worklogId;
      // Jira out of reach: a pending token none of whose POSTs has an unknown outcome is cancelled in
      // this clone, as tombstone() said.
      if (t.action === 'lookup' && !(unreachable && cancelsLocally(t, token?.r)))
        worklogId = await findByMarker(await client(), t);
      if (worklogId === undefined) {
        await record();
        const was = t.state === 'pending' ? 'pending' : t.action === 'lookup' ? 'not on Jira' : t.state;
        result.cancelled.push(entryOf(t, { was }));
        continue;
      }
      if (refused.has(t.issue) && !result.notices.some((n) => n.includes(t.issue))) {
        result.notices.push(
          `Jira refused the tombstone on ${t.issue} (no permission to edit it): its worklogs are deleted, ` +
            'but other clones and CI may post them again',
        );
      }
      const gone = await deleteWorklog(await client(), t.issue, worklogId);
      await record(worklogId);
      (gone ? result.alreadyGone : result.deleted).push(entryOf(t, { worklogId }));
      log?.(`undo ${t.id}: worklog ${worklogId} ${gone ? 'already gone' : 'deleted'}`);
    } catch (err) {
      // A 401 stops everything (every later call would fail the same way); a config or credential problem too.
      if (
        isJlogError(err, 'E_JIRA_AUTH') ||
        isJlogError(err, 'E_CREDENTIALS') ||
        isJlogError(err, 'E_CONFIG')
      )
        throw err;
      const e = isJlogError(err) ? err : new JlogError('E_INTERNAL', String(err), { cause: err });
      result.failed.push(entryOf(t, { error: e.message, code: e.code }));
    }
  }
  return result;
}

/**
 * docs/exactly-once.md: every undone token is tombstoned in its issue's `jlog` property before anything is
 * deleted, so no clone, CI job or later run posts it again. Returns the issues where Jira refused (403); a
 * token that was never posted anywhere (no credentials) is cancelled locally only.
 */
async function tombstone(
  plan: UndoPlan,
  tokens: Map<string, { r?: LedgerRecord; w?: PlannedWorklog }>,
  client: () => Promise<JiraClient>,
  result: UndoResult,
): Promise<{ refused: Set<string>; unreachable: boolean }> {
  const byIssue = new Map<string, { id: string; fp: string }[]>();
  for (const t of plan.targets) {
    if (t.action === 'irreversible') continue;
    const token = tokens.get(t.id);
    const fp = token?.r?.fp ?? token?.w?.fp;
    if (fp === undefined) continue;
    byIssue.set(t.issue, [...(byIssue.get(t.issue) ?? []), { id: t.id, fp }]);
  }
  const refused = new Set<string>();
  let unreachable = false;
  const onlyCancels = plan.targets.every(
    (t) => t.action === 'cancel' || t.action === 'irreversible' || cancelsLocally(t, tokens.get(t.id)?.r),
  );
  for (const [issue, entries] of byIssue) {
    try {
      if (!(await addTombstones(await client(), issue, entries))) refused.add(issue);
    } catch (err) {
      // Cancelling tokens that never left this clone needs no Jira: say so and go on.
      if (onlyCancels && (isJlogError(err, 'E_CREDENTIALS') || isJlogError(err, 'E_JIRA_UNAVAILABLE'))) {
        unreachable = true;
        // One sentence: the client's message ends in a period.
        const why = err.message.replace(/\.$/, '');
        result.notices.push(`not tombstoned on Jira: ${why}; cancelled in this clone only`);
        continue;
      }
      if (isJlogError(err, 'E_JIRA_NOT_FOUND')) continue;
      throw err;
    }
  }
  return { refused, unreachable };
}

/**
 * A pending token that may be cancelled in this clone alone when Jira cannot be reached: none of its
 * POSTs had an unknown outcome. (A kill between Jira's answer and the ledger write leaves no such mark;
 * only Jira could tell, and it is out of reach.)
 */
function cancelsLocally(t: UndoTarget, r: LedgerRecord | undefined): boolean {
  return t.state === 'pending' && t.kind === undefined && r?.unknownAt === undefined;
}

/** A comment token: its comment deleted (found by the ledger's id or by its marker), then recorded undone. */
async function undoComment(
  jira: JiraClient,
  t: UndoTarget,
  r: LedgerRecord | undefined,
  ctx: RepoContext,
  result: UndoResult,
): Promise<void> {
  const record = (commentId?: string) =>
    ctx.ledger.append([ledgerRecord(r!, { state: 'undone', ...(commentId ? { commentId } : {}) })]);
  let commentId = t.action === 'cancel' ? undefined : t.commentId;
  if (t.action === 'lookup') {
    const onJira = await jira.listComments(t.issue).catch((err: unknown) => {
      if (isJlogError(err, 'E_JIRA_NOT_FOUND')) return [];
      throw err;
    });
    commentId = onJira.find((c) => c.marker?.id === t.id)?.id;
  }
  if (commentId === undefined) {
    await record();
    result.cancelled.push(
      entryOf(t, { was: t.action === 'lookup' ? 'not on Jira' : t.state, kind: 'comment' }),
    );
    return;
  }
  let gone = false;
  try {
    await jira.deleteComment(t.issue, commentId);
  } catch (err) {
    if (!isJlogError(err, 'E_JIRA_NOT_FOUND')) throw err;
    gone = true;
  }
  await record(commentId);
  (gone ? result.alreadyGone : result.deleted).push(entryOf(t, { commentId, kind: 'comment' }));
}

/** true when the worklog was already gone (404): it is undone either way. */
async function deleteWorklog(jira: JiraClient, issue: string, id: string): Promise<boolean> {
  try {
    await jira.deleteWorklog(issue, id, { adjustEstimate: 'auto' });
    return false;
  } catch (err) {
    if (isJlogError(err, 'E_JIRA_NOT_FOUND')) return true;
    throw err;
  }
}

/** The id of the worklog carrying this token's marker, or undefined when Jira has none (or no such issue). */
async function findByMarker(jira: JiraClient, t: UndoTarget): Promise<string | undefined> {
  const at = t.started === undefined ? Number.NaN : startedToMs(t.started);
  const window = Number.isNaN(at) ? {} : { startedAfter: at - WINDOW_MS, startedBefore: at + WINDOW_MS };
  try {
    const remote = await jira.listWorklogs(t.issue, window);
    return remote.find((w) => w.marker?.id === t.id)?.id;
  } catch (err) {
    if (isJlogError(err, 'E_JIRA_NOT_FOUND')) return undefined;
    throw err;
  }
}

/**
 * The plan for one token (`<sha>:<n>`, the short `<sha prefix>:<n>` that `jlog status` prints, or a
 * `manual:<uuid>` from `jlog log`): the commit's plan narrowed to that token.
 */
export async function planUndoToken(ctx: RepoContext, id: string): Promise<UndoPlan> {
  const view = await ctx.ledger.read();
  if (id.startsWith(MANUAL_PREFIX)) {
    const r = view.get(id);
    const t = r === undefined ? null : targetOf(r, undefined);
    if (r === undefined) throw usageError(`${id}: no such worklog in the ledger`, 'jlog status lists them');
    return {
      sha: r.sha,
      inGit: false,
      targets: t === null || t.state === 'undone' ? [] : [t],
      alreadyUndone: t?.state === 'undone' ? [t] : [],
    };
  }
  const m = /^([0-9a-f]{4,64}):(\d+)$/i.exec(id);
  if (!m)
    throw usageError(`'${id.slice(0, 80)}' is not a token id`, 'give <sha>:<n> as jlog status prints it');
  const known = findToken(view.all(), id);
  const plan = await planUndo(ctx, known?.sha ?? m[1]!);
  const wanted = known?.id ?? `${plan.sha}:${m[2]}`;
  return {
    ...plan,
    targets: plan.targets.filter((t) => t.id === wanted),
    alreadyUndone: plan.alreadyUndone.filter((t) => t.id === wanted),
  };
}
