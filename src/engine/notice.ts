// "jlog: 2 worklogs failed, run jlog status" once, on the next hook after the failures (SPEC §5).
// Two tiny counters beside the ledger, so a hook never reads the whole ledger to say it.
import type { Ledger } from '../ledger/ledger.js';

const FAILED = 'failed-total';
const NOTIFIED = 'failed-notified';

interface Total {
  total: number;
}

/** Called by the poster (which holds the post lock, so the counter has one writer at a time). */
export async function countFailures(ledger: Ledger, n: number): Promise<void> {
  if (n <= 0) return;
  const total = (await ledger.readCache<Total>(FAILED))?.value.total ?? 0;
  await ledger.writeCache(FAILED, { total: total + n });
}

export async function reportFailuresSince(ledger: Ledger, say: (line: string) => void): Promise<void> {
  const total = (await ledger.readCache<Total>(FAILED))?.value.total ?? 0;
  if (total === 0) return;
  const told = (await ledger.readCache<Total>(NOTIFIED))?.value.total ?? 0;
  const fresh = total - told;
  if (fresh <= 0) return;
  say(`jlog: ${fresh} worklog${fresh === 1 ? '' : 's'} failed, run jlog status`);
  await ledger.writeCache(NOTIFIED, { total });
}
