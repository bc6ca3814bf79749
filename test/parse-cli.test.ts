// `jlog parse` through the built bundle: argument, stdin, branch, config, output shapes, exit codes.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JLOG_BIN, runJlog } from './helpers/cli.js';
import { isolatedEnv, makeRepo, makeTempDir, type TempRepo } from './helpers/repo.js';

const repos: TempRepo[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function repo(branch = 'main'): TempRepo {
  const r = makeRepo({ branch });
  repos.push(r);
  return r;
}

/** A directory outside any repository, with an environment that knows no git config. */
function outside() {
  const dir = makeTempDir('jlog-parse-');
  dirs.push(dir);
  return { cwd: dir, env: isolatedEnv(dir) };
}

describe('jlog parse', () => {
  it('prints docs/commands.md JSON for the Atlassian example and exits 0', async () => {
    const r = await runJlog(
      ['parse', '--json', 'JRA-123 #time 2d 5h #comment Task completed ahead of schedule #resolve'],
      outside(),
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      worklogs: [{ issue: 'JRA-123', seconds: 75_600, comment: '', line: 1 }],
      comments: [{ issue: 'JRA-123', text: 'Task completed ahead of schedule', line: 1 }],
      transitions: [{ issue: 'JRA-123', name: 'resolve', args: '', line: 1 }],
      diagnostics: [],
    });
    expect(r.stderr).toBe('');
  });

  it('prints an aligned table, then comments and transitions', async () => {
    const r = await runJlog(
      ['parse', 'JRA-34 JRA-5 #time 1w 2d 4h 30m Total work logged #comment hi #close'],
      outside(),
    );
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^issue\s+duration\s+seconds\s+comment$/);
    expect(lines[1]).toMatch(/^JRA-34\s+1w 2d 4h 30m\s+217800\s+Total work logged$/);
    expect(lines[2]).toMatch(/^JRA-5\s+1w 2d 4h 30m\s+217800\s+Total work logged$/);
    // aligned: the seconds column starts at the same offset
    expect(lines[1]!.indexOf('217800')).toBe(lines[2]!.indexOf('217800'));
    expect(r.stdout).toMatch(/comment\s+JRA-34\s+hi/);
    expect(r.stdout).toMatch(/transition\s+JRA-5\s+#close/);
    expect(r.stdout).not.toContain('\u001b['); // no colour when not a TTY
  });

  it('reports diagnostics as "line N: message" and exits 1', async () => {
    const r = await runJlog(['parse', 'Fix login\n\nPROJ-7 #time 1x\nPROJ-8 #time 1h'], outside());
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^PROJ-8\s+1h\s+3600/m);
    expect(r.stdout).toContain("line 3: '#time 1x': unknown unit 'x' (use w, d, h, m)");
  });

  it('diagnostics in JSON, exit 1', async () => {
    const r = await runJlog(['parse', '--json', 'PROJ-7 #time'], outside());
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as {
      worklogs: unknown[];
      diagnostics: { line: number; message: string }[];
    };
    expect(json.worklogs).toEqual([]);
    expect(json.diagnostics).toHaveLength(1);
    expect(json.diagnostics[0]).toMatchObject({ line: 1, message: expect.stringMatching(/no duration/) });
  });

  it('reads stdin with "-" and when stdin is piped without an argument', async () => {
    const input = 'PROJ-1 #time 30m\r\nPROJ-2 #time 1h\n';
    for (const args of [
      ['parse', '-', '--json'],
      ['parse', '--json'],
    ]) {
      const r = await runJlog(args, { ...outside(), input });
      expect(r.code).toBe(0);
      const json = JSON.parse(r.stdout) as { worklogs: { issue: string; line: number }[] };
      expect(json.worklogs.map((w) => [w.issue, w.line])).toEqual([
        ['PROJ-1', 1],
        ['PROJ-2', 2],
      ]);
    }
  });

  it('an empty message logs nothing and exits 0', async () => {
    const r = await runJlog(['parse'], { ...outside(), input: '' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no worklogs');
  });

  it('takes the key for a keyless #time from --branch', async () => {
    const r = await runJlog(
      ['parse', '--json', '--branch', 'feature/PROJ-7-login', '#time 1h login form'],
      outside(),
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).worklogs).toEqual([
      { issue: 'PROJ-7', seconds: 3600, comment: 'login form', line: 1 },
    ]);
  });

  it('takes the branch from the current repository (also before the first commit), --branch overrides it', async () => {
    const r = repo('feature/PROJ-7-login');
    const fromRepo = await runJlog(['parse', '--json', '#time 1h'], { cwd: r.dir, env: r.env });
    expect(fromRepo.code).toBe(0);
    expect(JSON.parse(fromRepo.stdout).worklogs[0].issue).toBe('PROJ-7');
    r.commit('first');
    const overridden = await runJlog(['parse', '--json', '--branch', 'OPS-2', '#time 1h'], {
      cwd: r.dir,
      env: r.env,
    });
    expect(JSON.parse(overridden.stdout).worklogs[0].issue).toBe('OPS-2');
  });

  it('a keyless #time outside a repository is a diagnostic', async () => {
    const r = await runJlog(['parse', '#time 1h'], outside());
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/line 1: .*no issue key/);
  });

  it('on a detached HEAD there is no branch key', async () => {
    const r = repo('feature/PROJ-7-login');
    r.commit('one');
    r.git('checkout', '-q', '--detach');
    const res = await runJlog(['parse', '--json', '#time 1h'], { cwd: r.dir, env: r.env });
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout).worklogs).toEqual([]);
  });

  it('uses the config: projects allow-list, working day, maxDuration', async () => {
    const r = repo();
    writeFileSync(
      join(r.dir, '.jlogrc.json'),
      JSON.stringify({ projects: ['PROJ'], timeTracking: { hoursPerDay: 6 }, maxDuration: '1d' }),
    );
    const msg = 'OPS-1 #time 1h\nPROJ-1 #time 1d\nPROJ-2 #time 1d 1m';
    const res = await runJlog(['parse', '--json', msg], { cwd: r.dir, env: r.env });
    expect(res.code).toBe(1);
    const json = JSON.parse(res.stdout) as {
      worklogs: unknown[];
      diagnostics: { line: number; message: string }[];
    };
    expect(json.worklogs).toEqual([{ issue: 'PROJ-1', seconds: 6 * 3600, comment: '', line: 2 }]);
    expect(json.diagnostics).toEqual([
      { line: 3, issue: 'PROJ-2', message: expect.stringMatching(/longer than maxDuration \(1d\)/) },
    ]);
  });

  it('a broken config is a config error: exit 2, one line, no stack', async () => {
    const r = repo();
    writeFileSync(join(r.dir, '.jlogrc.json'), '{ "projects": "PROJ" }');
    const res = await runJlog(['parse', 'PROJ-1 #time 1h'], { cwd: r.dir, env: r.env });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/projects/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('--help documents the arguments', async () => {
    const r = await runJlog(['parse', '--help'], outside());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--branch <name>');
    expect(r.stdout).toContain('--json');
  });

  // `script` gives the child a terminal on stdin: no argument and nothing piped is a usage error.
  const hasScript = (() => {
    try {
      execFileSync('script', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!hasScript)('no message and stdin a terminal: usage error, exit 2', () => {
    const { cwd, env } = outside();
    let code = 0;
    let output: string;
    try {
      output = execFileSync('script', ['-qec', `"${process.execPath}" "${JLOG_BIN}" parse`, '/dev/null'], {
        cwd,
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 20_000,
      });
    } catch (err) {
      const e = err as { status: number; stdout: string };
      code = e.status;
      output = e.stdout;
    }
    expect(code).toBe(2);
    expect(output).toContain('no message to parse');
  });
});
