// The ledger across real processes: kill -9 at random moments, concurrent writers and claimers, the
// post lock (busy, serialized, recovered from a SIGKILLed holder via staleness, JLOG_LOCK_STALE_MS=2000).
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Ledger } from '../src/ledger/ledger.js';
import { makeTempDir } from './helpers/repo.js';
import { buildWorker, rec, startWorker } from './helpers/ledger.js';

let root: string;
let worker: string;
let dir: string;
let case_ = 0;

beforeAll(async () => {
  root = makeTempDir('jlog-ledger-proc-');
  worker = await buildWorker(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeEach(() => {
  dir = join(root, `case-${case_++}`, 'jlog');
});

const rawLines = () => readFileSync(join(dir, 'ledger.jsonl'), 'utf8').split('\n');

describe('kill -9', () => {
  it('survives SIGKILL at random moments: every acknowledged record is there, appends keep working', async () => {
    const acked = new Map<string, number>(); // batch → size
    for (let round = 0; round < 20; round++) {
      const w = startWorker(worker, ['append-loop', dir, `r${round}`]);
      await w.waitFor((l) => l === 'ready');
      // Into the loop first: a round that starts while the last one's killed holder still has the lock
      // waits for it to go stale (2 s), and a kill before then would only waste the round. Then kill
      // at a random instant.
      await w.waitFor((l) => l.startsWith('ok '), 20_000);
      await new Promise((r) => setTimeout(r, Math.random() * 150));
      w.child.kill('SIGKILL');
      await w.exited;
      for (const line of w.lines) {
        const m = /^ok (\S+) (\d+)$/.exec(line);
        if (m) acked.set(m[1]!, Number(m[2]));
      }
    }
    expect(acked.size).toBeGreaterThan(20);

    const view = await Ledger.open(dir).read();
    for (const [batch, size] of acked) {
      for (let k = 0; k < size; k++) expect(view.get(`${batch}:${k}`), `${batch}:${k}`).toBeDefined();
    }
    // Every complete line is a whole record: nothing interleaved, at most a torn tail.
    const lines = rawLines();
    const complete = lines.slice(0, -1);
    for (const line of complete) expect(() => JSON.parse(line)).not.toThrow();
    expect(view.invalid).toBe(0);
    expect(view.size).toBe(complete.length);

    // The next writer (after the dead holder's lock goes stale) appends cleanly after any torn tail.
    await Ledger.open(dir).append([rec('after:0')]);
    const again = await Ledger.open(dir).read();
    expect(again.get('after:0')).toBeDefined();
    expect(again.size).toBe(view.size + 1);
    expect(readFileSync(join(dir, 'ledger.jsonl'), 'utf8').endsWith('\n')).toBe(true);
  }, 180_000);
});

describe('concurrent processes', () => {
  it('4 writers appending 250 records each: all 1000 present, no line torn or interleaved', async () => {
    const n = 250;
    const ws = [0, 1, 2, 3].map((i) => startWorker(worker, ['append-n', dir, `w${i}`, String(n)]));
    await Promise.all(ws.map((w) => w.waitFor((l) => l === 'done', 90_000)));
    const lines = rawLines();
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(4 * n);
    const seen = new Map<string, number[]>();
    for (const line of lines) {
      const r = JSON.parse(line) as { id: string; comment: string };
      const [tag, k] = r.id.split(':') as [string, string];
      expect(r.comment).toBe(`${tag} #${k}`);
      seen.set(tag, [...(seen.get(tag) ?? []), Number(k)]);
    }
    // Each writer's records landed whole and in its own order.
    for (let i = 0; i < 4; i++) expect(seen.get(`w${i}`)).toEqual(Array.from({ length: n }, (_, k) => k));
    expect((await Ledger.open(dir).read()).size).toBe(4 * n);
  }, 120_000);

  it('4 claimers racing over 120 pending ids: each id claimed exactly once (update is atomic)', async () => {
    await Ledger.open(dir).append(Array.from({ length: 120 }, (_, i) => rec(`p:${i}`)));
    const ws = [0, 1, 2, 3].map((i) => startWorker(worker, ['claim', dir, `c${i}`]));
    const outs = await Promise.all(ws.map((w) => w.waitFor((l) => l.startsWith('claimed '), 90_000)));
    const total = outs.reduce((sum, l) => sum + Number(l.split(' ')[1]), 0);
    expect(total).toBe(120);
    const claims = rawLines()
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id: string; state: string })
      .filter((r) => r.state === 'skipped');
    expect(claims).toHaveLength(120);
    expect(new Set(claims.map((r) => r.id)).size).toBe(120);
    expect((await Ledger.open(dir).read()).counts().skipped).toBe(120);
  }, 120_000);
});

describe('post lock across processes', () => {
  it('busy while held (wait:false → null); a SIGKILLed holder is recovered after the stale time', async () => {
    const holder = startWorker(worker, ['hold-post', dir, 'h']);
    await holder.waitFor((l) => l === 'held');
    const busy = startWorker(worker, ['try-post', dir, 'b']);
    expect(await busy.waitFor((l) => l === 'null' || l === 'acquired')).toBe('null');

    holder.child.kill('SIGKILL');
    await holder.exited;
    // Right after the kill the lock is still fresh: a non-waiting poster still just exits.
    const early = startWorker(worker, ['try-post', dir, 'e']);
    expect(await early.waitFor((l) => l === 'null' || l === 'acquired')).toBe('null');
    // A waiting poster gets it once the dead holder's lock goes stale (2 s here).
    const waiter = startWorker(worker, ['wait-post', dir, 'w', '30000']);
    expect(await waiter.waitFor((l) => l === 'null' || l === 'acquired', 40_000)).toBe('acquired');
    const after = startWorker(worker, ['try-post', dir, 'a']);
    expect(await after.waitFor((l) => l === 'null' || l === 'acquired')).toBe('acquired');
  }, 60_000);

  it('4 waiting posters serialize: enter/exit records never interleave', async () => {
    const ws = [0, 1, 2, 3].map((i) => startWorker(worker, ['serial-post', dir, `s${i}`]));
    await Promise.all(ws.map((w) => w.waitFor((l) => l === 'done', 60_000)));
    const ids = rawLines()
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids).toHaveLength(8);
    for (let i = 0; i < 8; i += 2) {
      const tag = ids[i]!.replace(/^enter-(.*):0$/, '$1');
      expect(ids[i]).toBe(`enter-${tag}:0`);
      expect(ids[i + 1]).toBe(`exit-${tag}:0`);
    }
  }, 90_000);
});
