// The post-commit fast path reads HEAD from the object store: it must say exactly what git log says.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { layoutAt, readCommit, readHeadCommit, repoInfo } from '../src/git/index.js';
import { makeRepo, type TempRepo } from './helpers/repo.js';

let repo: TempRepo;
afterEach(() => repo?.cleanup());

describe('HEAD from the object store', () => {
  it.each([
    ['a plain message', 'PROJ-1 #time 1h fix', '2026-03-29T01:30:00+01:00'],
    ['a negative offset and a body', 'Subject line\n\nPROJ-2 #time 30m body\n', '2026-11-01T23:59:59-05:30'],
    ['CRLF and unicode', 'PROJ-3 #time 2h café ✓\r\nsecond line\r\n', '2026-01-01T00:00:00+00:00'],
    ['a two-line first paragraph', 'first part\nof the subject\n\nbody', '2026-06-15T12:00:00+14:00'],
  ])('matches git log for %s', (_name, message, date) => {
    repo = makeRepo();
    repo.commit('base');
    repo.commit(message, { date, email: 'Someone@Example.com', name: 'Søme One' });
    const layout = layoutAt(repo.dir, {})!;
    const fast = readHeadCommit(layout)!;
    expect(fast).not.toBeNull();
    return readCommit(repo.dir, 'HEAD').then((slow) => {
      expect(fast.commit).toEqual(slow);
      expect(fast.committerEmail).toBe('dev@example.com');
    });
  });

  it('agrees with git on the layout, in a linked worktree too', async () => {
    repo = makeRepo();
    repo.commit('base');
    const wt = join(repo.dir, '..', 'wt');
    repo.git('worktree', 'add', '-q', '-b', 'feature/PROJ-5', wt);
    const info = await repoInfo(wt);
    const layout = layoutAt(wt, {})!;
    expect(layout).toMatchObject({
      top: wt,
      gitDir: info.gitDir,
      commonDir: info.commonDir,
      branch: 'feature/PROJ-5',
    });
  });

  it('answers null (ask git) for a packed object, and follows packed refs', async () => {
    repo = makeRepo();
    repo.commit('PROJ-1 #time 1h');
    repo.git('gc', '-q', '--prune=now');
    expect(readHeadCommit(layoutAt(repo.dir, {})!)).toBeNull();
    repo.commit('PROJ-2 #time 1h after gc');
    repo.git('pack-refs', '--all');
    const fast = readHeadCommit(layoutAt(repo.dir, {})!);
    expect(fast?.commit).toEqual(await readCommit(repo.dir, 'HEAD'));
  });

  it('answers null outside a repository', () => {
    repo = makeRepo();
    const dir = join(repo.home, 'plain');
    mkdirSync(dir);
    writeFileSync(join(dir, 'x'), '');
    expect(layoutAt(dir, {})).toBeNull();
  });
});
