// A sync over a ledger big enough to be read through its index (src/ledger/ledger-index.ts), end to end:
// the built CLI plans and posts exactly as with the ledger read whole, whether the index is fresh, made
// by the run itself, garbage or gone, and a posting run through it records what it posted once.
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/server.js';
import { INDEX_FILE } from '../src/ledger/ledger-index.js';
import { runJlog } from './helpers/cli.js';
import { markerCounts, sandboxFor } from './helpers/jira.js';
import { makeRepo, type TempRepo } from './helpers/repo.js';

let repo: TempRepo | undefined;
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  repo?.cleanup();
  repo = undefined;
});

const recent = (daysAgo: number): string =>
  `${new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10)}T10:00:00+01:00`;

/** Years of other commits' posted worklogs: well past the size from which the ledger is indexed. */
function oldEntries(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) {
    const sha = i.toString(16).padStart(40, 'a');
    out += `${JSON.stringify({
      id: `${sha}:0`,
      sha,
      issue: `OLD-${1 + (i % 50)}`,
      seconds: 3600,
      state: 'posted',
      at: '2024-01-01T10:00:00.000Z',
      comment: `old work number ${i}`,
      worklogId: String(i),
    })}\n`;
  }
  return out;
}

describe('a sync over an indexed ledger', () => {
  it('plans and posts as with the ledger read whole', async () => {
    const r = makeRepo();
    repo = r;
    const posted = r.commit('PROJ-1 #time 1h already on Jira', { date: recent(3) });
    const failed = r.commit('PROJ-2 #time 2h wrong key', { date: recent(2) });
    r.commit('PROJ-3 #time 30m new work\nPROJ-4 #time 15m more', { date: recent(1) });
    const s = await sandboxFor(r);
    sandbox = s.sandbox;
    const env = s.env;
    const dir = join(r.dir, '.git', 'jlog');
    mkdirSync(dir, { recursive: true });
    const ledger = join(dir, 'ledger.jsonl');
    const rec = (sha: string, extra: object) =>
      `${JSON.stringify({ id: `${sha}:0`, sha, seconds: 3600, at: '2026-01-01T10:00:00.000Z', ...extra })}\n`;
    writeFileSync(
      ledger,
      oldEntries(2_000) +
        rec(posted, { issue: 'PROJ-1', state: 'posted', worklogId: '77' }) +
        rec(failed, {
          issue: 'PROJ-2',
          state: 'failed',
          error: 'issue does not exist',
          code: 'E_JIRA_NOT_FOUND',
        }) +
        'not a record\n',
    );
    expect(readFileSync(ledger).length).toBeGreaterThan(256 * 1024);
    const dry = async () => {
      const got = await runJlog(['sync', '--dry-run', '--offline', '--all-authors', '--json'], {
        cwd: r.dir,
        env,
      });
      expect(got.code).toBe(0);
      return JSON.parse(got.stdout) as Record<string, { issue: string; worklogId?: string }[]>;
    };

    const whole = await dry(); // reads the ledger whole, and indexes it
    expect(existsSync(join(dir, INDEX_FILE))).toBe(true);
    expect(whole.planned!.map((w) => w.issue)).toEqual(['PROJ-3', 'PROJ-4']);
    expect(whole.alreadyLogged!.map((w) => [w.issue, w.worklogId])).toEqual([['PROJ-1', '77']]);
    expect(whole.failed!.map((w) => w.issue)).toEqual(['PROJ-2']);
    // Through the index: a run that read the ledger whole would have written a new one (a new inode).
    const ino = () => statSync(join(dir, INDEX_FILE)).ino;
    const indexed = ino();
    expect(await dry()).toEqual(whole);
    expect(ino()).toBe(indexed);
    writeFileSync(join(dir, INDEX_FILE), 'garbage\n');
    const garbage = ino();
    expect(await dry()).toEqual(whole);
    expect(ino()).not.toBe(garbage);
    rmSync(join(dir, INDEX_FILE));
    expect(await dry()).toEqual(whole);
    // A line appended after the index (a hook's pending record of a commit made meanwhile) counts too.
    const later = r.commit('PROJ-5 #time 1h after the index', { date: recent(0) });
    appendFileSync(ledger, rec(later, { issue: 'PROJ-5', state: 'pending', seconds: 3600 }));
    const withLater = await dry();
    expect(withLater.planned!.map((w) => w.issue)).toEqual(['PROJ-3', 'PROJ-4', 'PROJ-5']);

    // Posting through the index: each new token once, recorded, and nothing on the second run.
    const first = await runJlog(['sync', '--all-authors', '--json'], { cwd: r.dir, env });
    expect(JSON.parse(first.stdout).posted.map((w: { issue: string }) => w.issue)).toEqual([
      'PROJ-3',
      'PROJ-4',
      'PROJ-5',
    ]);
    const second = await runJlog(['sync', '--all-authors', '--json'], { cwd: r.dir, env });
    expect(JSON.parse(second.stdout).posted).toEqual([]);
    expect(JSON.parse(second.stdout).alreadyLogged).toHaveLength(4);
    expect([...markerCounts(s.sandbox).values()]).toEqual([1, 1, 1]);
  });
});
