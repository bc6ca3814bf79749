// The ledger index (src/ledger/ledger-index.ts): a fold read through the index, with the lines
// appended after it folded on top, must say exactly what the eager fold of the whole ledger says (the
// same records, order, listed records and counters); an index that is stale, torn, made by hand or a
// symlink is ignored, and the ledger still reads as it is.
import fc from 'fast-check';
import {
  appendFileSync,
  existsSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LedgerRecord } from '../src/core/types.js';
import {
  EMPTY_FOLD,
  LEDGER_STATES,
  foldText,
  isListed,
  serialize,
  viewOf,
  type Fold,
  type LedgerView,
} from '../src/ledger/fold.js';
import { Ledger } from '../src/ledger/ledger.js';
import { INDEX_FILE, encodeIndex, foldBytes, openIndexed } from '../src/ledger/ledger-index.js';
import { rec } from './helpers/ledger.js';
import { makeTempDir } from './helpers/repo.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = makeTempDir('jlog-index-');
  dirs.push(d);
  return d;
}

/** Everything a view says, each way it can be asked. */
function said(view: LedgerView, ids: readonly string[]) {
  return {
    get: ids.map((id) => view.get(id) ?? null),
    listed: view.listed(),
    size: view.size,
    invalid: view.invalid,
  };
}

function sameFold(lazy: Fold, eager: Fold, ids: readonly string[]): void {
  const l = viewOf(lazy);
  const e = viewOf(eager);
  // Asked by id first (the lazy path), then listed, then whole (which reads every line).
  expect(said(l, ids)).toEqual(said(e, ids));
  expect(l.listed()).toEqual(e.all().filter(isListed));
  expect([lazy.lines, lazy.invalid, lazy.size]).toEqual([eager.lines, eager.invalid, eager.size]);
  expect(l.all()).toEqual(e.all());
  expect(l.counts()).toEqual(e.counts());
}

// Few ids: re-stated ids, blind records and rewritten-away tokens are common; now and then a line
// that is not a record (hand-edited, a compaction header) or not ASCII.
const lineArb = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 0, max: 60 }),
        fc.constantFrom(...LEDGER_STATES, 'posted', 'posted'),
        fc.boolean(),
        fc.constantFrom('none', 'gone', 'orphan', 'heir'),
        fc.constantFrom('', 'fixed the login', 'naïve café ☕'),
      )
      .map(([id, state, blind, rewrite, comment]) =>
        JSON.stringify(
          rec(`s${id % 9}:${id}`, state, {
            comment,
            ...(state === 'posted' ? { worklogId: String(id) } : {}),
            ...(blind ? { ifNew: true } : {}),
            ...(rewrite === 'gone' ? { rewritten: { to: null, by: 'amend' } } : {}),
            ...(rewrite === 'orphan' ? { rewritten: { to: null, by: 'push' } } : {}),
            ...(rewrite === 'heir' ? { rewritten: { to: 'x:0', by: 'rebase' } } : {}),
          }),
        ),
      ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('nope', '', '{"id":"s1:1"}', '{"jlog":"ledger","v":1,"gen":"ab12"}'),
  },
);

const ids = Array.from({ length: 64 }, (_, id) => `s${id % 9}:${id}`).concat(['nowhere:0', '']);

describe('the ledger index', () => {
  it('foldBytes folds as foldText does', () => {
    fc.assert(
      fc.property(fc.array(lineArb, { maxLength: 300 }), (lines) => {
        const text = lines.map((l) => `${l}\n`).join('');
        const bytes = Buffer.from(text);
        const { fold, slots } = foldBytes(bytes, bytes.length);
        const eager = foldText(EMPTY_FOLD, text);
        sameFold(fold, eager, ids);
        // Each slot is the id's current line, at its first-seen position.
        const all = viewOf(eager).all();
        expect(slots.map((s) => s.record)).toEqual(all);
        for (const s of slots) {
          expect(JSON.parse(bytes.toString('utf8', s.at, s.at + s.len))).toEqual(s.record);
          expect(s.ord).toBe(all.findIndex((r) => r.id === s.record.id));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('an index of the first lines plus the lines appended since says what the whole fold says', async () => {
    const dir = tempDir();
    const ledger = join(dir, 'ledger.jsonl');
    const index = join(dir, INDEX_FILE);
    await fc.assert(
      fc.asyncProperty(
        fc.array(lineArb, { maxLength: 300 }),
        fc.array(lineArb, { maxLength: 60 }),
        async (prefix, tail) => {
          const head = prefix.map((l) => `${l}\n`).join('');
          const more = tail.map((l) => `${l}\n`).join('');
          rmSync(ledger, { force: true });
          writeFileSync(ledger, head);
          const bytes = Buffer.from(head);
          const { fold, slots } = foldBytes(bytes, bytes.length);
          const stamp = {
            ino: statSync(ledger).ino,
            offset: bytes.length,
            head: bytes.subarray(0, 64).toString('base64'),
          };
          writeFileSync(index, encodeIndex(stamp, fold, slots)!);
          appendFileSync(ledger, more);
          const got = await openIndexed(ledger, index, { maxBytes: 1 << 24, maxTail: 1 << 24 });
          expect(got).not.toBeNull();
          expect(got!.offset).toBe(bytes.length);
          const lazy = foldText(got!.fold, more);
          sameFold(lazy, foldText(EMPTY_FOLD, head + more), ids);
        },
      ),
      { numRuns: 150 },
    );
  });

  describe('beside a real ledger', () => {
    const SMALL = { indexMinBytes: 1 }; // every ledger is big enough to be indexed
    const posted = (i: number, extra: Partial<LedgerRecord> = {}) =>
      rec(`p${i}:0`, 'posted', { worklogId: String(i), ...extra });
    const some = (n: number) => [
      ...Array.from({ length: n }, (_, i) => posted(i)),
      rec('f:0', 'failed', { error: 'no such issue' }),
      posted(n, { rewritten: { to: null, by: 'amend' } }),
      rec('q:0', 'pending'),
    ];
    const probe = ['p0:0', 'p7:0', 'f:0', 'q:0', 'p40:0', 'nowhere:0'];

    async function seeded(n = 40): Promise<string> {
      const dir = tempDir();
      await Ledger.open(dir).append(some(n));
      return dir;
    }
    /** What a fresh process reads, and what the eager fold of the file says. */
    async function both(dir: string) {
      const view = await Ledger.open(dir, SMALL).read();
      const eager = viewOf(foldText(EMPTY_FOLD, readFileSync(join(dir, 'ledger.jsonl'), 'utf8')));
      return { lazy: said(view, probe), eager: said(eager, probe) };
    }

    it('is written by a whole read, and a later reader parses only what it asks for', async () => {
      const dir = await seeded(200);
      const first = await Ledger.open(dir, SMALL).read();
      expect(existsSync(join(dir, INDEX_FILE))).toBe(true);
      const parse = vi.spyOn(JSON, 'parse');
      try {
        const view = await Ledger.open(dir, SMALL).read();
        expect(view.get('p7:0')).toEqual(posted(7));
        expect(view.get('nowhere:0')).toBeUndefined();
        expect(view.listed()).toEqual(first.all().filter(isListed));
        expect(view.size).toBe(203);
        // The index's own first line, and the one record asked for: not 203 lines.
        expect(parse.mock.calls.length).toBeLessThan(10);
      } finally {
        parse.mockRestore();
      }
      const { lazy, eager } = await both(dir);
      expect(lazy).toEqual(eager);
    });

    it('folds what was appended after it, and writes a new one once too much was', async () => {
      const dir = await seeded();
      await Ledger.open(dir, SMALL).read();
      const before = readFileSync(join(dir, INDEX_FILE));
      await Ledger.open(dir).append([
        posted(7, { worklogId: 'changed' }),
        rec('q:0', 'posted', { worklogId: '9' }),
        rec('f:0', 'pending', { ifNew: true }), // blind: the known id keeps its state
        rec('new:0', 'failed'),
      ]);
      const { lazy, eager } = await both(dir);
      expect(lazy).toEqual(eager);
      expect(lazy.get[0]).toEqual(posted(0));
      expect(lazy.get[1]).toEqual(posted(7, { worklogId: 'changed' }));
      // A reader that would rather read whole (a tail over its limit) indexes the ledger again.
      const view = await Ledger.open(dir, { indexMinBytes: 2 }).read();
      expect(said(view, probe)).toEqual(eager);
      expect(readFileSync(join(dir, INDEX_FILE)).equals(before)).toBe(false);
    });

    it('a run that writes more records than the overlay holds still reads only what it asks for', async () => {
      const dir = await seeded(200);
      await Ledger.open(dir, SMALL).read();
      const ledger = Ledger.open(dir, SMALL);
      await ledger.read();
      const many = Array.from({ length: 2_100 }, (_, i) => rec(`run${i}:0`, 'pending'));
      const parse = vi.spyOn(JSON, 'parse');
      try {
        const seen = await ledger.update((view) => ({ records: many, result: view.get('p7:0') }));
        expect(seen).toEqual(posted(7));
        const after = await ledger.update((view) => ({ records: [], result: view.get('run2099:0')?.id }));
        expect(after).toBe('run2099:0');
        // Not the 203 lines of the indexed ledger: its records stay where the index points.
        expect(parse.mock.calls.length).toBeLessThan(20);
      } finally {
        parse.mockRestore();
      }
      const { lazy, eager } = await both(dir);
      expect(lazy).toEqual(eager);
    });

    it('serves updates and a compaction like the whole fold', async () => {
      const dir = await seeded();
      await Ledger.open(dir, SMALL).read();
      const ledger = Ledger.open(dir, SMALL);
      const seen = await ledger.update((view) => ({
        records: [posted(3, { rewritten: { to: null, by: 'amend' } }), rec('z:0', 'skipped')],
        result: [view.get('p3:0'), view.listed().map((r) => r.id)],
      }));
      expect(seen).toEqual([posted(3), ['f:0', 'p40:0', 'q:0']]);
      expect((await ledger.read()).listed().map((r) => r.id)).toEqual(['p3:0', 'f:0', 'p40:0', 'q:0', 'z:0']);
      const { lazy, eager } = await both(dir);
      expect(lazy).toEqual(eager);
      await ledger.compact();
      const after = await both(dir);
      expect(after.lazy).toEqual(after.eager);
      expect(after.lazy).toEqual(eager);
    });

    it('is ignored when it is torn, garbage, made by hand, of a replaced ledger or a symlink', async () => {
      const dir = await seeded();
      const want = (await both(dir)).eager;
      await Ledger.open(dir, SMALL).read();
      const path = join(dir, INDEX_FILE);
      const good = readFileSync(path);
      const nl = good.indexOf(0x0a, 65);
      const meta = JSON.parse(good.toString('utf8', 65, nl)) as Record<string, unknown>;
      // Made by hand with its checksum right: the listed failed token's entry points at a posted line.
      const text = readFileSync(join(dir, 'ledger.jsonl'), 'latin1');
      const p3 = JSON.stringify(posted(3));
      const listed = meta.listed as number[][];
      const forged = JSON.stringify({
        ...meta,
        listed: [[listed[0]![0], text.indexOf(p3), p3.length], ...listed.slice(1)],
      });
      const rest = Buffer.concat([Buffer.from(`${forged}\n`), good.subarray(nl + 1)]);
      const sum = createHash('sha256').update(rest).digest('hex');
      const lies: Buffer[] = [
        good.subarray(0, good.length - 5), // torn
        Buffer.from('garbage\n'),
        Buffer.concat([Buffer.from('0'.repeat(64)), good.subarray(64)]), // another checksum
        Buffer.concat([Buffer.from(`${sum}\n`), rest]),
      ];
      for (const [i, lie] of lies.entries()) {
        writeFileSync(path, lie);
        expect((await both(dir)).lazy, `lie ${i}`).toEqual(want);
        // A whole read wrote a good one again (the forged one checks out, so it stays until then).
        if (i < 3) expect(readFileSync(path).equals(good)).toBe(true);
      }
      // The ledger replaced by another with the same bytes (a restore): another inode.
      const file = join(dir, 'ledger.jsonl');
      writeFileSync(`${file}.copy`, readFileSync(file));
      renameSync(`${file}.copy`, file);
      expect((await both(dir)).lazy).toEqual(want);
      const elsewhere = join(tempDir(), 'target');
      writeFileSync(elsewhere, good);
      rmSync(path);
      symlinkSync(elsewhere, path);
      expect((await both(dir)).lazy).toEqual(want);
      expect(statSync(path).isFile()).toBe(true);
      expect(readFileSync(elsewhere).equals(good)).toBe(true);
    });

    it('a line edited by hand under the index is read whole, never fatal', async () => {
      const dir = await seeded();
      await Ledger.open(dir, SMALL).read();
      const file = join(dir, 'ledger.jsonl');
      const text = readFileSync(file, 'utf8');
      // Same length, no longer a record: the index still points at it.
      const line = JSON.stringify(posted(7));
      writeFileSync(file, text.replace(line, 'x'.repeat(line.length)));
      const { lazy, eager } = await both(dir);
      // The records are the file's as it is now (the counters are the index's until a whole read).
      expect([lazy.get, lazy.listed]).toEqual([eager.get, eager.listed]);
      expect(lazy.get[1]).toBeNull();
    });

    it("a compaction removes the temp files of a cache writer that was killed, and the ledger's own", async () => {
      const dir = await seeded();
      const temps = [
        'ledger-index.tmp-0123456789abcdef',
        'status-snapshot.tmp-fedcba9876543210',
        'ledger.jsonl.1234.tmp',
      ];
      for (const t of temps) writeFileSync(join(dir, t), 'half written');
      writeFileSync(join(dir, 'ledger-index.tmp-notmine'), 'kept');
      await Ledger.open(dir).compact();
      for (const t of temps) expect(existsSync(join(dir, t)), t).toBe(false);
      expect(existsSync(join(dir, 'ledger-index.tmp-notmine'))).toBe(true);
    });

    it('is not written for a small ledger', async () => {
      const dir = await seeded(3);
      await Ledger.open(dir).read();
      expect(existsSync(join(dir, INDEX_FILE))).toBe(false);
      expect(serialize(some(3)).length).toBeLessThan(256 * 1024);
    });
  });
});
