import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { credentialsPath, resolveCredentials } from '../src/config/credentials.js';
import { DEFAULT_CONFIG } from '../src/config/schema.js';
import { runJlog } from './helpers/cli.js';
import { isolatedEnv, makeTempDir } from './helpers/repo.js';

// The network half needs the Jira client and the sandbox; without them only the offline cases run.
const haveJira =
  existsSync(new URL('../src/jira/client.ts', import.meta.url)) &&
  existsSync(new URL('../src/sandbox/server.ts', import.meta.url));

const TOKEN = 'sandbox-s3cr3t-token';
type Sandbox = {
  url: string;
  requests: { path: string }[];
  fault(rule: unknown): void;
  close(): Promise<void>;
};
const open: Sandbox[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function sandbox(credentials: { email: string; token: string } | { token: string }): Promise<Sandbox> {
  const { startSandbox } = await import('../src/sandbox/server.js');
  const s = await startSandbox({ credentials });
  open.push(s);
  return s;
}

/** A user in a repository whose config names a Data Center site. */
function dataCenterRepo(site: string) {
  const user = userEnv();
  mkdirSync(join(user.cwd, '.git'));
  writeFileSync(
    join(user.cwd, '.jlogrc.json'),
    JSON.stringify({ jira: { baseUrl: site, deployment: 'datacenter' } }),
  );
  return user;
}

function userEnv() {
  const home = makeTempDir('jlog-login-');
  const cwd = join(home, 'work');
  mkdirSync(cwd);
  return { home, cwd, env: isolatedEnv(home) };
}

describe.skipIf(!haveJira)('jlog login / logout against the sandbox', () => {
  it('verifies with GET /myself, stores 0600, prints the site and user, and logout removes it', async () => {
    const s = await sandbox({ email: 'dev@example.com', token: TOKEN });
    const { cwd, env } = userEnv();
    const r = await runJlog(['login', '--base-url', `${s.url}/`, '--email', 'dev@example.com'], {
      cwd,
      env,
      input: `${TOKEN}\n`,
    });
    // The site the token goes to is said before it is sent (docs/configuration.md).
    expect(r.stderr).toBe(`jlog: the token goes to ${s.url} (from --base-url)\n`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^logged in to ${s.url.replace(/[.]/g, '\\.')} as \\S.*\\n$`));
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    expect(s.requests.map((q) => q.path)).toEqual(['/rest/api/3/myself']);
    const file = credentialsPath(env);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await resolveCredentials(DEFAULT_CONFIG, env)).toEqual({
      baseUrl: s.url,
      deployment: 'cloud',
      auth: { type: 'basic', email: 'dev@example.com', token: TOKEN, from: 'login' },
    });

    const out = await runJlog(['logout'], { cwd, env });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('logged out');
    expect(existsSync(file)).toBe(false);
    expect((await runJlog(['logout'], { cwd, env })).stdout).toContain('not logged in');
  });

  it('--json prints the site, the deployment and the account, never the token', async () => {
    const s = await sandbox({ email: 'dev@example.com', token: TOKEN });
    const { cwd, env } = userEnv();
    const r = await runJlog(['login', '--base-url', s.url, '--email', 'dev@example.com', '--json'], {
      cwd,
      env,
      input: `${TOKEN}\n`,
    });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { baseUrl: string; deployment: string; account: string };
    expect(json).toMatchObject({ baseUrl: s.url, deployment: 'cloud' });
    expect(json.account).not.toBe('');
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('stores nothing when Jira refuses the token, and never prints it', async () => {
    const s = await sandbox({ email: 'dev@example.com', token: TOKEN });
    const { cwd, env } = userEnv();
    const r = await runJlog(['login', '--base-url', s.url, '--email', 'dev@example.com'], {
      cwd,
      env,
      input: 'wrong-s3cr3t\n',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did not accept these credentials (401); nothing was stored');
    expect(r.stderr).not.toContain('wrong-s3cr3t');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(credentialsPath(env))).toBe(false);
  });

  it('stores a bearer token when no email is given, and uses API v2 for Data Center', async () => {
    const s = await sandbox({ token: TOKEN });
    const { cwd, env } = dataCenterRepo(s.url);
    // The repository says Data Center; the site itself is named by the user (docs/configuration.md).
    const r = await runJlog(['login', '--base-url', s.url], { cwd, env, input: `${TOKEN}\r\n` });
    expect(r.code).toBe(0);
    expect(s.requests.map((q) => q.path)).toEqual(['/rest/api/2/myself']);
    const stored = JSON.parse(readFileSync(credentialsPath(env), 'utf8')) as {
      sites: Record<string, unknown>;
    };
    expect(stored.sites[s.url]).toMatchObject({
      deployment: 'datacenter',
      auth: { type: 'bearer', token: TOKEN },
    });
  });
});

describe.skipIf(!haveJira)('jlog login on Data Center', () => {
  it("sends a refused or missing token back to the personal access token, not to Atlassian's token page", async () => {
    const s = await sandbox({ token: TOKEN });
    const { cwd, env } = dataCenterRepo(s.url);
    const login = (args: string[], input: string) =>
      runJlog(['login', '--base-url', s.url, ...args], { cwd, env, input });
    // The personal access token sent with an email (Basic auth): Data Center refuses it.
    const withEmail = await login(['--email', 'dev@example.com'], `${TOKEN}\n`);
    expect(withEmail.code).toBe(2);
    expect(withEmail.stderr).not.toContain('atlassian.com');
    expect(withEmail.stderr).toMatch(/personal access token goes without --email/);
    const wrong = await login([], 'wrong-token\n');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).not.toMatch(/Atlassian|--email/);
    expect(wrong.stderr).toMatch(/check the personal access token/);
    // The config says nothing of Data Center: the v3 path is not there, and login says what to set.
    writeFileSync(join(cwd, '.jlogrc.json'), JSON.stringify({ jira: { baseUrl: s.url } }));
    s.fault({
      fault: { kind: 'status', status: 404, body: { message: 'null for uri' } },
      pathIncludes: '/rest/api/3/',
      times: Infinity,
    });
    const cloudPaths = await login([], `${TOKEN}\n`);
    expect(cloudPaths.code).toBe(2);
    expect(cloudPaths.stderr).toMatch(/"deployment": "datacenter"/);
    writeFileSync(
      join(cwd, '.jlogrc.json'),
      JSON.stringify({ jira: { baseUrl: s.url, deployment: 'datacenter' } }),
    );
    const none = await login([], '');
    expect(none.code).toBe(2);
    expect(none.stderr).not.toContain('--email');
    expect(existsSync(credentialsPath(env))).toBe(false);
  });
});

describe.skipIf(!haveJira)('jlog login and a site address made to redraw the terminal', () => {
  it('refuses a base URL with control characters before saying or sending anything', async () => {
    const s = await sandbox({ token: TOKEN });
    const { cwd, env } = userEnv();
    // What a hostile repository's jira.baseUrl could hold: the parser drops \r and encodes ESC, so the
    // token would go to the first host while the terminal shows the second.
    const forged = `${s.url}/x\r\u001b[2Kjlog: the token goes to https://acme.atlassian.net (from --base-url)`;
    const r = await runJlog(['login', '--base-url', forged], { cwd, env, input: `${TOKEN}\n` });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('must not contain spaces or control characters');
    expect(r.stderr).not.toContain('\u001b');
    expect(s.requests).toEqual([]);
    expect(existsSync(credentialsPath(env))).toBe(false);
  });
});

describe('jlog login without what it needs', () => {
  it('asks for a token on stdin when none is piped, and for a site when none is known', async () => {
    const { cwd, env } = userEnv();
    let r = await runJlog(['login', '--base-url', 'https://acme.atlassian.net', '--email', 'a@b.c'], {
      cwd,
      env,
      input: '',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no token on stdin; nothing was stored');
    r = await runJlog(['login'], { cwd, env, input: 'x\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no Jira site given');
    r = await runJlog(['login', '--base-url', 'http://jira.example.com'], { cwd, env, input: 'x\n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('must use https://');
    expect(existsSync(credentialsPath(env))).toBe(false);
  });
});
