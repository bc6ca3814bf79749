// What the hooks tell the user about posting they do not see (the background worker's): "jlog: 2
// worklogs failed, run jlog status" once after failures, tokens left pending, and, on every hook until
// it is fixed, a failure that stops posting altogether (docs/commands.md): `jlog: Jira refused the
// credentials (401); 5 worklogs waiting: run jlog login`. Tiny caches beside the ledger, so a hook never
// reads the whole ledger to say it.
import { existsSync } from 'node:fs';
import { credentialsPath } from '../config/paths.js';
import { clause } from '../core/voice.js';
import { isJlogError } from '../errors.js';
import { authFix } from '../jira/errors.js';
import { repoInfo } from '../git/index.js';
import { Ledger, ledgerDirFor } from '../ledger/ledger.js';

const FAILED = 'failed-total';
const NOTIFIED = 'failed-notified';
const STUCK = 'stuck';
const STUCK_NOTIFIED = 'stuck-notified';
const BLOCKED = 'blocked';

interface Total {
  total: number;
}

/** Called by the poster (which holds the post lock, so the counter has one writer at a time). */
export async function countFailures(ledger: Ledger, n: number): Promise<void> {
  if (n <= 0) return;
  const total = (await ledger.folder.readCache<Total>(FAILED))?.value.total ?? 0;
  await ledger.folder.writeCache(FAILED, { total: total + n });
}

interface Stuck {
  count: number;
  reason: string;
  /** The reason's error code (E_JIRA_TIME_TRACKING_OFF, say); absent in caches of older versions. */
  code?: string;
}

/** After each posting run: how many tokens it had to leave pending, and why (Jira down, say). */
export async function noteStillPending(
  ledger: Ledger,
  pending: readonly { error?: string | undefined; code?: string | undefined }[],
): Promise<void> {
  // A run that got this far reached Jira with the credentials: whatever stopped posting is fixed.
  if ((await ledger.folder.readCache<Blocked | null>(BLOCKED))?.value)
    await ledger.folder.writeCache(BLOCKED, null);
  const previous = (await ledger.folder.readCache<Stuck>(STUCK))?.value.count ?? 0;
  if (pending.length === 0 && previous === 0) return;
  const first = pending.find((p) => p.error);
  await ledger.folder.writeCache(STUCK, {
    count: pending.length,
    reason: first?.error ?? '',
    ...(first?.code ? { code: first.code } : {}),
  } satisfies Stuck);
}

export async function reportFailuresSince(ledger: Ledger, say: (line: string) => void): Promise<void> {
  await reportStillPending(ledger, say);
  const total = (await ledger.folder.readCache<Total>(FAILED))?.value.total ?? 0;
  if (total === 0) return;
  const told = (await ledger.folder.readCache<Total>(NOTIFIED))?.value.total ?? 0;
  const fresh = total - told;
  if (fresh <= 0) return;
  say(`jlog: ${fresh} worklog${fresh === 1 ? '' : 's'} failed, run jlog status`);
  await ledger.folder.writeCache(NOTIFIED, { total });
}

/** One line when the last posting run left tokens pending, until a later run clears it. */
async function reportStillPending(ledger: Ledger, say: (line: string) => void): Promise<void> {
  const stuck = await ledger.folder.readCache<Stuck>(STUCK);
  if (!stuck || stuck.value.count === 0) return;
  const told = await ledger.folder.readCache<{ at: number }>(STUCK_NOTIFIED);
  if (told && told.value.at >= stuck.at) return;
  const n = stuck.value.count;
  // The reason is a run's message ("Reading the worklogs of PROJ-5: the connection failed (…)."): one
  // clause of this line, not a parenthesis with its own parentheses and period inside.
  const why = stuck.value.reason === '' ? '' : `: ${clause(stuck.value.reason)}`;
  // Time tracking off on the site (jlog's own check or Jira's 400): no push or flush posts them until
  // an admin turns it on, so the line does not send the user to one.
  const next =
    stuck.value.code === 'E_JIRA_TIME_TRACKING_OFF'
      ? 'they post once a Jira admin turns time tracking on'
      : 'they post on your next push, or run jlog flush';
  say(`jlog: ${n} worklog${n === 1 ? '' : 's'} still pending${why}; ${next}`);
  await ledger.folder.writeCache(STUCK_NOTIFIED, { at: stuck.at });
}

/** Why posting stopped altogether, and the fix, as the next hooks say it. */
interface Blocked {
  why: string;
  fix: string;
  /** Tokens pending when the run stopped. */
  waiting: number;
}

/**
 * Called when a background run stopped before posting anything: credentials Jira refused (401), no
 * credentials, no site. Returns false for any other error (those are the run's own to report).
 */
export async function noteBlocked(ledger: Ledger, err: unknown): Promise<boolean> {
  let why: string;
  let fix: string;
  if (isJlogError(err, 'E_JIRA_AUTH')) {
    why = 'Jira refused the credentials (401)';
    fix = authFix(err.hint);
  } else if (isJlogError(err, 'E_CREDENTIALS')) {
    why = err.message;
    // The hint's first instruction ("run jlog login --base-url …, or set …"): one line, one fix.
    const first = (err.hint ?? '').split(/; |, or /)[0]?.trim() ?? '';
    fix = /^(run|set|unset|check)\b/.test(first) ? first : 'run jlog doctor';
  } else {
    return false;
  }
  const c = (await ledger.read()).counts();
  await ledger.folder.writeCache(BLOCKED, { why, fix, waiting: c.pending } satisfies Blocked);
  return true;
}

/**
 * The blocked line, or null when posting is not blocked. Before any run has said so, an environment
 * with no token and no `jlog login` file is blocked too: a commit must not claim it "posts on push".
 */
export async function blockedNotice(ledger: Ledger, env: NodeJS.ProcessEnv): Promise<Blocked | null> {
  const noted = (await ledger.folder.readCache<Blocked | null>(BLOCKED))?.value;
  if (noted) return noted;
  if (!env.JIRA_API_TOKEN?.trim() && !existsSync(credentialsPath(env))) {
    return { why: 'no Jira credentials', fix: 'run jlog login', waiting: 0 };
  }
  return null;
}

/** `jlog: <why>; 5 worklogs waiting: <fix>`, counting `more` tokens this hook just added. */
export function blockedLine(b: Blocked, more = 0): string {
  const n = b.waiting + more;
  const waiting = n > 0 ? `; ${n} worklog${n === 1 ? '' : 's'} waiting` : '';
  return `jlog: ${b.why}${waiting}: ${b.fix}`;
}

/** noteBlocked for the background worker, which has only its cwd when runPosting throws. */
export async function noteBlockedAt(cwd: string, err: unknown): Promise<void> {
  if (!isJlogError(err, 'E_JIRA_AUTH') && !isJlogError(err, 'E_CREDENTIALS')) return;
  const repo = await repoInfo(cwd);
  await noteBlocked(Ledger.open(ledgerDirFor(repo.commonDir)), err);
}
