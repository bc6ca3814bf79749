// No write follows a symlink (docs/configuration.md, issue 10): symlinks a repository plants in `.husky/`, in
// a committed hooks dir, and symlinks in the ledger dir must never turn jlog's write into a write to a
// victim file outside the repository, and a symlinked hook is never copied into a tracked file.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeHookFile } from '../src/install/files.js';
import { isJlogError } from '../src/errors.js';
import { Ledger } from '../src/ledger/ledger.js';
import { runJlog } from './helpers/cli.js';
import { sandboxFor } from './helpers/jira.js';
import type { Sandbox } from '../src/sandbox/server.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { rec } from './helpers/ledger.js';
import { makeRepo, makeTempDir, type TempRepo } from './helpers/repo.js';

const VICTIM_TEXT = 'victim: must stay exactly so\n';
const SLOW = { timeout: 60_000 };

let repo: TempRepo | undefined;
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  repo?.cleanup();
  [repo, sandbox] = [undefined, undefined];
});

/** A file outside the repository that nothing jlog does may change. */
function victim(): { path: string; unchanged(): void } {
  const dir = makeTempDir('jlog-victim-');
  const path = join(dir, 'victim.txt');
  writeFileSync(path, VICTIM_TEXT, { mode: 0o644 });
  return {
    path,
    unchanged() {
      expect(readFileSync(path, 'utf8')).toBe(VICTIM_TEXT);
      expect(lstatSync(path).mode & 0o777).toBe(0o644);
      expect(readdirSync(dir)).toEqual(['victim.txt']);
    },
  };
}

describe('writing hook files', () => {
  it('never writes through a symlink at the temporary name (the old name was <hook>.jlog-tmp-<pid>)', () => {
    const v = victim();
    const dir = makeTempDir('jlog-hooks-');
    const hook = join(dir, 'pre-push');
    // The attack: a spray of symlinks at every temporary name jlog could pick.
    symlinkSync(v.path, `${hook}.jlog-tmp-${process.pid}`);
    writeHookFile(hook, '#!/bin/sh\necho hi\n');
    expect(readFileSync(hook, 'utf8')).toBe('#!/bin/sh\necho hi\n');
    expect(lstatSync(hook).isFile()).toBe(true);
    v.unchanged();
  });

  it('replaces a symlink at the hook path itself, never its target', () => {
    const v = victim();
    const dir = makeTempDir('jlog-hooks-');
    const hook = join(dir, 'commit-msg');
    symlinkSync(v.path, hook);
    writeHookFile(hook, '#!/bin/sh\n', true);
    expect(lstatSync(hook).isSymbolicLink()).toBe(false);
    v.unchanged();
  });
});

describe('jlog init in a hostile repository', () => {
  it(
    'husky: a symlinked .husky/pre-push is kept, not copied into a tracked file; the victim is unchanged',
    SLOW,
    async () => {
      const v = victim();
      repo = makeRepo();
      mkdirSync(join(repo.dir, '.husky'));
      symlinkSync(v.path, join(repo.dir, '.husky', 'pre-push'));
      symlinkSync(v.path, join(repo.dir, '.husky', 'commit-msg'));
      // and symlinks at temporary names an older jlog would have used
      for (let pid = 1; pid < 200; pid++)
        symlinkSync(v.path, join(repo.dir, '.husky', `post-commit.jlog-tmp-${pid}`));
      const r = await runJlog(['init', '--husky'], { cwd: repo.dir, env: repo.env });
      expect(r.code).toBe(1); // some hooks kept: the user has something to do
      expect(r.stderr).toContain('.husky/pre-push: a symlink: jlog does not write through it');
      expect(readlinkSync(join(repo.dir, '.husky', 'pre-push'))).toBe(v.path);
      expect(readFileSync(join(repo.dir, '.husky', 'post-commit'), 'utf8')).toContain('# jlog');
      expect(readFileSync(join(repo.dir, '.husky', 'post-commit'), 'utf8')).not.toContain('victim');
      v.unchanged();
      // uninstall leaves the symlinks alone too
      expect((await runJlog(['uninstall'], { cwd: repo.dir, env: repo.env })).code).toBe(0);
      expect(readlinkSync(join(repo.dir, '.husky', 'pre-push'))).toBe(v.path);
      v.unchanged();
    },
  );

  it(
    'git: a package.json that is a symlink out of the repository gets no prepare script, its target is unchanged',
    SLOW,
    async () => {
      const dir = makeTempDir('jlog-victim-');
      const secret = join(dir, 'secrets.json');
      const text = '{"name":"x","devDependencies":{"jlog":"*"},"token":"S3CR3T"}\n';
      writeFileSync(secret, text);
      repo = makeRepo();
      symlinkSync(secret, join(repo.dir, 'package.json'));
      mkdirSync(join(repo.dir, 'node_modules', 'jlog'), { recursive: true });
      const r = await runJlog(['init', '--git'], { cwd: repo.dir, env: repo.env });
      expect(r.stdout + r.stderr).toContain('is a symlink, so no prepare script was added');
      expect(readlinkSync(join(repo.dir, 'package.json'))).toBe(secret);
      expect(readFileSync(secret, 'utf8')).toBe(text);
      expect(readdirSync(dir)).toEqual(['secrets.json']);
    },
  );

  it('husky: a .husky that is a symlink out of the repository is refused, exit 2', SLOW, async () => {
    const outside = makeTempDir('jlog-outside-');
    repo = makeRepo();
    symlinkSync(outside, join(repo.dir, '.husky'));
    const r = await runJlog(['init', '--husky'], { cwd: repo.dir, env: repo.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('.husky is a symlink; jlog does not write hooks through it');
    expect(readdirSync(outside)).toEqual([]);
  });

  it(
    'git: a committed hooks dir with a symlinked hook chains the link itself; the victim is unchanged',
    SLOW,
    async () => {
      const v = victim();
      repo = makeRepo();
      mkdirSync(join(repo.dir, '.githooks'));
      symlinkSync(v.path, join(repo.dir, '.githooks', 'pre-push'));
      repo.git('config', 'core.hooksPath', '.githooks');
      const r = await runJlog(['init', '--git'], { cwd: repo.dir, env: repo.env });
      expect(r.code).toBe(0);
      expect(readlinkSync(join(repo.dir, '.githooks', 'pre-push.pre-jlog'))).toBe(v.path);
      expect(readFileSync(join(repo.dir, '.githooks', 'pre-push'), 'utf8')).toContain('jlog-managed-hook');
      v.unchanged();
    },
  );
});

describe('the ledger dir', () => {
  it('never appends, caches or logs through a symlink', SLOW, async () => {
    const v = victim();
    const dir = join(makeTempDir('jlog-ledger-'), 'jlog');
    mkdirSync(dir, { mode: 0o700 });
    symlinkSync(v.path, join(dir, 'ledger.jsonl'));
    const ledger = Ledger.open(dir);
    const err = await ledger.append([rec('a:0')]).catch((e: unknown) => e);
    expect(isJlogError(err, 'E_LEDGER_IO')).toBe(true);
    v.unchanged();

    const dir2 = join(makeTempDir('jlog-ledger-'), 'jlog');
    mkdirSync(dir2, { mode: 0o700 });
    symlinkSync(v.path, join(dir2, 'cache-site.json'));
    await Ledger.open(dir2).folder.writeCache('site', { x: 1 });
    expect(lstatSync(join(dir2, 'cache-site.json')).isSymbolicLink()).toBe(false);
    v.unchanged();
  });

  it('a ledger dir that is a symlink is refused', async () => {
    const outside = makeTempDir('jlog-outside-');
    const root = makeTempDir('jlog-ledger-');
    symlinkSync(outside, join(root, 'jlog'));
    const err = await Ledger.open(join(root, 'jlog'))
      .append([rec('a:0')])
      .catch((e: unknown) => e);
    expect(isJlogError(err)).toBe(true);
    expect(readdirSync(outside)).toEqual([]);
  });

  it("the hooks' logs (flush.log, jlog.log) are not written through symlinks", SLOW, async () => {
    const v = victim();
    repo = makeRepo();
    const dir = join(repo.dir, '.git', 'jlog');
    mkdirSync(dir, { mode: 0o700 });
    symlinkSync(v.path, join(dir, 'flush.log'));
    symlinkSync(v.path, join(dir, 'jlog.log'));
    const s = await sandboxFor(repo);
    sandbox = s.sandbox;
    const env = {
      ...s.env,
      JLOG_DEBUG: '1',
      JLOG_BIN: join(import.meta.dirname, '..', 'dist', 'jlog.js'),
    };
    expect((await runJlog(['init', '--git'], { cwd: repo.dir, env })).code).toBe(0);
    execFileSync('git', ['commit', '-q', '--allow-empty', '-m', 'PROJ-1 #time 1h x'], { cwd: repo.dir, env });
    const remote = join(repo.dir, '..', 'remote.git');
    execFileSync('git', ['init', '-q', '--bare', remote], { env });
    execFileSync('git', ['push', '-q', remote, 'HEAD:refs/heads/main'], { cwd: repo.dir, env });
    // The background worker still posts (and would have logged by now).
    for (let i = 0; i < 100 && sandbox.worklogs().length === 0; i++) await sleep(200);
    expect(sandbox.worklogs()).toHaveLength(1);
    expect(existsSync(join(dir, 'ledger.jsonl'))).toBe(true);
    v.unchanged();
  });
});
