// The ledger's folder, beside the log itself: small JSON caches (the site's time tracking, notice
// watermarks, the validated config), the status snapshot, log files (jlog.log, flush.log) and the
// long-lived `post` lock that lets one process post at a time. The log (ledger.ts) keeps its own short
// `ledger` lock.
import { join } from 'node:path';
import { readCache, writeCache } from './cache.js';
import { ensureDir } from './files.js';
import { acquire } from './lock.js';
import type * as SnapshotModule from './snapshot.js';
import type { LoadedSnapshot, Stamp } from './snapshot.js';
import type { Summary } from './summary.js';

// Loaded by status only: the hooks, which open this folder on every commit, never pay for it.
const snapshots = (): Promise<typeof SnapshotModule> => import('./snapshot.js');

const DEFAULT_POST_TIMEOUT_MS = 10 * 60_000;

export class LedgerFolder {
  readonly dir: string;
  readonly #staleMs: number;

  constructor(dir: string, staleMs: number) {
    this.dir = dir;
    this.#staleMs = staleMs;
  }

  /**
   * Runs `fn` holding the long-lived `post` lock (one poster at a time). `wait: false` returns null at
   * once when another process holds it. `fn` gets a signal that aborts if the lock is lost (this
   * process stalled past the stale time and another took over): stop posting when it fires.
   */
  async withLock<T>(
    name: 'post',
    fn: (signal: AbortSignal) => Promise<T>,
    opts: { wait: boolean; timeoutMs?: number; onWait?: ((holderPid: number | null) => void) | undefined },
  ): Promise<T | null> {
    await ensureDir(this.dir);
    const held = await acquire(this.dir, name, {
      staleMs: this.#staleMs,
      wait: opts.wait,
      timeoutMs: opts.timeoutMs ?? DEFAULT_POST_TIMEOUT_MS,
      maxDelayMs: 1_000,
      // The waiter's message names the holder (jlog: waiting for another jlog (pid …)).
      announce: true,
      onWait: opts.onWait,
    });
    if (held === null) return null;
    try {
      return await fn(held.signal);
    } finally {
      await held.release();
    }
  }

  readCache<T>(name: string): Promise<{ value: T; at: number } | null> {
    return readCache<T>(this.dir, name);
  }

  writeCache(name: string, value: unknown): Promise<void> {
    return writeCache(this.dir, name, value);
  }

  /** The status snapshot, or null when there is none that checks out; at most `maxBytes` long. */
  async readSnapshot(maxBytes: number): Promise<LoadedSnapshot | null> {
    const { readSnapshot, SNAPSHOT_FILE } = await snapshots();
    return readSnapshot(join(this.dir, SNAPSHOT_FILE), maxBytes);
  }

  async writeSnapshot(stamp: Stamp, summary: Summary): Promise<void> {
    const { writeSnapshot, SNAPSHOT_FILE } = await snapshots();
    return writeSnapshot(join(this.dir, SNAPSHOT_FILE), stamp, summary);
  }

  /** A log file in the folder (`jlog.log` by default). */
  logPath(name = 'jlog.log'): string {
    return join(this.dir, name);
  }
}
