// Reconcile and apply (docs/exactly-once.md): for each issue, one view of what Jira holds, then the issue's
// tokens one after another: already logged, a claim, a rewrite brought in line (alias, update, delete), or a
// POST. Issues run side by side and share the client's request slots, so a free slot goes to the next
// write of any issue that is not busy. Every outcome is in the ledger before the run ends (a posted
// one joins the next batch write instead of holding up its issue's next step); a kill at any instant
// leaves at worst a pending token whose worklog may already be on Jira, and the next run's view finds
// its marker.
import { buildWorklogBody, MARKER_KEY, startedToMs } from '../core/jira-format.js';
import {
  ancestryQuestions,
  matchRemote,
  sameComment,
  shaOf,
  standsFor,
  withAlso,
  worklogOf,
  type RemoteMatch,
} from '../core/match.js';
import { REWRITTEN, UNDONE } from '../core/plan.js';
import { outcomeStep } from '../core/rewrite.js';
import { authorHash } from '../core/marker.js';
import type { LedgerRecord, Marker, PlannedWorklog, RewriteSource } from '../core/types.js';
import { JlogError, isJlogError } from '../errors.js';
import type { JiraClient, RemoteWorklog } from '../jira/client.js';
import type { Ledger } from '../ledger/ledger.js';
import { ledgerRecord, type RecordFields } from './record.js';
import { asJlogError, IssueView, readFailure, type Window } from './remote.js';

export interface Outcome {
  worklog: PlannedWorklog;
  worklogId?: string | undefined;
  error?: string | undefined;
  code?: string | undefined;
}

export interface ApplyResult {
  posted: Outcome[];
  /** Worklogs changed to match a rewritten token (PUT), with the new token. */
  updated: Outcome[];
  /** Worklogs deleted because their token left history or moved to another issue (the old token). */
  deleted: Outcome[];
  /** Found on Jira (another machine, CI, a killed run, an alias or a copy's claim). */
  alreadyLogged: Outcome[];
  failed: Outcome[];
  /** Still pending after the run, with why (Jira unreachable, outcome unknown, time tracking off). */
  pending: Outcome[];
  /** Tombstoned on Jira (undone elsewhere). */
  skipped: Outcome[];
  /** --dry-run: what a real run would post. */
  planned: Outcome[];
  notices: string[];
}

export interface ApplyInput {
  toPost: readonly PlannedWorklog[];
  /** Posted tokens a rewrite took out of history: delete and tombstone their worklogs. */
  gone: readonly LedgerRecord[];
}

export interface ApplyOptions {
  jira: JiraClient;
  ledger: Ledger;
  deployment: 'cloud' | 'datacenter';
  adjustEstimate: 'auto' | 'leave';
  notifyUsers: boolean;
  dryRun: boolean;
  /** After an unknown outcome, no new POST of the token before this has passed (4 × timeoutMs). */
  settleMs: number;
  /** How long an unknown outcome is given to land before the issue is read back. */
  readBackMs?: number;
  /**
   * The token a tombstone names, read from git when this clone has its commit (a squash commit's token
   * that copies an undone token is undone too); null when git does not have it.
   */
  tokenOf?: (id: string) => Promise<{ issue: string; seconds: number; comment: string } | null>;
  /** Answers ancestry questions from git: the set of `"<ancestor> <descendant>"` pairs that hold. */
  ancestors: (pairs: readonly [string, string][]) => Promise<ReadonlySet<string>>;
  onProgress?: (done: number, total: number) => void;
  /** Each token's outcome as it is settled (the CLI's per-issue lines and its Ctrl-C summary). */
  onOutcome?: (kind: keyof Omit<ApplyResult, 'notices'>, outcome: Outcome) => void;
  log?: ((line: string) => void) | undefined;
  /** Fires when this process lost the post lock (it stalled past the stale time): write nothing more. */
  signal?: AbortSignal;
  /** Views already being read for this input (issueViews); made here when absent. */
  views?: IssueViews;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** How far around a run's tokens the view looks (a `started` setting may have moved them). */
const WINDOW_MS = 15 * DAY_MS;
/** A squash merge lands after its branch commits: look further back for their markers. */
const SQUASH_WINDOW_MS = 120 * DAY_MS;
const READ_BACK_MS = 3000;
/** How long a posted token's record waits for others to share its ledger write (a wave of answers). */
const LINGER_MS = 20;
/** Jira answers that fail a token (no retry helps without a change). */
const FAILING = new Set(['E_JIRA_BAD_REQUEST', 'E_JIRA_FORBIDDEN', 'E_JIRA_NOT_FOUND', 'E_JIRA_LIMIT']);

/** The remote check's views of a run's issues, each read once (a failed read too: it had its retries). */
export interface IssueViews {
  get(issue: string): Promise<IssueView>;
  /** Starts reading every issue of the input now (the run waits for something else meanwhile). */
  warm(): void;
}

export function issueViews(jira: JiraClient, input: ApplyInput): IssueViews {
  const spans = new Map<string, { starts: number[]; squash: boolean }>();
  const span = (issue: string, startedMs: number, squash = false): void => {
    const s = spans.get(issue) ?? { starts: [], squash: false };
    if (Number.isFinite(startedMs)) s.starts.push(startedMs);
    s.squash ||= squash;
    spans.set(issue, s);
  };
  for (const w of input.toPost) {
    span(w.issue, w.startedMs, w.squash);
    if (w.replaces) span(w.replaces.issue, w.startedMs);
  }
  for (const r of input.gone) span(r.issue, r.started ? startedToMs(r.started) : Number.NaN);
  const views = new Map<string, Promise<IssueView>>();
  const get = (issue: string): Promise<IssueView> => {
    let v = views.get(issue);
    if (v === undefined) {
      const s = spans.get(issue) ?? { starts: [Date.now()], squash: false };
      const starts = s.starts.length > 0 ? s.starts : [Date.now()];
      const window: Window = {
        startedAfter: Math.min(...starts) - (s.squash ? SQUASH_WINDOW_MS : WINDOW_MS),
        startedBefore: Math.max(...starts) + WINDOW_MS,
      };
      // Tombstones too, in a dry run as well: its plan is exactly what a real run would post.
      const view = new IssueView(jira, issue, window, { withMarks: true });
      v = view.read().then(() => view);
      views.set(issue, v);
      // A failed read is kept too: it already went through its retries (Jira down, a 404), so asking
      // again in this run would only repeat them; the issue's tokens stay pending or fail on it.
      v.catch(() => undefined);
    }
    return v;
  };
  return {
    get,
    warm() {
      // The same order as the run asks (its issues in plan order), so its first answers come first.
      for (const issue of new Set([...input.toPost.map((w) => w.issue), ...input.gone.map((r) => r.issue)]))
        get(issue).catch(() => undefined); // the run asks again and handles the failure
    },
  };
}

export async function applyPlan(input: ApplyInput, opts: ApplyOptions): Promise<ApplyResult> {
  const result: ApplyResult = {
    posted: [],
    updated: [],
    deleted: [],
    alreadyLogged: [],
    failed: [],
    pending: [],
    skipped: [],
    planned: [],
    notices: [],
  };
  const total = input.toPost.length + input.gone.length;
  let done = 0;
  let authError: JlogError | null = null;
  const settle = (list: Outcome[], outcome: Outcome): void => {
    list.push(outcome);
    if (opts.onOutcome) {
      const kinds = Object.keys(result) as (keyof ApplyResult)[];
      const kind = kinds.find((k) => k !== 'notices' && result[k] === list);
      if (kind && kind !== 'notices') opts.onOutcome(kind, outcome);
    }
    opts.onProgress?.(++done, total);
  };

  // --- the per-issue views ----------------------------------------------------------------------
  const viewOf = (opts.views ?? issueViews(opts.jira, input)).get;

  // --- ancestry, asked of git once per pair ------------------------------------------------------
  const known = new Map<string, boolean>();
  const ancestry = async (
    questions: readonly [string, string][],
  ): Promise<(a: string, d: string) => boolean> => {
    const open = questions.filter(([a, d]) => !known.has(`${a} ${d}`));
    if (open.length > 0) {
      const yes = await opts.ancestors(open);
      for (const [a, d] of open) known.set(`${a} ${d}`, yes.has(`${a} ${d}`));
    }
    return (a, d) => known.get(`${a} ${d}`) === true;
  };

  // --- ledger writes -----------------------------------------------------------------------------
  const record = async (
    base: PlannedWorklog | LedgerRecord,
    fields: RecordFields,
    lingerMs = 0,
  ): Promise<void> => {
    if (opts.dryRun) return;
    // A rewrite may have happened while this token was in flight (post-rewrite runs in another
    // process): keep what it said, with what this run learnt, for the next run.
    await opts.ledger.update(
      (view) => {
        const current = view.get(base.id);
        const step = outcomeStep(current, base.replaces !== undefined);
        if (step === 'as-planned') return { records: [ledgerRecord(base, fields)], result: null };
        if (step === 'heir') {
          // Posted (or tried) as new work while post-rewrite made it an old token's heir (git runs
          // post-commit, so this worker, first): it keeps replacing the old token, pending with the
          // worklog this run made, so the next run reconciles the old token's worklog.
          if (fields.state !== 'posted') return { records: [ledgerRecord(current!, fields)], result: null };
          const worklogId = fields.worklogId ?? current!.worklogId;
          return {
            records: [ledgerRecord(current!, { state: 'pending', ...(worklogId ? { worklogId } : {}) })],
            result: null,
          };
        }
        // 'rewritten': post-rewrite made it an old token meanwhile; its heir takes over. A failure or an
        // unknown outcome changes nothing (the heir's run finds whatever landed by the old token's marker).
        if (fields.state !== 'posted') return { records: [], result: null };
        const state = current!.rewritten!.to === null ? 'posted' : 'skipped';
        return {
          records: [
            ledgerRecord(current!, {
              state,
              ...(fields.worklogId ? { worklogId: fields.worklogId } : {}),
              ...(state === 'skipped' ? { code: REWRITTEN, error: current!.error ?? 'rewritten' } : {}),
            }),
          ],
          result: null,
        };
      },
      { lingerMs },
    );
  };

  /**
   * A token Jira now holds (posted, or found there): recorded without holding up the issue's next
   * write, in a batch with the other answers of the moment; the run ends only once all are written.
   * A kill before then leaves the token pending, and the next run finds its marker.
   */
  const later: Promise<void>[] = [];
  const recordLater = (base: PlannedWorklog, fields: RecordFields): void => {
    const write = record(base, fields, LINGER_MS);
    write.catch(() => undefined); // awaited at the end; not an unhandled rejection meanwhile
    later.push(write);
  };

  const fail = async (w: PlannedWorklog, err: unknown): Promise<void> => {
    const e = asJlogError(err);
    await record(w, { state: 'failed', error: e.message, code: e.code, retryable: e.retryable });
    settle(result.failed, { worklog: w, error: e.message, code: e.code });
  };

  const leavePending = async (w: PlannedWorklog, err: unknown, unknownAt?: number): Promise<void> => {
    const e = asJlogError(err);
    if (isJlogError(err, 'E_JIRA_AUTH')) authError ??= err;
    const at = unknownAt ?? w.unknownAt;
    await record(w, {
      state: 'pending',
      error: e.message,
      code: e.code,
      ...(at !== undefined ? { unknownAt: at } : {}),
    });
    settle(result.pending, { worklog: w, error: e.message, code: e.code });
  };

  const stopped = (): JlogError | null => authError ?? (opts.signal?.aborted ? lockLost() : null);

  // --- the writes --------------------------------------------------------------------------------
  const setMarker = async (view: IssueView, worklogId: string, marker: Marker): Promise<void> => {
    await opts.jira.setWorklogProperty(view.issue, worklogId, MARKER_KEY, marker);
    view.changed(worklogId, { marker });
  };

  /** Tombstone first, then delete: a kill in between leaves a worklog the next run deletes, never a re-post. */
  const removeWorklog = async (
    view: IssueView,
    worklogId: string,
    token: { id: string; fp: string },
  ): Promise<void> => {
    const tombstoned = await view.tombstone([token]);
    if (!tombstoned) {
      result.notices.push(
        `no permission to edit ${view.issue}: worklog ${worklogId} is deleted but not tombstoned, so other clones and CI may post it again`,
      );
    }
    try {
      await opts.jira.deleteWorklog(view.issue, worklogId, { adjustEstimate: opts.adjustEstimate });
    } catch (err) {
      if (!isJlogError(err, 'E_JIRA_NOT_FOUND')) throw err;
    }
    view.removed(worklogId);
  };

  /** Records a token as logged by a worklog Jira holds (by identity, or a claim written first). */
  const logged = async (view: IssueView, w: PlannedWorklog, m: RemoteMatch): Promise<void> => {
    if (m.kind === 'claim' && !opts.dryRun) {
      // The claim is on Jira before the token is recorded, so no later copy claims this worklog again.
      await setMarker(view, m.worklog.id, withAlso(m.worklog.marker!, m.ref));
      opts.log?.(`${w.issue}: ${w.id} claims worklog ${m.worklog.id} (${m.direction})`);
    }
    if (w.replaces && !opts.dryRun) await dropSeparateOld(w, m.worklog.id);
    recordLater(w, { state: 'posted', worklogId: m.worklog.id });
    settle(result.alreadyLogged, { worklog: w, worklogId: m.worklog.id });
  };

  /**
   * The new token of a rewrite is on Jira already (CI in a fresh clone posted it): a separate worklog
   * of the old token is deleted and tombstoned, never updated, so one worklog remains.
   */
  const dropSeparateOld = async (w: PlannedWorklog, keep: string): Promise<void> => {
    const old = w.replaces!;
    const oldView = await viewOf(old.issue);
    const hit = worklogOf(oldView.worklogs, old);
    if (hit === undefined || hit.id === keep) return;
    await removeWorklog(oldView, hit.id, { id: old.id, fp: old.fp });
    result.deleted.push({ worklog: asPlanned(old, w), worklogId: hit.id }); // beside w's own step
  };

  /**
   * A rewritten token whose old token is on Jira: alias (same content key), update (same issue), or
   * delete + tombstone (moved; the caller then posts it). Returns whether the token is settled.
   */
  const reconcileRewrite = async (view: IssueView, w: PlannedWorklog): Promise<boolean> => {
    const old = w.replaces!;
    const oldView = old.issue === w.issue ? view : await viewOf(old.issue);
    const hit = worklogOf(oldView.worklogs, old);
    if (hit === undefined || hit.marker === undefined) return false;
    if (opts.dryRun) {
      if (old.issue !== w.issue) return false;
      const same = hit.timeSpentSeconds === w.seconds && sameComment(w.postComment, hit.comment);
      settle(same ? result.alreadyLogged : result.updated, { worklog: w, worklogId: hit.id });
      return true;
    }
    if (old.issue !== w.issue) {
      await removeWorklog(oldView, hit.id, { id: old.id, fp: old.fp });
      result.deleted.push({ worklog: asPlanned(old, w), worklogId: hit.id }); // beside w's own step
      return false;
    }
    const same = hit.timeSpentSeconds === w.seconds && sameComment(w.postComment, hit.comment);
    if (!same) {
      const body = buildWorklogBody(w, opts.deployment);
      delete body.properties;
      await opts.jira.updateWorklog(w.issue, hit.id, body, {
        adjustEstimate: opts.adjustEstimate,
        notifyUsers: opts.notifyUsers,
      });
      view.changed(hit.id, { timeSpentSeconds: w.seconds, comment: w.postComment, startedMs: w.startedMs });
    }
    await setMarker(view, hit.id, withAlso(hit.marker, { id: w.id, fp: w.fp }));
    await record(w, { state: 'posted', worklogId: hit.id });
    settle(same ? result.alreadyLogged : result.updated, { worklog: w, worklogId: hit.id });
    return true;
  };

  const matchOne = async (
    view: IssueView,
    w: PlannedWorklog,
    used: Set<string>,
  ): Promise<RemoteMatch | undefined> => {
    // A rewritten token whose own marker is there (an alias, or CI posted it) is that worklog.
    if (w.replaces) {
      const own = worklogOf(view.worklogs, w);
      if (own) return { kind: 'same', worklog: own };
    }
    const answer = await ancestry(ancestryQuestions([w], view.worklogs));
    return matchRemote([w], view.worklogs, answer, used).get(w.id);
  };

  const post = async (view: IssueView, w: PlannedWorklog): Promise<void> => {
    const body = buildWorklogBody(w, opts.deployment);
    body.properties = [{ key: MARKER_KEY, value: markerFor(w) }];
    const query = { adjustEstimate: opts.adjustEstimate, notifyUsers: opts.notifyUsers };
    try {
      const { id } = await opts.jira.addWorklog(w.issue, body, query);
      recordLater(w, { state: 'posted', worklogId: id });
      view.added(remoteOf(w, id));
      settle(result.posted, { worklog: w, worklogId: id });
      return;
    } catch (err) {
      if (!isJlogError(err, 'E_JIRA_UNKNOWN_OUTCOME')) {
        // Known not to have landed: Jira said no (fail) or could not be reached (stay pending).
        if (isJlogError(err) && FAILING.has(err.code)) return fail(w, err);
        return leavePending(w, err);
      }
      // Unknown outcome: never sent again in this run. Recorded first (a kill now keeps the window),
      // then the issue is read back after a moment.
      const at = Date.now();
      const unknown = unknownOutcome(err, at + opts.settleMs);
      await record(w, { state: 'pending', error: unknown.message, code: unknown.code, unknownAt: at });
      opts.log?.(`${w.issue}: outcome unknown (${err.message}); reading the issue back`);
      await sleep(Math.min(Math.max(err.retryAfterMs ?? 0, opts.readBackMs ?? READ_BACK_MS), 30_000));
      try {
        await view.read();
      } catch (readErr) {
        if (isJlogError(readErr, 'E_JIRA_AUTH')) authError ??= readErr;
        return leavePending(w, unknown, at);
      }
      const hit = view.worklogs.find((r) => r.marker !== undefined && standsFor(r.marker, w, () => false));
      if (hit) {
        await record(w, { state: 'posted', worklogId: hit.id });
        settle(result.posted, { worklog: w, worklogId: hit.id });
        return;
      }
      return leavePending(w, unknown, at);
    }
  };

  /**
   * A squash commit's token whose content key is that of a tombstoned token of a commit it does not
   * contain (the branch commit was undone before the squash merge): it is that token's copy, undone.
   */
  const undoneCopies = new Set<string>();
  const copiesUndone = async (view: IssueView, w: PlannedWorklog): Promise<boolean> => {
    if (opts.tokenOf === undefined) return false;
    for (const u of view.undone) {
      const sha = shaOf(u.id);
      if (sha === null || sha === w.sha || undoneCopies.has(u.id)) continue;
      const t = await opts.tokenOf(u.id);
      if (t === null || t.issue !== w.issue || t.seconds !== w.seconds || !sameComment(w.comment, t.comment))
        continue;
      if ((await ancestry([[sha, w.sha]]))(sha, w.sha)) continue;
      undoneCopies.add(u.id);
      return true;
    }
    return false;
  };

  const settleToken = async (
    view: IssueView,
    w: PlannedWorklog,
    first: RemoteMatch | undefined,
    used: Set<string>,
  ): Promise<void> => {
    const stop = stopped();
    if (stop) return leavePending(w, stop);
    let m = first ?? (await matchOne(view, w, used));
    if (m?.kind === 'same') return logged(view, w, m);
    if (view.isUndone(w)) {
      await record(w, {
        state: 'skipped',
        code: UNDONE,
        error: 'undone with jlog undo (tombstoned on Jira)',
      });
      settle(result.skipped, { worklog: w, code: UNDONE, error: 'undone with jlog undo' });
      return;
    }
    if (m) return logged(view, w, m);
    if (w.squash && (await copiesUndone(view, w))) {
      await record(w, { state: 'skipped', code: UNDONE, error: 'a copy of a token undone with jlog undo' });
      settle(result.skipped, { worklog: w, code: UNDONE, error: 'a copy of an undone token' });
      return;
    }
    if (w.replaces && (await reconcileRewrite(view, w))) return;
    if (w.unknownAt !== undefined && Date.now() < w.unknownAt + opts.settleMs) {
      return leavePending(w, unknownOutcome(null, w.unknownAt + opts.settleMs));
    }
    if (opts.dryRun) return settle(result.planned, { worklog: w });
    // Waits (pacing, Retry-After) may have let another machine or CI post meanwhile.
    if (await view.refreshIfStale()) {
      m = await matchOne(view, w, used);
      if (m) return logged(view, w, m);
      if (view.isUndone(w)) return settleToken(view, w, undefined, used);
    }
    return post(view, w);
  };

  const removeGone = async (view: IssueView, r: LedgerRecord): Promise<void> => {
    const stop = stopped();
    const w = asPlanned(r);
    if (stop) return settle(result.pending, { worklog: w, error: stop.message, code: stop.code });
    const hit = worklogOf(view.worklogs, { id: r.id, worklogId: r.worklogId });
    if (hit !== undefined && !opts.dryRun) await removeWorklog(view, hit.id, { id: r.id, fp: r.fp ?? '' });
    await record(r, {
      state: 'skipped',
      code: REWRITTEN,
      error: 'taken out of history by a rewrite; worklog deleted',
    });
    settle(result.deleted, { worklog: w, worklogId: hit?.id });
  };

  const runIssue = async (
    issue: string,
    items: readonly PlannedWorklog[],
    gone: readonly LedgerRecord[],
  ): Promise<void> => {
    if (authError) {
      for (const w of items) await leavePending(w, authError);
      return;
    }
    let view: IssueView;
    try {
      view = await viewOf(issue);
    } catch (err) {
      const how = readFailure(err);
      for (const w of items) await (how === 'fail' ? fail(w, err) : leavePending(w, err));
      for (const r of gone)
        settle(result.pending, { worklog: asPlanned(r), error: asJlogError(err).message });
      return;
    }
    const used = new Set<string>();
    const answer = await ancestry(ancestryQuestions(items, view.worklogs));
    // Identity first for every token of the issue, so a claim never takes a worklog an id names.
    const first = matchRemote(items, view.worklogs, answer, used);
    for (const w of items) {
      try {
        await settleToken(view, w, first.get(w.id), used);
      } catch (err) {
        const e = asJlogError(err);
        if (isJlogError(err) && FAILING.has(e.code) && !w.replaces) await fail(w, err);
        else await leavePending(w, err);
      }
    }
    for (const r of gone) {
      try {
        await removeGone(view, r);
      } catch (err) {
        if (isJlogError(err, 'E_JIRA_AUTH')) authError ??= err;
        settle(result.pending, { worklog: asPlanned(r), error: asJlogError(err).message });
      }
    }
  };

  const byIssue = new Map<string, { items: PlannedWorklog[]; gone: LedgerRecord[] }>();
  const slot = (issue: string) => {
    let s = byIssue.get(issue);
    if (s === undefined) byIssue.set(issue, (s = { items: [], gone: [] }));
    return s;
  };
  for (const w of input.toPost) slot(w.issue).items.push(w);
  for (const r of input.gone) slot(r.issue).gone.push(r);
  // Every issue at once: the client's slots (concurrency) and per-issue write lock do the pacing.
  await Promise.all([...byIssue].map(([issue, s]) => runIssue(issue, s.items, s.gone)));
  opts.ledger.hurry(); // nothing else will join the last answers' batch
  await Promise.all(later);
  if (authError) throw authError;
  // Issues run side by side; report in plan order so that a dry run and the real run read the same.
  const order = new Map(input.toPost.map((w, i) => [w.id, i]));
  for (const list of [
    result.posted,
    result.updated,
    result.deleted,
    result.alreadyLogged,
    result.failed,
    result.pending,
    result.skipped,
    result.planned,
  ]) {
    list.sort((a, b) => (order.get(a.worklog.id) ?? 0) - (order.get(b.worklog.id) ?? 0));
  }
  return result;
}

/** The marker a POST carries (docs/exactly-once.md): a squash commit's token is a copy. */
export function markerFor(w: PlannedWorklog): Marker {
  return {
    v: 2,
    id: w.id,
    fp: w.fp,
    a: w.author ?? authorHash(w.authorEmail),
    ...(w.squash ? { copy: true as const } : {}),
  };
}

function remoteOf(w: PlannedWorklog, id: string): RemoteWorklog {
  return {
    id,
    started: w.started,
    startedMs: w.startedMs,
    timeSpentSeconds: w.seconds,
    comment: w.postComment,
    marker: markerFor(w),
  };
}

/** A token known only from the ledger (or a rewrite's old token), in the shape reports use. */
function asPlanned(r: LedgerRecord | RewriteSource, like?: PlannedWorklog): PlannedWorklog {
  const sha = 'sha' in r ? r.sha : (r.id.split(':')[0] ?? '');
  const started = ('started' in r ? r.started : undefined) ?? like?.started ?? '';
  return {
    kind: 'worklog',
    id: r.id,
    sha,
    n: Number(r.id.split(':')[1] ?? 0),
    issue: r.issue,
    seconds: r.seconds,
    comment: r.comment ?? '',
    postComment: r.comment ?? '',
    started,
    startedMs: startedToMs(started),
    authorEmail: ('authorEmail' in r ? r.authorEmail : undefined) ?? like?.authorEmail ?? '',
    ...(like?.author ? { author: like.author } : {}),
    fp: r.fp ?? '',
    squash: false,
  };
}

function lockLost(): JlogError {
  return new JlogError(
    'E_LEDGER_LOCKED',
    'another jlog took over posting while this one stalled; left for it',
    {
      retryable: true,
    },
  );
}

function unknownOutcome(err: unknown, until: number): JlogError {
  const why = err === null ? '' : ` (${asJlogError(err).message})`;
  const when = new Date(until).toISOString().slice(11, 19);
  return new JlogError(
    'E_JIRA_UNKNOWN_OUTCOME',
    `outcome unknown${why}; posted again after ${when} UTC only if Jira still has no marker for it`,
    { cause: err ?? undefined, retryable: true },
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
