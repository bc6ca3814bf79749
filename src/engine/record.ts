// Recording tokens as pending (the hooks' job): plan the commits offline against the ledger and append
// what the ledger does not know yet. Other authors' tokens are recorded as skipped (not mine).
import { parseMaxDuration } from '../core/duration.js';
import { plan, type PlanDiagnostic, type PlanOptions } from '../core/plan.js';
import type { Commit, LedgerRecord, PlannedWorklog } from '../core/types.js';
import type { RepoContext } from './context.js';
import { siteTimeTracking } from './site.js';

export async function offlinePlanOptions(ctx: RepoContext): Promise<PlanOptions> {
  const tt = await siteTimeTracking(ctx.config, ctx.ledger, null);
  return {
    grammar: {
      projects: ctx.config.projects,
      hoursPerDay: tt.hoursPerDay,
      daysPerWeek: tt.daysPerWeek,
      maxSeconds: parseMaxDuration(ctx.config.maxDuration, tt),
    },
    commentFallback: ctx.config.comment.fallback,
    started: ctx.config.started,
    squashPattern: ctx.config.squashPattern === null ? null : new RegExp(ctx.config.squashPattern),
    authors: ctx.config.authors === 'all' ? null : ctx.repo.userEmail === null ? [] : [ctx.repo.userEmail],
    retryFailed: false,
  };
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
    const skipped = p.skipped.filter((s) => s.code === 'E_NOT_MINE' && fresh(s.worklog));
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
