// jlog log, jlog config, jlog completion, status's way out and undo of one token: the built CLI in
// real repos against the sandbox.
import { execFileSync } from 'node:child_process';
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

interface StatusEntry {
  id: string;
  issue: string;
  state: string;
  reason?: string;
  error?: string;
  next?: string[];
}
async function status(env: NodeJS.ProcessEnv): Promise<{ entries: StatusEntry[]; failed: number }> {
  const r = await jlog(env, 'status', '--json');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { entries: StatusEntry[]; failed: number };
}

async function setup(opts: Parameters<typeof sandboxFor>[1] = {}): Promise<NodeJS.ProcessEnv> {
  repo = makeRepo();
  const s = await sandboxFor(repo, opts);
  sandbox = s.sandbox;
  return s.env;
}

describe('jlog log', () => {
  it('posts a worklog by hand with the jlog marker (id manual:<uuid>), records it, and undo removes it', async () => {
    const env = await setup();
    const r = await jlog(
      env,
      'log',
      'PROJ-7',
      '1h',
      '30m',
      'pairing',
      'with',
      'Ann',
      '--date',
      '2026-11-20',
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { id: string; worklogId: string; started: string; seconds: number };
    expect(out.id).toMatch(/^manual:[0-9a-f-]{36}$/);
    expect(out.seconds).toBe(5400);
    const [w] = sandbox!.worklogs('PROJ-7');
    expect(w!.timeSpentSeconds).toBe(5400);
    expect(w!.started).toMatch(/^2026-11-20T09:00:00\.000[+-]\d{4}$/);
    expect(w!.comment).toEqual({
      type: 'doc',
      version: 1,
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'pairing with Ann' }] }],
    });
    expect(w!.properties).toEqual([{ key: 'jlog', value: expect.objectContaining({ id: out.id }) }]);
    expect((await status(env)).entries).toEqual([
      expect.objectContaining({ id: out.id, issue: 'PROJ-7', state: 'posted' }),
    ]);
    // Nothing else posts it again: sync and flush leave a hand-made worklog alone.
    expect((await jlog(env, 'flush')).code).toBe(0);
    expect(sandbox!.worklogs('PROJ-7')).toHaveLength(1);
    const undo = await jlog(env, 'undo', out.id, '--yes');
    expect(undo.code).toBe(0);
    expect(sandbox!.worklogs('PROJ-7')).toHaveLength(0);
  });

  it('refuses a bad key, a bad duration and a bad date with exit 2, posting nothing', async () => {
    const env = await setup();
    for (const args of [
      ['proj-7', '1h'],
      ['PROJ-7', '1x'],
      ['PROJ-7', '1h', '--date', 'someday'],
      ['PROJ-7', '1h', '--instead-of', 'abcdef1234:0'],
    ]) {
      const r = await jlog(env, 'log', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^jlog: [^\n]+; [^\n]+\n$/);
    }
    expect(sandbox!.worklogs()).toHaveLength(0);
  });

  it('a duration out of range is called a duration that cannot be logged, not "not a duration"', async () => {
    const env = await setup();
    for (const [d, why] of [
      ['3w', 'longer than maxDuration (2w)'],
      ['0m', 'the duration is zero'],
    ] as const) {
      const r = await jlog(env, 'log', 'PROJ-7', d);
      expect(r.code, d).toBe(2);
      expect(r.stderr, d).toContain(`jlog: '${d}' cannot be logged: ${why}`);
      expect(r.stderr, d).not.toContain('not a duration');
    }
    const bad = await jlog(env, 'log', 'PROJ-7', '1x');
    expect(bad.stderr).toContain("jlog: '1x' is not a duration: unknown unit 'x'");
    expect(sandbox!.worklogs()).toEqual([]);
  });

  it('a failed token (404) shows its way out in status; jlog log --instead-of moves it, and sync is clean again', async () => {
    const env = await setup({ issues: ['PROJ-1', 'PROJ-2'] });
    const sha = repo.commit('PROJ-9 #time 1h fixed the thing', { date: day(1) });
    const first = await jlog(env, 'sync');
    expect(first.code).toBe(1);
    const st = await status(env);
    const failed = st.entries.find((e) => e.state === 'failed')!;
    expect(failed.id).toBe(`${sha}:0`);
    const short = `${sha.slice(0, 10)}:0`;
    expect(failed.next).toEqual([`jlog log <right-key> 1h --instead-of ${short}`, `jlog undo ${short}`]);
    const text = await jlog(env, 'status');
    expect(text.stdout).toContain(`jlog log <right-key> 1h --instead-of ${short}`);
    expect(text.stdout).toContain(`jlog undo ${short}`);

    const moved = await jlog(env, 'log', 'PROJ-2', '1h', 'fixed the thing', '--instead-of', short);
    expect(moved.code).toBe(0);
    expect(moved.stdout).toMatch(/moved/);
    expect(sandbox!.worklogs('PROJ-2')).toHaveLength(1);
    const after = (await status(env)).entries.find((e) => e.id === `${sha}:0`)!;
    expect(after.state).toBe('skipped');
    expect(after.reason).toMatch(/^moved to PROJ-2/);
    const again = await jlog(env, 'sync');
    expect(again.code).toBe(0);
    expect(sandbox!.worklogs()).toHaveLength(1);
    // A token already moved is not moved twice.
    const twice = await jlog(env, 'log', 'PROJ-1', '1h', '--instead-of', short);
    expect(twice.code).toBe(2);
    expect(sandbox!.worklogs()).toHaveLength(1);
  });
});

describe('jlog log with an unknown outcome', () => {
  it('status does not promise that jlog flush posts it (no run posts a hand-made worklog again), and says the way out', async () => {
    const env = await setup();
    // The POST is stored but never answered, and the read back is refused: pending, outcome unknown.
    sandbox!.fault({ fault: { kind: 'latency', ms: 0 }, method: 'GET', pathIncludes: '/worklog' });
    sandbox!.fault({ fault: { kind: 'drop-after-store' }, method: 'POST', pathIncludes: '/worklog' });
    sandbox!.fault({ fault: { kind: 'status', status: 403 }, method: 'GET', pathIncludes: '/worklog' });
    const logged = await jlog(env, 'log', 'PROJ-7', '1h', 'standup', '--json');
    expect(logged.code).toBe(1);
    const id = (JSON.parse(logged.stdout) as { id: string }).id;
    expect(id).toMatch(/^manual:/);
    expect((await jlog(env, 'flush')).stdout).toMatch(/^nothing new to log/);
    const st = (await jlog(env, 'status')).stdout;
    expect(st).toMatch(/^1 pending/);
    expect(st).not.toContain('jlog flush posts them now');
    expect(st).toContain(`look at PROJ-7 on Jira: jlog undo ${id} removes it`);
    expect(st).not.toContain('posted again after');
    // The way out works: undo finds the worklog by its marker and deletes it.
    expect((await jlog(env, 'undo', id, '--yes')).code).toBe(0);
    expect(sandbox!.worklogs()).toEqual([]);
  });
});

describe('jlog status and undo of one token', () => {
  it('lists skipped tokens with why, and undo <id> cancels a failed token so sync exits 0', async () => {
    const env = await setup({ issues: ['PROJ-1'] });
    repo.commit('PROJ-1 #time 1h theirs', { date: day(1), email: 'ann@example.com', name: 'Ann' });
    // The post-commit hook records a colleague's token as skipped (not mine).
    expect((await jlog(env, 'hook', 'post-commit')).code).toBe(0);
    const bad = repo.commit('PROJ-404 #time 2h typo', { date: day(1) });
    expect((await jlog(env, 'sync')).code).toBe(1);
    const text = await jlog(env, 'status');
    expect(text.stdout).toMatch(/skipped, with why:\n {2}PROJ-1 +1h +[0-9a-f]{10}:0 +not mine/);
    const undo = await jlog(env, 'undo', `${bad.slice(0, 10)}:0`, '--yes');
    expect(undo.code).toBe(0);
    expect(undo.stdout).toMatch(/1 unposted token cancelled/);
    const st = await status(env);
    expect(st.failed).toBe(0);
    expect(st.entries.find((e) => e.id === `${bad}:0`)).toMatchObject({
      state: 'skipped',
      code: 'E_UNDONE',
      reason: /jlog undo/,
    });
    expect((await jlog(env, 'sync')).code).toBe(0);
  });
});

describe('jlog config', () => {
  it('shows each value with its source, and credentials by source only', async () => {
    const env = await setup();
    writeFileSync(
      join(repo.dir, '.jlogrc.json'),
      JSON.stringify({
        $schema: './node_modules/jlog/schema/jlogrc.schema.json',
        postOn: 'commit',
        sync: { since: '7 days ago' },
      }),
    );
    const r = await jlog(env, 'config', '--json');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(env.JIRA_API_TOKEN!);
    const out = JSON.parse(r.stdout) as {
      file: string;
      values: { key: string; value: unknown; source: string }[];
      credentials: Record<string, string>;
    };
    const by = Object.fromEntries(out.values.map((v) => [v.key, v]));
    expect(out.file).toBe(join(repo.dir, '.jlogrc.json'));
    expect(by.postOn).toEqual({ key: 'postOn', value: 'commit', source: '.jlogrc.json' });
    expect(by['sync.since']).toMatchObject({ value: '7 days ago', source: '.jlogrc.json' });
    expect(by.authors).toEqual({ key: 'authors', value: 'me', source: 'default' });
    expect(by['jira.baseUrl']).toEqual({
      key: 'jira.baseUrl',
      value: env.JIRA_BASE_URL,
      source: 'environment JIRA_BASE_URL',
    });
    expect(by['timeTracking.hoursPerDay']).toMatchObject({ value: 8, source: 'default' });
    expect(out.credentials).toEqual({
      source: 'environment JIRA_API_TOKEN + JIRA_USER_EMAIL',
      type: 'basic',
      email: env.JIRA_USER_EMAIL,
      site: env.JIRA_BASE_URL,
    });
    const text = await jlog(env, 'config');
    expect(text.stdout).toMatch(/^config file: \.jlogrc\.json$/m);
    expect(text.stdout).toMatch(/^ {2}postOn +commit +\.jlogrc\.json$/m);
    expect(text.stdout).not.toContain(env.JIRA_API_TOKEN!);
    const none = await jlog({ ...repo.env }, 'config');
    expect(none.stdout).toMatch(/^ {2}credentials +none +no Jira site is configured/m);
  });
});

describe('jlog completion', () => {
  async function commandsOf(): Promise<string[]> {
    const help = (await runJlog(['--help'])).stdout;
    const section = help.slice(help.indexOf('Commands:'), help.indexOf('Examples:'));
    return [...section.matchAll(/^ {2}([a-z]+)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
  }

  it('bash completes the commands and flags the program has', async () => {
    repo = makeRepo();
    const file = join(repo.home, 'jlog.bash');
    writeFileSync(file, (await runJlog(['completion', 'bash'])).stdout);
    const complete = (...words: string[]): string[] =>
      execFileSync(
        'bash',
        [
          '-c',
          `source "$1"; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _jlog; printf '%s\\n' "\${COMPREPLY[@]}"`,
          'bash',
          file,
        ],
        { encoding: 'utf8' },
      )
        .split('\n')
        .filter((l) => l !== '');
    expect(complete('jlog', 'sy')).toEqual(['sync']);
    expect(complete('jlog', '')).toEqual(expect.arrayContaining(await commandsOf()));
    expect(complete('jlog', 'sync', '--dr')).toEqual(['--dry-run']);
    expect(complete('jlog', 'report', '--by', '')).toEqual(['issue', 'day']);
    expect(complete('jlog', 'completion', '')).toEqual(expect.arrayContaining(['bash', 'zsh', 'fish']));
    expect(complete('jlog', 'sync', '--since', '')).toEqual([]);
    // Never drifts: every flag in sync --help is offered.
    const help = (await runJlog(['sync', '--help'])).stdout;
    const flags = [...help.matchAll(/(--[a-z-]+)/g)].map((m) => m[1]!);
    expect(complete('jlog', 'sync', '--')).toEqual(expect.arrayContaining([...new Set(flags)]));
  });

  const has = (shell: string): boolean => {
    try {
      execFileSync(shell, ['-c', 'true'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };

  it.runIf(has('fish'))('fish completes commands, flags and choices from the script', async () => {
    repo = makeRepo();
    const file = join(repo.home, 'jlog.fish');
    writeFileSync(file, (await runJlog(['completion', 'fish'])).stdout);
    const complete = (line: string): string[] =>
      execFileSync('fish', ['--no-config', '-c', `source $argv[1]; complete -C"${line}"`, file], {
        encoding: 'utf8',
      })
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => l.split('\t')[0]!);
    expect(complete('jlog sy')).toEqual(['sync']);
    expect(complete('jlog sync --dr')).toEqual(['--dry-run']);
    expect(complete('jlog report --by ').sort()).toEqual(['day', 'issue']);
  });

  it.runIf(has('zsh'))('the zsh script is valid zsh', async () => {
    repo = makeRepo();
    const file = join(repo.home, '_jlog');
    writeFileSync(file, (await runJlog(['completion', 'zsh'])).stdout);
    expect(() => execFileSync('zsh', ['-n', file], { stdio: 'pipe' })).not.toThrow();
  });

  it('zsh and fish scripts name every command and flag; an unknown shell is a usage error', async () => {
    const cmds = await commandsOf();
    const zsh = (await runJlog(['completion', 'zsh'])).stdout;
    const fish = (await runJlog(['completion', 'fish'])).stdout;
    expect(zsh.split('\n')[0]).toBe('#compdef jlog');
    for (const c of cmds) {
      expect(zsh).toMatch(new RegExp(`^ {4}'${c}:`, 'm'));
      expect(fish).toContain(`-n __fish_use_subcommand -a ${c} `);
    }
    expect(zsh).toMatch(/'--by\[group by\]:by:\(issue day\)'/);
    expect(fish).toContain("-n '__fish_seen_subcommand_from sync' -l dry-run");
    const bad = await runJlog(['completion', 'tcsh']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^jlog: .*tcsh/);
  });
});
