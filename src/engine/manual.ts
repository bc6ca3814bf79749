// `jlog log`: a worklog by hand (docs/commands.md). Same client, same ledger, same marker, same exactly-once
// poster as the commits' tokens (applyPlan, under the post lock); only the token comes from the
// command line: id `manual:<uuid>`, no commit. `--instead-of` records a failed token as moved to it.
import { randomUUID } from 'node:crypto';
import { resolveCredentials } from '../config/credentials.js';
import { checkDuration, parseDuration, parseMaxDuration } from '../core/duration.js';
import { formatStarted } from '../core/jira-format.js';
import { DATE_HINT, parseDateBound } from '../core/report.js';
import type { LedgerRecord, PlannedWorklog } from '../core/types.js';
import { JlogError, usageError } from '../errors.js';
import { createJiraClient } from '../jira/client.js';
import { applyPlan, type Outcome } from './apply.js';
import { openRepo } from './context.js';
import { debugLogger } from './debug.js';
import { ledgerRecord } from './record.js';
import { localDay } from './report.js';
import { MANUAL_PREFIX, reportRetries, settleMsFor, type RunWait } from './run.js';
import { siteTimeTracking } from './site.js';

export interface ManualOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  issue: string;
  duration: string;
  comment: string;
  /** When the work started (a date, a date-time, `yesterday`…); default now. */
  date?: string | undefined;
  /** The id (or `jlog status`'s short id) of the failed token this worklog stands for. */
  insteadOf?: string | undefined;
  onWait?: (wait: RunWait) => void;
  now?: Date;
}

export interface ManualResult {
  state: 'posted' | 'failed' | 'pending';
  worklog: PlannedWorklog;
  worklogId?: string | undefined;
  error?: string | undefined;
  code?: string | undefined;
  /** The token recorded as moved to this worklog. */
  moved?: string;
}

const KEY = /^[A-Z][A-Z0-9]+-[0-9]+$/;
/** Code of a token that `jlog log --instead-of` moved to a manual worklog. */
export const MOVED = 'E_MOVED';

/** `--date` as an instant: a date means 09:00 local time that day; a date-time is taken as written. */
export function manualStart(text: string | undefined, now: Date): number {
  if (text === undefined) return now.getTime();
  const bound = parseDateBound(text, localDay(now));
  if (bound === null) throw usageError(`--date '${text.slice(0, 80)}' is not a date`, DATE_HINT);
  if ('ms' in bound) return bound.ms;
  const [y, m, d] = bound.day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d, 9, 0, 0, 0).getTime();
}

/** An instant as ISO 8601 in this machine's zone, with the offset that zone had then (as git writes dates). */
export function localIso(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2): string => String(Math.abs(n)).padStart(w, '0');
  const offset = -d.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` +
    `${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
  );
}

/** The ledger record `--instead-of` names: a full id, or the short `<sha prefix>:<n>` status prints. */
export function findToken(all: readonly LedgerRecord[], id: string): LedgerRecord | null {
  const exact = all.find((r) => r.id === id);
  if (exact) return exact;
  const m = /^([0-9a-f]{4,63}):(\d+)$/i.exec(id);
  if (!m) return null;
  const hits = all.filter((r) => r.id.endsWith(`:${m[2]}`) && r.sha.startsWith(m[1]!.toLowerCase()));
  const ids = new Set(hits.map((r) => r.id));
  if (ids.size > 1) throw usageError(`'${id}' names ${ids.size} tokens`, 'give more of the SHA');
  return hits[0] ?? null;
}

export async function logManually(opts: ManualOptions): Promise<ManualResult> {
  const env = opts.env ?? process.env;
  const now = opts.now ?? new Date();
  const issue = opts.issue.trim();
  if (!KEY.test(issue))
    throw usageError(`'${issue.slice(0, 40)}' is not an issue key`, 'give a key like PROJ-7 (uppercase)');
  const ctx = await openRepo(opts.cwd, env);
  const project = issue.slice(0, issue.lastIndexOf('-'));
  if (ctx.config.projects !== null && !ctx.config.projects.includes(project)) {
    throw usageError(
      `${issue} is outside the projects in the config (${ctx.config.projects.join(', ')})`,
      'use a key of those projects, or add the project to projects in the config',
    );
  }
  const startedMs = manualStart(opts.date, now);
  const moved = await movedToken(ctx.ledger, opts.insteadOf);

  const creds = await resolveCredentials(ctx.config, env);
  const log = debugLogger(ctx, env);
  const jira = createJiraClient(creds, {
    timeoutMs: ctx.config.timeoutMs,
    concurrency: 1,
    debug: log,
    ...reportRetries(opts.onWait),
  });
  try {
    const tt = await siteTimeTracking(ctx.config, ctx.ledger, { jira, baseUrl: creds.baseUrl, log });
    const parsed = parseDuration(opts.duration, tt);
    const checked = parsed.ok
      ? checkDuration(parsed.seconds, parseMaxDuration(ctx.config.maxDuration, tt), tt)
      : parsed;
    // A duration that parses but is out of range (zero, under a minute, over maxDuration) is not a typo:
    // its reason carries the fix.
    if (!checked.ok)
      throw parsed.ok
        ? usageError(
            `'${opts.duration.slice(0, 40)}' cannot be logged: ${checked.reason}`,
            'jlog log takes 1m up to maxDuration',
          )
        : usageError(
            `'${opts.duration.slice(0, 40)}' is not a duration: ${checked.reason}`,
            'write it like 1h 30m or 2h30m (units w d h m)',
          );
    if (tt.enabled === false) {
      throw new JlogError('E_JIRA_TIME_TRACKING_OFF', `time tracking is off on ${creds.baseUrl}`);
    }
    const uuid = randomUUID();
    const comment = opts.comment.trim();
    const worklog: PlannedWorklog = {
      id: `${MANUAL_PREFIX}${uuid}`,
      sha: '',
      n: 0,
      issue,
      seconds: checked.seconds,
      comment,
      postComment: comment,
      started: formatStarted(localIso(startedMs)),
      startedMs,
      authorEmail: ctx.repo.userEmail ?? '',
      fp: uuid,
      squash: false,
    };
    const result = await ctx.ledger.folder.withLock(
      'post',
      async (signal) => {
        // Decided again under the lock: a sync may have settled the token meanwhile.
        if (moved !== null) await movedToken(ctx.ledger, moved.id);
        const applied = await applyPlan(
          { toPost: [worklog], gone: [] },
          {
            jira,
            ledger: ctx.ledger,
            deployment: creds.deployment,
            adjustEstimate: ctx.config.adjustEstimate,
            notifyUsers: ctx.config.notifyUsers,
            dryRun: false,
            settleMs: settleMsFor(ctx.config.timeoutMs),
            // No commit, so no ancestry: a hand-made worklog is never a squash or a copy.
            ancestors: async () => new Set(),
            signal,
            log,
          },
        );
        const settled: [ManualResult['state'], Outcome | undefined][] = [
          ['posted', applied.posted[0] ?? applied.alreadyLogged[0]],
          ['failed', applied.failed[0]],
          ['pending', applied.pending[0]],
        ];
        const [state, o] = settled.find(([, x]) => x !== undefined) ?? ['pending', undefined];
        const out: ManualResult = { state, worklog, worklogId: o?.worklogId, error: o?.error, code: o?.code };
        if (state === 'posted' && moved !== null) {
          await ctx.ledger.append([
            {
              ...moved,
              state: 'skipped',
              error: `moved to ${issue} with jlog log, worklog ${o?.worklogId ?? '?'} (${worklog.id})`,
              code: MOVED,
              at: new Date().toISOString(),
            } satisfies LedgerRecord,
          ]);
          out.moved = moved.id;
        }
        if (state === 'pending' && o?.code !== 'E_JIRA_UNKNOWN_OUTCOME') {
          // Known not to be on Jira: nothing will post it later (it has no commit), so it is not
          // left pending; the user runs the same command again.
          await ctx.ledger.append([
            ledgerRecord(worklog, {
              state: 'skipped',
              error: `not posted: ${o?.error ?? 'unknown'}`,
              code: o?.code,
            }),
          ]);
        }
        return out;
      },
      {
        wait: true,
        onWait: (holderPid) => opts.onWait?.({ kind: 'lock', holderPid }),
      },
    );
    if (result === null) throw new JlogError('E_LEDGER_LOCKED', 'another jlog process is posting right now');
    return result;
  } finally {
    await jira.close();
  }
}

/** The record `--instead-of` names, when it is a token that can be moved (failed or pending). */
async function movedToken(
  ledger: { read(): Promise<{ all(): LedgerRecord[] }> },
  id: string | undefined,
): Promise<LedgerRecord | null> {
  if (id === undefined) return null;
  const r = findToken((await ledger.read()).all(), id.trim());
  if (r === null)
    throw usageError(
      `--instead-of ${id}: no such token in the ledger`,
      'jlog status lists the failed tokens and their ids',
    );
  if (r.state !== 'failed' && r.state !== 'pending') {
    const what =
      r.state === 'posted' ? `already posted as worklog ${r.worklogId ?? '?'}` : `already ${r.state}`;
    throw usageError(
      `--instead-of ${id}: that token is ${what}`,
      r.state === 'posted'
        ? `run jlog undo ${id} first if it is on the wrong issue`
        : 'there is nothing to move',
    );
  }
  return r;
}
