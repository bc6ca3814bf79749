// Jira credentials (SPEC §7): flags, then the environment, then the file `jlog login` writes. A token
// is only ever sent to the site it was stored for, and never appears in a message.
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { JlogError } from '../errors.js';
import { credentialsPath } from './paths.js';
import type { JlogConfig } from './schema.js';
import { baseUrlProblem, normalizeBaseUrl } from './validate.js';

export { credentialsPath } from './paths.js';

export type Deployment = 'cloud' | 'datacenter';
export type Auth = { type: 'basic'; email: string; token: string } | { type: 'bearer'; token: string };

export interface Credentials {
  /** No trailing slash. */
  baseUrl: string;
  deployment: Deployment;
  auth: Auth;
}

export interface CredentialFlags {
  baseUrl?: string | undefined;
  email?: string | undefined;
}

/** What the credentials file holds: one entry per site, keyed by base URL. */
interface StoredSite {
  deployment?: Deployment;
  auth: Auth;
  savedAt?: string;
}
interface StoredFile {
  version: 1;
  /** The site `jlog login` stored last: used when nothing else names one. */
  defaultSite?: string;
  sites: Record<string, StoredSite>;
}

const CHECK_MODE = process.platform !== 'win32';

function credentialsError(message: string, hint: string, cause?: unknown): JlogError {
  return new JlogError('E_CREDENTIALS', message, cause === undefined ? { hint } : { hint, cause });
}

/** The stored credentials, or null when there is no file. Refuses a file others can read. */
function readStored(env: NodeJS.ProcessEnv): StoredFile | null {
  const file = credentialsPath(env);
  let text: string;
  try {
    if (CHECK_MODE) {
      const mode = statSync(file).mode & 0o777;
      if ((mode & 0o077) !== 0) {
        throw credentialsError(
          `${file} is readable by other users (mode ${mode.toString(8).padStart(4, '0')}); jlog will not use it`,
          `run: chmod 600 ${file} (and consider rotating the token), or jlog logout && jlog login`,
        );
      }
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (err instanceof JlogError) throw err;
    throw credentialsError(`cannot read ${file}`, 'check its permissions, or run jlog login again', err);
  }
  try {
    const parsed = JSON.parse(text) as Partial<StoredFile>;
    if (parsed && typeof parsed === 'object' && parsed.sites && typeof parsed.sites === 'object') {
      return {
        version: 1,
        sites: parsed.sites,
        ...(parsed.defaultSite ? { defaultSite: parsed.defaultSite } : {}),
      };
    }
  } catch {
    // fall through: no cause, the text is a token file
  }
  throw credentialsError(`${file} is not a jlog credentials file`, 'run jlog logout, then jlog login');
}

function checkedBaseUrl(text: string, from: string): string {
  const url = normalizeBaseUrl(text);
  const problem = baseUrlProblem(url);
  if (problem !== null) {
    throw credentialsError(
      `the Jira base URL from ${from} ${problem}`,
      'use your site, e.g. https://acme.atlassian.net',
    );
  }
  return url;
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

/**
 * The credentials to use, first match wins: flags, then the environment, then `jlog login`'s file.
 * Throws JlogError('E_CREDENTIALS') naming exactly what to set.
 */
export async function resolveCredentials(
  config: JlogConfig,
  env: NodeJS.ProcessEnv = process.env,
  flags: CredentialFlags = {},
): Promise<Credentials> {
  // Read the file only when the flags and the environment leave something open.
  let storedMemo: StoredFile | null | undefined;
  const stored = (): StoredFile | null =>
    storedMemo === undefined ? (storedMemo = readStored(env)) : storedMemo;
  const flagUrl = nonEmpty(flags.baseUrl);
  const envUrl = nonEmpty(env.JIRA_BASE_URL);
  let baseUrl: string | null = null;
  if (flagUrl) baseUrl = checkedBaseUrl(flagUrl, '--base-url');
  else if (envUrl) baseUrl = checkedBaseUrl(envUrl, 'JIRA_BASE_URL');
  else if (config.jira.baseUrl) baseUrl = checkedBaseUrl(config.jira.baseUrl, 'jira.baseUrl in the config');
  else {
    const site = stored()?.defaultSite;
    if (site) baseUrl = checkedBaseUrl(site, 'the stored credentials');
  }
  if (baseUrl === null) {
    throw credentialsError(
      'no Jira site is configured',
      'set JIRA_BASE_URL, or jira.baseUrl in .jlogrc.json, or run jlog login --base-url https://your-site.atlassian.net',
    );
  }

  const token = nonEmpty(env.JIRA_API_TOKEN);
  const flagEmail = nonEmpty(flags.email);
  const email = flagEmail ?? nonEmpty(env.JIRA_USER_EMAIL);
  const authType = nonEmpty(env.JIRA_AUTH_TYPE)?.toLowerCase();
  if (authType !== undefined && authType !== 'basic' && authType !== 'bearer') {
    throw credentialsError(
      'JIRA_AUTH_TYPE must be basic or bearer',
      'unset it, or set it to basic or bearer',
    );
  }
  const configured: Deployment = config.jira.deployment;

  if (token !== undefined) {
    const deployment = configured;
    if (authType === 'bearer') return { baseUrl, deployment, auth: { type: 'bearer', token } };
    if (email !== undefined) return { baseUrl, deployment, auth: { type: 'basic', email, token } };
    if (authType === 'basic') {
      throw credentialsError('JIRA_AUTH_TYPE=basic needs an email', 'set JIRA_USER_EMAIL (or pass --email)');
    }
    return { baseUrl, deployment, auth: { type: 'bearer', token } };
  }
  // Stored credentials, only for the site they were stored for (a token never goes to another host).
  const file = stored();
  const site = file?.sites[baseUrl];
  if (site !== undefined && validAuth(site.auth)) {
    const auth = site.auth;
    // An explicit --email picks the account; an exported JIRA_USER_EMAIL without a token does not.
    if (
      flagEmail === undefined ||
      (auth.type === 'basic' && auth.email.toLowerCase() === flagEmail.toLowerCase())
    ) {
      const deployment: Deployment =
        configured === 'datacenter' ? 'datacenter' : (site.deployment ?? configured);
      return { baseUrl, deployment, auth };
    }
  }
  if (email !== undefined) {
    throw credentialsError(
      `JIRA_API_TOKEN is not set (email ${email}, site ${baseUrl})`,
      'set JIRA_API_TOKEN, or run jlog login',
    );
  }
  const others = file ? Object.keys(file.sites).filter((s) => s !== baseUrl) : [];
  throw credentialsError(
    `no Jira credentials for ${baseUrl}`,
    `set JIRA_USER_EMAIL and JIRA_API_TOKEN, or run jlog login${others.length > 0 ? ` (stored only for ${others.join(', ')})` : ''}`,
  );
}

function validAuth(auth: unknown): auth is Auth {
  if (auth === null || typeof auth !== 'object') return false;
  const a = auth as Record<string, unknown>;
  if (typeof a.token !== 'string' || a.token === '') return false;
  return a.type === 'bearer' || (a.type === 'basic' && typeof a.email === 'string' && a.email !== '');
}

/** The credentials when they are available, else null (for `--dry-run`: the remote check when possible). */
export async function tryResolveCredentials(
  config: JlogConfig,
  env: NodeJS.ProcessEnv = process.env,
  flags: CredentialFlags = {},
): Promise<Credentials | null> {
  try {
    return await resolveCredentials(config, env, flags);
  } catch (err) {
    if (err instanceof JlogError && err.code === 'E_CREDENTIALS') return null;
    throw err;
  }
}

/** Whether credentials are available (a bad config or a world-readable file still throws). */
export async function hasCredentials(
  config: JlogConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  return (await tryResolveCredentials(config, env)) !== null;
}

/** Stores credentials for their site (mode 0600 in a 0700 dir) and makes it the default site. */
export async function saveCredentials(
  creds: Credentials,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const file = credentialsPath(env);
  let stored: StoredFile | null;
  try {
    stored = readStored(env);
  } catch {
    stored = null; // an unreadable or unsafe old file is replaced, not merged
  }
  const next: StoredFile = {
    version: 1,
    defaultSite: creds.baseUrl,
    sites: {
      ...stored?.sites,
      [creds.baseUrl]: { deployment: creds.deployment, auth: creds.auth, savedAt: new Date().toISOString() },
    },
  };
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (CHECK_MODE) chmodSync(dir, 0o700);
  writePrivateAtomic(file, JSON.stringify(next, null, 2) + '\n');
  return file;
}

/** Atomic and private: write-file-atomic creates the temp file 0600, fsyncs it and renames it over the old one. */
function writePrivateAtomic(file: string, text: string): void {
  writeFileAtomic.sync(file, text, { mode: 0o600, fsync: true });
  if (CHECK_MODE) chmodSync(file, 0o600); // in case a umask or ACL widened it
}

/** Deletes the credentials file; returns whether there was one. */
export async function removeCredentials(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const file = credentialsPath(env);
  try {
    statSync(file);
  } catch {
    return false;
  }
  rmSync(file, { force: true });
  return true;
}

/** The site `jlog login` stored last, or null. */
export function storedDefaultSite(env: NodeJS.ProcessEnv = process.env): string | null {
  try {
    return readStored(env)?.defaultSite ?? null;
  } catch {
    return null;
  }
}

/** The sites with stored credentials (no secrets), for doctor and status lines. */
export function storedSites(env: NodeJS.ProcessEnv = process.env): string[] {
  try {
    return Object.keys(readStored(env)?.sites ?? {});
  } catch {
    return [];
  }
}
