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

/** What a run knows of the site's time tracking at once, and what the site says when asked. */
export interface SiteReading {
  /** Without waiting: config overrides, else the cached answer, else the defaults. */
  now: SiteTimeTracking;
  /** The site's answer (the same as `now` when the cache is young or there is no client). */
  settled: Promise<SiteTimeTracking>;
  /** The cache write of a new answer; awaited before the run ends, never on its way. */
  written: Promise<void>;
}

/**
 * Without a client (offline, hooks recording a commit) this answers from the config and the cache.
 * With one, the site is asked when the cache is old, of another site, or says time tracking is off
 * (a run that found it off asks again); the question is in flight while the caller reads git.
 */
export async function readSiteTimeTracking(
  config: JlogConfig,
  ledger: Ledger,
  client: { jira: JiraClient; baseUrl: string; log?: ((line: string) => void) | undefined } | null,
): Promise<SiteReading> {
  const override = config.timeTracking ?? {};
  const resolve = (site: Cached | null): SiteTimeTracking => ({
    hoursPerDay: override.hoursPerDay ?? site?.hoursPerDay ?? 8,
    daysPerWeek: override.daysPerWeek ?? site?.daysPerWeek ?? 5,
    enabled: site?.enabled ?? null,
  });
  let site: Cached | null = null;
  const cached = await ledger.folder.readCache<Cached>(CACHE).catch(() => null);
  if (
    cached &&
    Date.now() - cached.at < DAY_MS &&
    (client === null || cached.value.baseUrl === client.baseUrl)
  ) {
    site = cached.value;
  }
  const now = resolve(site);
  if (client === null || (site !== null && site.enabled)) {
    return { now, settled: Promise.resolve(now), written: Promise.resolve() };
  }
  const asked = client.jira.configuration().then(
    (c): Cached => ({
      baseUrl: client.baseUrl,
      enabled: c.timeTrackingEnabled,
      hoursPerDay: c.hoursPerDay,
      daysPerWeek: c.daysPerWeek,
    }),
    (err: unknown): null => {
      // Bad credentials stop the run; anything else (a proxy that hides /configuration, a blip) only
      // costs the site's own working day: the cached or default values apply, and a POST still says
      // when time tracking is off.
      if (isJlogError(err, 'E_JIRA_AUTH')) throw err;
      client.log?.(`time tracking settings not read: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    },
  );
  const settled = asked.then((answer) => (answer === null ? now : resolve(answer)));
  // Awaited by the run when it needs the answer; a rejection before then is not unhandled.
  settled.catch(() => undefined);
  const written = asked.then(
    (answer) =>
      answer === null ? undefined : ledger.folder.writeCache(CACHE, answer).catch(() => undefined),
    () => undefined,
  );
  return { now, settled, written };
}

/** The site's answer, waited for (readSiteTimeTracking without the head start). */
export async function siteTimeTracking(
  config: JlogConfig,
  ledger: Ledger,
  client: Parameters<typeof readSiteTimeTracking>[2],
): Promise<SiteTimeTracking> {
  const reading = await readSiteTimeTracking(config, ledger, client);
  const tt = await reading.settled;
  await reading.written;
  return tt;
}
