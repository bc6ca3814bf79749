// The `git log` question `jlog sync` asks: one function for the run (select.ts) and for the prefetch
// the sync fast path starts before it loads anything else (issue 13), so that both ask git the very
// same thing or the prefetch is thrown away. Small on purpose: the prefetch loads it first.
import { DATE_HINT, localDay, parseDateBound } from '../core/report.js';
import { JlogError } from '../errors.js';
import type { ReadCommitsOptions } from '../git/commits.js';

export interface SyncLogScope {
  range?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

/** What the config says about the sync's log: `sync.since`, and whether `#` lines other than #time count. */
export interface SyncLogConfig {
  syncSince: string;
  postsCommands: boolean;
}

export function syncLogOptions(scope: SyncLogScope, config: SyncLogConfig): ReadCommitsOptions {
  const since = scope.since ?? (scope.range === undefined ? config.syncSince : undefined);
  return {
    range: scope.range ?? 'HEAD',
    since: since === undefined ? undefined : gitDate(since, 'since', scope.since === undefined),
    until: scope.until === undefined ? undefined : gitDate(scope.until, 'until', false),
    grepTime: true,
    grepCommands: config.postsCommands,
  };
}

/**
 * `--since`/`--until` (and `sync.since`) as git reads them. git's approxidate takes anything (a typo
 * becomes "now" and the sync finds nothing), so the text is checked first: a date, a date-time,
 * today, yesterday or `N days|weeks|months|years ago`.
 */
export function gitDate(text: string, flag: 'since' | 'until', fromConfig: boolean): string {
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
