// The ledger's locks when they are free (lock.ts fastLock: one mkdir, no proper-lockfile) and how that
// holder gets along with proper-lockfile's: a second holder is refused, a stale lock is still taken
// over, a lock taken over is never removed by its old holder, a long hold stays fresh, and a process
// that exits holding it leaves it free.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs module shared with the build script
import { nodeBundle } from '../scripts/esbuild-node.mjs';
import { acquire, fastLock } from '../src/ledger/lock.js';
import { Ledger } from '../src/ledger/ledger.js';
import { makeTempDir } from './helpers/repo.js';
import { rec } from './helpers/ledger.js';

let dir: string;
const lockDir = () => join(dir, 'ledger.lock');
const opts = { staleMs: 2_000, wait: false, timeoutMs: 1_000, maxDelayMs: 50 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeEach(() => {
  dir = makeTempDir('jlog-lock-');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('a free lock (no proper-lockfile)', () => {
  it('is one lock dir; a second holder is refused, by the fast path and by proper-lockfile', async () => {
    const held = await fastLock(lockDir(), 2_000);
    expect(held).not.toBeNull();
    expect(statSync(lockDir()).isDirectory()).toBe(true);
    expect(await fastLock(lockDir(), 2_000)).toBeNull();
    expect(await acquire(dir, 'ledger', opts)).toBeNull();
    await held!.release();
    expect(existsSync(lockDir())).toBe(false);
    const again = await acquire(dir, 'ledger', opts);
    expect(again).not.toBeNull();
    await again!.release();
  });

  it('a stale lock is not taken by the fast path, but proper-lockfile still takes it over', async () => {
    mkdirSync(lockDir());
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockDir(), old, old);
    expect(await fastLock(lockDir(), 2_000)).toBeNull();
    const held = await acquire(dir, 'ledger', opts);
    expect(held).not.toBeNull();
    expect(statSync(lockDir()).mtimeMs).toBeGreaterThan(old.getTime() + 30_000);
    await held!.release();
    expect(existsSync(lockDir())).toBe(false);
  });

  it('a lock taken over while held aborts the signal, and release leaves the new holder’s lock', async () => {
    const held = await acquire(dir, 'ledger', opts);
    expect(held).not.toBeNull();
    // As another process does after this one stalled past the stale time: remove, make its own.
    rmdirSync(lockDir());
    mkdirSync(lockDir());
    const theirs = new Date(Date.now() - 500);
    utimesSync(lockDir(), theirs, theirs);
    for (let i = 0; i < 40 && !held!.signal.aborted; i++) await sleep(100);
    expect(held!.signal.aborted).toBe(true);
    await held!.release();
    expect(Math.abs(statSync(lockDir()).mtimeMs - theirs.getTime())).toBeLessThan(1);
  });

  it('release checks the owner even before the refresh noticed a takeover', async () => {
    const held = (await fastLock(lockDir(), 2_000))!;
    rmdirSync(lockDir());
    mkdirSync(lockDir());
    const theirs = new Date(Date.now() - 300);
    utimesSync(lockDir(), theirs, theirs);
    await held.release();
    expect(existsSync(lockDir())).toBe(true);
  });

  it('a hold longer than the stale time stays fresh: nobody takes it over', async () => {
    const held = await acquire(dir, 'ledger', opts);
    const start = statSync(lockDir()).mtimeMs;
    await sleep(2_600);
    expect(statSync(lockDir()).mtimeMs).toBeGreaterThan(start);
    expect(await acquire(dir, 'ledger', opts)).toBeNull();
    expect(held!.signal.aborted).toBe(false);
    await held!.release();
    expect(existsSync(lockDir())).toBe(false);
  }, 10_000);

  it('the post lock names its holder while held, and removes the name with the lock', async () => {
    const ledger = Ledger.open(dir);
    const seen = await ledger.folder.withLock(
      'post',
      async () => [existsSync(join(dir, 'post.lock')), existsSync(join(dir, 'post.pid'))],
      { wait: false },
    );
    expect(seen).toEqual([true, true]);
    expect(existsSync(join(dir, 'post.lock'))).toBe(false);
    expect(existsSync(join(dir, 'post.pid'))).toBe(false);
  });

  it('a process that exits while holding the ledger lock leaves it free', async () => {
    const out = makeTempDir('jlog-lock-bundle-');
    try {
      await build({
        entryPoints: [fileURLToPath(new URL('../src/ledger/ledger.ts', import.meta.url))],
        outfile: join(out, 'ledger.mjs'),
        ...nodeBundle,
      });
      const script =
        `import { Ledger } from ${JSON.stringify(join(out, 'ledger.mjs'))};\n` +
        `await Ledger.open(${JSON.stringify(dir)}).update(() => { process.stdout.write('inside\\n'); process.exit(0); });\n`;
      const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
      });
      expect(stdout).toBe('inside\n');
      expect(existsSync(lockDir())).toBe(false);
      await Ledger.open(dir).append([rec('after:0')]);
      expect((await Ledger.open(dir).read()).size).toBe(1);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
