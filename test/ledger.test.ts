// The ledger in one process, on real files: fold semantics, torn and invalid lines, compaction, caches,
// the locks' in-process behaviour.
import {
  appendFileSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isJlogError } from '../src/errors.js';
import { Ledger, ledgerDirFor } from '../src/ledger/ledger.js';
import { makeTempDir } from './helpers/repo.js';
import { rec } from './helpers/ledger.js';

let root: string;
let dir: string;
const file = () => join(dir, 'ledger.jsonl');
const lines = () => readFileSync(file(), 'utf8').split('\n').filter(Boolean);

beforeEach(() => {
  root = makeTempDir('jlog-ledger-');
  dir = ledgerDirFor(join(root, '.git'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('reading', () => {
  it('a missing ledger (and a missing dir) is an empty view', async () => {
    const view = await Ledger.open(dir).read();
    expect(view.size).toBe(0);
    expect(view.all()).toEqual([]);
    expect(view.counts()).toEqual({ pending: 0, posted: 0, failed: 0, skipped: 0, undone: 0 });
    expect(() => statSync(dir)).toThrow();
  });

  it('ledgerDirFor is <common dir>/jlog', () => {
    expect(ledgerDirFor('/x/.git')).toBe(join('/x/.git', 'jlog'));
  });

  it('folds to the last record of each id, in first-seen order', async () => {
    const ledger = Ledger.open(dir);
    await ledger.append([rec('a:0'), rec('b:0'), rec('a:1')]);
    await ledger.append([rec('b:0', 'skipped'), rec('a:0', 'posted', { worklogId: '10' })]);
    await ledger.append([rec('b:0', 'failed', { error: 'Issue does not exist', code: 'E_JIRA_NOT_FOUND' })]);
    const view = await Ledger.open(dir).read();
    expect(view.all().map((r) => [r.id, r.state])).toEqual([
      ['a:0', 'posted'],
      ['b:0', 'failed'],
      ['a:1', 'pending'],
    ]);
    expect(view.get('a:0')?.worklogId).toBe('10');
    expect(view.get('b:0')?.error).toBe('Issue does not exist');
    expect(view.get('nope:0')).toBeUndefined();
    expect(view.size).toBe(3);
    expect(view.counts()).toEqual({ pending: 1, posted: 1, failed: 1, skipped: 0, undone: 0 });
  });

  it('bySha returns a commit’s current records ordered by n', async () => {
    const ledger = Ledger.open(dir);
    await ledger.append([rec('c:10'), rec('c:2'), rec('d:0'), rec('c:0'), rec('c:2', 'skipped')]);
    const view = await ledger.read();
    expect(view.bySha('c').map((r) => [r.id, r.state])).toEqual([
      ['c:0', 'pending'],
      ['c:2', 'skipped'],
      ['c:10', 'pending'],
    ]);
    expect(view.bySha('none')).toEqual([]);
  });

  it('creates the dir 0700 and the file 0600 on first write', async () => {
    await Ledger.open(dir).append([rec('a:0')]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
  });

  it('skips invalid lines and records without the required fields, without crashing', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      file(),
      [
        JSON.stringify(rec('a:0')),
        'not json',
        '{"id":"x:0"}',
        JSON.stringify({ ...rec('y:0'), state: 'bogus' }),
        '[1,2]',
        '',
        JSON.stringify(rec('a:0', 'posted')),
      ].join('\n') + '\n',
    );
    const view = await Ledger.open(dir).read();
    expect(view.all().map((r) => [r.id, r.state])).toEqual([['a:0', 'posted']]);
    expect(view.invalid).toBe(4);
  });
});

describe('torn tail', () => {
  it('a half-written last line is ignored on read and cut off by the next writer', async () => {
    const ledger = Ledger.open(dir);
    await ledger.append([rec('a:0'), rec('b:0')]);
    const half = JSON.stringify(rec('z:9', 'posted')).slice(0, 30);
    appendFileSync(file(), half);

    const view = await Ledger.open(dir).read();
    expect(view.get('z:9')).toBeUndefined();
    expect(view.size).toBe(2);

    await Ledger.open(dir).append([rec('c:0')]);
    const text = readFileSync(file(), 'utf8');
    expect(text).not.toContain(half);
    expect(text.endsWith('\n')).toBe(true);
    expect(lines().map((l) => JSON.parse(l).id)).toEqual(['a:0', 'b:0', 'c:0']);
  });

  it('a complete JSON line missing only its newline is still torn (the write never finished)', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file(), JSON.stringify(rec('a:0')) + '\n' + JSON.stringify(rec('a:0', 'posted')));
    const ledger = Ledger.open(dir);
    expect((await ledger.read()).get('a:0')?.state).toBe('pending');
    await ledger.append([rec('b:0')]);
    expect(lines()).toHaveLength(2);
  });

  it('a file that is nothing but a torn line reads empty and is repaired', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file(), '{"id":"a:0","sha');
    const ledger = Ledger.open(dir);
    expect((await ledger.read()).size).toBe(0);
    await ledger.append([rec('b:0')]);
    expect(lines()).toEqual([JSON.stringify(rec('b:0'))]);
    expect((await ledger.read()).all().map((r) => r.id)).toEqual(['b:0']);
  });

  it('a reader that saw the torn line picks up the repaired records later', async () => {
    const reader = Ledger.open(dir);
    await Ledger.open(dir).append([rec('a:0')]);
    appendFileSync(file(), '{"id":"tor');
    expect((await reader.read()).size).toBe(1);
    await Ledger.open(dir).append([rec('b:0'), rec('a:0', 'posted')]);
    const view = await reader.read();
    expect(view.all().map((r) => [r.id, r.state])).toEqual([
      ['a:0', 'posted'],
      ['b:0', 'pending'],
    ]);
  });
});

describe('incremental reads', () => {
  it('one instance sees what another appended, and a compaction done by another', async () => {
    const a = Ledger.open(dir);
    const b = Ledger.open(dir);
    await a.append([rec('a:0'), rec('a:1')]);
    expect((await b.read()).size).toBe(2);
    await a.append([rec('a:0', 'posted'), rec('a:2')]);
    const v = await b.read();
    expect(v.size).toBe(3);
    expect(v.get('a:0')?.state).toBe('posted');
    await a.compact();
    await a.append([rec('a:1', 'failed')]);
    const after = await b.read();
    expect(after.all().map((r) => [r.id, r.state])).toEqual([
      ['a:0', 'posted'],
      ['a:1', 'failed'],
      ['a:2', 'pending'],
    ]);
  });

  it('a view already returned does not change when the ledger does', async () => {
    const ledger = Ledger.open(dir);
    await ledger.append([rec('a:0')]);
    const before = await ledger.read();
    await ledger.append([rec('a:0', 'posted'), rec('b:0')]);
    expect(before.get('a:0')?.state).toBe('pending');
    expect(before.size).toBe(1);
    expect((await ledger.read()).size).toBe(2);
  });
});

describe('update', () => {
  it('hands the current view to fn and appends its records', async () => {
    const ledger = Ledger.open(dir);
    await ledger.append([rec('a:0'), rec('b:0')]);
    await Ledger.open(dir).append([rec('c:0')]); // another writer: update must still see it
    const claimed = await ledger.update((view) => {
      const pending = view.all().filter((r) => r.state === 'pending');
      return { records: pending.map((r) => ({ ...r, state: 'skipped' as const })), result: pending.length };
    });
    expect(claimed).toBe(3);
    expect((await Ledger.open(dir).read()).counts().skipped).toBe(3);
    const none = await ledger.update(() => ({ records: [], result: 'x' }));
    expect(none).toBe('x');
    expect(lines()).toHaveLength(6);
  });

  it('an exception in fn writes nothing and releases the lock', async () => {
    const ledger = Ledger.open(dir);
    await ledger.append([rec('a:0')]);
    await expect(
      ledger.update(() => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await ledger.append([rec('b:0')]);
    expect(lines()).toHaveLength(2);
  });
});

describe('compaction', () => {
  it('preserves the folded state and leaves one record per id', async () => {
    const ledger = Ledger.open(dir);
    for (let i = 0; i < 5; i++) {
      await ledger.append([rec('a:0', i % 2 ? 'skipped' : 'pending'), rec(`b:${i}`), rec('c:0', 'failed')]);
    }
    await ledger.append([rec('a:0', 'posted', { worklogId: '7', comment: 'ünïcødé ✓' })]);
    const before = (await Ledger.open(dir).read()).all();
    await ledger.compact();
    const after = await Ledger.open(dir).read();
    expect(after.all()).toEqual(before);
    expect(lines()).toHaveLength(before.length + 1); // + the header line
    expect(JSON.parse(lines()[0]!)).toMatchObject({ jlog: 'ledger', v: 1 });
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await ledger.append([rec('d:0')]);
    expect((await Ledger.open(dir).read()).size).toBe(before.length + 1);
  });

  it('runs by itself once superseded records pile up (> 10k lines, > 2× live ids)', async () => {
    const ledger = Ledger.open(dir);
    await ledger.read(); // the instance knows the file, so it can tell when compaction is due
    const states = ['pending', 'skipped', 'posted'] as const;
    for (let round = 0; round < 40; round++) {
      await ledger.append(Array.from({ length: 300 }, (_, i) => rec(`s${i}:0`, states[round % 3])));
    }
    const count = lines().length;
    expect(count).toBeLessThan(10_000);
    const view = await Ledger.open(dir).read();
    expect(view.size).toBe(300);
    expect(view.counts().pending).toBe(300); // round 39 wrote 'pending'
  });

  it('compacting a missing ledger is a no-op', async () => {
    await Ledger.open(dir).compact();
    expect(readdirSync(dir).filter((n) => n.startsWith('ledger.jsonl'))).toEqual([]);
  });
});

describe('caches', () => {
  it('round trip, with the time written', async () => {
    const ledger = Ledger.open(dir);
    expect(await ledger.folder.readCache('timetracking')).toBeNull();
    const t0 = Date.now();
    await ledger.folder.writeCache('timetracking', { hoursPerDay: 8, daysPerWeek: 5 });
    const got = await Ledger.open(dir).folder.readCache<{ hoursPerDay: number }>('timetracking');
    expect(got?.value).toEqual({ hoursPerDay: 8, daysPerWeek: 5 });
    expect(got!.at).toBeGreaterThanOrEqual(t0);
    await ledger.folder.writeCache('timetracking', 'replaced');
    expect((await ledger.folder.readCache('timetracking'))?.value).toBe('replaced');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('a corrupt cache is a miss; a bad name is refused', async () => {
    const ledger = Ledger.open(dir);
    await ledger.folder.writeCache('w', 1);
    writeFileSync(join(dir, 'cache-w.json'), '{"at":');
    expect(await ledger.folder.readCache('w')).toBeNull();
    await expect(ledger.folder.writeCache('../evil', 1)).rejects.toSatisfy((e) =>
      isJlogError(e, 'E_INTERNAL'),
    );
  });

  it('logPath is in the ledger dir', () => {
    const ledger = Ledger.open(dir);
    expect(ledger.folder.logPath()).toBe(join(dir, 'jlog.log'));
    expect(ledger.folder.logPath('other.log')).toBe(join(dir, 'other.log'));
  });
});

describe('post lock in one process', () => {
  it('wait:false gets null while held, the lock again once released', async () => {
    const a = Ledger.open(dir);
    const b = Ledger.open(dir);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inside!: () => void;
    const entered = new Promise<void>((r) => (inside = r));
    const holder = a.folder.withLock(
      'post',
      async (signal) => {
        expect(signal.aborted).toBe(false);
        inside();
        await held;
        return 'first';
      },
      { wait: false },
    );
    await entered;
    expect(await b.folder.withLock('post', async () => 'second', { wait: false })).toBeNull();
    const err = await b.folder
      .withLock('post', async () => 'second', { wait: true, timeoutMs: 300 })
      .catch((e) => e);
    expect(isJlogError(err, 'E_LEDGER_LOCKED')).toBe(true);
    expect((err as { hint?: string }).hint).toMatch(/another jlog/);
    release();
    expect(await holder).toBe('first');
    expect(await b.folder.withLock('post', async () => 'second', { wait: false })).toBe('second');
  });

  it('a waiter gets the lock when the holder finishes, and fn errors release it', async () => {
    const a = Ledger.open(dir);
    const order: string[] = [];
    const first = a.folder.withLock(
      'post',
      async () => {
        await new Promise((r) => setTimeout(r, 100));
        order.push('first');
        throw new Error('poster failed');
      },
      { wait: false },
    );
    await new Promise((r) => setTimeout(r, 20));
    const second = Ledger.open(dir).folder.withLock('post', async () => order.push('second'), { wait: true });
    await expect(first).rejects.toThrow('poster failed');
    await second;
    expect(order).toEqual(['first', 'second']);
  });

  it('a lost lock aborts the holder’s signal instead of crashing the process', async () => {
    const aborted = await Ledger.open(dir).folder.withLock(
      'post',
      async (signal) => {
        rmSync(join(dir, 'post.lock'), { recursive: true }); // as if another process took it over
        for (let i = 0; i < 50 && !signal.aborted; i++) await new Promise((r) => setTimeout(r, 100));
        return signal.aborted;
      },
      { wait: false },
    );
    expect(aborted).toBe(true);
    expect(await Ledger.open(dir).folder.withLock('post', async () => 'again', { wait: false })).toBe(
      'again',
    );
  });

  it('appends from one instance queue in order', async () => {
    const ledger = Ledger.open(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.append([rec(`q:${i}`)])));
    expect((await ledger.read()).size).toBe(20);
    expect(lines()).toHaveLength(20);
  });
});
