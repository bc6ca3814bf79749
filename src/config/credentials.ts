// Jira credentials (docs/configuration.md): flags, then the environment, then the file `jlog login` writes. A
// token is only ever sent to the site it was stored for, and never appears in a message.
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { JlogError } from '../errors.js';
import { credentialsPath } from './paths.js';
import type { JlogConfig } from './schema.js';
import { baseUrlFix, baseUrlProblem, normalizeBaseUrl } from './validate.js';

export { credentialsPath } from './paths.js';

export type Deployment = 'cloud' | 'datacenter';
/** `from: 'login'` marks a token `jlog login` stored: a 401 then says to run jlog login again. */
export type Auth =
  | { type: 'basic'; email: string; token: string; from?: 'login' }
  | { type: 'bearer'; token: string; from?: 'login' };

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
    throw credentialsError(`the Jira base URL from ${from} ${problem}`, baseUrlFix(url));
  }
  return url;
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

/**
 * Tokens go into an HTTP header: printable ASCII only (docs/configuration.md). Anything else (a newline
 * pasted with it, a non-Latin-1 character) would make undici refuse the request deep inside its pool; it is a
 * credential error here instead, and the token is never echoed.
 */
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

function checkedToken(token: string, from: string): string {
  if (!PRINTABLE_ASCII.test(token)) {
    throw credentialsError(
      `the token from ${from} has characters a token cannot have (only printable ASCII)`,
      from === 'the stored login'
        ? 'run jlog login again and paste the token alone'
        : `set ${from} to the token alone`,
    );
  }
  return token;
}

function checkedEmail(email: string, from: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(email)) {
    throw credentialsError(
      `the email from ${from} has control characters`,
      `set ${from} to the account's email alone`,
    );
  }
  return email;
}

/**
 * The credentials to use, first match wins: flags, then the environment, then `jlog login`'s file.
 * A token is sent only to the site it belongs to (docs/configuration.md): a token from the environment only
 * to JIRA_BASE_URL (or --base-url), a stored token only to the site it was stored for. A repository's
 * `jira.baseUrl` never receives an environment token: it only picks among the stored sites.
 * Throws JlogError('E_CREDENTIALS') naming exactly what to set.
 */
export async function resolveCredentials(
  config: JlogConfig,
  env: NodeJS.ProcessEnv = process.env,
  flags: CredentialFlags = {},
): Promise<Credentials> {
  const flagUrl = nonEmpty(flags.baseUrl);
  const envUrl = nonEmpty(env.JIRA_BASE_URL);
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
    // The user's own site, named by the user: never the repository's jira.baseUrl.
    const named = flagUrl ?? envUrl;
    if (named === undefined) {
      throw credentialsError(
        'JIRA_API_TOKEN is set but JIRA_BASE_URL is not: set JIRA_BASE_URL to the site this token belongs to',
        "a token from the environment is sent only to JIRA_BASE_URL (or --base-url), never to a repository's jira.baseUrl",
      );
    }
    const baseUrl = checkedBaseUrl(named, flagUrl ? '--base-url' : 'JIRA_BASE_URL');
    checkedToken(token, 'JIRA_API_TOKEN');
    const deployment = configured;
    if (authType === 'bearer') return { baseUrl, deployment, auth: { type: 'bearer', token } };
    if (email !== undefined) {
      checkedEmail(email, flagEmail ? '--email' : 'JIRA_USER_EMAIL');
      return { baseUrl, deployment, auth: { type: 'basic', email, token } };
    }
    if (authType === 'basic') {
      throw credentialsError('JIRA_AUTH_TYPE=basic needs an email', 'set JIRA_USER_EMAIL (or pass --email)');
    }
    // A Cloud API token without its email is a mistake, not a bearer token: Jira would answer 401
    // and the user would hunt for a bad token. Bearer is for Data Center PATs and OAuth, said so.
    if (deployment === 'datacenter') return { baseUrl, deployment, auth: { type: 'bearer', token } };
    throw credentialsError(
      'JIRA_API_TOKEN is set without JIRA_USER_EMAIL: a Jira Cloud API token needs the account email',
      'set JIRA_USER_EMAIL to your Atlassian account email; for a bearer token (Data Center personal access token, OAuth) set JIRA_AUTH_TYPE=bearer',
    );
  }

  // Stored credentials: the site is named by the flag, the environment, the repository's config or
  // the last login, but a stored token is only ever used for the site it was stored for.
  const file = readStored(env);
  let baseUrl: string | null = null;
  let from: 'flag' | 'env' | 'repo' | 'stored' = 'stored';
  if (flagUrl) [baseUrl, from] = [checkedBaseUrl(flagUrl, '--base-url'), 'flag'];
  else if (envUrl) [baseUrl, from] = [checkedBaseUrl(envUrl, 'JIRA_BASE_URL'), 'env'];
  else if (config.jira.baseUrl)
    [baseUrl, from] = [checkedBaseUrl(config.jira.baseUrl, 'jira.baseUrl in the config'), 'repo'];
  else if (file?.defaultSite) baseUrl = checkedBaseUrl(file.defaultSite, 'the stored credentials');
  if (baseUrl === null) {
    throw credentialsError(
      'no Jira site is configured',
      'run jlog login --base-url https://your-site.atlassian.net, or set JIRA_BASE_URL with JIRA_USER_EMAIL and JIRA_API_TOKEN',
    );
  }
  const site = file?.sites[baseUrl];
  if (site !== undefined && validAuth(site.auth)) {
    const auth: Auth =
      site.auth.type === 'basic'
        ? { type: 'basic', email: site.auth.email, token: site.auth.token, from: 'login' }
        : { type: 'bearer', token: site.auth.token, from: 'login' };
    // An explicit --email picks the account; an exported JIRA_USER_EMAIL without a token does not.
    if (
      flagEmail === undefined ||
      (auth.type === 'basic' && auth.email.toLowerCase() === flagEmail.toLowerCase())
    ) {
      checkedToken(auth.token, 'the stored login');
      const deployment: Deployment =
        configured === 'datacenter' ? 'datacenter' : (site.deployment ?? configured);
      return { baseUrl, deployment, auth };
    }
  }
  if (email !== undefined && from !== 'repo') {
    throw credentialsError(
      `JIRA_API_TOKEN is not set (email ${email}, site ${baseUrl})`,
      'set JIRA_API_TOKEN, or run jlog login',
    );
  }
  const others = file ? Object.keys(file.sites).filter((s) => s !== baseUrl) : [];
  const stored = others.length > 0 ? ` (jlog login stored only ${others.join(', ')})` : '';
  throw credentialsError(
    `no stored login for ${baseUrl}${from === 'repo' ? " (the repository's jira.baseUrl)" : ''}${stored}`,
    from === 'repo'
      ? `run jlog login --base-url ${baseUrl} if that is your site, or set JIRA_BASE_URL, JIRA_USER_EMAIL and JIRA_API_TOKEN`
      : `run jlog login --base-url ${baseUrl}, or set JIRA_USER_EMAIL and JIRA_API_TOKEN with JIRA_BASE_URL`,
  );
}

function validAuth(auth: unknown): auth is Auth {
  if (auth === null || typeof auth !== 'object') return false;
  const a = auth as Record<string, unknown>;
  if (typeof a.token !== 'string' || a.token === '') return false;
  return a.type === 'bearer' || (a.type === 'basic' && typeof a.email === 'string' && a.email !== '');
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
      [creds.baseUrl]: {
        deployment: creds.deployment,
        auth: bareAuth(creds.auth),
        savedAt: new Date().toISOString(),
      },
    },
  };
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (CHECK_MODE) chmodSync(dir, 0o700);
  writePrivateAtomic(file, JSON.stringify(next, null, 2) + '\n');
  return file;
}

function bareAuth(auth: Auth): Auth {
  return auth.type === 'basic'
    ? { type: 'basic', email: auth.email, token: auth.token }
    : { type: 'bearer', token: auth.token };
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
