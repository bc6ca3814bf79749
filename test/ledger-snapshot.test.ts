// The status snapshot (src/ledger/summary.ts, snapshot.ts): a summary folded from a snapshot plus the
// lines appended after it says exactly what the whole ledger's fold says (fold.ts semantics, blind
// records included); a snapshot that is stale, torn, of another compaction or made by hand is ignored,
// and status still says what the ledger says.
import fc from 'fast-check';
import {
  appendFileSync,
  existsSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../src/core/types.js';
import { EMPTY_FOLD, LEDGER_STATES, foldRecords, serialize, viewOf } from '../src/ledger/fold.js';
import { Ledger } from '../src/ledger/ledger.js';
import { decodeFirstLine, decodeIndex, encodeSnapshot, SNAPSHOT_FILE } from '../src/ledger/snapshot.js';
import { foldSummary, statusLists, summarize, type StatusLists } from '../src/ledger/summary.js';
import { rec } from './helpers/ledger.js';
import { makeTempDir } from './helpers/repo.js';

const RECENT = 10;
const STAMP = { ino: 1, offset: 1, head: '', gen: null };

/** What status lists, from the whole fold of `records` (the reference). */
function truth(records: readonly LedgerRecord[]): StatusLists {
  return statusLists(summarize(viewOf(foldRecords(EMPTY_FOLD, records)).all()), RECENT)!;
}

/** A snapshot of `prefix` written and read back as text, then `tail` folded onto it. */
function viaSnapshot(prefix: readonly LedgerRecord[], tail: readonly LedgerRecord[]): StatusLists | null {
  const text = encodeSnapshot(STAMP, summarize(viewOf(foldRecords(EMPTY_FOLD, prefix)).all()))!;
  const nl = text.indexOf('\n');
  const first = decodeFirstLine(text.slice(0, nl))!;
  expect(first).not.toBeNull();
  first.summary.ids = decodeIndex(text.slice(nl + 1), first.summary);
  expect(first.summary.ids).not.toBeNull();
  foldSummary(first.summary, tail);
  return statusLists(first.summary, RECENT);
}

// Few ids and few distinct times: re-stated ids, blind records and ties in `at` are common.
const recordArb = fc
  .tuple(
    fc.integer({ min: 0, max: 40 }),
    fc.constantFrom(...LEDGER_STATES, 'posted', 'posted'),
    fc.integer({ min: 0, max: 6 }),
    fc.boolean(),
    fc.constantFrom('none', 'gone', 'orphan', 'replaces'),
  )
  .map(([id, state, t, blind, rewrite]) =>
    rec(`s${id % 7}:${id}`, state, {
      at: `2026-01-0${1 + t}T10:00:00.000Z`,
      ...(state === 'posted' ? { worklogId: String(id) } : {}),
      ...(blind ? { ifNew: true } : {}),
      ...(rewrite === 'gone' && state === 'posted' ? { rewritten: { to: null, by: 'amend' } } : {}),
      ...(rewrite === 'orphan' && state === 'posted' ? { rewritten: { to: null, by: 'push' } } : {}),
      ...(rewrite === 'replaces' && state === 'pending'
        ? { replaces: { id: 'old:0', issue: 'PROJ-2', seconds: 60, comment: '', worklogId: '9' } }
        : {}),
    } as Partial<LedgerRecord>),
  );

describe('the status summary', () => {
  it('snapshot + the lines appended since says what the whole fold says', () => {
    let used = 0;
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 300 }), fc.nat(), (records, cut) => {
        const at = records.length === 0 ? 0 : cut % (records.length + 1);
        const got = viaSnapshot(records.slice(0, at), records.slice(at));
        // null: too many recent posted records left since; status then reads the whole ledger.
        if (got !== null) {
          used++;
          expect(got).toEqual(truth(records));
        }
      }),
      { numRuns: 400 },
    );
    expect(used).toBeGreaterThan(300);
  });

  it('a blind record counts only for an id the snapshot does not know', () => {
    const posted = rec('a:0', 'posted', { worklogId: '7' });
    const got = viaSnapshot(
      [posted],
      [rec('a:0', 'pending', { ifNew: true }), rec('b:0', 'pending', { ifNew: true })],
    );
    expect(got?.counts).toMatchObject({ posted: 1, pending: 1 });
    expect(got?.shown.map((r) => r.id)).toEqual(['b:0']);
  });

  it('lists status entries in first-seen order, a re-stated id where it was first seen', () => {
    const got = viaSnapshot(
      [rec('a:0', 'failed'), rec('b:0', 'posted'), rec('c:0', 'failed')],
      [rec('d:0', 'failed'), rec('b:0', 'failed')],
    );
    expect(got?.shown.map((r) => r.id)).toEqual(['a:0', 'b:0', 'c:0', 'd:0']);
  });
});

describe('the status snapshot beside the ledger', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  function ledgerDir(): string {
    const d = makeTempDir('jlog-snapshot-');
    dirs.push(d);
    return d;
  }
  const posted = (i: number, extra: Partial<LedgerRecord> = {}) =>
    rec(`p${i}:0`, 'posted', {
      worklogId: String(i),
      at: new Date(1_700_000_000_000 + i * 1000).toISOString(),
      ...extra,
    });
  const fresh = async (dir: string) => Ledger.open(dir).statusLists(RECENT);
  const reference = async (dir: string) =>
    statusLists(summarize((await Ledger.open(dir).read()).all()), RECENT)!;

  async function seeded(n = 50): Promise<string> {
    const dir = ledgerDir();
    await Ledger.open(dir).append([...Array.from({ length: n }, (_, i) => posted(i)), rec('f:0', 'failed')]);
    return dir;
  }

  it('is written by a status, and a later status folds only what was appended onto it', async () => {
    const dir = await seeded();
    expect(await fresh(dir)).toEqual(await reference(dir));
    expect(existsSync(join(dir, SNAPSHOT_FILE))).toBe(true);
    await Ledger.open(dir).append([
      rec('n:0', 'pending'),
      rec('f:0', 'posted', { worklogId: '1', at: '2030-01-01T00:00:00.000Z' }),
    ]);
    const got = await fresh(dir);
    expect(got).toEqual(await reference(dir));
    expect(got.recent[0]?.id).toBe('f:0');
    expect(got.counts).toMatchObject({ pending: 1, failed: 0, posted: 51 });
  });

  it('falls back to the whole ledger when the appended lines take away the recent posted records it kept', async () => {
    const dir = await seeded(200);
    await fresh(dir);
    await Ledger.open(dir).append(Array.from({ length: 150 }, (_, i) => rec(`p${199 - i}:0`, 'undone')));
    expect(await fresh(dir)).toEqual(await reference(dir));
  });

  it('is ignored when it is of another compaction (same length, same lines, another gen)', async () => {
    const dir = ledgerDir();
    const file = join(dir, 'ledger.jsonl');
    const header = (gen: string) => JSON.stringify({ jlog: 'ledger', v: 1, gen }) + '\n';
    writeFileSync(file, header('aaaaaaaaaaaaaaaa') + serialize([posted(1), posted(2)]));
    await fresh(dir);
    // The same inode and byte length, lines ending at the same offsets: only the gen and a state differ.
    const before = statSync(file).ino;
    writeFileSync(
      file,
      header('bbbbbbbbbbbbbbbb') + serialize([posted(1), { ...posted(2), state: 'failed' }]),
    );
    expect(statSync(file).ino).toBe(before);
    const got = await fresh(dir);
    expect(got.counts).toMatchObject({ posted: 1, failed: 1 });
    expect(got).toEqual(await reference(dir));
  });

  it('is ignored after a compaction, which rewrote the ledger', async () => {
    const dir = await seeded();
    await fresh(dir);
    const ledger = Ledger.open(dir);
    await ledger.append(Array.from({ length: 50 }, (_, i) => rec(`p${i}:0`, 'failed')));
    await ledger.compact();
    const got = await fresh(dir);
    expect(got.counts).toMatchObject({ posted: 0, failed: 51 });
    expect(got).toEqual(await reference(dir));
    expect(readFileSync(join(dir, SNAPSHOT_FILE), 'utf8')).toMatch(/"gen":"[0-9a-f]+"/);
  });

  it('is ignored when it is torn, garbage, made by hand or a symlink, and is replaced by a good one', async () => {
    const dir = await seeded();
    await fresh(dir);
    const path = join(dir, SNAPSHOT_FILE);
    const good = readFileSync(path, 'utf8');
    const nl = good.indexOf('\n');
    const first = JSON.parse(good.slice(0, nl)) as Record<string, unknown>;
    const lies: string[] = [
      good.slice(0, good.length - 7), // torn
      'garbage\n',
      // a failed token that is not in the ledger, counts made to add up
      JSON.stringify({
        ...first,
        size: 52,
        counts: { ...(first.counts as object), failed: 2 },
        shown: [...(first.shown as unknown[]), [51, rec('x:0', 'failed')]],
      }) + good.slice(nl),
      JSON.stringify({ ...first, shown: [[9999, rec('f:0', 'failed')]] }) + good.slice(nl), // ord out of range
      JSON.stringify({ ...first, counts: { ...(first.counts as object), posted: 1 } }) + good.slice(nl),
    ];
    // With a line appended, the index is read too: a lie there is found as well.
    await Ledger.open(dir).append([rec('t:0', 'pending')]);
    for (const lie of lies) {
      writeFileSync(path, lie);
      expect(await fresh(dir)).toEqual(await reference(dir));
    }
    const elsewhere = join(ledgerDir(), 'target');
    writeFileSync(elsewhere, good);
    rmSync(path);
    symlinkSync(elsewhere, path);
    expect(await fresh(dir)).toEqual(await reference(dir));
    // The fresh snapshot replaced the symlink itself; the file it pointed at is untouched.
    expect(readFileSync(elsewhere, 'utf8')).toBe(good);
    expect(statSync(path).isFile()).toBe(true);
  });

  it('is ignored for a ledger that was replaced (a lost ledger restored from elsewhere)', async () => {
    const dir = await seeded();
    await fresh(dir);
    const file = join(dir, 'ledger.jsonl');
    rmSync(file);
    writeFileSync(
      file,
      serialize([rec('z:0', 'failed'), ...Array.from({ length: 60 }, (_, i) => posted(i + 100))]),
    );
    appendFileSync(file, serialize([rec('y:0', 'pending')]));
    expect(await fresh(dir)).toEqual(await reference(dir));
  });
});
