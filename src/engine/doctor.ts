// `jlog doctor`: every link of the chain checked in order (git, hooks, config, credentials, Jira, time
// tracking, ledger). A check whose prerequisite failed is reported as skipped, and says which one.
// Never prints a credential: the credentials check shows the site and the kind of auth only.
import { readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Credentials } from '../config/credentials.js';
import { resolveCredentials } from '../config/credentials.js';
import { loadConfig } from '../config/load.js';
import type { JlogConfig } from '../config/schema.js';
import { isJlogError } from '../errors.js';
import { execGit, hooksDir, repoInfo, type RepoInfo } from '../git/index.js';
import { createJiraClient, type JiraClient } from '../jira/client.js';
import { Ledger, ledgerDirFor } from '../ledger/ledger.js';
import { queuedCount } from '../ledger/queue.js';
import { findHusky } from '../install/detect.js';
import { HOOK_NAMES } from '../install/hook-names.js';
import { huskyLineVersion } from '../install/husky.js';
import { COMMON_FILE, HOOK_VERSION, isShim, shimVersion } from '../install/shims.js';
import { apiRootHint } from './api-root-hint.js';

export interface Check {
  name: string;
  ok: boolean;
  message: string;
  /** What to do about a failure. */
  hint?: string;
  /** Not run because a check it needs failed. */
  skipped?: boolean;
}

const MIN_GIT_MAJOR = 2;
/** Doctor should answer promptly: one retry, and a shorter timeout than a posting run. */
const JIRA_TIMEOUT_MS = 15_000;

function failed(name: string, err: unknown): Check {
  if (isJlogError(err))
    return { name, ok: false, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  return {
    name,
    ok: false,
    message: `unexpected error: ${err instanceof Error ? err.message : String(err)}`,
  };
}

function skipped(name: string, because: string): Check {
  return { name, ok: false, skipped: true, message: `skipped: ${because}` };
}

async function attempt(name: string, fn: () => Promise<Check>): Promise<Check> {
  try {
    return await fn();
  } catch (err) {
    return failed(name, err);
  }
}

export async function checkGit(cwd: string): Promise<{ check: Check; repo: RepoInfo | null }> {
  let version: string;
  try {
    const r = await execGit(['--version'], { cwd });
    version = /(\d+\.\d+(\.\d+)?)/.exec(r.stdout)?.[1] ?? r.stdout.trim();
  } catch (err) {
    return { check: failed('git', err), repo: null };
  }
  if (!(Number(version.split('.')[0]) >= MIN_GIT_MAJOR)) {
    return {
      check: {
        name: 'git',
        ok: false,
        message: `git ${version} is too old`,
        hint: 'install git 2.25 or later',
      },
      repo: null,
    };
  }
  try {
    const repo = await repoInfo(cwd);
    return { check: { name: 'git', ok: true, message: `git ${version}, repository ${repo.top}` }, repo };
  } catch (err) {
    const f = failed('git', err);
    return { check: { ...f, message: `git ${version}, but ${f.message}` }, repo: null };
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function executable(path: string): boolean {
  if (process.platform === 'win32') return true;
  try {
    return (statSync(path).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

const shown = (top: string, path: string): string => {
  const rel = relative(top, path);
  return rel === '' || rel.startsWith('..') ? path : rel;
};

/**
 * jlog's hooks where git runs them: in git's hooks dir (an executable shim with its common block beside
 * it), or husky's dir (also husky in a subfolder) when git runs husky. Hooks an older jlog left (a lower
 * hook version stamp) fail, with `jlog init` (which rewrites them) as the fix.
 */
export async function checkHooks(repo: RepoInfo, env: NodeJS.ProcessEnv, cwd = repo.top): Promise<Check> {
  const dir = await hooksDir(repo.top);
  const husky = await findHusky(repo.top, cwd);
  const usesHusky = husky !== null && husky.active;
  const missing: string[] = [];
  const notExecutable: string[] = [];
  const stale = new Map<string, number>();
  let huskyInactive = false;
  let shims = 0;
  for (const hook of HOOK_NAMES) {
    const gitHook = join(dir, hook);
    const text = readText(gitHook);
    if (text !== null && isShim(text)) {
      // Shims from version 2 on source the common block beside them.
      if (shimVersion(text) >= 2) shims++;
      if (!executable(gitHook)) notExecutable.push(shown(repo.top, gitHook));
      if (shimVersion(text) < HOOK_VERSION) stale.set(hook, shimVersion(text));
      continue;
    }
    const huskyText = husky === null ? null : readText(join(husky.dir, hook));
    if (huskyText?.includes('jlog')) {
      if (!usesHusky) huskyInactive = true;
      const lineVersion = huskyLineVersion(huskyText);
      if (lineVersion !== null && lineVersion < HOOK_VERSION) stale.set(hook, lineVersion);
      continue;
    }
    // A hook that calls jlog some other way (written by hand): installed, version unknown.
    if (text?.includes('jlog')) continue;
    missing.push(hook);
  }
  if (shims > 0) {
    // Not executable on purpose: it is sourced, never run.
    const common = readText(join(dir, COMMON_FILE));
    if (common === null) missing.push(COMMON_FILE);
    else if (shimVersion(common) < HOOK_VERSION) stale.set(COMMON_FILE, shimVersion(common));
  }
  const where = usesHusky ? `${shown(repo.top, husky.dir)}/` : shown(repo.top, dir);
  const skip = env.JLOG_SKIP === '1' ? ' (JLOG_SKIP=1 is set: they do nothing now)' : '';
  if (missing.length === 0 && notExecutable.length === 0 && !huskyInactive && stale.size === 0) {
    return { name: 'hooks', ok: true, message: `${HOOK_NAMES.length} hooks installed in ${where}${skip}` };
  }
  const inCi = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  const problems: string[] = [];
  if (missing.length >= HOOK_NAMES.length) problems.push(`not installed in ${where}`);
  else if (missing.length > 0) problems.push(`missing in ${where}: ${missing.join(', ')}`);
  if (notExecutable.length > 0) problems.push(`not executable: ${notExecutable.join(', ')}`);
  if (stale.size > 0) {
    const oldest = Math.min(...stale.values());
    problems.push(
      `left by an older jlog (hook version ${oldest}, this jlog installs ${HOOK_VERSION}): ${[...stale.keys()].join(', ')}`,
    );
  }
  if (huskyInactive) {
    const runs = husky === null ? '.husky/_' : `${shown(repo.top, husky.dir)}/_`;
    problems.push(`jlog is in husky's hooks but git does not run them (core.hooksPath is not ${runs})`);
  }
  if (inCi)
    return {
      name: 'hooks',
      ok: true,
      message: `${problems.join('; ')}: fine in CI, where jlog ci does the work`,
    };
  const hint =
    huskyInactive && missing.length === 0 && notExecutable.length === 0 && stale.size === 0
      ? 'run npm install (husky sets core.hooksPath in its prepare script), or npx husky'
      : notExecutable.length > 0 && missing.length === 0 && stale.size === 0
        ? `chmod +x ${notExecutable.join(' ')}, or run jlog init`
        : stale.size > 0
          ? 'run jlog init (it rewrites the hooks an older jlog left)'
          : 'run jlog init';
  return { name: 'hooks', ok: false, message: problems.join('; '), hint };
}

async function checkConfig(cwd: string): Promise<{ check: Check; config: JlogConfig | null }> {
  try {
    const { config, filepath } = await loadConfig(cwd);
    const message = filepath === null ? 'no config file: the defaults apply' : `${filepath} is valid`;
    return { check: { name: 'config', ok: true, message }, config };
  } catch (err) {
    return { check: failed('config', err), config: null };
  }
}

function describeCredentials(c: Credentials): string {
  const auth = c.auth.type === 'basic' ? `API token for ${c.auth.email} (basic auth)` : 'bearer token';
  return `${c.baseUrl} (${c.deployment}), ${auth}`;
}

/**
 * Data Center with an email (often a JIRA_USER_EMAIL left from a Cloud site): Basic auth, which a personal
 * access token does not pass; Atlassian's token page would not help.
 */
const DC_BASIC_HINT =
  'a personal access token goes without an email: unset JIRA_USER_EMAIL or set JIRA_AUTH_TYPE=bearer; or check the user name and password, or run jlog login';

function authHint(c: Credentials): string {
  if (c.auth.from === 'login')
    return `the stored login for ${c.baseUrl} was refused (expired or revoked?): run jlog login`;
  if (c.auth.type === 'basic' && c.deployment !== 'cloud') return DC_BASIC_HINT;
  return c.auth.type === 'basic'
    ? 'check JIRA_USER_EMAIL and JIRA_API_TOKEN (create a token at https://id.atlassian.com/manage-profile/security/api-tokens), or run jlog login'
    : 'check JIRA_API_TOKEN (a personal access token), or run jlog login';
}

export async function runDoctor(cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
  const checks: Check[] = [];
  const git = await checkGit(cwd);
  checks.push(git.check);
  const repo = git.repo;
  checks.push(
    repo === null
      ? skipped('hooks', 'needs a git repository')
      : await attempt('hooks', () => checkHooks(repo, env, cwd)),
  );

  const cfg = await checkConfig(repo?.top ?? cwd);
  checks.push(cfg.check);
  const config = cfg.config;

  let creds: Credentials | null = null;
  if (config === null) checks.push(skipped('credentials', 'the config did not load'));
  else {
    try {
      creds = await resolveCredentials(config, env);
      checks.push({ name: 'credentials', ok: true, message: describeCredentials(creds) });
    } catch (err) {
      checks.push(failed('credentials', err));
    }
  }

  if (creds === null || config === null) {
    checks.push(skipped('jira', 'no usable credentials'));
    checks.push(skipped('time tracking', 'no usable credentials'));
  } else {
    const jira = createJiraClient(creds, {
      timeoutMs: Math.min(config.timeoutMs, JIRA_TIMEOUT_MS),
      concurrency: 1,
      maxRetries: 1,
    });
    try {
      const reach = await checkJira(jira, creds);
      checks.push(reach);
      checks.push(
        reach.ok
          ? await attempt('time tracking', () => checkTimeTracking(jira, config, creds!))
          : skipped('time tracking', 'the jira check failed'),
      );
    } finally {
      await jira.close();
    }
  }

  checks.push(
    repo === null
      ? skipped('ledger', 'needs a git repository')
      : await attempt('ledger', () => checkLedger(repo)),
  );
  return checks;
}

async function checkJira(jira: JiraClient, creds: Credentials): Promise<Check> {
  try {
    const me = await jira.myself();
    const email = me.emailAddress ? ` (${me.emailAddress})` : '';
    return { name: 'jira', ok: true, message: `logged in to ${creds.baseUrl} as ${me.displayName}${email}` };
  } catch (err) {
    if (isJlogError(err, 'E_JIRA_AUTH')) {
      return {
        name: 'jira',
        ok: false,
        message: `${creds.baseUrl} refused the credentials (401)`,
        hint: authHint(creds),
      };
    }
    const check = failed('jira', err);
    if (isJlogError(err, 'E_JIRA_NOT_FOUND')) check.hint = apiRootHint(creds.baseUrl, creds.deployment);
    // An answer jlog cannot read (a redirect to a login page, HTML from a proxy): the base URL is the
    // usual cause, and the check must say the fix like the others.
    if (check.hint === undefined && isJlogError(err, 'E_JIRA_PROTOCOL'))
      check.hint = `check that ${creds.baseUrl} is your Jira site's address (jlog config shows where it comes from)`;
    return check;
  }
}

async function checkTimeTracking(jira: JiraClient, config: JlogConfig, creds: Credentials): Promise<Check> {
  const tt = await jira.configuration();
  if (!tt.timeTrackingEnabled) {
    return {
      name: 'time tracking',
      ok: false,
      message: `time tracking is off on ${creds.baseUrl}: worklogs cannot be posted`,
      hint: 'ask a Jira admin to turn it on (Settings > Issues > Time tracking); tokens stay pending until then',
    };
  }
  const o = config.timeTracking;
  const override =
    o && (o.hoursPerDay !== undefined || o.daysPerWeek !== undefined)
      ? `; the config overrides: ${o.hoursPerDay ?? tt.hoursPerDay}h a day, ${o.daysPerWeek ?? tt.daysPerWeek} days a week`
      : '';
  return {
    name: 'time tracking',
    ok: true,
    message: `on: ${tt.hoursPerDay}h a day, ${tt.daysPerWeek} days a week${override}`,
  };
}

async function checkLedger(repo: RepoInfo): Promise<Check> {
  const dir = ledgerDirFor(repo.commonDir);
  const view = await Ledger.open(dir).read();
  const c = view.counts();
  const counts = `${c.posted} posted, ${c.pending} pending, ${c.failed} failed, ${c.skipped} skipped, ${c.undone} undone`;
  const invalid =
    view.invalid > 0 ? `; ${view.invalid} unreadable line${view.invalid === 1 ? '' : 's'} ignored` : '';
  const failedNote = c.failed > 0 ? `; ${c.failed} failed: run jlog status` : '';
  const queued = await queuedCount(dir);
  const queuedNote =
    queued > 0
      ? `; ${queued} commit${queued === 1 ? '' : 's'} queued by a hook that could not record ${queued === 1 ? 'it' : 'them'} (no node, no jlog, or an error: the next hook that runs jlog records ${queued === 1 ? 'it' : 'them'})`
      : '';
  return {
    name: 'ledger',
    ok: true,
    message: `${shown(repo.top, dir)}: ${counts}${invalid}${failedNote}${queuedNote}`,
  };
}
