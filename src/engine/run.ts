// One posting run, whatever started it (sync, ci, flush, the hooks' background worker):
// select commits (reads only) → plan (pure, core/plan.ts) → reconcile with Jira and apply (apply.ts),
// the last two under the post lock so one process posts at a time.
import type { Credentials } from '../config/credentials.js';
import { commitWorklogs, plan, type PlanDiagnostic, type PlanOptions, type PlanSkip } from '../core/plan.js';
import { commentTextWithAuthor, withAuthorPrefix, type PostingAccount } from '../core/author-prefix.js';
import type { PlannedWorklog } from '../core/types.js';
import { JlogError, isJlogError } from '../errors.js';
import { isAncestor, readCommit } from '../git/index.js';
import { parseTokenId } from '../core/identity.js';
import type { JiraClient } from '../jira/client.js';
import type { RetryInfo } from '../jira/types.js';
import { applyPlan, issueViews, type ApplyResult, type Outcome } from './apply.js';
import { runCommands } from './command-run.js';
import { emptyCommandResult, type CommandResult } from './commands.js';
import { recordQueued } from './queue.js';
import { openRepo, type RepoContext } from './context.js';
import { debugLogger } from './debug.js';
import { countFailures, noteStillPending } from './notice.js';
import { copyRecord, ledgerRecord, planOptionsFor, recordCommits } from './record.js';
import { selectCommits, type RunScope, type Selection } from './select.js';
import { readSiteTimeTracking, type SiteReading, type SiteTimeTracking } from './site.js';
import { OFF_BRANCH } from '../core/plan.js';

export type { RunScope } from './select.js';
export { MANUAL_PREFIX } from './select.js';

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  scope: RunScope;
  dryRun?: boolean;
  offline?: boolean;
  retryFailed?: boolean;
  /** Apply rewrites even with `rewrites: "report"` (`jlog sync --apply-rewrites`). */
  applyRewrites?: boolean;
  onProgress?: (done: number, total: number) => void;
  onStart?: (toPost: number, worklogs: readonly PlannedWorklog[]) => void;
  /** Each token's outcome as it is settled. */
  onOutcome?: (kind: keyof Omit<ApplyResult, 'notices'>, outcome: Outcome) => void;
  /** The run waits: for another jlog's post lock, or for Jira (Retry-After, backoff). */
  onWait?: (wait: RunWait) => void;
}

export type RunWait =
  | { kind: 'lock'; holderPid: number | null }
  | { kind: 'jira'; delayMs: number; status?: number | undefined; code?: string | undefined };

/** The client's retry hook that tells `onWait` of each wait for Jira; nothing when nobody listens. */
export function reportRetries(onWait?: (wait: RunWait) => void): { onRetry?: (r: RetryInfo) => void } {
  if (onWait === undefined) return {};
  return { onRetry: (r) => onWait({ kind: 'jira', delayMs: r.delayMs, status: r.status, code: r.code }) };
}

export interface RunReport {
  posted: Outcome[];
  planned: Outcome[];
  /** Worklogs changed to match a rewritten token. */
  updated: Outcome[];
  /** Worklogs deleted: their token left history (a rewrite) or moved to another issue. */
  deleted: Outcome[];
  alreadyLogged: Outcome[];
  failed: Outcome[];
  pending: Outcome[];
  skipped: PlanSkip[];
  diagnostics: PlanDiagnostic[];
  /** rewrites: "report": rewrites of posted tokens waiting to be applied. */
  rewrites: Outcome[];
  dryRun: boolean;
  /** Why the run did not ask Jira (dry run without credentials, --offline). */
  offlineReason?: string;
  /** Things the user should know that are not about one token. */
  notices: string[];
  /** `#comment` and transition tokens (issue 12), applied after the worklogs; empty when commands.* are off. */
  commands: CommandResult;
}

export async function runPosting(opts: RunOptions): Promise<RunReport> {
  const env = opts.env ?? process.env;
  const dryRun = opts.dryRun === true;
  // A run that posts needs the Jira client (undici, ~1 MB of code): loaded while the repository opens.
  const clientModule = opts.offline || dryRun ? null : import('../jira/client.js');
  clientModule?.catch(() => undefined); // awaited below, where a failure is reported
  const ctx = await openRepo(opts.cwd, env);
  // What a hook without Node queued is pending from now on, so flush (and the hooks' worker) posts it.
  if (opts.scope.kind === 'flush' && !dryRun) await recordQueued(ctx);
  let creds: Credentials | null = null;
  let offlineReason: string | undefined;
  if (opts.offline) {
    offlineReason = '--offline: Jira not asked';
  } else {
    try {
      // Loaded here, not at the top: credentials bring zod and write-file-atomic, which --offline skips.
      const { resolveCredentials } = await import('../config/credentials.js');
      creds = await resolveCredentials(ctx.config, env);
    } catch (err) {
      if (!dryRun || !isJlogError(err, 'E_CREDENTIALS')) throw err;
      offlineReason = `no credentials, so the plan is from the local ledger only: ${err.message}`;
    }
  }
  const log = debugLogger(ctx, env);
  // The Jira client (undici, ~1 MB of code) is loaded only when a run will talk to Jira: an offline
  // or credential-less dry run never pays for it (issue 13: load only what a run needs).
  const jira: JiraClient | null =
    creds === null
      ? null
      : (await (clientModule ?? import('../jira/client.js'))).createJiraClient(creds, {
          timeoutMs: ctx.config.timeoutMs,
          concurrency: ctx.config.concurrency,
          debug: log,
          ...reportRetries(opts.onWait),
        });
  let site: SiteReading | undefined;
  try {
    // The site's working hours are asked while git is read (issue 13: one request less on the way to
    // the first check); the commits are read with what is known now and again in the rare case that
    // the answer differs (a site with other working hours, seen for the first time today).
    site = await readSiteTimeTracking(
      ctx.config,
      ctx.ledger,
      jira && creds ? { jira, baseUrl: creds.baseUrl, log } : null,
    );
    let tt = site.now;
    const flush = opts.scope.kind === 'flush';
    const optionsFor = (hours: SiteTimeTracking): PlanOptions => ({
      ...planOptionsFor(ctx.config, hours, null, opts.retryFailed === true),
      pendingOnly: flush,
      ...(opts.applyRewrites ? { reportRewrites: false } : {}),
    });
    let planOptions = optionsFor(tt);
    let selection = await selectCommits(ctx, opts.scope, planOptions);
    /** Waits for the site's answer; true when it changed the working hours and so the selection. */
    const settleSite = async (): Promise<boolean> => {
      const answer = await site!.settled;
      const changed = answer.hoursPerDay !== tt.hoursPerDay || answer.daysPerWeek !== tt.daysPerWeek;
      tt = answer;
      if (changed) {
        planOptions = optionsFor(answer);
        selection = await selectCommits(ctx, opts.scope, planOptions);
      }
      return changed;
    };

    let account: Promise<PostingAccount | null> | undefined;
    const postingAccount = (): Promise<PostingAccount | null> =>
      (account ??= jira === null ? Promise.resolve(null) : jira.myself());
    // Worklogs first, then comments and transitions (docs/exactly-once.md: on a line, the worklog goes
    // first).
    const execute = async (signal?: AbortSignal): Promise<RunReport> => {
      // Commands are planned after it, with the site's working hours worklogRun settled.
      const report = await worklogRun(signal);
      // ci.authorInComment names the author of a `#comment` too, as it does in worklogs
      // (docs/exactly-once.md).
      const namesAuthors =
        opts.scope.kind === 'ci' && ctx.config.ci.authorInComment && ctx.config.commands.comment;
      const commentText = namesAuthors
        ? commentTextWithAuthor(selection.commits, await postingAccount())
        : undefined;
      report.commands = await runCommands({
        ctx,
        selection,
        planOptions,
        jira,
        deployment: creds?.deployment ?? ctx.config.jira.deployment,
        dryRun,
        flush,
        ancestors: (pairs) => ancestorsOf(ctx, pairs),
        ...(signal ? { stopped: () => (signal.aborted ? lockLost() : null) } : {}),
        ...(commentText ? { commentText } : {}),
        log,
      });
      report.notices.push(...report.commands.notices);
      if (!dryRun) await countFailures(ctx.ledger, report.commands.newFailures);
      return report;
    };
    const worklogRun = async (signal?: AbortSignal): Promise<RunReport> => {
      if (!dryRun) await learn(ctx, selection);
      let p = plan(selection.commits, await ctx.ledger.read(), planOptions, selection.facts);
      // The first checks go out while the site's answer is on its way (issue 13); a plan the answer
      // changes is made again and its issues read again before anything is written.
      let views = jira === null || p.toPost.length + p.gone.length === 0 ? undefined : issueViews(jira, p);
      views?.warm();
      if (await settleSite()) {
        p = plan(selection.commits, await ctx.ledger.read(), planOptions, selection.facts);
        views = undefined;
      }
      // Copies are settled by the plan alone: recorded once, never posted. (None: no lock to take.)
      if (!dryRun && p.copies.length > 0)
        await ctx.ledger.update((view) => ({
          records: p.copies.filter((w) => view.get(w.id)?.state !== 'skipped').map(copyRecord),
          result: null,
        }));
      const report: RunReport = {
        posted: [],
        planned: [],
        updated: [],
        deleted: [],
        alreadyLogged: [
          ...p.posted.map((x) => ({ worklog: x.worklog, worklogId: x.worklogId })),
          ...p.copies.map((worklog) => ({ worklog })),
        ],
        failed: p.failed.map((f) => ({ worklog: f.worklog, error: f.error, code: f.code })),
        pending: [],
        skipped: p.skipped,
        diagnostics: p.diagnostics,
        rewrites: p.rewrites.flatMap((r) => (r.to ? [{ worklog: r.to, worklogId: r.from?.worklogId }] : [])),
        dryRun,
        ...(offlineReason === undefined ? {} : { offlineReason }),
        notices: [],
        commands: emptyCommandResult(),
      };
      // jlog ci posts others' time under its own account: name the author (ci.authorInComment).
      const toPost =
        opts.scope.kind === 'ci' && ctx.config.ci.authorInComment
          ? withAuthorPrefix(p.toPost, selection.commits, await postingAccount())
          : p.toPost;
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
            toPost.map((w) => ledgerRecord(w, { state: 'pending', error: off.message, code: off.code })),
          );
          await noteStillPending(
            ctx.ledger,
            toPost.map(() => ({ error: off.message, code: off.code })),
          );
        }
        return report;
      }
      opts.onStart?.(toPost.length + p.gone.length, toPost);
      const applied = await applyPlan(
        { toPost, gone: p.gone },
        {
          jira,
          ledger: ctx.ledger,
          deployment: creds.deployment,
          adjustEstimate: ctx.config.adjustEstimate,
          notifyUsers: ctx.config.notifyUsers,
          dryRun,
          settleMs: settleMsFor(ctx.config.timeoutMs),
          ancestors: (pairs) => ancestorsOf(ctx, pairs),
          tokenOf: (id) => tokenOf(ctx, id, planOptions),
          ...(views ? { views } : {}),
          ...(signal ? { signal } : {}),
          ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
          ...(opts.onOutcome ? { onOutcome: opts.onOutcome } : {}),
          log,
        },
      );
      report.posted = applied.posted;
      report.planned = applied.planned;
      report.updated = applied.updated;
      report.deleted = applied.deleted;
      report.alreadyLogged.push(...applied.alreadyLogged);
      report.failed.push(...applied.failed);
      report.pending = applied.pending;
      report.skipped.push(
        ...applied.skipped.map((o) => ({ worklog: o.worklog, reason: o.error ?? 'skipped', code: o.code })),
      );
      report.notices.push(...applied.notices);
      if (!dryRun) {
        // For the next hook's one-line notice (docs/commands.md).
        await countFailures(ctx.ledger, applied.failed.length);
        await noteStillPending(ctx.ledger, applied.pending);
      }
      return report;
    };

    if (dryRun) return await execute();
    // wait: true never returns null (it throws E_LEDGER_LOCKED after its timeout).
    return (await ctx.ledger.folder.withLock('post', execute, {
      wait: true,
      onWait: (holderPid) => opts.onWait?.({ kind: 'lock', holderPid }),
    }))!;
  } finally {
    await site?.written;
    await jira?.close();
  }
}

/**
 * The hooks' background worker (`jlog flush --background`): a run, and when it left a POST whose
 * outcome is unknown, it waits out the settle window itself and tries once more (docs/exactly-once.md).
 */
export async function runInBackground(
  opts: RunOptions,
  wait: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<RunReport> {
  const first = await runPosting(opts);
  if (!first.pending.some((o) => o.code === 'E_JIRA_UNKNOWN_OUTCOME')) return first;
  const ctx = await openRepo(opts.cwd, opts.env ?? process.env);
  const view = await ctx.ledger.read();
  const until = Math.max(
    ...first.pending.map((o) => (view.get(o.worklog.id)?.unknownAt ?? 0) + settleMsFor(ctx.config.timeoutMs)),
  );
  // Bounded: at most the window itself (8 minutes at timeoutMs' upper bound), plus a second.
  await wait(Math.min(Math.max(0, until - Date.now()) + 1000, settleMsFor(ctx.config.timeoutMs) + 1000));
  return runPosting(opts);
}

/** docs/exactly-once.md: an unknown outcome is posted again only when no marker is there this long after it. */
export function settleMsFor(timeoutMs: number): number {
  return 4 * timeoutMs;
}

/**
 * What the selection taught the ledger, written under the post lock: the pushed commits' tokens that
 * no hook recorded (hooks skipped, a GUI client) become pending; pending tokens whose commit left
 * every branch are skipped (decided again should the commit come back).
 */
async function learn(ctx: RepoContext, selection: Selection): Promise<void> {
  if (selection.pushed.length > 0) await recordCommits(ctx, selection.pushed);
  if (selection.offBranch.length > 0) {
    await ctx.ledger.update((view) => ({
      records: selection.offBranch
        .filter((r) => view.get(r.id)?.state === 'pending')
        .map((r) =>
          ledgerRecord(view.get(r.id)!, {
            state: 'skipped',
            error: 'the commit is on no branch any more (reset or dropped)',
            code: OFF_BRANCH,
          }),
        ),
      result: null,
    }));
  }
}

/** A token as its commit in this clone writes it (the content key), or null. */
async function tokenOf(
  ctx: RepoContext,
  id: string,
  options: PlanOptions,
): Promise<{ issue: string; seconds: number; comment: string } | null> {
  const parsed = parseTokenId(id);
  if (parsed === null) return null;
  const commit = await readCommit(ctx.repo.top, parsed.sha).catch(() => null);
  if (commit === null) return null;
  return commitWorklogs(commit, options).worklogs[parsed.n] ?? null;
}

async function ancestorsOf(ctx: RepoContext, pairs: readonly [string, string][]): Promise<Set<string>> {
  const yes = new Set<string>();
  for (const [a, d] of pairs) if (await isAncestor(ctx.repo.top, a, d)) yes.add(`${a} ${d}`);
  return yes;
}

function lockLost(): JlogError {
  return new JlogError('E_LEDGER_LOCKED', 'another jlog took over the post lock; this run stopped writing');
}
