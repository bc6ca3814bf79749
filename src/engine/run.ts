// One posting run, whatever started it (sync, ci, flush, the hooks' background worker): read the
// commits, plan against the ledger under the post lock, apply through the client.
import { resolveCredentials, type Credentials } from '../config/credentials.js';
import { OFF_BRANCH, plan, type PlanDiagnostic, type PlanOptions, type PlanSkip } from '../core/plan.js';
import { parseMessage } from '../core/grammar.js';
import { withAuthorPrefix, type PostingAccount } from '../core/author-prefix.js';
import type { JlogConfig } from '../config/schema.js';
import { DATE_HINT, parseDateBound } from '../core/report.js';
import type { Commit, LedgerRecord, PlannedWorklog } from '../core/types.js';
import { JlogError, isJlogError } from '../errors.js';
import { isAncestor, readCommit, readCommits, refsContaining } from '../git/index.js';
import { createJiraClient } from '../jira/client.js';
import type { RetryInfo } from '../jira/types.js';
import { applyPlan, type ApplyResult, type Outcome } from './apply.js';
import { openRepo, type RepoContext } from './context.js';
import { debugLogger } from './debug.js';
import { localDay } from './report.js';
import { countFailures, noteStillPending } from './notice.js';
import { planOptionsFor, recordCommits, recordFor } from './record.js';
import { siteTimeTracking } from './site.js';

/** Ids of worklogs logged by hand with `jlog log`: `manual:<uuid>`. */
export const MANUAL_PREFIX = 'manual:';

export type RunScope =
  | {
      kind: 'sync';
      range?: string | undefined;
      since?: string | undefined;
      until?: string | undefined;
      authors: string[] | null;
    }
  | { kind: 'ci'; range: string; /** No `before`: only commits within `ci.since`. */ window?: boolean }
  | { kind: 'flush'; shas?: string[] | undefined };

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  scope: RunScope;
  dryRun?: boolean;
  offline?: boolean;
  retryFailed?: boolean;
  /** Wait for another process that is posting (default); false: give up at once and return null. */
  waitForLock?: boolean;
  onProgress?: (done: number, total: number) => void;
  onStart?: (toPost: number, worklogs: readonly PlannedWorklog[]) => void;
  /** Each token's outcome as it is settled. */
  onOutcome?: (kind: keyof ApplyResult, outcome: Outcome) => void;
  /** The run waits: for another jlog's post lock, or for Jira (Retry-After, backoff). */
  onWait?: (wait: RunWait) => void;
}

export type RunWait =
  | { kind: 'lock'; holderPid: number | null }
  | { kind: 'jira'; delayMs: number; status?: number | undefined; code?: string | undefined };

export interface RunReport {
  posted: Outcome[];
  planned: Outcome[];
  alreadyLogged: Outcome[];
  failed: Outcome[];
  pending: Outcome[];
  skipped: PlanSkip[];
  diagnostics: PlanDiagnostic[];
  dryRun: boolean;
  /** Why the run did not ask Jira (dry run without credentials, --offline). */
  offlineReason?: string;
  /** Things the user should know that are not about one token. */
  notices: string[];
}

export async function runPosting(opts: RunOptions): Promise<RunReport | null> {
  const env = opts.env ?? process.env;
  const ctx = await openRepo(opts.cwd, env);
  const dryRun = opts.dryRun === true;
  let creds: Credentials | null = null;
  let offlineReason: string | undefined;
  if (opts.offline) {
    offlineReason = '--offline: Jira not asked';
  } else {
    try {
      creds = await resolveCredentials(ctx.config, env);
    } catch (err) {
      if (!dryRun || !isJlogError(err, 'E_CREDENTIALS')) throw err;
      offlineReason = `no credentials, so the plan is from the local ledger only: ${err.message}`;
    }
  }
  const log = debugLogger(ctx, env);
  const jira =
    creds === null
      ? null
      : createJiraClient(creds, {
          timeoutMs: ctx.config.timeoutMs,
          concurrency: ctx.config.concurrency,
          debug: log,
          ...(opts.onWait
            ? {
                onRetry: (r: RetryInfo) =>
                  opts.onWait!({ kind: 'jira', delayMs: r.delayMs, status: r.status, code: r.code }),
              }
            : {}),
        });
  try {
    const tt = await siteTimeTracking(
      ctx.config,
      ctx.ledger,
      jira && creds ? { jira, baseUrl: creds.baseUrl, log } : null,
    );
    const planOptions = planOptionsFor(ctx.config, tt, null, opts.retryFailed === true);
    const commits = await commitsInScope(ctx, opts.scope);

    let account: Promise<PostingAccount | null> | undefined;
    const postingAccount = (): Promise<PostingAccount | null> =>
      (account ??= jira === null ? Promise.resolve(null) : jira.myself());
    const execute = async (signal?: AbortSignal): Promise<RunReport> => {
      const view = await ctx.ledger.read();
      const p = plan(commits, view, planOptions);
      // flush's scope is the pending tokens alone; the rest of their commits was settled before.
      const flush = opts.scope.kind === 'flush';
      const selected = flush ? p.toPost.filter((w) => isPendingIn(view, w)) : p.toPost;
      // jlog ci posts others' time under its own account: name the author (ci.authorInComment).
      const toPost =
        opts.scope.kind === 'ci' && ctx.config.ci.authorInComment
          ? withAuthorPrefix(selected, commits, await postingAccount())
          : selected;
      const report: RunReport = {
        posted: [],
        planned: [],
        alreadyLogged: flush ? [] : p.posted.map((x) => ({ worklog: x.worklog, worklogId: x.worklogId })),
        failed: flush ? [] : p.failed.map((f) => ({ worklog: f.worklog, error: f.error, code: f.code })),
        pending: [],
        skipped: flush ? [] : p.skipped,
        diagnostics: flush ? [] : p.diagnostics,
        dryRun,
        ...(offlineReason === undefined ? {} : { offlineReason }),
        notices: commandNotice(ctx.config, commits, planOptions),
      };
      if (jira === null || creds === null) {
        report.planned = toPost.map((worklog) => ({ worklog }));
        return report;
      }
      if (tt.enabled === false) {
        const off = new JlogError('E_JIRA_TIME_TRACKING_OFF', `time tracking is off on ${creds.baseUrl}`, {
          hint: 'ask a Jira admin to turn it on (Settings > Issues > Time tracking); tokens stay pending',
        });
        report.pending = toPost.map((worklog) => ({ worklog, error: off.message, code: off.code }));
        if (!dryRun) {
          await ctx.ledger.append(
            toPost.map((w) => recordFor(w, { state: 'pending', error: off.message, code: off.code })),
          );
          await noteStillPending(
            ctx.ledger,
            toPost.map(() => off.message),
          );
        }
        return report;
      }
      opts.onStart?.(toPost.length, toPost);
      const applied = await applyPlan(toPost, {
        jira,
        ledger: ctx.ledger,
        deployment: creds.deployment,
        adjustEstimate: ctx.config.adjustEstimate,
        notifyUsers: ctx.config.notifyUsers,
        concurrency: ctx.config.concurrency,
        dryRun,
        unreachable: (shas) => unreachableFrom(ctx, shas),
        ...(signal ? { signal } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(opts.onOutcome ? { onOutcome: opts.onOutcome } : {}),
        log,
      });
      report.posted = applied.posted;
      report.planned = applied.planned;
      report.alreadyLogged.push(...applied.alreadyLogged);
      report.failed.push(...applied.failed);
      report.pending = applied.pending;
      if (!dryRun) {
        // For the next hook's one-line notice (SPEC §5).
        await countFailures(ctx.ledger, applied.failed.length);
        await noteStillPending(
          ctx.ledger,
          applied.pending.map((o) => o.error),
        );
      }
      return report;
    };

    if (dryRun) return await execute();
    return await ctx.ledger.withLock('post', execute, {
      wait: opts.waitForLock !== false,
      onWait: (holderPid) => opts.onWait?.({ kind: 'lock', holderPid }),
    });
  } finally {
    await jira?.close();
  }
}

function isPendingIn(view: { get(id: string): { state: string } | undefined }, w: PlannedWorklog): boolean {
  const state = view.get(w.id)?.state;
  return state === 'pending' || state === 'posting';
}

async function commitsInScope(ctx: RepoContext, scope: RunScope): Promise<Commit[]> {
  const cwd = ctx.repo.top;
  switch (scope.kind) {
    case 'sync': {
      if (ctx.repo.head === null) return [];
      const since = scope.since ?? (scope.range === undefined ? ctx.config.sync.since : undefined);
      const commits = await readCommits(cwd, {
        range: scope.range ?? 'HEAD',
        since: since === undefined ? undefined : gitDate(since, 'since', scope.since === undefined),
        until: scope.until === undefined ? undefined : gitDate(scope.until, 'until', false),
        grepTime: true,
      }).catch((err: unknown) => {
        throw badRange(err, scope.range);
      });
      if (scope.authors === null) return commits;
      const authors = new Set(scope.authors.map((a) => a.trim().toLowerCase()));
      return commits.filter((c) => authors.has(c.authorEmail.trim().toLowerCase()));
    }
    case 'ci':
      return readCommits(cwd, {
        range: scope.range,
        since: scope.window ? ciSince(ctx.config.ci.since) : undefined,
        grepTime: true,
      }).catch((err: unknown) => {
        throw badRange(err, scope.range);
      });
    case 'flush': {
      if (scope.shas !== undefined) {
        // Pushed commits whose tokens no hook recorded (hooks skipped, a GUI client) become pending.
        await recordCommits(ctx, await readCommits(cwd, { shas: scope.shas, grepTime: true }));
      }
      const view = await ctx.ledger.read();
      const wanted = scope.shas === undefined ? null : new Set(scope.shas);
      const pending = new Map<string, LedgerRecord[]>();
      for (const r of view.all()) {
        // A worklog logged by hand (jlog log) has no commit to find on a branch.
        if (r.id.startsWith(MANUAL_PREFIX)) continue;
        if (r.state === 'pending' || r.state === 'posting')
          pending.set(r.sha, [...(pending.get(r.sha) ?? []), r]);
      }
      const shas: string[] = [];
      const gone: LedgerRecord[] = [];
      for (const [sha, records] of pending) {
        // The pushed commits, plus what an earlier push left pending (Jira was down): any pending
        // commit that is on a remote by now. A plain flush takes every commit still on a branch.
        const where = await refsContaining(cwd, sha);
        if (where === 'missing' || where === 'none') {
          gone.push(...records);
        } else if (wanted === null || wanted.has(sha) || where === 'remote') {
          shas.push(sha);
        }
      }
      // A commit that was reset away or garbage-collected is not posted (its replacement, if any, has
      // its own tokens); sync logs it again should it come back on a branch.
      if (gone.length > 0 && wanted === null) {
        await ctx.ledger.append(
          gone.map((r) => ({
            ...r,
            state: 'skipped' as const,
            error: 'the commit is on no branch any more (reset or dropped)',
            code: OFF_BRANCH,
            at: new Date().toISOString(),
          })),
        );
      }
      return shas.length === 0 ? [] : readCommits(cwd, { shas });
    }
  }
}

/** `commands.comment`/`transitions` are accepted, but jlog posts worklogs only: say so, once a run. */
function commandNotice(config: JlogConfig, commits: readonly Commit[], options: PlanOptions): string[] {
  if (!config.commands.comment && !config.commands.transitions) return [];
  const found = commits.some((c) => {
    const p = parseMessage(c.message, options.grammar);
    return (
      (config.commands.comment && p.comments.length > 0) ||
      (config.commands.transitions && p.transitions.length > 0)
    );
  });
  return found
    ? [
        '#comment and transition commands are reported but not posted: this jlog posts worklogs only (commands.* in the config)',
      ]
    : [];
}

/**
 * `--since`/`--until` (and `sync.since`) as git reads them. git's approxidate takes anything (a typo
 * becomes "now" and the sync finds nothing), so the text is checked first: a date, a date-time,
 * today, yesterday or `N days|weeks|months|years ago`.
 */
function gitDate(text: string, flag: 'since' | 'until', fromConfig: boolean): string {
  const bound = parseDateBound(text, localDay(new Date()));
  if (bound === null) {
    const where = fromConfig ? `sync.since in the config` : `--${flag}`;
    throw new JlogError(fromConfig ? 'E_CONFIG' : 'E_USAGE', `${where}: '${text}' is not a date`, {
      hint: DATE_HINT,
    });
  }
  if ('ms' in bound) return new Date(bound.ms).toISOString();
  return flag === 'since' ? `${bound.day} 00:00:00` : `${bound.day} 23:59:59`;
}

/** `ci.since` as git reads it (validated with the config). */
function ciSince(text: string): string {
  return gitDate(text, 'since', true);
}

/** A range git cannot resolve is the user's typo (exit 2), not a failure of git. */
function badRange(err: unknown, range: string | undefined): unknown {
  if (range === undefined || !isJlogError(err, 'E_GIT')) return err;
  if (!/bad revision|unknown revision|ambiguous argument|invalid (revision|range)/i.test(err.message))
    return err;
  return new JlogError('E_USAGE', `git does not know the range '${range}'`, {
    cause: err,
    hint: 'name commits git can resolve, e.g. origin/main..HEAD or HEAD~5..',
  });
}

async function unreachableFrom(ctx: RepoContext, shas: string[]): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (const sha of shas) {
    if (await isAncestor(ctx.repo.top, sha, 'HEAD')) continue;
    out.set(sha, (await readCommit(ctx.repo.top, sha).catch(() => null))?.authorEmail ?? null);
  }
  return out;
}
