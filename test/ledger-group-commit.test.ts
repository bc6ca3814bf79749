// Group commit (issue 13): updates queued while the lock is busy are written together, yet each one
// behaves as if it ran alone under the lock, and none resolves before its records are on disk.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Ledger, ledgerDirFor } from '../src/ledger/ledger.js';
import { makeTempDir } from './helpers/repo.js';
import { rec } from './helpers/ledger.js';

let root: string;
let dir: string;
const lines = () =>
  readFileSync(join(dir, 'ledger.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; seconds: number });

beforeEach(() => {
  root = makeTempDir('jlog-ledger-group-');
  dir = ledgerDirFor(join(root, '.git'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

it('concurrent read-modify-writes each see the ones before them: a counter counts every one', async () => {
  const ledger = Ledger.open(dir);
  const n = 40;
  const seen = await Promise.all(
    Array.from({ length: n }, () =>
      ledger.update((view) => {
        const count = view.get('counter:0')?.seconds ?? 0;
        return { records: [rec('counter:0', 'pending', { seconds: count + 1 })], result: count };
      }),
    ),
  );
  // Every update saw a different count, in call order, and the last state is n.
  expect(seen).toEqual(Array.from({ length: n }, (_, i) => i));
  expect((await Ledger.open(dir).read()).get('counter:0')?.seconds).toBe(n);
  expect(lines()).toHaveLength(n);
});

it('resolves only once its records are on disk, and a throwing update fails alone', async () => {
  const ledger = Ledger.open(dir);
  const first = ledger.append([rec('a:0')]);
  // The expectation is attached at once: the rejection comes while `first` is awaited.
  const bad = expect(
    ledger.update(() => {
      throw new Error('boom');
    }),
  ).rejects.toThrow('boom');
  const after = ledger.update((view) => ({ records: [rec('b:0')], result: view.get('a:0')?.id }));
  await first;
  expect(lines().map((l) => l.id)).toContain('a:0');
  await bad;
  expect(await after).toBe('a:0');
  expect(lines().map((l) => l.id)).toEqual(['a:0', 'b:0']);
});

it('lingering updates wait to share one write; each still sees the ones before it', async () => {
  const ledger = Ledger.open(dir);
  const started = Date.now();
  const writes = [1, 2, 3].map((n) =>
    ledger.update((view) => ({ records: [rec(`t:${n}`)], result: view.get(`t:${n - 1}`)?.id ?? null }), {
      lingerMs: 300,
    }),
  );
  await new Promise((r) => setTimeout(r, 100));
  // Nothing is written while the batch lingers (a posting run's answers of the moment gather).
  expect(() => lines()).toThrow();
  expect(await Promise.all(writes)).toEqual([null, 't:1', 't:2']);
  expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  expect(lines().map((l) => l.id)).toEqual(['t:1', 't:2', 't:3']);
});

it('an update that does not linger starts a lingering batch at once', async () => {
  const ledger = Ledger.open(dir);
  const started = Date.now();
  const lingering = ledger.update(() => ({ records: [rec('a:0')], result: null }), { lingerMs: 10_000 });
  await ledger.update((view) => ({ records: [rec('b:0')], result: view.get('a:0')?.id }));
  await lingering;
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(lines().map((l) => l.id)).toEqual(['a:0', 'b:0']);
});
