// Recording tokens as pending (the hooks' job): plan the commits offline against the ledger and append
// what the ledger does not know yet. Other authors' tokens are recorded as skipped (not mine).
import { parseMaxDuration } from '../core/duration.js';
import { NOT_MINE, plan, type PlanDiagnostic, type PlanOptions } from '../core/plan.js';
import type { Commit, LedgerRecord, PlannedWorklog } from '../core/types.js';
import type { JlogConfig } from '../config/schema.js';
import type { RepoContext } from './context.js';
import { siteTimeTracking } from './site.js';

/** How to plan with this config and these working hours; `authors` null means everyone's tokens. */
export function planOptionsFor(
  config: JlogConfig,
  tt: { hoursPerDay: number; daysPerWeek: number },
  authors: string[] | null,
  retryFailed = false,
): PlanOptions {
  return {
    grammar: {
      projects: config.projects,
      hoursPerDay: tt.hoursPerDay,
      daysPerWeek: tt.daysPerWeek,
      maxSeconds: parseMaxDuration(config.maxDuration, tt),
    },
    commentFallback: config.comment.fallback,
    started: config.started,
    squashPattern: config.squashPattern === null ? null : new RegExp(config.squashPattern),
    authors,
    retryFailed,
  };
}

/** The hooks' plan: no Jira (working hours from the config or the cache), `authors` from the config. */
export async function offlinePlanOptions(ctx: RepoContext): Promise<PlanOptions> {
  const tt = await siteTimeTracking(ctx.config, ctx.ledger, null);
  const mine = ctx.repo.userEmail === null ? [] : [ctx.repo.userEmail];
  return planOptionsFor(ctx.config, tt, ctx.config.authors === 'all' ? null : mine);
}

export interface Recorded {
  pending: PlannedWorklog[];
  skipped: PlannedWorklog[];
  diagnostics: PlanDiagnostic[];
}

export function recordFor(
  w: PlannedWorklog,
  fields: Pick<LedgerRecord, 'state'> & Partial<LedgerRecord>,
): LedgerRecord {
  return {
    id: w.id,
    sha: w.sha,
    issue: w.issue,
    seconds: w.seconds,
    started: w.started,
    comment: w.postComment,
    fp: w.fp,
    authorEmail: w.authorEmail,
    at: new Date().toISOString(),
    ...fields,
  };
}

/** Appends a pending (or not-mine skipped) record for every token of `commits` the ledger has never seen. */
export async function recordCommits(
  ctx: RepoContext,
  commits: readonly Commit[],
  planOptions?: PlanOptions,
): Promise<Recorded> {
  const options = planOptions ?? (await offlinePlanOptions(ctx));
  return ctx.ledger.update((view) => {
    const p = plan(commits, view, options);
    const fresh = (w: PlannedWorklog): boolean => view.get(w.id) === undefined;
    const pending = p.toPost.filter(fresh);
    const skipped = p.skipped.filter((s) => s.code === NOT_MINE && fresh(s.worklog));
    const records = [
      ...pending.map((w) => recordFor(w, { state: 'pending' })),
      ...skipped.map((s) => recordFor(s.worklog, { state: 'skipped', error: s.reason, code: s.code })),
    ];
    return {
      records,
      result: { pending: p.toPost, skipped: skipped.map((s) => s.worklog), diagnostics: p.diagnostics },
    };
  });
}

/**
 * post-commit's version, without reading the ledger: a commit that was just made has ids nobody has
 * recorded, so its records are appended blindly (were one ever a duplicate, the remote check that
 * precedes every first POST to an issue still finds its marker). Keeps a hook's cost independent of
 * the ledger's size.
 */
export async function recordNewCommit(
  ctx: RepoContext,
  commit: Commit,
  options: PlanOptions,
): Promise<Recorded> {
  const p = plan([commit], { get: () => undefined }, options);
  const skipped = p.skipped.filter((s) => s.code === NOT_MINE);
  await ctx.ledger.append([
    ...p.toPost.map((w) => recordFor(w, { state: 'pending' })),
    ...skipped.map((s) => recordFor(s.worklog, { state: 'skipped', error: s.reason, code: s.code })),
  ]);
  return { pending: p.toPost, skipped: skipped.map((s) => s.worklog), diagnostics: p.diagnostics };
}
