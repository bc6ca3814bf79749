// The pure fold: incremental folding (base + overlay, merged past a threshold) must always equal the
// naive "last record of each id, in first-seen order", and parsing must treat every line on its own.
import fc from 'fast-check';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../src/core/types.js';
import {
  EMPTY_FOLD,
  LEDGER_STATES,
  foldRecords,
  foldText,
  isListed,
  needsCompaction,
  parseLines,
  serialize,
  viewOf,
  type Fold,
} from '../src/ledger/fold.js';
import { encodeIndex, foldBytes, openIndexed } from '../src/ledger/ledger-index.js';
import { rec } from './helpers/ledger.js';
import { makeTempDir } from './helpers/repo.js';

const scratch = makeTempDir('jlog-fold-');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The fold of `text` as a reader finds it through an index of it (written to and read from disk). */
async function indexed(text: string): Promise<Fold> {
  const ledger = join(scratch, 'ledger.jsonl');
  const index = join(scratch, 'ledger-index');
  rmSync(ledger, { force: true });
  writeFileSync(ledger, text);
  const bytes = Buffer.from(text);
  const { fold, slots } = foldBytes(bytes, bytes.length);
  const head = bytes.subarray(0, 64).toString('base64');
  writeFileSync(index, encodeIndex({ ino: statSync(ledger).ino, offset: bytes.length, head }, fold, slots)!);
  const got = await openIndexed(ledger, index, { maxBytes: 1 << 26, maxTail: 0 });
  expect(got).not.toBeNull();
  return got!.fold;
}

function naive(records: LedgerRecord[]): LedgerRecord[] {
  const map = new Map<string, LedgerRecord>();
  for (const r of records) if (!(r.ifNew && map.has(r.id))) map.set(r.id, r);
  return [...map.values()];
}

const recordArb = fc
  .tuple(
    fc.integer({ min: 0, max: 400 }),
    fc.constantFrom(...LEDGER_STATES),
    fc.integer({ min: 0, max: 99 }),
    fc.boolean(),
  )
  .map(([id, state, w, blind]) =>
    rec(`s${id % 37}:${id}`, state, {
      worklogId: String(w),
      ...(blind && w % 3 === 0 ? { ifNew: true } : {}),
    }),
  );

describe('fold', () => {
  it("a blind record (post-commit's) counts only for an id with no record yet", () => {
    const posted = rec('a:0', 'posted', { worklogId: '7' });
    const blind = rec('a:0', 'pending', { ifNew: true });
    const view = viewOf(foldText(foldRecords(EMPTY_FOLD, [posted]), serialize([blind])));
    expect(view.get('a:0')).toEqual(posted);
    expect(viewOf(foldRecords(EMPTY_FOLD, [blind])).get('a:0')?.state).toBe('pending');
  });

  it('folding batch by batch equals the naive fold, and earlier views never change', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(recordArb, { maxLength: 900 }), { maxLength: 12 }),
        async (batches) => {
          let fold: Fold = EMPTY_FOLD;
          const seen: LedgerRecord[] = [];
          const views: [ReturnType<typeof viewOf>, LedgerRecord[]][] = [];
          for (const batch of batches) {
            fold = batch.length % 2 ? foldRecords(fold, batch) : foldText(fold, serialize(batch));
            seen.push(...batch);
            const expected = naive(seen);
            const view = viewOf(fold);
            views.push([view, expected]);
            expect(view.all()).toEqual(expected);
            expect(view.size).toBe(expected.length);
            expect(fold.lines).toBe(seen.length);
          }
          for (const [view, expected] of views) {
            expect(view.all()).toEqual(expected);
            for (const r of expected.slice(0, 5)) expect(view.get(r.id)).toEqual(r);
            const sha = expected[0]?.sha;
            if (sha !== undefined) {
              const ns = view.bySha(sha).map((r) => Number(r.id.split(':')[1]));
              expect(ns).toEqual([...ns].sort((a, b) => a - b));
              expect(ns).toHaveLength(expected.filter((r) => r.sha === sha).length);
            }
            const counts = view.counts();
            for (const s of LEDGER_STATES)
              expect(counts[s]).toBe(expected.filter((r) => r.state === s).length);
          }
          // The lazy fold (ledger-index.ts): an index of the first half of the lines, the rest folded on
          // top, read by id first, gives the same state as the eager fold.
          const lines = serialize(seen);
          const half = lines.indexOf('\n', lines.length >> 1) + 1;
          const lazy = foldText(await indexed(lines.slice(0, half)), lines.slice(half));
          const eager = viewOf(fold);
          const asked = [
            ...naive(seen)
              .slice(0, 50)
              .map((r) => r.id),
            's0:none',
          ];
          expect(asked.map((id) => viewOf(lazy).get(id))).toEqual(asked.map((id) => eager.get(id)));
          expect(viewOf(lazy).listed()).toEqual(eager.all().filter(isListed));
          expect(viewOf(lazy).all()).toEqual(eager.all());
          expect([lazy.size, lazy.lines, lazy.invalid]).toEqual([fold.size, fold.lines, fold.invalid]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('each line stands on its own', () => {
    const good = JSON.stringify(rec('a:0'));
    const cases: [string, number, number][] = [
      // text, records, invalid
      [`${good}\n`, 1, 0],
      [`${good}\n${good}\n`, 2, 0],
      [`${good}\n\n${good}\n`, 2, 0], // empty line: ignored
      [`${good}\nnope\n${good}\n`, 2, 1],
      [`${good},${good}\n`, 0, 1], // two records glued on one line are not a record
      [`${good},${good}\n[1\n2]\n`, 0, 3],
      [`{"jlog":"ledger","v":1,"gen":"ab"}\n${good}\n`, 1, 0], // the compaction header
      [`${JSON.stringify({ ...rec('b:0'), seconds: '60' })}\n`, 0, 1],
      ['', 0, 0],
    ];
    for (const [text, records, invalid] of cases) {
      const got = parseLines(text);
      expect([got.records.length, got.invalid], JSON.stringify(text)).toEqual([records, invalid]);
    }
  });

  it('compaction is due past 10k lines holding more than 2× the live ids', () => {
    const fold = (lines: number, size: number): Fold => ({ ...EMPTY_FOLD, lines, size });
    expect(needsCompaction(fold(10_001, 5_000))).toBe(true);
    expect(needsCompaction(fold(10_000, 10))).toBe(false);
    expect(needsCompaction(fold(30_000, 15_000))).toBe(false);
    expect(needsCompaction(fold(30_001, 15_000))).toBe(true);
  });
});
