// How every command speaks (docs/commands.md, docs/configuration.md): one `jlog:` prefix, the next step on
// the same line, config problems one per line, the same failure said once, `--json` errors on stdout, colour
// rules.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/server.js';
import { runJlog } from './helpers/cli.js';
import { sandboxFor } from './helpers/jira.js';
import { makeRepo, type TempRepo } from './helpers/repo.js';

let repo: TempRepo;
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  repo?.cleanup();
});

const jlog = (env: NodeJS.ProcessEnv, ...args: string[]) => runJlog(args, { cwd: repo.dir, env });
const day = (daysAgo: number): string =>
  `${new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10)}T10:00:00+01:00`;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/;

describe('jlog output', () => {
  it("prints commander's usage errors with one jlog: prefix and the next step, exit 2", async () => {
    repo = makeRepo();
    const r = await jlog(repo.env, 'sync', '--dry-runn');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^jlog: unknown option '--dry-runn'; did you mean --dry-run\?; run jlog sync --help/,
    );
    expect(r.stderr).not.toMatch(/error:/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('with --json, prints the error on stdout as {"error":{"code","message","hint"}} and nothing on stderr', async () => {
    repo = makeRepo();
    writeFileSync(join(repo.dir, '.jlogrc.json'), '{ "postOn": "sometimes" }');
    const r = await jlog(repo.env, 'sync', '--json');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { error: Record<string, string> };
    expect(out.error.code).toBe('E_CONFIG');
    expect(out.error.message).toMatch(/postOn: must be one of push, commit, manual/);
    expect(out.error.hint).toMatch(/\.jlogrc\.json/);
    const usage = await jlog(repo.env, 'status', '--json', '--nope');
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toEqual({
      error: {
        code: 'E_USAGE',
        message: "unknown option '--nope'",
        hint: expect.stringMatching(/jlog status --help/),
      },
    });
  });

  it('says every failure in one lowercase jlog: line with its next step, and no nested parentheses', async () => {
    repo = makeRepo();
    repo.commit('PROJ-1 #time 1h x', { date: day(1) });
    const outside = join(repo.home, 'not-a-repo');
    const cases: [string, NodeJS.ProcessEnv, string[], string][] = [
      ['not a repository', repo.env, ['status'], outside],
      ['no site', repo.env, ['sync'], repo.dir],
      [
        'token without a site',
        { ...repo.env, JIRA_API_TOKEN: 'x', JIRA_USER_EMAIL: 'a@b.c' },
        ['sync'],
        repo.dir,
      ],
      ['bad range', repo.env, ['sync', 'nope..HEAD', '--dry-run', '--offline'], repo.dir],
      ['bad date', repo.env, ['sync', '--since', 'the other day', '--dry-run', '--offline'], repo.dir],
      ['undo of nothing', repo.env, ['undo', 'deadbeef', '--yes'], repo.dir],
      ['missing argument', repo.env, ['log', 'PROJ-1'], repo.dir],
    ];
    const { mkdirSync } = await import('node:fs');
    mkdirSync(outside, { recursive: true });
    for (const [what, env, args, cwd] of cases) {
      const r = await runJlog(args, { cwd, env });
      expect(r.code, what).toBe(2);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, what).toHaveLength(1);
      const line = lines[0]!;
      expect(line, what).toMatch(/^jlog: (?:[a-z0-9'"/.-]|Jira|JIRA_|--)/);
      expect(line, what).toMatch(/; \S/); // the next step follows the message
      expect(line, what).not.toMatch(/\([^()]*\(/);
      expect(line, what).not.toMatch(/error:/i);
    }
  });

  it('joins a message and its next step as one sentence: no ".;" between them, the step lowercase', async () => {
    repo = makeRepo();
    const s = await sandboxFor(repo);
    sandbox = s.sandbox;
    repo.commit('PROJ-1 #time 1h x', { date: day(1) });
    const cases: [string, NodeJS.ProcessEnv, string[]][] = [
      // Jira's own text ends in a period, and its 401 hint starts with a capital.
      ['refused credentials', { ...s.env, JIRA_API_TOKEN: 'wrong' }, ['sync']],
      ['refused credentials, log', { ...s.env, JIRA_API_TOKEN: 'wrong' }, ['log', 'PROJ-1', '1h']],
      // commander's own sentence ends in a period.
      ['too many arguments', repo.env, ['parse', 'a', 'b']],
    ];
    for (const [what, env, args] of cases) {
      const r = await runJlog(args, { cwd: repo.dir, env });
      expect(r.code, what).toBe(2);
      const line = r.stderr.trimEnd();
      expect(line.split('\n'), what).toHaveLength(1);
      expect(line, what).not.toMatch(/\.;/);
      expect(line, what).not.toMatch(/; [A-Z][a-z]/);
    }
  });

  it('a dry run with a token Jira would refuse does not send the user to a status it never wrote', async () => {
    repo = makeRepo();
    const s = await sandboxFor(repo, { projects: ['PROJ'] });
    sandbox = s.sandbox;
    repo.commit('OPS-1 #time 1h no such project', { date: day(1) });
    const dry = await jlog(s.env, 'sync', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(/^failed OPS-1 1h /m);
    expect((await jlog(s.env, 'status')).stdout).toMatch(/^0 pending, 0 failed/); // nothing recorded
    expect(dry.stderr).not.toContain('jlog status shows');
    expect(dry.stderr).toContain('jlog: dry run, nothing recorded; jlog sync records it as failed');
    const real = await jlog(s.env, 'sync');
    expect(real.code).toBe(1);
    expect(real.stderr).toContain('jlog: run jlog status for the way out of each failed token');
  });

  it('lists config problems one per line under one jlog: line', async () => {
    repo = makeRepo();
    writeFileSync(
      join(repo.dir, '.jlogrc.json'),
      JSON.stringify({ postOn: 'sometimes', concurrency: '4', strcit: true }),
    );
    const r = await jlog(repo.env, 'sync');
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('jlog: .jlogrc.json: 3 problems');
    expect(lines.filter((l) => l.startsWith('jlog:'))).toHaveLength(1);
    expect(
      lines
        .slice(1, 4)
        .map((l) => l.trim().split(':')[0])
        .sort(),
    ).toEqual(['concurrency', 'postOn', 'strcit']);
    expect(lines[4]).toMatch(/^ {2}fix these keys in \.jlogrc\.json/);
  });

  it('says a connection failure once for all the tokens it holds back, each token listed', async () => {
    repo = makeRepo();
    const s = await sandboxFor(repo);
    const env = s.env;
    await s.sandbox.close(); // Jira is down: nothing listens on its port any more
    for (let i = 1; i <= 4; i++) repo.commit(`PROJ-${i} #time 1h part ${i}`, { date: day(1) });
    const r = await jlog(env, 'sync');
    expect(r.code).toBe(1);
    const reasons = r.stderr.split('\n').filter((l) => /^pending /.test(l));
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^pending 4 worklogs: /);
    for (let i = 1; i <= 4; i++)
      expect(r.stderr).toMatch(new RegExp(`^  PROJ-${i} +1h +[0-9a-f]{10}:0$`, 'm'));
    // jlog status says it the same way: the reason once, the tokens under it.
    const st = await jlog(env, 'status');
    expect(st.stdout.match(/connection failed/g)).toHaveLength(1);
    for (let i = 1; i <= 4; i++)
      expect(st.stdout).toMatch(new RegExp(`^ {4}PROJ-${i} +1h +[0-9a-f]{10}:0$`, 'm'));
  });

  it('an unknown outcome reads whole: the clause naming the issue goes, its parentheses stay balanced', async () => {
    repo = makeRepo();
    const s = await sandboxFor(repo);
    sandbox = s.sandbox;
    repo.commit('PROJ-1 #time 1h x', { date: day(1) });
    sandbox.fault({ fault: { kind: 'status', status: 503 }, method: 'POST', pathIncludes: '/worklog' });
    const r = await jlog(s.env, 'sync');
    expect(r.code).toBe(1);
    const balanced = (line: string) => line.split('(').length === line.split(')').length;
    const line = r.stderr.split('\n').find((l) => l.startsWith('pending '))!;
    expect(line).toMatch(
      /^pending PROJ-1 1h [0-9a-f]{10}:0: outcome unknown \(Jira answered 503: Sandbox fault: HTTP 503; it may or may not have landed\.?\); posted again after /,
    );
    expect(balanced(line)).toBe(true);
    const st = (await jlog(s.env, 'status')).stdout.split('\n').find((l) => l.includes('outcome unknown'))!;
    expect(st).toMatch(/^ {2}outcome unknown \(Jira answered 503: /);
    expect(balanced(st)).toBe(true);
  });

  it('colours only on a terminal or with FORCE_COLOR, never with NO_COLOR', async () => {
    repo = makeRepo();
    const s = await sandboxFor(repo);
    sandbox = s.sandbox;
    repo.commit('PROJ-1 #time 1h x', { date: day(1) });
    s.sandbox.fault({
      fault: { kind: 'status', status: 404 },
      pathIncludes: '/PROJ-1/worklog',
      method: 'POST',
    });
    const plain = await jlog(s.env, 'sync');
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/^failed PROJ-1/m);
    expect(plain.stdout + plain.stderr).not.toMatch(ANSI);
    const forced = await jlog({ ...s.env, FORCE_COLOR: '1' }, 'status');
    expect(forced.stdout).toMatch(ANSI);
    const both = await jlog({ ...s.env, FORCE_COLOR: '1', NO_COLOR: '1' }, 'status');
    expect(both.stdout).not.toMatch(ANSI);
  });
});
