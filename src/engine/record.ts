// Recording tokens as pending (the hooks' job): plan the commits offline against the ledger and append
// what the ledger does not know yet. Other authors' tokens are recorded as skipped (not mine).
import { parseMaxDuration } from '../core/duration.js';
import { COPY, NOT_MINE, REWRITTEN, plan, type PlanDiagnostic, type PlanOptions } from '../core/plan.js';
import type { Commit, LedgerRecord, PlannedWorklog, RewriteKind } from '../core/types.js';
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
    squashPatterns: squashPatternsOf(config.squashPattern),
    authors,
    retryFailed,
    reportRewrites: config.rewrites === 'report',
  };
}

/** `squashPattern`: one regular expression or a list of them (docs/configuration.md), matched against the whole message. */
function squashPatternsOf(value: string | readonly string[] | null): RegExp[] {
  if (value === null) return [];
  return (typeof value === 'string' ? [value] : value).map((source) => new RegExp(source, 'm'));
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

/** A record's new state and what goes with it (the rest comes from the token or its record). */
export type RecordFields = Pick<LedgerRecord, 'state'> & Partial<LedgerRecord>;

/**
 * The one ledger-record builder: a token's state from a planned token or from the record it had. A
 * state change drops the previous state's details (error, code, retryable, unknownAt) unless given
 * again; what identifies the token and the rewrite it belongs to is kept.
 */
export function ledgerRecord(base: PlannedWorklog | LedgerRecord, fields: RecordFields): LedgerRecord {
  const from: LedgerRecord =
    'postComment' in base
      ? {
          id: base.id,
          sha: base.sha,
          issue: base.issue,
          seconds: base.seconds,
          state: fields.state,
          at: '',
          started: base.started,
          comment: base.postComment,
          fp: base.fp,
          authorEmail: base.authorEmail,
          ...(base.replaces ? { replaces: base.replaces } : {}),
        }
      : { ...base };
  delete from.error;
  delete from.code;
  delete from.retryable;
  delete from.unknownAt;
  delete from.ifNew;
  if (fields.state === 'pending' || fields.state === 'failed') delete from.worklogId;
  const record: LedgerRecord = { ...from, ...fields, at: new Date().toISOString() };
  for (const k of Object.keys(record) as (keyof LedgerRecord)[])
    if (record[k] === undefined) delete record[k];
  return record;
}

/** Appends a pending (or not-mine skipped) record for every token of `commits` the ledger has never seen. */
export async function recordCommits(
  ctx: RepoContext,
  commits: readonly Commit[],
  planOptions?: PlanOptions,
): Promise<Recorded> {
  const options = planOptions ?? (await offlinePlanOptions(ctx));
  return ctx.ledger.update((view) => {
    const p = plan(commits, view, { ...options, reportRewrites: false });
    const fresh = (w: PlannedWorklog): boolean => view.get(w.id) === undefined;
    const pending = p.toPost.filter(fresh);
    const skipped = p.skipped.filter((s) => s.code === NOT_MINE && fresh(s.worklog));
    const records = [
      ...pending.map((w) => ledgerRecord(w, { state: 'pending' })),
      ...skipped.map((s) => ledgerRecord(s.worklog, { state: 'skipped', error: s.reason, code: s.code })),
      ...p.copies.filter(fresh).map((w) => copyRecord(w)),
    ];
    return {
      records,
      result: { pending: p.toPost, skipped: skipped.map((s) => s.worklog), diagnostics: p.diagnostics },
    };
  });
}

/** A merge commit's copy: recorded as logged by the token it copies, never posted. */
export function copyRecord(w: PlannedWorklog): LedgerRecord {
  return ledgerRecord(w, { state: 'skipped', code: COPY, error: w.copyOf ?? 'a copy' });
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
  const p = plan([commit], { get: () => undefined, all: () => [] }, options);
  const skipped = p.skipped.filter((s) => s.code === NOT_MINE);
  await ctx.ledger.append([
    ...p.toPost.map((w) => ledgerRecord(w, { state: 'pending', ifNew: true })),
    ...skipped.map((s) =>
      ledgerRecord(s.worklog, { state: 'skipped', error: s.reason, code: s.code, ifNew: true }),
    ),
  ]);
  return { pending: p.toPost, skipped: skipped.map((s) => s.worklog), diagnostics: p.diagnostics };
}

/** The old token's own record once a rewrite gave it an heir (worklog or command). */
export function rewrittenRecord(before: LedgerRecord, kind: RewriteKind, to: string): LedgerRecord {
  const error = `rewritten by ${kind} as ${to.slice(0, 12)}`;
  return ledgerRecord(before, { state: 'skipped', code: REWRITTEN, error, rewritten: { by: kind, to } });
}

/**
 * The old token's own record once a rewrite took it out of history with no heir: a posted one stays
 * posted for the next posting run to delete and tombstone (a force-push only lists it); a pending one
 * the ledger knew is dropped. Null: nothing to change.
 */
export function goneRecord(before: LedgerRecord, kind: RewriteKind, known: boolean): LedgerRecord | null {
  const rewritten = { by: kind, to: null };
  if (before.state === 'posted') return ledgerRecord(before, { state: 'posted', rewritten });
  if (before.state !== 'pending' || !known) return null;
  return ledgerRecord(before, { state: 'skipped', code: REWRITTEN, error: `removed by ${kind}`, rewritten });
}
