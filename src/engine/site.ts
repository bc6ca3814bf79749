// The Jira site's time tracking (docs/grammar.md): hours per day and days per week for `d` and `w`, and
// whether worklogs can be posted at all. Config overrides win; the site's answer is cached for a day.
import type { JlogConfig } from '../config/schema.js';
import type { JiraClient } from '../jira/client.js';
import type { Ledger } from '../ledger/ledger.js';
import { isJlogError } from '../errors.js';

export interface SiteTimeTracking {
  hoursPerDay: number;
  daysPerWeek: number;
  /** null when not known (offline and nothing cached). */
  enabled: boolean | null;
}

const CACHE = 'timetracking';
const DAY_MS = 24 * 60 * 60 * 1000;

interface Cached {
  baseUrl: string;
  enabled: boolean;
  hoursPerDay: number;
  daysPerWeek: number;
}

/**
 * Without a client (offline, hooks recording a commit) this answers from the config and the cache.
 * `fresh` re-reads the site even when the cache is young (a run that found time tracking off asks again).
 */
export async function siteTimeTracking(
  config: JlogConfig,
  ledger: Ledger,
  client: { jira: JiraClient; baseUrl: string; log?: ((line: string) => void) | undefined } | null,
): Promise<SiteTimeTracking> {
  const override = config.timeTracking ?? {};
  let site: Cached | null = null;
  const cached = await ledger.folder.readCache<Cached>(CACHE).catch(() => null);
  if (
    cached &&
    Date.now() - cached.at < DAY_MS &&
    (client === null || cached.value.baseUrl === client.baseUrl)
  ) {
    site = cached.value;
  }
  if (client !== null && (site === null || !site.enabled)) {
    try {
      const c = await client.jira.configuration();
      site = {
        baseUrl: client.baseUrl,
        enabled: c.timeTrackingEnabled,
        hoursPerDay: c.hoursPerDay,
        daysPerWeek: c.daysPerWeek,
      };
      await ledger.folder.writeCache(CACHE, site).catch(() => undefined);
    } catch (err) {
      // Bad credentials stop the run; anything else (a proxy that hides /configuration, a blip) only
      // costs the site's own working day: the cached or default values apply, and a POST still says
      // when time tracking is off.
      if (isJlogError(err, 'E_JIRA_AUTH')) throw err;
      client.log?.(`time tracking settings not read: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return {
    hoursPerDay: override.hoursPerDay ?? site?.hoursPerDay ?? 8,
    daysPerWeek: override.daysPerWeek ?? site?.daysPerWeek ?? 5,
    enabled: site?.enabled ?? null,
  };
}
