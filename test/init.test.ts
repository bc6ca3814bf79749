// `jlog init` / `jlog uninstall` in real temp repos, plain git and husky 9, then real commits and pushes.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HOOK_NAMES } from '../src/install/hook-names.js';
import { runJlog } from './helpers/cli.js';
import { makeRepo, makeTempDir, type TempRepo } from './helpers/repo.js';

const ROOT = join(import.meta.dirname, '..');
const HUSKY_BIN = join(ROOT, 'node_modules', 'husky', 'bin.js');
const HOOKS = HOOK_NAMES;

const repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

interface Fixture {
  repo: TempRepo;
  env: NodeJS.ProcessEnv;
  hooksDir: string;
  log: string;
  jlog(args: string[]): ReturnType<typeof runJlog>;
  git(args: string[], opts?: { env?: NodeJS.ProcessEnv; input?: string }): SpawnSyncReturns<string>;
  lines(): string[];
}

/** A repo whose fake jlog (JLOG_BIN) and "old" hooks append to one log, so their order is visible. */
function setup(branch = 'main'): Fixture {
  const repo = makeRepo({ branch });
  repos.push(repo);
  const log = join(repo.home, 'log');
  const fake = join(repo.home, 'fake-jlog');
  writeFileSync(
    fake,
    `#!/bin/sh
echo "jlog $*" >>'${log}'
while IFS= read -r l || [ -n "$l" ]; do echo "jlog-in $l" >>'${log}'; done
[ "$2" = commit-msg ] && exit "\${FAKE_EXIT_commit_msg:-0}"
exit 0
`,
  );
  chmodSync(fake, 0o755);
  const env = { ...repo.env, JLOG_BIN: fake };
  return {
    repo,
    env,
    log,
    hooksDir: join(repo.dir, '.git', 'hooks'),
    jlog: (args) => runJlog(args, { cwd: repo.dir, env }),
    git: (args, o = {}) =>
      spawnSync('git', args, {
        cwd: repo.dir,
        env: { ...env, ...o.env },
        encoding: 'utf8',
        input: o.input ?? '',
      }),
    lines: () => (existsSync(log) ? readFileSync(log, 'utf8').trimEnd().split('\n') : []),
  };
}

/** Every file under `dir` (relative path → content + mode), to compare a tree before and after. */
function snapshot(dir: string, skip: (rel: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(dir, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      if (skip(r)) continue;
      const st = statSync(join(dir, r));
      if (st.isDirectory()) walk(r);
      else out[r] = `${(st.mode & 0o777).toString(8)} ${readFileSync(join(dir, r), 'utf8')}`;
    }
  };
  walk('');
  return out;
}

function oldHook(f: Fixture, hook: string, exit = 0): string {
  const path = join(f.hooksDir, hook);
  writeFileSync(
    path,
    `#!/bin/sh\necho "old-${hook} $*" >>'${f.log}'\nwhile IFS= read -r l; do echo "old-in $l" >>'${f.log}'; done\nexit ${exit}\n`,
  );
  chmodSync(path, 0o755);
  return readFileSync(path, 'utf8');
}

describe('jlog init --git', () => {
  it('installs the four shims, writes .jlogrc.json, says what it did and what is next', async () => {
    const f = setup();
    const r = await f.jlog(['init']);
    expect(r.code, r.stderr).toBe(0);
    for (const h of HOOKS) {
      expect(r.stdout).toContain(`+ .git/hooks/${h}\n`);
      expect(readFileSync(join(f.hooksDir, h), 'utf8')).toBe(readFileSync(join(ROOT, 'hooks', h), 'utf8'));
      expect(statSync(join(f.hooksDir, h)).mode & 0o111).not.toBe(0);
    }
    expect(r.stdout).toContain('+ .jlogrc.json');
    // The advice follows the credential rules (docs/configuration.md): a login per site, not an exported
    // token alone.
    expect(r.stdout).toContain('jlog login --base-url');
    expect(r.stdout).not.toMatch(/export JIRA_USER_EMAIL=.*JIRA_API_TOKEN=/);
    const config: unknown = JSON.parse(readFileSync(join(f.repo.dir, '.jlogrc.json'), 'utf8'));
    expect(config).toMatchObject({ strict: false });
    // The shims are live: a token commit reaches jlog, a plain one does not.
    expect(f.git(['commit', '-q', '--allow-empty', '-m', 'plain']).status).toBe(0);
    expect(f.git(['commit', '-q', '--allow-empty', '-m', 'PROJ-1 #time 1h']).status).toBe(0);
    expect(f.lines()).toEqual(['jlog hook post-commit']);
  });

  it('is idempotent and keeps an existing config', async () => {
    const f = setup();
    writeFileSync(join(f.repo.dir, 'package.json'), '{ "jlog": { "postOn": "commit" } }\n');
    expect((await f.jlog(['init'])).code).toBe(0);
    const before = snapshot(f.repo.dir, (r) => r.startsWith('.git/') && !r.startsWith('.git/hooks'));
    const again = await f.jlog(['init']);
    expect(again.code).toBe(0);
    for (const h of HOOKS) expect(again.stdout).toContain(`= .git/hooks/${h} (unchanged)`);
    expect(snapshot(f.repo.dir, (r) => r.startsWith('.git/') && !r.startsWith('.git/hooks'))).toEqual(before);
    expect(existsSync(join(f.repo.dir, '.jlogrc.json'))).toBe(false);
  });

  it('chains an existing hook: it runs first with the same args and stdin, and its failure still fails git', async () => {
    const f = setup();
    const remote = join(f.repo.home, 'remote.git');
    spawnSync('git', ['init', '-q', '--bare', remote], { env: f.env });
    f.repo.git('remote', 'add', 'origin', remote);
    const original = oldHook(f, 'pre-push');
    oldHook(f, 'commit-msg', 3);
    const r = await f.jlog(['init', '--git']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('~ .git/hooks/pre-push (chained: the previous hook is now pre-push.pre-jlog');
    expect(readFileSync(join(f.hooksDir, 'pre-push.pre-jlog'), 'utf8')).toBe(original);

    const failed = f.git(['commit', '-q', '--allow-empty', '-m', 'PROJ-1 #time 1h']);
    expect(failed.status).toBe(1); // git's own code for a failed commit-msg hook
    expect(f.lines()).toEqual(['old-commit-msg .git/COMMIT_EDITMSG']);
    oldHook(f, 'commit-msg.pre-jlog', 0); // the kept hook now passes
    expect(f.git(['commit', '-q', '--allow-empty', '-m', 'PROJ-1 #time 1h']).status).toBe(0);

    mkdirSync(join(f.repo.dir, '.git', 'jlog')); // something was recorded: pre-push hands off to jlog
    writeFileSync(f.log, '');
    const head = f.repo.git('rev-parse', 'HEAD');
    expect(f.git(['push', '-q', 'origin', 'main']).status).toBe(0);
    const refLine = `refs/heads/main ${head} refs/heads/main ${'0'.repeat(40)}`;
    expect(f.lines()).toEqual([
      `old-pre-push origin ${remote}`,
      `old-in ${refLine}`,
      `jlog hook pre-push origin ${remote}`,
      `jlog-in ${refLine}`,
    ]);
  });

  it('--force replaces a hook that is not jlog’s instead of chaining it', async () => {
    const f = setup();
    oldHook(f, 'post-commit');
    const r = await f.jlog(['init', '--git', '--force']);
    expect(r.stdout).toContain('! .git/hooks/post-commit (replaced');
    expect(existsSync(join(f.hooksDir, 'post-commit.pre-jlog'))).toBe(false);
    expect(readFileSync(join(f.hooksDir, 'post-commit'), 'utf8')).toContain('jlog-managed-hook');
  });

  it('init --json and uninstall --json say what they did as JSON, and nothing else on stdout', async () => {
    const f = setup();
    const init = await f.jlog(['init', '--git', '--no-prepare', '--json']);
    expect(init.code).toBe(0);
    const done = JSON.parse(init.stdout) as {
      mode: string;
      actions: { path: string; change: string }[];
      config: { path: string | null; created: boolean };
    };
    expect(done.mode).toBe('git');
    expect(done.actions).toContainEqual({ path: '.git/hooks/pre-push', change: 'created' });
    expect(done.config).toMatchObject({ path: '.jlogrc.json', created: true });
    const removed = await f.jlog(['uninstall', '--json']);
    expect(removed.code).toBe(0);
    const gone = JSON.parse(removed.stdout) as { actions: { path: string; change: string }[] };
    expect(gone.actions).toContainEqual({ path: '.git/hooks/pre-push', change: 'removed' });
    expect(JSON.parse((await f.jlog(['uninstall', '--json'])).stdout)).toEqual({ actions: [] });
  });

  it('uninstall restores the repo as it was (chained hooks back in place), and is idempotent', async () => {
    const f = setup();
    oldHook(f, 'commit-msg');
    oldHook(f, 'post-rewrite');
    writeFileSync(join(f.repo.dir, '.jlogrc.json'), '{}\n');
    const before = snapshot(f.hooksDir);
    expect((await f.jlog(['init'])).code).toBe(0);
    mkdirSync(join(f.repo.dir, '.git', 'jlog'));
    const r = await f.jlog(['uninstall']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('~ .git/hooks/commit-msg (restored: from commit-msg.pre-jlog)');
    expect(r.stdout).toContain('- .git/hooks/pre-push');
    expect(snapshot(f.hooksDir)).toEqual(before);
    expect(existsSync(join(f.repo.dir, '.jlogrc.json'))).toBe(true);
    expect(existsSync(join(f.repo.dir, '.git', 'jlog'))).toBe(true);
    const again = await f.jlog(['uninstall']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to remove');
    expect(snapshot(f.hooksDir)).toEqual(before);
  });

  it('uninstall removes the starter .jlogrc.json init wrote, but not once it was edited', async () => {
    const f = setup();
    expect((await f.jlog(['init'])).code).toBe(0);
    const config = join(f.repo.dir, '.jlogrc.json');
    expect(existsSync(config)).toBe(true);
    expect((await f.jlog(['uninstall'])).stdout).toContain('- .jlogrc.json');
    expect(existsSync(config)).toBe(false);
    expect((await f.jlog(['init'])).code).toBe(0);
    writeFileSync(config, readFileSync(config, 'utf8').replace('"push"', '"commit"'));
    expect((await f.jlog(['uninstall'])).stdout).not.toContain('.jlogrc.json');
    expect(existsSync(config)).toBe(true);
  });

  it("uninstall keeps a starter .jlogrc.json once it is committed: it is the team's config then", async () => {
    const f = setup();
    expect((await f.jlog(['init'])).code).toBe(0);
    const config = join(f.repo.dir, '.jlogrc.json');
    f.repo.git('add', '.jlogrc.json');
    expect(f.git(['commit', '-q', '--no-verify', '-m', 'jlog config']).status).toBe(0);
    const r = await f.jlog(['uninstall']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('.jlogrc.json');
    expect(existsSync(config)).toBe(true);
    expect(f.repo.git('status', '--porcelain')).toBe('');
  });

  it('honours core.hooksPath', async () => {
    const f = setup();
    f.repo.git('config', 'core.hooksPath', 'githooks');
    expect((await f.jlog(['init', '--git'])).code).toBe(0);
    for (const h of HOOKS) expect(existsSync(join(f.repo.dir, 'githooks', h))).toBe(true);
    expect(f.git(['commit', '-q', '--allow-empty', '-m', 'PROJ-1 #time 1h']).status).toBe(0);
    expect(f.lines()).toEqual(['jlog hook post-commit']);
  });

  it('outside a repository: exit 2 and a one-line error, no stack', async () => {
    const dir = makeTempDir();
    const r = await runJlog(['init'], { cwd: dir, env: { ...process.env, GIT_CEILING_DIRECTORIES: dir } });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^jlog: .*not in a git repository/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, '.jlogrc.json'))).toBe(false);
  });
});

describe('jlog init: the prepare script and the starter config', () => {
  const pkgJson = (f: Fixture) => join(f.repo.dir, 'package.json');

  it('adds "prepare": "jlog init --quiet" when the package installs jlog; uninstall takes it off exactly', async () => {
    const f = setup();
    const original =
      '{\n  "name": "app",\n  "private": true,\n  "devDependencies": {\n    "jlog": "^0.1.0"\n  }\n}\n';
    writeFileSync(pkgJson(f), original);
    const r = await f.jlog(['init']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('~ package.json (updated: scripts.prepare: jlog init --quiet)');
    expect(JSON.parse(readFileSync(pkgJson(f), 'utf8')).scripts).toEqual({ prepare: 'jlog init --quiet' });
    expect((await f.jlog(['init'])).stdout).toContain('= package.json (unchanged)');
    expect((await f.jlog(['uninstall'])).stdout).toContain(
      '~ package.json (updated: removed jlog init --quiet',
    );
    expect(readFileSync(pkgJson(f), 'utf8')).toBe(original);
  });

  it('chains after an existing prepare script, and --no-prepare leaves package.json alone', async () => {
    const f = setup();
    const original =
      '{\n\t"scripts": {\n\t\t"prepare": "npm run build"\n\t},\n\t"devDependencies": {\n\t\t"jlog": "*"\n\t}\n}\n';
    writeFileSync(pkgJson(f), original);
    expect((await f.jlog(['init', '--no-prepare'])).code).toBe(0);
    expect(readFileSync(pkgJson(f), 'utf8')).toBe(original);
    expect((await f.jlog(['init'])).code).toBe(0);
    const text = readFileSync(pkgJson(f), 'utf8');
    expect(text).toContain('\t\t"prepare": "npm run build && jlog init --quiet"'); // its own tabs kept
    await f.jlog(['uninstall']);
    expect(readFileSync(pkgJson(f), 'utf8')).toBe(original);
  });

  it('adds no prepare script when jlog is not a dependency (a teammate’s npm install would fail), and says why', async () => {
    const f = setup();
    const original = '{ "name": "app" }\n';
    writeFileSync(pkgJson(f), original);
    const r = await f.jlog(['init']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/jlog: jlog is not a dependency in .*package\.json: add it \(npm i -D jlog\)/);
    expect(readFileSync(pkgJson(f), 'utf8')).toBe(original);
  });

  it('a teammate’s npm install runs the prepare script: hooks installed, quietly, and no config written', async () => {
    const f = setup();
    writeFileSync(
      pkgJson(f),
      JSON.stringify({ name: 'app', devDependencies: { jlog: '*' } }, null, 2) + '\n',
    );
    writeFileSync(join(f.repo.dir, '.gitignore'), 'node_modules\n');
    expect((await f.jlog(['init'])).code).toBe(0);
    f.repo.commit('add jlog');
    const clone = join(f.repo.home, 'clone');
    spawnSync('git', ['clone', '-q', f.repo.dir, clone], { env: f.env });
    rmSync(join(clone, '.jlogrc.json'), { force: true });
    mkdirSync(join(clone, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(ROOT, join(clone, 'node_modules', 'jlog'));
    // npm's bin link, as a wrapper (the bundle in this checkout need not be executable).
    const bin = join(clone, 'node_modules', '.bin', 'jlog');
    writeFileSync(bin, `#!/bin/sh\nexec node '${join(ROOT, 'dist', 'jlog.js')}' "$@"\n`);
    chmodSync(bin, 0o755);
    const npm = spawnSync('npm', ['run', '--silent', 'prepare'], {
      cwd: clone,
      env: f.env,
      encoding: 'utf8',
    });
    expect(npm.status, npm.stderr).toBe(0);
    for (const h of HOOKS) expect(existsSync(join(clone, '.git', 'hooks', h))).toBe(true);
    expect(npm.stdout).toContain('+ .git/hooks/pre-push');
    expect(npm.stdout).not.toContain('next:');
    expect(existsSync(join(clone, '.jlogrc.json'))).toBe(false);
    const again = spawnSync('npm', ['run', '--silent', 'prepare'], {
      cwd: clone,
      env: f.env,
      encoding: 'utf8',
    });
    expect(again.status).toBe(0);
    expect(again.stdout + again.stderr).toBe('');
  });

  it('init --quiet outside a git work tree (a package tarball) exits 0 and says nothing', async () => {
    const dir = makeTempDir();
    const r = await runJlog(['init', '--quiet'], {
      cwd: dir,
      env: { ...process.env, GIT_CEILING_DIRECTORIES: dir },
    });
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('fills projects from the keys of recent commits and branches, so UTF-8 in a message is not an issue', async () => {
    const f = setup();
    f.repo.commit('PROJ-1 #time 1h login form');
    f.repo.commit('[OPS-2] deploy script');
    f.repo.commit('fix UTF-8 decoding #time 1h');
    f.repo.commit('mention ABC-1 in passing, and SHA-256 too');
    f.repo.commit('PROJ-3 #comment reviewed');
    f.repo.git('branch', 'feature/WEB-12-signup');
    expect((await f.jlog(['init'])).code).toBe(0);
    const config = JSON.parse(readFileSync(join(f.repo.dir, '.jlogrc.json'), 'utf8')) as {
      projects?: string[];
    };
    expect(config.projects).toEqual(['PROJ', 'OPS', 'WEB']);
    const parsed = await runJlog(['parse', '--json', 'fix UTF-8 decoding #time 1h'], {
      cwd: f.repo.dir,
      env: f.env,
    });
    expect((JSON.parse(parsed.stdout) as { worklogs: unknown[] }).worklogs).toEqual([]);
    // The starter config with its projects is still init's own: uninstall removes it.
    expect((await f.jlog(['uninstall'])).stdout).toContain('- .jlogrc.json');
  });
});

describe('jlog init with husky 9', () => {
  function huskyRepo(): Fixture {
    const f = setup('feature/PROJ-7-login');
    writeFileSync(join(f.repo.dir, 'package.json'), '{ "name": "x", "private": true }\n');
    const init = spawnSync(process.execPath, [HUSKY_BIN, 'init'], {
      cwd: f.repo.dir,
      env: f.env,
      encoding: 'utf8',
    });
    expect(init.status, init.stderr).toBe(0);
    writeFileSync(join(f.repo.dir, '.husky', 'pre-commit'), 'echo user-pre-commit\n'); // not `npm test`
    // jlog "installed" in the project, as npm would put it
    mkdirSync(join(f.repo.dir, 'node_modules'));
    symlinkSync(ROOT, join(f.repo.dir, 'node_modules', 'jlog'));
    return f;
  }

  it('detects husky, adds one marked line per hook, idempotently; the hooks run through husky', async () => {
    const f = huskyRepo();
    writeFileSync(join(f.repo.dir, '.husky', 'commit-msg'), 'echo user-commit-msg\n');
    const r = await f.jlog(['init']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('~ .husky/commit-msg (appended)');
    expect(r.stdout).toContain('+ .husky/pre-push');
    expect((await f.jlog(['init'])).stdout).toContain('= .husky/commit-msg (unchanged)');
    const text = readFileSync(join(f.repo.dir, '.husky', 'commit-msg'), 'utf8');
    expect(text.match(/# jlog hooks v\d+$/gm)).toHaveLength(1);
    expect(text.startsWith('echo user-commit-msg\n')).toBe(true);

    // keyless #time on a keyed branch: commit-msg reaches jlog through husky's sh -e
    const ok = f.git(['commit', '-q', '--allow-empty', '-m', 'login #time 1h']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(f.lines()).toEqual(['jlog hook commit-msg .git/COMMIT_EDITMSG', 'jlog hook post-commit']);
    // strict mode's exit 1 fails the commit through husky
    const strict = f.git(['commit', '-q', '--allow-empty', '-m', '#time x'], {
      env: { FAKE_EXIT_commit_msg: '1' },
    });
    expect(strict.status).not.toBe(0);
  });

  it('does nothing (and fails nothing) when jlog is not installed in node_modules', async () => {
    const f = huskyRepo();
    expect((await f.jlog(['init', '--husky'])).code).toBe(0);
    spawnSync('rm', [join(f.repo.dir, 'node_modules', 'jlog')]);
    const r = f.git(['commit', '-q', '--allow-empty', '-m', 'login #time 1h'], {
      env: { FAKE_EXIT_commit_msg: '1' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(f.lines()).toEqual([]);
  });

  it('uninstall removes only its lines, and the files it created', async () => {
    const f = huskyRepo();
    writeFileSync(join(f.repo.dir, '.husky', 'pre-push'), '#!/usr/bin/env sh\necho user-pre-push\n');
    const before = snapshot(join(f.repo.dir, '.husky'));
    expect((await f.jlog(['init'])).code).toBe(0);
    expect(existsSync(join(f.repo.dir, '.husky', 'post-rewrite'))).toBe(true);
    const r = await f.jlog(['uninstall']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('- .husky/commit-msg');
    expect(r.stdout).toContain('~ .husky/pre-push (updated: removed the jlog line)');
    expect(snapshot(join(f.repo.dir, '.husky'))).toEqual(before);
  });
});
