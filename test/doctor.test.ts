// jlog doctor end to end: a real repo, hooks written by hand, the sandbox as Jira.
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/server.js';
import { runJlog } from './helpers/cli.js';
import { sandboxFor } from './helpers/jira.js';
import { makeRepo, makeTempDir, isolatedEnv, type TempRepo } from './helpers/repo.js';
import { HOOK_NAMES as HOOKS } from '../src/install/hook-names.js';
import { COMMON_FILE, HOOK_VERSION } from '../src/install/shims.js';

let repo: TempRepo;
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  repo?.cleanup();
});

interface Check {
  name: string;
  ok: boolean;
  message: string;
  hint?: string;
  skipped?: boolean;
}

async function setup(): Promise<NodeJS.ProcessEnv> {
  repo = makeRepo();
  const s = await sandboxFor(repo);
  sandbox = s.sandbox;
  return s.env;
}

/** A stand-in shim of this jlog's hook version, with the common block it sources beside it. */
function writeHook(path: string, mode = 0o755, version = HOOK_VERSION): void {
  mkdirSync(dirname(path), { recursive: true });
  const stamp = `# jlog-managed-hook (a stand-in written by the test)\n# jlog-hook-version: ${version}\n`;
  writeFileSync(path, `#!/bin/sh\n${stamp}exit 0\n`);
  chmodSync(path, mode);
  writeFileSync(join(dirname(path), COMMON_FILE), stamp);
}

function installHooks(): void {
  for (const hook of HOOKS) writeHook(join(repo.dir, '.git', 'hooks', hook));
}

async function doctor(
  env: NodeJS.ProcessEnv,
  cwd = repo.dir,
): Promise<{ code: number | null; checks: Check[]; raw: string }> {
  const r = await runJlog(['doctor', '--json'], { cwd, env });
  return {
    code: r.code,
    checks: (JSON.parse(r.stdout) as { checks: Check[] }).checks,
    raw: r.stdout + r.stderr,
  };
}

const byName = (checks: Check[], name: string): Check => checks.find((c) => c.name === name)!;

describe('jlog doctor', () => {
  it('is all green against the sandbox with the hooks installed', async () => {
    const env = await setup();
    installHooks();
    writeFileSync(join(repo.dir, '.jlogrc.json'), JSON.stringify({ projects: ['PROJ'] }));
    const { code, checks } = await doctor(env);
    expect(checks.map((c) => c.name)).toEqual([
      'git',
      'hooks',
      'config',
      'credentials',
      'jira',
      'time tracking',
      'ledger',
    ]);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(code).toBe(0);
    expect(byName(checks, 'git').message).toMatch(/^git \d+\.\d+/);
    expect(byName(checks, 'config').message).toContain('.jlogrc.json');
    expect(byName(checks, 'credentials').message).toBe(
      `${sandbox!.url} (cloud), API token for dev@example.com (basic auth)`,
    );
    expect(byName(checks, 'jira').message).toContain('as Sandbox');
    expect(byName(checks, 'time tracking').message).toBe('on: 8h a day, 5 days a week');
    expect(byName(checks, 'ledger').message).toContain('0 posted');
    expect(sandbox!.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /rest/api/3/myself',
      'GET /rest/api/3/configuration',
    ]);
  });

  it('prints one ok/FAIL line per check without a TTY, and exits 1 on a failure', async () => {
    const env = await setup();
    const r = await runJlog(['doctor'], { cwd: repo.dir, env });
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^ok\s+git\s+git \d/);
    expect(lines[1]).toMatch(/^FAIL\s+hooks\s+not installed in \.git\/hooks$/);
    expect(lines[2]).toContain('→ run jlog init');
    expect(r.stdout).toMatch(/^ok\s+jira\s+logged in to/m);
  });

  it('fails on bad credentials with a hint, skips what depends on Jira, and never shows the token', async () => {
    const env = await setup();
    installHooks();
    const token = 'not-the-right-token-9f8e7d';
    const { code, checks, raw } = await doctor({ ...env, JIRA_API_TOKEN: token });
    expect(code).toBe(1);
    expect(byName(checks, 'credentials').ok).toBe(true);
    expect(byName(checks, 'jira')).toMatchObject({ ok: false, message: expect.stringContaining('401') });
    expect(byName(checks, 'jira').hint).toContain('JIRA_API_TOKEN');
    expect(byName(checks, 'time tracking')).toMatchObject({ ok: false, skipped: true });
    expect(byName(checks, 'ledger').ok).toBe(true);
    expect(raw).not.toContain(token);
    expect(raw).not.toContain(Buffer.from(`dev@example.com:${token}`).toString('base64'));
  });

  it('gives the jira check a fix when Jira answers what jlog cannot read, and says it in lowercase', async () => {
    const env = await setup();
    installHooks();
    // A login page's redirect: the base URL is not the site's API root.
    sandbox!.fault({ fault: { kind: 'status', status: 302 }, pathIncludes: '/myself', times: Infinity });
    const { code, checks } = await doctor(env);
    expect(code).toBe(1);
    const jira = byName(checks, 'jira');
    expect(jira).toMatchObject({ ok: false, message: expect.stringContaining('302') });
    expect(jira.hint).toMatch(/^check that http:\/\/127\.0\.0\.1:\d+ is your Jira site's address/);
    const text = await runJlog(['doctor'], { cwd: repo.dir, env });
    const line = text.stdout.split('\n').find((l) => /^FAIL\s+jira/.test(l))!;
    expect(line).toMatch(/^FAIL\s+jira\s+checking the Jira credentials: Jira answered 302\b/);
  });

  it('on Data Center, a token refused with an email left in the environment points at bearer auth, not at Atlassian Cloud', async () => {
    repo = makeRepo();
    const s = await sandboxFor(repo, { credentials: { token: 'dc-personal-access-token' } });
    sandbox = s.sandbox;
    installHooks();
    writeFileSync(
      join(repo.dir, '.jlogrc.json'),
      JSON.stringify({ jira: { baseUrl: s.sandbox.url, deployment: 'datacenter' } }),
    );
    repo.git('add', '.jlogrc.json');
    repo.commit('PROJ-1 #time 1h x', { date: '2026-11-20T10:00:00+01:00' });
    // A JIRA_USER_EMAIL left from a Cloud site makes it Basic auth, which Data Center refuses for a
    // personal access token.
    const env: NodeJS.ProcessEnv = { ...s.env, JIRA_USER_EMAIL: 'dev@example.com' };
    delete env.JIRA_AUTH_TYPE;
    const jira = byName((await doctor(env)).checks, 'jira');
    expect(jira).toMatchObject({ ok: false, message: expect.stringContaining('401') });
    expect(jira.hint).not.toContain('atlassian.com');
    expect(jira.hint).toMatch(/unset JIRA_USER_EMAIL or set JIRA_AUTH_TYPE=bearer/);
    const sync = await runJlog(['sync', '--since', '2026-01-01'], { cwd: repo.dir, env });
    expect(sync.code).toBe(2);
    expect(sync.stderr).not.toContain('atlassian.com');
    expect(sync.stderr).toMatch(/unset JIRA_USER_EMAIL or set JIRA_AUTH_TYPE=bearer/);
  });

  it('on a site without REST API v3 (Data Center, no deployment set), says to set jira.deployment, not to check an issue key', async () => {
    const env = await setup();
    installHooks();
    // Jira Data Center and Server serve /rest/api/2 only: v3 paths are unknown URIs there.
    sandbox!.fault({
      fault: { kind: 'status', status: 404, body: { message: 'null for uri: /rest/api/3/myself' } },
      pathIncludes: '/rest/api/3/',
      times: Infinity,
    });
    const jira = byName((await doctor(env)).checks, 'jira');
    expect(jira).toMatchObject({ ok: false, message: expect.stringContaining('404') });
    expect(jira.hint).not.toMatch(/issue key/);
    expect(jira.hint).toMatch(/"deployment": "datacenter"/);
  });

  it('fails without credentials, naming what to set', async () => {
    repo = makeRepo();
    installHooks();
    const { code, checks } = await doctor(repo.env);
    expect(code).toBe(1);
    expect(byName(checks, 'credentials')).toMatchObject({ ok: false, message: 'no Jira site is configured' });
    expect(byName(checks, 'jira').skipped).toBe(true);
  });

  it('fails on missing hooks outside CI and passes with CI set', async () => {
    const env = await setup();
    writeHook(join(repo.dir, '.git', 'hooks', 'commit-msg'));
    writeHook(join(repo.dir, '.git', 'hooks', 'post-commit'));
    writeFileSync(join(repo.dir, '.git', 'hooks', 'pre-push'), '#!/bin/sh\necho someone else\n');
    const local = await doctor(env);
    expect(local.code).toBe(1);
    expect(byName(local.checks, 'hooks')).toMatchObject({
      ok: false,
      message: 'missing in .git/hooks: post-rewrite, pre-push',
    });
    const ci = await doctor({ ...env, CI: 'true' });
    expect(ci.code).toBe(0);
    expect(byName(ci.checks, 'hooks')).toMatchObject({
      ok: true,
      message: expect.stringContaining('fine in CI'),
    });
  });

  it('fails on a jlog hook git would not run (not executable)', async () => {
    const env = await setup();
    installHooks();
    writeHook(join(repo.dir, '.git', 'hooks', 'pre-push'), 0o644);
    const { checks } = await doctor(env);
    expect(byName(checks, 'hooks')).toMatchObject({
      ok: false,
      message: 'not executable: .git/hooks/pre-push',
    });
  });

  it('accepts husky hooks when git runs them, and says so when it does not', async () => {
    const env = await setup();
    for (const hook of HOOKS) writeHook(join(repo.dir, '.husky', hook), 0o644);
    const inactive = await doctor(env);
    expect(byName(inactive.checks, 'hooks')).toMatchObject({
      ok: false,
      message: expect.stringContaining('core.hooksPath'),
    });
    repo.git('config', 'core.hooksPath', '.husky/_');
    const active = await doctor(env);
    expect(byName(active.checks, 'hooks')).toMatchObject({
      ok: true,
      message: '4 hooks installed in .husky/',
    });
  });

  it('reports a broken config with its file and skips the checks that need it', async () => {
    const env = await setup();
    installHooks();
    writeFileSync(join(repo.dir, '.jlogrc.json'), JSON.stringify({ concurrency: 'four' }));
    const { code, checks } = await doctor(env);
    expect(code).toBe(1);
    expect(byName(checks, 'config')).toMatchObject({
      ok: false,
      message: expect.stringContaining('.jlogrc.json'),
    });
    expect(byName(checks, 'credentials')).toMatchObject({ ok: false, skipped: true });
    expect(sandbox!.requests).toEqual([]);
  });

  it('mentions jlog status when the ledger has failed tokens', async () => {
    const env = await setup();
    installHooks();
    repo.commit('PROJ-1 #time 1h x', { date: '2026-11-20T10:00:00+01:00' });
    sandbox!.fault({ fault: { kind: 'status', status: 403 }, issue: 'PROJ-1', times: Infinity });
    await runJlog(['sync', '--since', '2026-01-01'], { cwd: repo.dir, env });
    sandbox!.clearFaults();
    const { code, checks } = await doctor(env);
    expect(code).toBe(0);
    expect(byName(checks, 'ledger')).toMatchObject({
      ok: true,
      message: expect.stringContaining('1 failed: run jlog status'),
    });
  });

  it('outside a repository: git fails, the repo checks are skipped', async () => {
    const dir = makeTempDir();
    const env = isolatedEnv(join(dir, 'home'), { GIT_CEILING_DIRECTORIES: dirname(dir) });
    repo = { cleanup: () => rmSync(dir, { recursive: true, force: true }) } as unknown as TempRepo;
    const { code, checks } = await doctor(env, dir);
    expect(code).toBe(1);
    expect(byName(checks, 'git')).toMatchObject({
      ok: false,
      message: expect.stringContaining('not in a git repository'),
    });
    expect(byName(checks, 'hooks').skipped).toBe(true);
    expect(byName(checks, 'ledger').skipped).toBe(true);
  });
});
