import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  credentialsPath,
  removeCredentials,
  resolveCredentials,
  saveCredentials,
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
  it('email + token is Basic; Bearer only with JIRA_AUTH_TYPE=bearer or a Data Center config', async () => {
    const env = { ...home(), JIRA_BASE_URL: 'https://acme.atlassian.net/', JIRA_API_TOKEN: SECRET };
    expect(await resolveCredentials(config(), { ...env, JIRA_USER_EMAIL: 'me@x.org' })).toEqual({
      baseUrl: 'https://acme.atlassian.net',
      deployment: 'cloud',
      auth: { type: 'basic', email: 'me@x.org', token: SECRET },
    });
    // A Cloud API token without its email never silently becomes Bearer (Jira would say 401).
    const noEmail = await credError(resolveCredentials(config(), env));
    expect(noEmail.code).toBe('E_CREDENTIALS');
    expect(noEmail.message).toContain('JIRA_API_TOKEN is set without JIRA_USER_EMAIL');
    expect(noEmail.hint).toContain('JIRA_AUTH_TYPE=bearer');
    expect((await resolveCredentials(config(), { ...env, JIRA_AUTH_TYPE: 'bearer' })).auth).toEqual({
      type: 'bearer',
      token: SECRET,
    });
    expect((await resolveCredentials(config({ deployment: 'datacenter' }), env)).auth).toEqual({
      type: 'bearer',
      token: SECRET,
    });
    const bearer = await resolveCredentials(config({ deployment: 'datacenter' }), {
      ...env,
      JIRA_USER_EMAIL: 'me@x.org',
      JIRA_AUTH_TYPE: 'bearer',
    });
    expect(bearer).toMatchObject({ deployment: 'datacenter', auth: { type: 'bearer', token: SECRET } });
  });

  it("sends an environment token only to --base-url or JIRA_BASE_URL, never to the repository's site", async () => {
    const env = {
      ...home(),
      JIRA_API_TOKEN: SECRET,
      JIRA_USER_EMAIL: 'a@x',
      JIRA_BASE_URL: 'https://env.atlassian.net',
    };
    const cfg = config({ baseUrl: 'https://cfg.atlassian.net' });
    expect((await resolveCredentials(cfg, env, { baseUrl: 'https://flag.atlassian.net' })).baseUrl).toBe(
      'https://flag.atlassian.net',
    );
    expect((await resolveCredentials(cfg, env)).baseUrl).toBe('https://env.atlassian.net');
    const { JIRA_BASE_URL: _drop, ...noUrl } = env;
    const err = await credError(resolveCredentials(cfg, noUrl));
    expect(err.code).toBe('E_CREDENTIALS');
    expect(err.message).toContain('set JIRA_BASE_URL to the site this token belongs to');
    expect(`${err.message} ${err.hint}`).not.toContain('cfg.atlassian.net');
    expect(
      (await resolveCredentials(cfg, noUrl, { baseUrl: 'https://flag.atlassian.net', email: 'b@x' })).auth,
    ).toMatchObject({ email: 'b@x' });
  });

  it('refuses a site that reads as another one: a homograph in JIRA_BASE_URL or --base-url', async () => {
    const env = { ...home(), JIRA_API_TOKEN: SECRET, JIRA_USER_EMAIL: 'a@x' };
    const homograph = 'https://acme.atlassi\u0430n.net'; // sent to acme.xn--atlassin-76g.net
    for (const [e, flags] of [
      [{ ...env, JIRA_BASE_URL: homograph }, {}],
      [env, { baseUrl: homograph }],
    ] as const) {
      const err = await credError(resolveCredentials(config(), e, flags));
      expect(err.code).toBe('E_CREDENTIALS');
      expect(err.message).toContain('must be plain ASCII');
    }
  });

  it('refuses a token that is not printable ASCII, without echoing it', async () => {
    const env = { ...home(), JIRA_BASE_URL: 'https://a.atlassian.net', JIRA_USER_EMAIL: 'a@x' };
    for (const bad of [`${SECRET}\nX-Evil: 1`, `${SECRET}\u00e9`, `${SECRET}\u2028x`, `${SECRET}\u0000`]) {
      const err = await credError(resolveCredentials(config(), { ...env, JIRA_API_TOKEN: bad }));
      expect(err.code).toBe('E_CREDENTIALS');
      expect(err.message).toContain('only printable ASCII');
    }
  });

  it('a base URL that is a page (…/browse/PROJ-7) is refused with the site to use', async () => {
    const env = { ...home(), JIRA_API_TOKEN: SECRET, JIRA_USER_EMAIL: 'a@x' };
    const err = await credError(
      resolveCredentials(config(), { ...env, JIRA_BASE_URL: 'https://acme.atlassian.net/browse/PROJ-7' }),
    );
    expect(err.code).toBe('E_CREDENTIALS');
    expect(err.message).toContain("must be the site's address without a path");
    expect(err.hint).toContain('use https://acme.atlassian.net (the site, without a path)');
    // a Data Center context path and the scoped-token gateway stay usable
    for (const url of ['https://jira.corp.example/jira', 'https://api.atlassian.com/ex/jira/abc-1']) {
      expect((await resolveCredentials(config(), { ...env, JIRA_BASE_URL: url })).baseUrl).toBe(url);
    }
  });

  it('allows http only on loopback', async () => {
    const env = { ...home(), JIRA_API_TOKEN: SECRET, JIRA_USER_EMAIL: 'a@x' };
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
    let err = await credError(resolveCredentials(config(), h));
    expect(err.message).toBe('no Jira site is configured');
    expect(err.hint).toContain('jlog login --base-url');
    err = await credError(resolveCredentials(config({ baseUrl: 'https://acme.atlassian.net' }), h));
    expect(err.code).toBe('E_CREDENTIALS');
    expect(err.message).toBe(
      "no stored login for https://acme.atlassian.net (the repository's jira.baseUrl)",
    );
    expect(err.hint).toContain('jlog login --base-url https://acme.atlassian.net');
    err = await credError(
      resolveCredentials(config(), {
        ...h,
        JIRA_BASE_URL: 'https://acme.atlassian.net',
        JIRA_USER_EMAIL: 'me@x.org',
      }),
    );
    expect(err.hint).toContain('set JIRA_API_TOKEN');
    err = await credError(
      resolveCredentials(config(), {
        ...h,
        JIRA_BASE_URL: 'https://a.atlassian.net',
        JIRA_API_TOKEN: SECRET,
        JIRA_AUTH_TYPE: 'basic',
      }),
    );
    expect(err.hint).toContain('JIRA_USER_EMAIL');
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
    const stored = { ...creds, auth: { ...creds.auth, from: 'login' } };
    // the stored default site is used when nothing else names one
    expect(await resolveCredentials(config(), env)).toEqual(stored);
    // the repository's jira.baseUrl picks among the stored sites
    expect(await resolveCredentials(config({ baseUrl: 'https://acme.atlassian.net/' }), env)).toEqual(stored);
    // another site never gets this token
    const err = await credError(resolveCredentials(config({ baseUrl: 'https://other.atlassian.net' }), env));
    expect(err.message).toContain('jlog login stored only https://acme.atlassian.net');
    expect(err.hint).toContain('jlog login --base-url https://other.atlassian.net');
    // the environment wins over the file (for the environment's own site)
    const fromEnv = await resolveCredentials(config(), {
      ...env,
      JIRA_BASE_URL: 'https://acme.atlassian.net',
      JIRA_API_TOKEN: 'env-token',
      JIRA_USER_EMAIL: 'e@x',
    });
    expect(fromEnv.auth).toEqual({ type: 'basic', email: 'e@x', token: 'env-token' });
    // an --email for another account does not pick up this account's token
    await credError(resolveCredentials(config(), env, { email: 'someone@else.org' }));
    expect((await resolveCredentials(config(), env, { email: 'ME@x.org' })).auth).toEqual(stored.auth);
    // the file holds the token alone, not where it came from
    expect(readFileSync(file, 'utf8')).not.toContain('"from"');
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
    expect(await resolveCredentials(config(), env)).toMatchObject(dc);
    expect(await resolveCredentials(config({ baseUrl: 'https://acme.atlassian.net' }), env)).toMatchObject(
      creds,
    );
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
    expect((await resolveCredentials(config(), env)).auth).toMatchObject(creds.auth);
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
    await credError(resolveCredentials(config(), env));
  });
});
