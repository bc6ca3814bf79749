// The POSIX sh shims in hooks/, run by real git in real temp repos. A fake jlog (JLOG_BIN) records its
// argv and stdin, so each test can tell whether the shim started Node, and with what.
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HOOK_NAMES as HOOKS } from '../src/install/hook-names.js';
import { COMMON_FILE, HOOK_VERSION, shimVersion } from '../src/install/shims.js';
import { makeRepo, makeTempDir, type TempRepo } from './helpers/repo.js';

const SHIMS = join(import.meta.dirname, '..', 'hooks');

interface Fixture {
  repo: TempRepo;
  calls: string;
  env: NodeJS.ProcessEnv;
  /** What the fake jlog was called with: one entry per call, argv then the stdin lines. */
  recorded(): { argv: string; stdin: string[] }[];
  run(
    args: string[],
    opts?: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string },
  ): SpawnSyncReturns<string>;
}

const repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.cleanup();
});

/** A fake jlog in shell built-ins only: argv and stdin appended to `calls`; exits $FAKE_EXIT_<hook>. */
function writeFakeJlog(dir: string, calls: string): string {
  const bin = join(dir, 'fake-jlog');
  writeFileSync(
    bin,
    `#!/bin/sh
{
  echo "CALL $*"
  while IFS= read -r l || [ -n "$l" ]; do echo "IN $l"; done
} >>'${calls}'
case $2 in
  commit-msg) exit "\${FAKE_EXIT_commit_msg:-0}" ;;
  post-commit) exit "\${FAKE_EXIT_post_commit:-0}" ;;
  pre-push) exit "\${FAKE_EXIT_pre_push:-0}" ;;
esac
`,
  );
  chmodSync(bin, 0o755);
  return bin;
}

function setup(opts: { branch?: string; install?: boolean } = {}): Fixture {
  const repo = makeRepo({ branch: opts.branch ?? 'main' });
  repos.push(repo);
  const calls = join(repo.home, 'calls.log');
  const env = { ...repo.env, JLOG_BIN: writeFakeJlog(repo.home, calls) };
  if (opts.install !== false) {
    for (const h of [...HOOKS, COMMON_FILE]) copyFileSync(join(SHIMS, h), join(repo.dir, '.git', 'hooks', h));
  }
  return {
    repo,
    calls,
    env,
    recorded() {
      if (!existsSync(calls)) return [];
      const out: { argv: string; stdin: string[] }[] = [];
      for (const line of readFileSync(calls, 'utf8').split('\n')) {
        if (line.startsWith('CALL ')) out.push({ argv: line.slice(5), stdin: [] });
        else if (line.startsWith('IN ')) out.at(-1)?.stdin.push(line.slice(3));
      }
      return out;
    },
    run(args, o = {}) {
      return spawnSync('git', args, {
        cwd: o.cwd ?? repo.dir,
        env: { ...env, ...o.env },
        encoding: 'utf8',
        input: o.input ?? '',
        timeout: 30_000,
      });
    },
  };
}

function commit(f: Fixture, message: string, env: NodeJS.ProcessEnv = {}, cwd?: string) {
  return f.run(['commit', '--allow-empty', '-q', '-m', message], { env, ...(cwd ? { cwd } : {}) });
}

const argvs = (f: Fixture) => f.recorded().map((c) => c.argv);

/** A PATH of one temp dir holding only these commands (symlinks): a GUI client's PATH, say. */
function binWith(commands: string[]): string {
  const bin = makeTempDir('jlog-bin-');
  for (const c of commands) {
    const path =
      c === 'node'
        ? process.execPath
        : execFileSync('sh', ['-c', `command -v ${c}`], { encoding: 'utf8' }).trim();
    symlinkSync(path, join(bin, c));
  }
  return bin;
}

describe('hook shims: shape', () => {
  it('are POSIX sh, executable, stamped with the hook version, and source one common block', () => {
    const common = readFileSync(join(SHIMS, COMMON_FILE), 'utf8');
    expect(spawnSync('sh', ['-n', join(SHIMS, COMMON_FILE)]).status).toBe(0);
    expect(shimVersion(common)).toBe(HOOK_VERSION);
    for (const h of HOOKS) {
      const file = join(SHIMS, h);
      const text = readFileSync(file, 'utf8');
      expect(spawnSync('sh', ['-n', file]).status, h).toBe(0);
      expect(text.startsWith('#!/bin/sh\n')).toBe(true);
      expect(shimVersion(text), h).toBe(HOOK_VERSION);
      expect(text, h).toContain(`jlog_c=\${0%/*}/${COMMON_FILE}`);
      // Nothing of the common block is copied into a shim.
      expect(text, h).not.toMatch(/^jlog_(gitdir|run|node|find)\(\)/m);
    }
  });

  it('a missing common block skips jlog with one line and never fails git', () => {
    const f = setup();
    rmSync(join(f.repo.dir, '.git', 'hooks', COMMON_FILE));
    const r = commit(f, 'PROJ-1 #time 1h');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/jlog-common\.sh is missing, commit-msg skipped: run jlog init/);
    expect(f.recorded()).toEqual([]);
  });
});

describe('commit-msg and post-commit shims', () => {
  it('a commit without #time starts no Node and prints nothing', () => {
    const f = setup({ branch: 'feature/PROJ-7-login' });
    writeFileSync(join(f.repo.dir, '.jlogrc.json'), '{ "strict": true }\n');
    const r = commit(f, 'plain commit\n\nwith a body, PROJ-7 mentioned');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(f.recorded()).toEqual([]);
  });

  it('a long message is read by grep past a few hundred lines: no Node without #time, Node with one deep in it', () => {
    const f = setup();
    const body = Array.from({ length: 2000 }, (_, i) => `line ${i} of a long generated changelog`).join('\n');
    expect(commit(f, `release notes\n\n${body}`).status).toBe(0);
    expect(f.recorded()).toEqual([]);
    expect(commit(f, `release notes\n\n${body}\nPROJ-1 #time 1h`).status).toBe(0);
    expect(argvs(f)).toEqual([expect.stringMatching(/^hook commit-msg /), 'hook post-commit']);
  });

  it('a keyed token without strict: post-commit starts Node, commit-msg does not', () => {
    const f = setup();
    expect(commit(f, 'PROJ-1 #time 1h fixed login').status).toBe(0);
    expect(argvs(f)).toEqual(['hook post-commit']);
  });

  it('matches #time case-insensitively', () => {
    const f = setup();
    expect(commit(f, 'PROJ-1 #TiMe 1h').status).toBe(0);
    expect(argvs(f)).toEqual(['hook post-commit']);
  });

  it('commit-msg starts Node when strict may be on (.jlogrc.json, .jlogrc.yaml, package.json#jlog)', () => {
    const configs: [string, string][] = [
      ['.jlogrc.json', '{\n  "strict": true\n}\n'],
      ['.jlogrc.yaml', 'strict: true\n'],
      ['package.json', '{\n  "name": "x",\n  "jlog": {\n    "strict": true\n  }\n}\n'],
    ];
    for (const [name, text] of configs) {
      const f = setup();
      writeFileSync(join(f.repo.dir, name), text);
      expect(commit(f, 'PROJ-1 #time 1h').status).toBe(0);
      expect(argvs(f), name).toEqual(['hook commit-msg .git/COMMIT_EDITMSG', 'hook post-commit']);
    }
  });

  it('commit-msg does not start Node when the config says strict: false', () => {
    const f = setup();
    writeFileSync(join(f.repo.dir, '.jlogrc.json'), '{\n  "strict": false,\n  "failPushOnError": true\n}\n');
    writeFileSync(join(f.repo.dir, 'package.json'), '{\n  "devDependencies": { "jlog": "^1.0.0" }\n}\n');
    expect(commit(f, 'PROJ-1 #time 1h').status).toBe(0);
    expect(argvs(f)).toEqual(['hook post-commit']);
  });

  it('commit-msg starts Node for a keyless #time line on a branch with a key, only then', () => {
    const f = setup({ branch: 'feature/PROJ-7-login' });
    commit(f, 'PROJ-7 #time 1h keyed with the branch project'); // no commit-msg
    commit(f, 'fix login\n\n#time 30m'); // keyless: commit-msg
    commit(f, 'OPS-2 #time 15m other project'); // maybe outside the allow-list: Node decides
    commit(f, 'fix #time 1h PROJ-7 later'); // the key after #time does not key it
    expect(argvs(f)).toEqual([
      'hook post-commit',
      'hook commit-msg .git/COMMIT_EDITMSG',
      'hook post-commit',
      'hook commit-msg .git/COMMIT_EDITMSG',
      'hook post-commit',
      'hook commit-msg .git/COMMIT_EDITMSG',
      'hook post-commit',
    ]);
  });

  it('finds the branch key after - or _ and ignores branches without one', () => {
    for (const [branch, node] of [
      ['fix-PROJ-12', true],
      ['user_PROJ-3_x', true],
      ['feature/login', false],
      ['proj-7-lowercase', false],
    ] as const) {
      const f = setup({ branch });
      commit(f, 'work #time 1h');
      expect(argvs(f).includes('hook commit-msg .git/COMMIT_EDITMSG'), branch).toBe(node);
    }
  });

  it('commit-msg exit 1 (strict) fails the commit; any other failure does not', () => {
    const f = setup({ branch: 'feature/PROJ-7' });
    const bad = commit(f, '#time soon', { FAKE_EXIT_commit_msg: '1' });
    expect(bad.status).not.toBe(0);
    expect(f.repo.git('rev-list', '--all', '--count')).toBe('0');
    const crash = commit(f, '#time soon', { FAKE_EXIT_commit_msg: '134' });
    expect(crash.status).toBe(0);
    const post = commit(f, 'PROJ-7 #time 1h', { FAKE_EXIT_post_commit: '1' });
    expect(post.status).toBe(0);
    expect(f.repo.git('rev-list', '--all', '--count')).toBe('2');
  });

  it('skips git comment lines and everything below the scissors line of commit -v', () => {
    const f = setup({ branch: 'feature/PROJ-7' });
    writeFileSync(join(f.repo.dir, 'notes.txt'), 'log it with #time 1h\n');
    f.repo.git('add', 'notes.txt');
    // The "editor" only writes a subject: the file keeps git's template comments and the diff below.
    const r = f.run(['commit', '-q', '-v'], { env: { GIT_EDITOR: 'sed -i 1s/^/add-notes/' } });
    expect(r.status, r.stderr).toBe(0);
    expect(f.repo.git('log', '-1', '--format=%s')).toBe('add-notes');
    expect(f.recorded()).toEqual([]);
  });

  it('reads a line starting with #time as a token (git would drop it as a comment) and says so', () => {
    const f = setup();
    const editor = `printf 'subject\\n#time 1h\\n' >`;
    const r = f.run(['commit', '-q', '--allow-empty'], { env: { GIT_EDITOR: editor } });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('git drops it as a comment');
    // On a keyed branch, Node is started to write the key in front of it (which also saves the line).
    const g = setup({ branch: 'feature/PROJ-7' });
    expect(g.run(['commit', '-q', '--allow-empty'], { env: { GIT_EDITOR: editor } }).status).toBe(0);
    expect(argvs(g)[0]).toBe('hook commit-msg .git/COMMIT_EDITMSG');
  });

  it('post-commit sees --no-verify and --amend commits (COMMIT_EDITMSG), not cherry-picks', () => {
    const f = setup();
    commit(f, 'root');
    f.run(['commit', '--allow-empty', '-q', '--no-verify', '-m', 'PROJ-1 #time 1h']);
    f.run(['commit', '--amend', '-q', '--no-edit', '--allow-empty']);
    expect(argvs(f)).toEqual(['hook post-commit', 'hook post-commit']);
    const token = f.repo.git('rev-parse', 'HEAD');
    f.repo.git('checkout', '-q', '-b', 'other', 'HEAD~1');
    commit(f, 'plain'); // COMMIT_EDITMSG without a token: a cherry-pick does not rewrite it
    const pick = f.run(['cherry-pick', '--allow-empty', token]);
    expect(pick.status, pick.stderr).toBe(0);
    expect(f.repo.git('log', '-1', '--format=%s')).toBe('PROJ-1 #time 1h');
    expect(argvs(f)).toEqual(['hook post-commit', 'hook post-commit']);
  });

  it('JLOG_SKIP=1 starts nothing', () => {
    const f = setup({ branch: 'feature/PROJ-7' });
    writeFileSync(join(f.repo.dir, '.jlogrc.json'), '{ "strict": true }\n');
    expect(commit(f, '#time 1h', { JLOG_SKIP: '1' }).status).toBe(0);
    mkdirSync(join(f.repo.dir, '.git', 'jlog'));
    f.run(['commit', '--amend', '-q', '-m', 'PROJ-7 #time 2h'], { env: { JLOG_SKIP: '1' } });
    expect(f.recorded()).toEqual([]);
  });

  it('without Node: a plain commit says nothing; a token commit is queued with sh alone and says how to fix PATH', () => {
    const f = setup();
    const env = { PATH: binWith(['git', 'mkdir']), JLOG_BIN: '', JLOG_NODE_DIRS: '' };
    const plain = commit(f, 'no token here', env);
    expect(plain.status).toBe(0);
    expect(plain.stderr).toBe('');
    const token = commit(f, 'PROJ-1 #time 1h', env);
    expect(token.status).toBe(0);
    const head = f.repo.git('rev-parse', 'HEAD');
    expect(token.stderr).toBe(
      `jlog: node not found on PATH, post-commit skipped; queued ${head.slice(0, 7)} for the next hook that finds it; ` +
        `fix: put PATH="<node's dir>:$PATH" in ${join(f.repo.home, '.config', 'jlog', 'init.sh')}\n`,
    );
    expect(readFileSync(join(f.repo.dir, '.git', 'jlog', 'queue'), 'utf8')).toBe(`${head}\n`);
    // Appended, never rewritten: a second commit adds a line.
    commit(f, 'PROJ-2 #time 1h', env);
    expect(readFileSync(join(f.repo.dir, '.git', 'jlog', 'queue'), 'utf8')).toBe(
      `${head}\n${f.repo.git('rev-parse', 'HEAD')}\n`,
    );
  });

  it('with Node but no jlog anywhere: the token commit is queued and the line says to install jlog', () => {
    const f = setup();
    const env = { PATH: binWith(['git', 'mkdir', 'node']), JLOG_BIN: '', JLOG_NODE_DIRS: '' };
    const token = commit(f, 'PROJ-1 #time 1h', env);
    expect(token.status).toBe(0);
    expect(token.stderr).toMatch(
      /^jlog: not found, post-commit skipped; queued [0-9a-f]{7} .*; install it: npm i -D jlog\n$/,
    );
    expect(existsSync(join(f.repo.dir, '.git', 'jlog', 'queue'))).toBe(true);
  });

  it('finds Node where GUI clients miss it: ~/.config/jlog/init.sh, nvm default, volta, fnm', () => {
    const node = process.execPath;
    const layouts: [string, (home: string) => void][] = [
      [
        'init.sh',
        (home) => {
          const dir = join(home, 'my-node', 'bin');
          mkdirSync(dir, { recursive: true });
          symlinkSync(node, join(dir, 'node'));
          mkdirSync(join(home, '.config', 'jlog'), { recursive: true });
          writeFileSync(join(home, '.config', 'jlog', 'init.sh'), `PATH="${dir}:$PATH"\n`);
        },
      ],
      [
        'nvm',
        (home) => {
          for (const v of ['v18.20.0', 'v20.11.1']) {
            mkdirSync(join(home, '.nvm', 'versions', 'node', v, 'bin'), { recursive: true });
          }
          symlinkSync(node, join(home, '.nvm', 'versions', 'node', 'v20.11.1', 'bin', 'node'));
          mkdirSync(join(home, '.nvm', 'alias'), { recursive: true });
          writeFileSync(join(home, '.nvm', 'alias', 'default'), '20\n');
        },
      ],
      [
        'volta',
        (home) => {
          mkdirSync(join(home, '.volta', 'bin'), { recursive: true });
          symlinkSync(node, join(home, '.volta', 'bin', 'node'));
        },
      ],
      [
        'fnm',
        (home) => {
          const dir = join(home, '.local', 'share', 'fnm', 'aliases', 'default', 'bin');
          mkdirSync(dir, { recursive: true });
          symlinkSync(node, join(dir, 'node'));
        },
      ],
    ];
    for (const [name, make] of layouts) {
      const f = setup();
      make(f.repo.home);
      const fake = join(f.repo.home, 'fake-jlog.mjs');
      writeFileSync(
        fake,
        `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(f.calls)}, 'CALL ' + process.argv.slice(2).join(' ') + '\\n');\n`,
      );
      const r = commit(f, 'PROJ-1 #time 1h', {
        PATH: binWith(['git', 'mkdir']),
        JLOG_BIN: fake,
        JLOG_NODE_DIRS: '',
      });
      expect(r.status, name).toBe(0);
      expect(r.stderr, name).toBe('');
      expect(argvs(f), name).toEqual(['hook post-commit']);
    }
  });

  it('finds ./node_modules/.bin/jlog at the top, also for a commit made in a subdirectory', () => {
    const f = setup();
    mkdirSync(join(f.repo.dir, 'node_modules', '.bin'), { recursive: true });
    copyFileSync(f.env.JLOG_BIN!, join(f.repo.dir, 'node_modules', '.bin', 'jlog'));
    mkdirSync(join(f.repo.dir, 'sub'));
    expect(commit(f, 'PROJ-1 #time 1h', { JLOG_BIN: '' }, join(f.repo.dir, 'sub')).status).toBe(0);
    expect(argvs(f)).toEqual(['hook post-commit']);
  });
});

describe("the hooks' own build (dist/hook/hook.cjs)", () => {
  /** A fake package dist: jlog.js and hook/hook.cjs, each recording which of them ran and with what. */
  function fakeDist(f: Fixture, dist: string): void {
    mkdirSync(join(dist, 'hook'), { recursive: true });
    const rec = (who: string) =>
      `require('node:fs').appendFileSync(${JSON.stringify(f.calls)}, 'CALL ${who} ' + process.argv.slice(2).join(' ') + '\\n');\n`;
    writeFileSync(join(dist, 'jlog.js'), rec('jlog.js'));
    writeFileSync(join(dist, 'hook', 'hook.cjs'), rec('hook.cjs'));
  }

  it("runs beside jlog.js when it is there, with the hook name and git's arguments", () => {
    const f = setup();
    const dist = join(f.repo.home, 'pkg', 'dist');
    fakeDist(f, dist);
    // A .js that is not ESM here: the fake's package has no "type" (CommonJS either way).
    expect(commit(f, 'PROJ-1 #time 1h', { JLOG_BIN: join(dist, 'jlog.js') }).status).toBe(0);
    expect(argvs(f)).toEqual(['hook.cjs post-commit']);
  });

  it('a jlog.js without it (an older jlog) is run as before', () => {
    const f = setup();
    const dist = join(f.repo.home, 'pkg', 'dist');
    fakeDist(f, dist);
    rmSync(join(dist, 'hook'), { recursive: true });
    expect(commit(f, 'PROJ-1 #time 1h', { JLOG_BIN: join(dist, 'jlog.js') }).status).toBe(0);
    expect(argvs(f)).toEqual(['jlog.js hook post-commit']);
  });

  it('is preferred to node_modules/.bin/jlog when the installed jlog has it', () => {
    const f = setup();
    mkdirSync(join(f.repo.dir, 'node_modules', '.bin'), { recursive: true });
    copyFileSync(f.env.JLOG_BIN!, join(f.repo.dir, 'node_modules', '.bin', 'jlog'));
    fakeDist(f, join(f.repo.dir, 'node_modules', 'jlog', 'dist'));
    expect(commit(f, 'PROJ-1 #time 1h', { JLOG_BIN: '' }).status).toBe(0);
    expect(argvs(f)).toEqual(['hook.cjs post-commit']);
  });
  it('is found for a jlog on PATH installed by npm -g (<prefix>/bin/jlog, <prefix>/lib/node_modules/jlog)', () => {
    const f = setup();
    const prefix = join(f.repo.home, 'prefix');
    mkdirSync(join(prefix, 'bin'), { recursive: true });
    copyFileSync(f.env.JLOG_BIN!, join(prefix, 'bin', 'jlog'));
    fakeDist(f, join(prefix, 'lib', 'node_modules', 'jlog', 'dist'));
    const PATH = `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`;
    expect(commit(f, 'PROJ-1 #time 1h', { JLOG_BIN: '', PATH }).status).toBe(0);
    expect(argvs(f)).toEqual(['hook.cjs post-commit']);
    // Without the build beside it, the jlog on PATH runs itself, as before.
    rmSync(join(prefix, 'lib'), { recursive: true });
    expect(commit(f, 'PROJ-2 #time 1h', { JLOG_BIN: '', PATH }).status).toBe(0);
    expect(argvs(f)).toEqual(['hook.cjs post-commit', 'hook post-commit']);
  });
});

describe('post-rewrite and pre-push shims', () => {
  function withRemote(f: Fixture): string {
    const remote = join(f.repo.home, 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', remote], { env: f.env });
    f.repo.git('remote', 'add', 'origin', remote);
    return remote;
  }

  it('start no Node before anything was recorded (no ledger dir)', () => {
    const f = setup();
    withRemote(f);
    commit(f, 'one');
    f.run(['commit', '--amend', '-q', '-m', 'one amended', '--allow-empty']);
    expect(f.run(['push', '-q', 'origin', 'main']).status).toBe(0);
    expect(f.recorded()).toEqual([]);
  });

  it('pass git stdin through untouched once the ledger dir exists', () => {
    const f = setup();
    const remote = withRemote(f);
    mkdirSync(join(f.repo.dir, '.git', 'jlog'));
    const old = f.repo.commit('one');
    f.run(['commit', '--amend', '-q', '-m', 'one amended', '--allow-empty']);
    const amended = f.repo.git('rev-parse', 'HEAD');
    expect(f.run(['push', '-q', 'origin', 'main']).status).toBe(0);
    expect(f.recorded()).toEqual([
      { argv: 'hook post-rewrite amend', stdin: [`${old} ${amended}`] },
      {
        argv: `hook pre-push origin ${remote}`,
        stdin: [`refs/heads/main ${amended} refs/heads/main ${'0'.repeat(40)}`],
      },
    ]);
  });

  it('pre-push exit 1 (failPushOnError) fails the push; any other failure does not', () => {
    const f = setup();
    withRemote(f);
    mkdirSync(join(f.repo.dir, '.git', 'jlog'));
    f.repo.commit('one');
    expect(f.run(['push', '-q', 'origin', 'main'], { env: { FAKE_EXIT_pre_push: '1' } }).status).not.toBe(0);
    expect(f.run(['push', '-q', 'origin', 'main'], { env: { FAKE_EXIT_pre_push: '2' } }).status).toBe(0);
    expect(f.repo.git('ls-remote', 'origin')).toContain('refs/heads/main');
  });

  it('work in a linked worktree: git dir from GIT_DIR, ledger in the common dir', () => {
    const f = setup();
    withRemote(f);
    f.repo.commit('base');
    const wt = join(f.repo.home, 'wt');
    f.repo.git('worktree', 'add', '-q', '-b', 'feature/PROJ-9-wt', wt);
    expect(commit(f, 'work #time 1h', {}, wt).status).toBe(0);
    expect(argvs(f)).toEqual([
      `hook commit-msg ${join(f.repo.dir, '.git', 'worktrees', 'wt', 'COMMIT_EDITMSG')}`,
      'hook post-commit',
    ]);
    mkdirSync(join(f.repo.dir, '.git', 'jlog'));
    expect(f.run(['push', '-q', 'origin', 'feature/PROJ-9-wt'], { cwd: wt }).status).toBe(0);
    expect(argvs(f).at(-1)).toMatch(/^hook pre-push origin /);
  });
});
