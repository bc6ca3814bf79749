// A token goes only to its own site (docs/configuration.md, issue 10): a hostile repository's `jira.baseUrl`
// points at a capture server on 127.0.0.1, and no command, hook or login may send it an Authorization header.
// The legitimate ways (an environment token with JIRA_BASE_URL, a stored login picked by the
// repository's jira.baseUrl) keep posting.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/server.js';
import { JLOG_BIN, runCommand, runJlog } from './helpers/cli.js';
import { sandboxFor } from './helpers/jira.js';
import { makeRepo, type TempRepo } from './helpers/repo.js';

const TOKEN = 'capture-me-s3cr3t';
const SLOW = { timeout: 60_000 };

interface Capture {
  url: string;
  requests: { method: string; url: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/** Records every request and answers 401: a hostile site that would keep whatever it is sent. */
async function captureServer(): Promise<Capture> {
  const requests: Capture['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"errorMessages":["captured"]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let repo: TempRepo | undefined;
let capture: Capture | undefined;
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await capture?.close();
  await sandbox?.close();
  repo?.cleanup();
  [repo, capture, sandbox] = [undefined, undefined, undefined];
});

const recent = (hoursAgo: number) => new Date(Date.now() - hoursAgo * 3_600_000).toISOString();

/** A repository whose config names the capture server, and a user with a Cloud token exported. */
async function hostileRepo() {
  capture = await captureServer();
  repo = makeRepo();
  writeFileSync(join(repo.dir, '.jlogrc.json'), JSON.stringify({ jira: { baseUrl: capture.url } }));
  const base = repo.commit('initial', { date: recent(3) });
  const tip = repo.commit('PROJ-7 #time 1h fixed login', { date: recent(2) });
  const env = { ...repo.env, JIRA_USER_EMAIL: 'dev@example.com', JIRA_API_TOKEN: TOKEN };
  return { repo, capture, env, base, tip };
}

function authorized(c: Capture) {
  return c.requests.filter((r) => r.headers.authorization !== undefined);
}

describe("an environment token never goes to the repository's jira.baseUrl", () => {
  it(
    'doctor, sync, ci and flush refuse with exit 2 and the fix; the capture server gets nothing',
    SLOW,
    async () => {
      const { repo, capture, env, base, tip } = await hostileRepo();
      for (const args of [['sync'], ['ci', '--range', `${base}..${tip}`], ['flush']]) {
        const r = await runJlog(args, { cwd: repo.dir, env });
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr, args.join(' ')).toContain('set JIRA_BASE_URL to the site this token belongs to');
        expect(r.stdout + r.stderr).not.toContain(TOKEN);
      }
      // A dry run plans from the ledger alone, and says why.
      const dry = await runJlog(['sync', '--dry-run'], { cwd: repo.dir, env });
      expect(dry.stdout + dry.stderr).toContain('set JIRA_BASE_URL to the site this token belongs to');
      const doctor = await runJlog(['doctor', '--json'], { cwd: repo.dir, env });
      const checks = (
        JSON.parse(doctor.stdout) as { checks: { name: string; ok: boolean; message: string }[] }
      ).checks;
      expect(checks.find((c) => c.name === 'credentials')).toMatchObject({ ok: false });
      expect(checks.find((c) => c.name === 'credentials')!.message).toContain('set JIRA_BASE_URL');
      expect(capture.requests).toEqual([]);
    },
  );

  it("the hooks' background worker sends nothing either", SLOW, async () => {
    const { repo, capture, env } = await hostileRepo();
    const hookEnv = { ...env, JLOG_BIN };
    const remote = join(repo.dir, '..', 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote], { env: hookEnv });
    repo.git('remote', 'add', 'origin', remote);
    expect((await runJlog(['init', '--git'], { cwd: repo.dir, env: hookEnv })).code).toBe(0);
    const commit = await runCommand('git', ['commit', '-q', '--allow-empty', '-m', 'PROJ-8 #time 30m docs'], {
      cwd: repo.dir,
      env: hookEnv,
    });
    expect(commit.code).toBe(0);
    const push = await runCommand('git', ['push', '-q', 'origin', 'main'], { cwd: repo.dir, env: hookEnv });
    expect(push.code).toBe(0);
    // The worker logs its refusal beside the ledger; wait for it (bounded).
    const log = join(repo.dir, '.git', 'jlog', 'flush.log');
    for (let i = 0; i < 100 && !(existsSync(log) && /JIRA_BASE_URL/.test(readFileSync(log, 'utf8'))); i++)
      await sleep(200);
    expect(readFileSync(log, 'utf8')).toContain('set JIRA_BASE_URL to the site this token belongs to');
    expect(readFileSync(log, 'utf8')).not.toContain(TOKEN);
    expect(capture.requests).toEqual([]);
  });

  it("login never sends a token to the repository's site without the user naming it", SLOW, async () => {
    const { repo, capture } = await hostileRepo();
    // No terminal: the repository's site is not confirmed, so nothing is sent.
    const r = await runJlog(['login', '--email', 'dev@example.com'], {
      cwd: repo.dir,
      env: repo.env,
      input: `${TOKEN}\n`,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`the site ${capture.url} comes from the repository's config`);
    expect(r.stderr).toContain(`jlog login --base-url ${capture.url}`);
    expect(capture.requests).toEqual([]);
    // Named by the user, it is used, and the site is printed before the token is read.
    const named = await runJlog(['login', '--base-url', capture.url, '--email', 'dev@example.com'], {
      cwd: repo.dir,
      env: repo.env,
      input: `${TOKEN}\n`,
    });
    expect(named.stderr).toContain(`the token goes to ${capture.url} (from --base-url)`);
    expect(named.code).toBe(2); // the capture server answers 401
    expect(authorized(capture)).toHaveLength(1);
  });

  it(
    'a stored login is not sent to the repository site either: that site has no stored login',
    SLOW,
    async () => {
      const { repo, capture, base, tip } = await hostileRepo();
      const s = await sandboxFor(repo);
      sandbox = s.sandbox;
      const login = await runJlog(['login', '--base-url', sandbox.url, '--email', 'dev@example.com'], {
        cwd: repo.dir,
        env: repo.env,
        input: `${s.env.JIRA_API_TOKEN}\n`,
      });
      expect(login.code).toBe(0);
      const r = await runJlog(['ci', '--range', `${base}..${tip}`], { cwd: repo.dir, env: repo.env });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`no stored login for ${capture.url}`);
      expect(r.stderr).toContain(`jlog login --base-url ${capture.url}`);
      expect(capture.requests).toEqual([]);
      expect(sandbox.worklogs()).toEqual([]);
    },
  );
});

describe('the legitimate ways keep working', () => {
  it('an environment token with JIRA_BASE_URL posts there, whatever the repository says', SLOW, async () => {
    const { repo, capture, env } = await hostileRepo();
    const s = await sandboxFor(repo);
    sandbox = s.sandbox;
    const r = await runJlog(['sync'], { cwd: repo.dir, env: { ...env, ...s.env } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(sandbox.worklogs().map((w) => w.issue)).toEqual(['PROJ-7']);
    expect(capture.requests).toEqual([]);
  });

  it("a stored login is picked by the repository's jira.baseUrl", SLOW, async () => {
    repo = makeRepo();
    const s = await sandboxFor(repo);
    sandbox = s.sandbox;
    writeFileSync(join(repo.dir, '.jlogrc.json'), JSON.stringify({ jira: { baseUrl: sandbox.url } }));
    repo.commit('PROJ-7 #time 1h fixed login', { date: recent(2) });
    const login = await runJlog(['login', '--base-url', sandbox.url, '--email', s.env.JIRA_USER_EMAIL!], {
      cwd: repo.dir,
      env: repo.env,
      input: `${s.env.JIRA_API_TOKEN}\n`,
    });
    expect(login.code).toBe(0);
    const r = await runJlog(['sync'], { cwd: repo.dir, env: repo.env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(sandbox.worklogs().map((w) => w.issue)).toEqual(['PROJ-7']);
  });

  it('a 401 with a stored login says to run jlog login, not to check JIRA_API_TOKEN', SLOW, async () => {
    repo = makeRepo();
    const s = await sandboxFor(repo);
    sandbox = s.sandbox;
    repo.commit('PROJ-7 #time 1h fixed login', { date: recent(2) });
    const login = await runJlog(['login', '--base-url', sandbox.url, '--email', s.env.JIRA_USER_EMAIL!], {
      cwd: repo.dir,
      env: repo.env,
      input: `${s.env.JIRA_API_TOKEN}\n`,
    });
    expect(login.code).toBe(0);
    // The token is revoked on the site: rewrite the stored one so the sandbox refuses it.
    const file = join(repo.env.XDG_CONFIG_HOME!, 'jlog', 'credentials.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace(s.env.JIRA_API_TOKEN!, 'revoked-token'), {
      mode: 0o600,
    });
    const r = await runJlog(['sync'], { cwd: repo.dir, env: { ...repo.env, JIRA_BASE_URL: sandbox.url } });
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain('run `jlog login` again');
    expect(r.stdout + r.stderr).not.toContain('JIRA_API_TOKEN');
    const doctor = await runJlog(['doctor'], {
      cwd: repo.dir,
      env: { ...repo.env, JIRA_BASE_URL: sandbox.url },
    });
    expect(doctor.stdout + doctor.stderr).toContain('run jlog login');
    expect(doctor.stdout + doctor.stderr).not.toContain('JIRA_API_TOKEN');
  });
});

describe('credential mistakes are said plainly (issue 11)', () => {
  it('a token with a newline or a non-Latin-1 character is exit 2, never a silent exit 0', SLOW, async () => {
    repo = makeRepo();
    const s = await sandboxFor(repo);
    sandbox = s.sandbox;
    repo.commit('PROJ-7 #time 1h fixed login', { date: recent(2) });
    for (const bad of [`${TOKEN}\nX-Injected: 1`, `${TOKEN}€`, `${TOKEN}é`]) {
      for (const args of [['sync'], ['doctor']]) {
        const r = await runJlog(args, { cwd: repo.dir, env: { ...s.env, JIRA_API_TOKEN: bad } });
        expect(r.code, `${args[0]} ${JSON.stringify(bad)}`).not.toBe(0);
        expect(r.stdout + r.stderr).toContain('only printable ASCII');
        expect(r.stdout + r.stderr).not.toContain(TOKEN);
      }
    }
    expect(sandbox.requests).toEqual([]);
    expect(sandbox.worklogs()).toEqual([]);
  });

  it('a base URL with a path is a config error naming the fix, not a wrong issue key', SLOW, async () => {
    repo = makeRepo();
    repo.commit('PROJ-7 #time 1h fixed login', { date: recent(2) });
    const env = {
      ...repo.env,
      JIRA_BASE_URL: 'https://acme.atlassian.net/browse/PROJ-7',
      JIRA_USER_EMAIL: 'a@b.c',
      JIRA_API_TOKEN: TOKEN,
    };
    const r = await runJlog(['sync'], { cwd: repo.dir, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("must be the site's address without a path");
    expect(r.stderr).toContain('use https://acme.atlassian.net');
    writeFileSync(
      join(repo.dir, '.jlogrc.json'),
      JSON.stringify({ jira: { baseUrl: 'https://acme.atlassian.net/browse/PROJ-7' } }),
    );
    const fromConfig = await runJlog(['parse', 'PROJ-7 #time 1h'], { cwd: repo.dir, env: repo.env });
    expect(fromConfig.code).toBe(2);
    expect(fromConfig.stderr).toContain("jira.baseUrl: must be the site's address without a path");
  });

  it('login to a host that cannot be reached says so and exits 2', SLOW, async () => {
    repo = makeRepo();
    const dead = await captureServer();
    await dead.close(); // a port nobody listens on
    const r = await runJlog(['login', '--base-url', dead.url, '--email', 'a@b.c'], {
      cwd: repo.dir,
      env: repo.env,
      input: `${TOKEN}\n`,
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot log in to ${dead.url}`);
    expect(r.stderr).toContain('nothing was stored');
    expect(r.stderr).not.toContain('pending');
  });
});

describe('jlog login on a terminal', () => {
  it(
    "asks before sending a token to the repository's site, and sends nothing when told no",
    SLOW,
    async () => {
      const { repo, capture } = await hostileRepo();
      const transcript = join(repo.home, 'tty.txt');
      const cmd = `"${process.execPath}" "${JLOG_BIN}" login --email dev@example.com`;
      const no = await runCommand('script', ['-qec', cmd, transcript], {
        cwd: repo.dir,
        env: { ...repo.env, NO_COLOR: '1' },
        input: 'n\n',
      });
      const seen = readFileSync(transcript, 'utf8');
      expect(seen).toContain(`the token goes to ${capture.url} (from the repository's config`);
      expect(seen).toContain(`send your Jira token to ${capture.url}? [y/N]`);
      expect(seen).toContain('not confirmed; nothing was sent or stored');
      expect(no.code).toBe(2);
      expect(capture.requests).toEqual([]);

      // Confirmed by the user: the token goes there (the capture server then refuses it).
      // Typed as a person types: the answer, then (after the next prompt) the token.
      const typed = `(printf 'y\\n'; sleep 1; printf '%s\\n' "$TOKEN"; sleep 1)`;
      await runCommand('sh', ['-c', `${typed} | script -qec '${cmd}' "${transcript}"`], {
        cwd: repo.dir,
        env: { ...repo.env, NO_COLOR: '1', TOKEN },
      });
      expect(authorized(capture)).toHaveLength(1);
      expect(readFileSync(transcript, 'utf8')).not.toContain(TOKEN); // echo off
    },
  );
});
