// The sync path's early `git log` (src/git/commits.ts prefetchCommits) and the lean runner under it
// (src/git/spawn.ts): a prefetch is used only for the very same question from the same repository,
// any other question runs git afresh, and the runner keeps execGit's contract. A `git` shim first on
// PATH counts the processes, so "used" and "thrown away" are facts, not timings.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isJlogError } from '../src/errors.js';
import { LogStream, parseLogOutput, prefetchCommits, readCommits } from '../src/git/commits.js';
import type { Commit } from '../src/core/types.js';
import fc from 'fast-check';
import { runGit } from '../src/git/spawn.js';
import { prefetchRepoInfo, repoInfo } from '../src/git/repo.js';
import { makeRepo, makeTempDir, type TempRepo } from './helpers/repo.js';

let repo: TempRepo | undefined;
const savedPath = process.env.PATH;
const savedEnv = { ...process.env };
afterEach(() => {
  // The prefetch runs in process.env: put back what setup() changed.
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
  repo?.cleanup();
  repo = undefined;
});

/** A repo with three token commits, and a `git` shim that logs each `log` it runs. */
function setup(): { r: TempRepo; logs: () => string[] } {
  const r = makeRepo();
  repo = r;
  r.commit('PROJ-1 #time 1h one', { date: '2026-01-05T10:00:00+01:00' });
  r.commit('PROJ-2 #time 2h two', { date: '2026-02-05T10:00:00+01:00' });
  r.commit('PROJ-3 #time 3h three', { date: '2026-03-05T10:00:00+01:00' });
  const bin = join(r.home, 'bin');
  const record = join(r.home, 'git-calls');
  mkdirSync(bin);
  writeFileSync(record, '');
  const gitPath = realGit();
  writeFileSync(
    join(bin, 'git'),
    `#!/bin/sh\ncase " $* " in *" log "*) echo "$*" >> '${record}';; esac\nexec '${gitPath}' "$@"\n`,
  );
  chmodSync(join(bin, 'git'), 0o755);
  process.env.PATH = `${bin}:${savedPath ?? ''}`;
  for (const [k, v] of Object.entries(r.env)) if (k.startsWith('GIT_') || k === 'HOME') process.env[k] = v;
  return {
    r,
    logs: () =>
      readFileSync(record, 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
  };
}

function realGit(): string {
  for (const dir of (savedPath ?? '').split(':')) {
    try {
      readFileSync(join(dir, 'git'));
      return join(dir, 'git');
    } catch {
      // not here
    }
  }
  throw new Error('git not found on PATH');
}

const question = { range: 'HEAD', since: '2026-02-01 00:00:00', grepTime: true } as const;

describe.skipIf(process.platform === 'win32')('the early git log of a sync', () => {
  it('is the log the run reads when the run asks the same question: one git log in all', async () => {
    const { r, logs } = setup();
    prefetchCommits(r.dir, question);
    const commits = await readCommits(r.dir, question);
    expect(commits.map((c) => c.subject)).toEqual(['PROJ-3 #time 3h three', 'PROJ-2 #time 2h two']);
    expect(logs()).toHaveLength(1);
  });

  it('is used from a subdirectory of the work tree the run reads from', async () => {
    const { r, logs } = setup();
    const sub = join(r.dir, 'src', 'deep');
    mkdirSync(sub, { recursive: true });
    prefetchCommits(sub, question);
    expect(await readCommits(r.dir, question)).toHaveLength(2);
    expect(logs()).toHaveLength(1);
  });

  it('is thrown away when the run asks something else (a config that moves sync.since): the run gets its own answer', async () => {
    const { r, logs } = setup();
    prefetchCommits(r.dir, question);
    const commits = await readCommits(r.dir, { ...question, since: '2026-01-01 00:00:00' });
    expect(commits).toHaveLength(3);
    // The prefetch was killed (it may have died before its shim logged it); the answer is the run's own.
    expect(logs().at(-1)).toContain('--since=2026-01-01 00:00:00');
  });

  it('is not used for another repository', async () => {
    const { r } = setup();
    const other = makeRepo();
    try {
      other.commit('PROJ-9 #time 1h elsewhere', { date: '2026-03-01T10:00:00+01:00' });
      prefetchCommits(r.dir, question);
      const commits = await readCommits(other.dir, question);
      // Had the prefetch been taken, these would be the first repository's commits.
      expect(commits.map((c) => c.subject)).toEqual(['PROJ-9 #time 1h elsewhere']);
    } finally {
      other.cleanup();
    }
  });

  it('hands the run git’s failure as the run’s own would be (an unborn HEAD reads as no commits)', async () => {
    const { logs } = setup();
    const empty = makeRepo();
    try {
      prefetchCommits(empty.dir, { grepTime: true });
      expect(await readCommits(empty.dir, { grepTime: true })).toEqual([]);
      expect(logs()).toHaveLength(1);
    } finally {
      empty.cleanup();
    }
  });
});

describe('the lean git runner', () => {
  it('returns an exit code the caller asked about, and fails with git’s own words otherwise', async () => {
    const r = makeRepo();
    repo = r;
    const unset = await runGit(['config', '--get', 'jlog.nothing'], { cwd: r.dir, env: r.env, okCodes: [1] });
    expect(unset.code).toBe(1);
    const err = await runGit(['rev-parse', '--verify', 'no-such-branch'], { cwd: r.dir, env: r.env }).catch(
      (e: unknown) => e,
    );
    expect(isJlogError(err, 'E_GIT')).toBe(true);
    expect((err as Error).message).toMatch(/^git rev-parse failed: /);
    expect((err as Error).message).not.toMatch(/fatal:/);
  });

  it('says a directory that does not exist does not exist (not that git is missing)', async () => {
    const gone = join(makeTempDir(), 'gone');
    const err = await runGit(['status'], { cwd: gone }).catch((e: unknown) => e);
    expect(isJlogError(err, 'E_GIT')).toBe(true);
    expect((err as Error).message).toBe(`git status failed: ${gone} does not exist`);
  });

  it('writes stdin to git', async () => {
    const r = makeRepo();
    repo = r;
    const out = await runGit(['hash-object', '--stdin'], { cwd: r.dir, env: r.env, input: 'hello\n' });
    expect(out.stdout.trim()).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });
});

describe('reading git log as it arrives', () => {
  const field = fc.string({ unit: fc.constantFrom('a', 'é', '€', '😀', '\n', ' ', '#', 'x') });
  const commitArb = fc.record({
    sha: fc.constantFrom('a'.repeat(40), 'b'.repeat(40), 'c'.repeat(64)),
    parents: fc.constantFrom('', 'd'.repeat(40), `${'d'.repeat(40)} ${'e'.repeat(40)}`),
    name: field,
    email: field,
    date: fc.constant('2026-11-27T09:05:00+01:00'),
    subject: field,
    body: field,
  });

  it('hands out the commits parseLogOutput reads, however the output is cut (inside a character too)', () => {
    fc.assert(
      fc.property(
        fc.array(commitArb, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (commits, cuts) => {
          // git separates commits with a NUL and ends the last one without.
          const raw = commits
            .map((c) => [c.sha, c.parents, c.name, c.email, c.date, c.subject, c.body].join('\0'))
            .join('\0');
          const bytes = Buffer.from(raw);
          const at = [...new Set(cuts.map((n) => n % (bytes.length + 1)))].sort((a, b) => a - b);
          const got: Commit[] = [];
          const stream = new LogStream((c) => got.push(c));
          let from = 0;
          for (const to of [...at, bytes.length]) {
            stream.push(bytes.subarray(from, to));
            from = to;
          }
          stream.end();
          expect(got).toEqual(parseLogOutput(raw));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives each commit to the caller before the read resolves, the same commits it returns', async () => {
    const r = makeRepo();
    repo = r;
    r.commit('PROJ-1 #time 1h one');
    r.commit('PROJ-2 #time 2h two');
    const seen: string[] = [];
    const commits = await readCommits(r.dir, { grepTime: true }, (c) => seen.push(c.sha));
    expect(seen).toEqual(commits.map((c) => c.sha));
    expect(commits).toEqual(await readCommits(r.dir, { grepTime: true }));
  });

  it('fails on output it cannot read (a field that is not a SHA, a commit cut short)', () => {
    const stream = new LogStream(() => undefined);
    expect(() => stream.push(Buffer.from(['nope', '', '', '', '', '', '', ''].join('\0')))).toThrow(
      /is not a SHA/,
    );
    const short = new LogStream(() => undefined);
    short.push(Buffer.from(['a'.repeat(40), 'x'].join('\0')));
    expect(() => short.end()).toThrow(/unexpected git log output/);
  });
});

describe('the early repoInfo of a sync', () => {
  it('answers the first repoInfo for its directory as a fresh one would, and no other', async () => {
    const a = makeRepo();
    repo = a;
    const b = makeRepo({ branch: 'trunk', email: 'b@example.com' });
    try {
      a.commit('one');
      b.commit('two');
      for (const [k, v] of Object.entries(a.env))
        if (k.startsWith('GIT_') || k === 'HOME') process.env[k] = v;
      const fresh = await repoInfo(a.dir);
      prefetchRepoInfo(a.dir);
      // Another directory does not take it (and uses it up: it is one-shot).
      expect((await repoInfo(b.dir)).top).toBe(b.dir);
      prefetchRepoInfo(a.dir);
      expect(await repoInfo(a.dir)).toEqual(fresh);
      prefetchRepoInfo(a.dir);
      // A caller that wants no user.email does not get one it did not ask for.
      expect((await repoInfo(a.dir, { userEmail: false })).userEmail).toBeNull();
      // A prefetch told that nobody here reads user.email is taken by any caller, without one.
      expect(fresh.userEmail).not.toBeNull();
      prefetchRepoInfo(a.dir, { userEmail: false });
      expect(await repoInfo(a.dir)).toEqual({ ...fresh, userEmail: null });
    } finally {
      b.cleanup();
    }
  });
});

describe('the early repoInfo of a sync for all authors', () => {
  it('runs no `git config user.email`: one process, not two', async () => {
    const { r } = setup();
    const calls = join(r.home, 'all-calls');
    const bin = join(r.home, 'bin2');
    mkdirSync(bin);
    writeFileSync(join(bin, 'git'), `#!/bin/sh\necho "$*" >> '${calls}'\nexec '${realGit()}' "$@"\n`);
    chmodSync(join(bin, 'git'), 0o755);
    process.env.PATH = `${bin}:${savedPath ?? ''}`;
    const ran = (): string[] =>
      readFileSync(calls, 'utf8')
        .split('\n')
        .filter((l) => l !== '');
    writeFileSync(calls, '');
    prefetchRepoInfo(r.dir, { userEmail: false });
    expect((await repoInfo(r.dir)).top).toBe(r.dir);
    expect(ran().filter((l) => / config /.test(` ${l} `))).toEqual([]);
    expect(ran()).toHaveLength(1);
    writeFileSync(calls, '');
    prefetchRepoInfo(r.dir);
    expect((await repoInfo(r.dir)).userEmail).not.toBeNull();
    expect(ran().filter((l) => l.includes('config --get user.email'))).toHaveLength(1);
  });
});
