// "jlog: 2 worklogs failed, run jlog status" once, on the next hook after the failures (SPEC §5).
// Two tiny counters beside the ledger, so a hook never reads the whole ledger to say it.
import type { Ledger } from '../ledger/ledger.js';

const FAILED = 'failed-total';
const NOTIFIED = 'failed-notified';
const STUCK = 'stuck';
const STUCK_NOTIFIED = 'stuck-notified';

interface Total {
  total: number;
}

/** Called by the poster (which holds the post lock, so the counter has one writer at a time). */
export async function countFailures(ledger: Ledger, n: number): Promise<void> {
  if (n <= 0) return;
  const total = (await ledger.readCache<Total>(FAILED))?.value.total ?? 0;
  await ledger.writeCache(FAILED, { total: total + n });
}

interface Stuck {
  count: number;
  reason: string;
}

/** After each posting run: how many tokens it had to leave pending, and why (Jira down, say). */
export async function noteStillPending(
  ledger: Ledger,
  reasons: readonly (string | undefined)[],
): Promise<void> {
  const previous = (await ledger.readCache<Stuck>(STUCK))?.value.count ?? 0;
  if (reasons.length === 0 && previous === 0) return;
  await ledger.writeCache(STUCK, { count: reasons.length, reason: reasons.find((r) => r) ?? '' });
}

export async function reportFailuresSince(ledger: Ledger, say: (line: string) => void): Promise<void> {
  await reportStillPending(ledger, say);
  const total = (await ledger.readCache<Total>(FAILED))?.value.total ?? 0;
  if (total === 0) return;
  const told = (await ledger.readCache<Total>(NOTIFIED))?.value.total ?? 0;
  const fresh = total - told;
  if (fresh <= 0) return;
  say(`jlog: ${fresh} worklog${fresh === 1 ? '' : 's'} failed, run jlog status`);
  await ledger.writeCache(NOTIFIED, { total });
}

/** One line when the last posting run left tokens pending, until a later run clears it. */
async function reportStillPending(ledger: Ledger, say: (line: string) => void): Promise<void> {
  const stuck = await ledger.readCache<Stuck>(STUCK);
  if (!stuck || stuck.value.count === 0) return;
  const told = await ledger.readCache<{ at: number }>(STUCK_NOTIFIED);
  if (told && told.value.at >= stuck.at) return;
  const n = stuck.value.count;
  const why = stuck.value.reason === '' ? '' : ` (${stuck.value.reason})`;
  say(
    `jlog: ${n} worklog${n === 1 ? '' : 's'} still pending${why}; they post on your next push, or run jlog flush`,
  );
  await ledger.writeCache(STUCK_NOTIFIED, { at: stuck.at });
}
