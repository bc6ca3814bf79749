// Apply a plan: the exactly-once poster (SPEC §4). For each issue, one remote check before the first
// POST, then the issue's worklogs one after another; issues side by side up to `concurrency`. Every
// outcome is in the ledger before the next step; a kill at any instant leaves at worst a pending token
// whose worklog may already be on Jira, and the next run's remote check finds its marker.
import { buildWorklogBody } from '../core/jira-format.js';
import { matchRemote, markerShas, type RemoteMarkedWorklog } from '../core/match.js';
import type { LedgerRecord, PlannedWorklog } from '../core/types.js';
import { recordFor } from './record.js';
import { JlogError, isJlogError } from '../errors.js';
import type { JiraClient } from '../jira/client.js';
import type { Ledger } from '../ledger/ledger.js';

export interface Outcome {
  worklog: PlannedWorklog;
  worklogId?: string | undefined;
  error?: string | undefined;
  code?: string | undefined;
}

export interface ApplyResult {
  posted: Outcome[];
  /** Found on Jira by the remote check (logged from another machine, CI, or a run that was killed). */
  alreadyLogged: Outcome[];
  failed: Outcome[];
  /** Still pending after the run, with why (Jira unreachable, outcome unknown, time tracking off). */
  pending: Outcome[];
  /** --dry-run: what a real run would post. */
  planned: Outcome[];
}

export interface ApplyOptions {
  jira: JiraClient;
  ledger: Ledger;
  deployment: 'cloud' | 'datacenter';
  adjustEstimate: 'auto' | 'leave';
  notifyUsers: boolean;
  concurrency: number;
  dryRun: boolean;
  /**
   * Marker SHAs not reachable from HEAD, for the squash rule, each with its author email when the
   * commit is in this clone; asked only when a squash needs it.
   */
  unreachable: (shas: string[]) => Promise<Map<string, string | null>>;
  onProgress?: (done: number, total: number) => void;
  /** Each token's outcome as it is settled (the CLI's per-issue lines and its Ctrl-C summary). */
  onOutcome?: (kind: keyof ApplyResult, outcome: Outcome) => void;
  log?: ((line: string) => void) | undefined;
  /** Fires when this process lost the post lock (it stalled past the stale time): post nothing more. */
  signal?: AbortSignal;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** How far around a run's tokens the remote check looks (a `started` setting may have moved them). */
const WINDOW_MS = 15 * DAY_MS;
/** A squash merge lands after its branch commits: look further back for their markers. */
const SQUASH_WINDOW_MS = 120 * DAY_MS;
/** Re-POSTs after an unknown outcome that the remote check proved did not land. */
const MAX_POST_ATTEMPTS = 3;
/** A remote check older than this is read again before the next POST to the issue. */
const STALE_READ_MS = 5000;
/** How long an unknown outcome is given to land before the issue is read back. */
const UNKNOWN_SETTLE_MS = 3000;

export async function applyPlan(
  worklogs: readonly PlannedWorklog[],
  opts: ApplyOptions,
): Promise<ApplyResult> {
  const result: ApplyResult = { posted: [], alreadyLogged: [], failed: [], pending: [], planned: [] };
  const byIssue = new Map<string, PlannedWorklog[]>();
  for (const w of worklogs) byIssue.set(w.issue, [...(byIssue.get(w.issue) ?? []), w]);
  const total = worklogs.length;
  let done = 0;
  let authError: JlogError | null = null;
  const settle = (list: Outcome[], outcome: Outcome): void => {
    list.push(outcome);
    if (opts.onOutcome) {
      const kind = (Object.keys(result) as (keyof ApplyResult)[]).find((k) => result[k] === list);
      if (kind) opts.onOutcome(kind, outcome);
    }
    opts.onProgress?.(++done, total);
  };

  const runIssue = async (issue: string, items: PlannedWorklog[]): Promise<void> => {
    if (authError) return leavePending(items, authError);
    let remote: RemoteMarkedWorklog[];
    try {
      remote = await remoteCheck(issue, items, opts);
    } catch (err) {
      if (isJlogError(err, 'E_JIRA_AUTH')) authError ??= err;
      if (isJlogError(err, 'E_JIRA_NOT_FOUND') || isJlogError(err, 'E_JIRA_FORBIDDEN')) {
        for (const w of items) await fail(w, err);
        return;
      }
      return leavePending(items, err);
    }
    let readAt = Date.now();
    const matches = matchRemote(items, remote, await unreachableFor(items, remote, opts));
    // What this run posts to the issue: a cherry-picked twin later in the same run (same fingerprint)
    // is already logged by then.
    const postedHere: RemoteMarkedWorklog[] = [];
    for (const w of items) {
      const hit = matches.get(w.id) ?? matchRemote([w], postedHere, new Map()).get(w.id);
      if (hit) {
        if (!opts.dryRun) await record(w, { state: 'posted', worklogId: hit.id });
        settle(result.alreadyLogged, { worklog: w, worklogId: hit.id });
      } else if (opts.dryRun) {
        settle(result.planned, { worklog: w });
      } else if (authError) {
        await leavePending([w], authError);
      } else if (opts.signal?.aborted) {
        await leavePending([w], lockLost());
      } else {
        // Waits (pacing, Retry-After) may have let another machine or CI post meanwhile: a read that
        // has grown old is done again before the POST.
        if (Date.now() - readAt > STALE_READ_MS) {
          let fresh: RemoteMarkedWorklog[];
          try {
            fresh = await remoteCheck(issue, [w], opts);
          } catch (err) {
            if (isJlogError(err, 'E_JIRA_AUTH')) authError ??= err;
            await leavePending([w], err);
            continue;
          }
          readAt = Date.now();
          const late = matchRemote([w], fresh, new Map()).get(w.id);
          if (late) {
            await record(w, { state: 'posted', worklogId: late.id });
            settle(result.alreadyLogged, { worklog: w, worklogId: late.id });
            continue;
          }
        }
        await post(w, postedHere);
      }
    }
  };

  const record = (
    w: PlannedWorklog,
    fields: Partial<LedgerRecord> & Pick<LedgerRecord, 'state'>,
  ): Promise<void> => opts.ledger.append([recordFor(w, fields)]);

  const fail = async (w: PlannedWorklog, err: unknown): Promise<void> => {
    const e = asJlogError(err);
    if (!opts.dryRun)
      await record(w, { state: 'failed', error: e.message, code: e.code, retryable: e.retryable });
    settle(result.failed, { worklog: w, error: e.message, code: e.code });
  };

  async function leavePending(items: readonly PlannedWorklog[], err: unknown): Promise<void> {
    const e = asJlogError(err);
    for (const w of items) {
      if (!opts.dryRun) await record(w, { state: 'pending', error: e.message, code: e.code });
      settle(result.pending, { worklog: w, error: e.message, code: e.code });
    }
  }

  const post = async (w: PlannedWorklog, postedHere: RemoteMarkedWorklog[]): Promise<void> => {
    const body = buildWorklogBody(w, opts.deployment);
    const query = { adjustEstimate: opts.adjustEstimate, notifyUsers: opts.notifyUsers };
    let lastError: unknown = null;
    for (let attempt = 1; attempt <= MAX_POST_ATTEMPTS; attempt++) {
      // No `posting` record first: a run killed between the POST and the `posted` record leaves the
      // token pending, and every run's remote check (once per issue, before any POST) finds its marker.
      try {
        const { id } = await opts.jira.addWorklog(w.issue, body, query);
        await record(w, { state: 'posted', worklogId: id });
        postedHere.push({
          id,
          timeSpentSeconds: w.seconds,
          comment: w.postComment,
          marker: { v: 2, id: w.id, fp: w.fp },
        });
        settle(result.posted, { worklog: w, worklogId: id });
        return;
      } catch (err) {
        lastError = err;
        if (isJlogError(err, 'E_JIRA_AUTH')) {
          authError ??= err;
          return leavePending([w], err);
        }
        if (!isJlogError(err, 'E_JIRA_UNKNOWN_OUTCOME')) {
          // Known not to have landed: Jira said no (fail) or could not be reached (stay pending).
          if (
            isJlogError(err) &&
            ['E_JIRA_BAD_REQUEST', 'E_JIRA_FORBIDDEN', 'E_JIRA_NOT_FOUND', 'E_JIRA_LIMIT'].includes(err.code)
          ) {
            return fail(w, err);
          }
          return leavePending([w], err);
        }
        // Unknown outcome: never re-POST blindly. Wait as Jira asked, read the issue back, and post
        // again only if the worklog is provably not there.
        opts.log?.(`${w.issue}: outcome unknown (${err.message}); checking Jira before trying again`);
        // Jira may still be writing a worklog whose request timed out: give it a few seconds first.
        await sleep(Math.min(Math.max(err.retryAfterMs ?? 0, UNKNOWN_SETTLE_MS * attempt), 30_000));
        let fresh: RemoteMarkedWorklog[];
        try {
          fresh = await remoteCheck(w.issue, [w], opts);
        } catch (checkErr) {
          if (isJlogError(checkErr, 'E_JIRA_AUTH')) authError ??= checkErr;
          return leavePending([w], unknownOutcome(checkErr));
        }
        const hit = matchRemote([w], fresh, new Map()).get(w.id);
        if (hit) {
          await record(w, { state: 'posted', worklogId: hit.id });
          settle(result.posted, { worklog: w, worklogId: hit.id });
          return;
        }
      }
    }
    return leavePending([w], unknownOutcome(lastError));
  };

  const queue = [...byIssue.entries()];
  const workers = Array.from({ length: Math.max(1, Math.min(opts.concurrency, queue.length)) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await runIssue(next[0], next[1]);
  });
  await Promise.all(workers);
  if (authError) throw authError;
  // Issues run side by side; report in plan order so that a dry run and the real run read the same.
  const order = new Map(worklogs.map((w, i) => [w.id, i]));
  for (const list of Object.values(result) as Outcome[][]) {
    list.sort((a, b) => (order.get(a.worklog.id) ?? 0) - (order.get(b.worklog.id) ?? 0));
  }
  return result;
}

/** The issue's worklogs around the run's tokens (every page), with their jlog markers. */
async function remoteCheck(
  issue: string,
  items: readonly PlannedWorklog[],
  opts: ApplyOptions,
): Promise<RemoteMarkedWorklog[]> {
  const starts = items.map((w) => w.startedMs);
  const back = items.some((w) => w.squash) ? SQUASH_WINDOW_MS : WINDOW_MS;
  return opts.jira.listWorklogs(issue, {
    startedAfter: Math.min(...starts) - back,
    startedBefore: Math.max(...starts) + WINDOW_MS,
  });
}

async function unreachableFor(
  items: readonly PlannedWorklog[],
  remote: readonly RemoteMarkedWorklog[],
  opts: ApplyOptions,
): Promise<Map<string, string | null>> {
  if (!items.some((w) => w.squash)) return new Map();
  return opts.unreachable(markerShas(remote));
}

function asJlogError(err: unknown): JlogError {
  if (err instanceof JlogError) return err;
  return new JlogError('E_INTERNAL', err instanceof Error ? err.message : String(err), { cause: err });
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

function unknownOutcome(err: unknown): JlogError {
  const e = asJlogError(err);
  return new JlogError(
    'E_JIRA_UNKNOWN_OUTCOME',
    `outcome unknown, will check Jira on the next run: ${e.message}`,
    {
      cause: err,
      retryable: true,
    },
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
