import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  credentialsPath,
  hasCredentials,
  removeCredentials,
  resolveCredentials,
  saveCredentials,
  storedSites,
  tryResolveCredentials,
} from '../src/config/credentials.js';
import { DEFAULT_CONFIG, type JlogConfig } from '../src/config/schema.js';
import { JlogError } from '../src/errors.js';
import { makeTempDir } from './helpers/repo.js';

const SECRET = 'tok-s3cr3t-ABC';

function home(): NodeJS.ProcessEnv {
  const dir = makeTempDir('jlog-cred-');
  return { HOME: dir, XDG_CONFIG_HOME: join(dir, '.config') };
}
function config(patch: Partial<JlogConfig['jira']> = {}): JlogConfig {
  return { ...structuredClone(DEFAULT_CONFIG), jira: { ...DEFAULT_CONFIG.jira, ...patch } };
}
async function credError(p: Promise<unknown>): Promise<JlogError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof JlogError) {
      expect(`${err.message} ${err.hint}`).not.toContain(SECRET);
      return err;
    }
    throw err;
  }
  throw new Error('expected E_CREDENTIALS');
}

describe('resolveCredentials from the environment', () => {
  it('email + token is Basic; the token alone or JIRA_AUTH_TYPE=bearer is Bearer', async () => {
    const env = { ...home(), JIRA_BASE_URL: 'https://acme.atlassian.net/', JIRA_API_TOKEN: SECRET };
    expect(await resolveCredentials(config(), { ...env, JIRA_USER_EMAIL: 'me@x.org' })).toEqual({
      baseUrl: 'https://acme.atlassian.net',
      deployment: 'cloud',
      auth: { type: 'basic', email: 'me@x.org', token: SECRET },
    });
    expect((await resolveCredentials(config(), env)).auth).toEqual({ type: 'bearer', token: SECRET });
    const bearer = await resolveCredentials(config({ deployment: 'datacenter' }), {
      ...env,
      JIRA_USER_EMAIL: 'me@x.org',
      JIRA_AUTH_TYPE: 'bearer',
    });
    expect(bearer).toMatchObject({ deployment: 'datacenter', auth: { type: 'bearer', token: SECRET } });
  });

  it('takes the site from flags, then JIRA_BASE_URL, then the config', async () => {
    const env = { ...home(), JIRA_API_TOKEN: SECRET, JIRA_BASE_URL: 'https://env.atlassian.net' };
    const cfg = config({ baseUrl: 'https://cfg.atlassian.net' });
    expect((await resolveCredentials(cfg, env, { baseUrl: 'https://flag.atlassian.net' })).baseUrl).toBe(
      'https://flag.atlassian.net',
    );
    expect((await resolveCredentials(cfg, env)).baseUrl).toBe('https://env.atlassian.net');
    const { JIRA_BASE_URL: _drop, ...noUrl } = env;
    expect((await resolveCredentials(cfg, noUrl)).baseUrl).toBe('https://cfg.atlassian.net');
    expect(
      (await resolveCredentials(cfg, { ...noUrl, JIRA_USER_EMAIL: 'a@x' }, { email: 'b@x' })).auth,
    ).toMatchObject({
      email: 'b@x',
    });
  });

  it('allows http only on loopback', async () => {
    const env = { ...home(), JIRA_API_TOKEN: SECRET };
    for (const url of [
      'http://127.0.0.1:9999/',
      'http://127.1.2.3',
      'http://localhost:1',
      'http://[::1]:8',
    ]) {
      expect((await resolveCredentials(config(), { ...env, JIRA_BASE_URL: url })).baseUrl, url).toBe(
        url.replace(/\/$/, ''),
      );
    }
    const err = await credError(
      resolveCredentials(config(), { ...env, JIRA_BASE_URL: 'http://jira.internal' }),
    );
    expect(err.code).toBe('E_CREDENTIALS');
    expect(err.message).toContain('JIRA_BASE_URL must use https://');
  });

  it('names exactly what is missing, never the token', async () => {
    const h = home();
    let err = await credError(resolveCredentials(config(), { ...h, JIRA_API_TOKEN: SECRET }));
    expect(err.message).toBe('no Jira site is configured');
    expect(err.hint).toContain('JIRA_BASE_URL');
    err = await credError(resolveCredentials(config({ baseUrl: 'https://acme.atlassian.net' }), h));
    expect(err.code).toBe('E_CREDENTIALS');
    expect(err.message).toBe('no Jira credentials for https://acme.atlassian.net');
    expect(err.hint).toContain('set JIRA_USER_EMAIL and JIRA_API_TOKEN, or run jlog login');
    err = await credError(
      resolveCredentials(config({ baseUrl: 'https://acme.atlassian.net' }), {
        ...h,
        JIRA_USER_EMAIL: 'me@x.org',
      }),
    );
    expect(err.hint).toContain('set JIRA_API_TOKEN');
    err = await credError(
      resolveCredentials(config({ baseUrl: 'https://a.atlassian.net' }), {
        ...h,
        JIRA_API_TOKEN: SECRET,
        JIRA_AUTH_TYPE: 'basic',
      }),
    );
    expect(err.hint).toContain('JIRA_USER_EMAIL');
    expect(await tryResolveCredentials(config(), h)).toBeNull();
    expect(await hasCredentials(config(), h)).toBe(false);
    expect(
      await hasCredentials(config(), {
        ...h,
        JIRA_API_TOKEN: SECRET,
        JIRA_BASE_URL: 'https://a.atlassian.net',
      }),
    ).toBe(true);
  });
});

describe('the credentials file', () => {
  const creds = {
    baseUrl: 'https://acme.atlassian.net',
    deployment: 'cloud' as const,
    auth: { type: 'basic' as const, email: 'me@x.org', token: SECRET },
  };

  it('lives under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(credentialsPath({ HOME: '/h', XDG_CONFIG_HOME: '/x' })).toBe('/x/jlog/credentials.json');
    expect(credentialsPath({ HOME: '/h' })).toBe('/h/.config/jlog/credentials.json');
    expect(credentialsPath({ HOME: '/h', XDG_CONFIG_HOME: 'relative' })).toBe(
      '/h/.config/jlog/credentials.json',
    );
  });

  it('is written 0600 in a 0700 dir and used only for its own site, after the environment', async () => {
    const env = home();
    const file = await saveCredentials(creds, env);
    expect(file).toBe(credentialsPath(env));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700);
    // the stored default site is used when nothing else names one
    expect(await resolveCredentials(config(), env)).toEqual(creds);
    expect(await resolveCredentials(config({ baseUrl: 'https://acme.atlassian.net/' }), env)).toEqual(creds);
    // another site never gets this token
    const err = await credError(resolveCredentials(config({ baseUrl: 'https://other.atlassian.net' }), env));
    expect(err.hint).toContain('stored only for https://acme.atlassian.net');
    // the environment wins over the file
    const fromEnv = await resolveCredentials(config(), {
      ...env,
      JIRA_API_TOKEN: 'env-token',
      JIRA_USER_EMAIL: 'e@x',
    });
    expect(fromEnv.auth).toEqual({ type: 'basic', email: 'e@x', token: 'env-token' });
    // an --email for another account does not pick up this account's token
    await credError(resolveCredentials(config(), env, { email: 'someone@else.org' }));
    expect((await resolveCredentials(config(), env, { email: 'ME@x.org' })).auth).toEqual(creds.auth);
  });

  it('keeps one entry per site and remembers a Data Center login', async () => {
    const env = home();
    await saveCredentials(creds, env);
    const dc = {
      baseUrl: 'https://jira.corp.example',
      deployment: 'datacenter' as const,
      auth: { type: 'bearer' as const, token: 'pat' },
    };
    await saveCredentials(dc, env);
    expect(storedSites(env).sort()).toEqual(['https://acme.atlassian.net', 'https://jira.corp.example']);
    expect(await resolveCredentials(config(), env)).toEqual(dc);
    expect(await resolveCredentials(config({ baseUrl: 'https://acme.atlassian.net' }), env)).toEqual(creds);
  });

  it('refuses a file other users can read, and says how to fix it', async () => {
    const env = home();
    const file = await saveCredentials(creds, env);
    chmodSync(file, 0o644);
    const err = await credError(resolveCredentials(config(), env));
    expect(err.code).toBe('E_CREDENTIALS');
    expect(err.message).toContain('readable by other users (mode 0644)');
    expect(err.hint).toContain(`chmod 600 ${file}`);
    chmodSync(file, 0o600);
    expect((await resolveCredentials(config(), env)).auth).toEqual(creds.auth);
  });

  it('refuses a file that is not a credentials file without quoting it', async () => {
    const env = home();
    const file = credentialsPath(env);
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
    writeFileSync(file, SECRET, { mode: 0o600 });
    const err = await credError(resolveCredentials(config({ baseUrl: 'https://a.atlassian.net' }), env));
    expect(err.message).toContain('is not a jlog credentials file');
  });

  it('removeCredentials deletes the file and says whether there was one', async () => {
    const env = home();
    const file = await saveCredentials(creds, env);
    expect(readFileSync(file, 'utf8')).toContain(SECRET);
    expect(await removeCredentials(env)).toBe(true);
    expect(await removeCredentials(env)).toBe(false);
    expect(await hasCredentials(config(), env)).toBe(false);
  });
});
