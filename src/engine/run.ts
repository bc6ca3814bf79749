// One posting run, whatever started it (sync, ci, flush, the hooks' background worker): read the
// commits, plan against the ledger under the post lock, apply through the client.
import { resolveCredentials, type Credentials } from '../config/credentials.js';
import { plan, type PlanDiagnostic, type PlanSkip } from '../core/plan.js';
import type { Commit, PlannedWorklog } from '../core/types.js';
import { JlogError, isJlogError } from '../errors.js';
import { isAncestor, readCommits } from '../git/index.js';
import { createJiraClient } from '../jira/client.js';
import { applyPlan, type Outcome } from './apply.js';
import { openRepo, type RepoContext } from './context.js';
import { debugLogger } from './debug.js';
import { countFailures } from './notice.js';
import { planOptionsFor, recordCommits, recordFor } from './record.js';
import { siteTimeTracking } from './site.js';

export type RunScope =
  | {
      kind: 'sync';
      range?: string | undefined;
      since?: string | undefined;
      until?: string | undefined;
      authors: string[] | null;
    }
  | { kind: 'ci'; range: string }
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
  onStart?: (toPost: number) => void;
}

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
      offlineReason = `no credentials, so the plan is from the local ledger only (${err.message})`;
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
        });
  try {
    const tt = await siteTimeTracking(
      ctx.config,
      ctx.ledger,
      jira && creds ? { jira, baseUrl: creds.baseUrl, log } : null,
    );
    const planOptions = planOptionsFor(ctx.config, tt, null, opts.retryFailed === true);
    const commits = await commitsInScope(ctx, opts.scope);

    const execute = async (signal?: AbortSignal): Promise<RunReport> => {
      const view = await ctx.ledger.read();
      const p = plan(commits, view, planOptions);
      // flush's scope is the pending tokens alone; the rest of their commits was settled before.
      const flush = opts.scope.kind === 'flush';
      const toPost = flush ? p.toPost.filter((w) => isPendingIn(view, w)) : p.toPost;
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
      };
      if (jira === null || creds === null) {
        report.planned = toPost.map((worklog) => ({ worklog }));
        return report;
      }
      if (tt.enabled === false) {
        const off = new JlogError('E_JIRA_TIME_TRACKING_OFF', `time tracking is off on ${creds.baseUrl}`, {
          hint: 'ask a Jira admin to turn it on (Settings > Issues > Time tracking); tokens stay pending',
        });
        if (!dryRun)
          await ctx.ledger.append(
            toPost.map((w) => recordFor(w, { state: 'pending', error: off.message, code: off.code })),
          );
        report.pending = toPost.map((worklog) => ({ worklog, error: off.message, code: off.code }));
        return report;
      }
      opts.onStart?.(toPost.length);
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
        log,
      });
      report.posted = applied.posted;
      report.planned = applied.planned;
      report.alreadyLogged.push(...applied.alreadyLogged);
      report.failed.push(...applied.failed);
      if (!dryRun) await countFailures(ctx.ledger, applied.failed.length);
      report.pending = applied.pending;
      return report;
    };

    if (dryRun) return await execute();
    return await ctx.ledger.withLock('post', execute, { wait: opts.waitForLock !== false });
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
      const commits = await readCommits(cwd, {
        range: scope.range ?? 'HEAD',
        since: scope.since ?? (scope.range === undefined ? ctx.config.sync.since : undefined),
        until: scope.until,
        grepTime: true,
      }).catch((err: unknown) => {
        throw badRange(err, scope.range);
      });
      if (scope.authors === null) return commits;
      const authors = new Set(scope.authors.map((a) => a.trim().toLowerCase()));
      return commits.filter((c) => authors.has(c.authorEmail.trim().toLowerCase()));
    }
    case 'ci':
      return readCommits(cwd, { range: scope.range, grepTime: true }).catch((err: unknown) => {
        throw badRange(err, scope.range);
      });
    case 'flush': {
      if (scope.shas !== undefined) {
        // Pushed commits whose tokens no hook recorded (hooks skipped, a GUI client) become pending.
        await recordCommits(ctx, await readCommits(cwd, { shas: scope.shas, grepTime: true }));
      }
      const view = await ctx.ledger.read();
      const wanted = scope.shas === undefined ? null : new Set(scope.shas);
      const shas = new Set<string>();
      for (const r of view.all()) {
        if ((r.state === 'pending' || r.state === 'posting') && (wanted === null || wanted.has(r.sha)))
          shas.add(r.sha);
      }
      return shas.size === 0 ? [] : readCommits(cwd, { shas: [...shas] });
    }
  }
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

async function unreachableFrom(ctx: RepoContext, shas: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const sha of shas) if (!(await isAncestor(ctx.repo.top, sha, 'HEAD'))) out.add(sha);
  return out;
}
