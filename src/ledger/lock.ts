// Cross-process locks in the ledger dir (proper-lockfile: an atomic mkdir whose mtime the holder
// refreshes). A holder killed with SIGKILL stops refreshing, so after `staleMs` the next process takes
// the lock over: no manual cleanup, and recovery takes seconds.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JlogError } from '../errors.js';
import { errCode, ioError } from './files.js';

export const DEFAULT_STALE_MS = 5_000;
const MIN_STALE_MS = 2_000; // proper-lockfile's own floor

export interface HeldLock {
  /** Aborted when the lock was lost (the holder stalled past `staleMs` and someone took it over). */
  readonly signal: AbortSignal;
  release(): Promise<void>;
}

export interface AcquireOptions {
  staleMs: number;
  /** false: return null at once when the lock is held. */
  wait: boolean;
  /** How long to wait in all before E_LEDGER_LOCKED. */
  timeoutMs: number;
  /** Longest pause between two attempts. */
  maxDelayMs: number;
  /** Leave the holder's pid beside the lock (the long-lived post lock; not the per-append one). */
  announce?: boolean;
  /** Called once, as soon as the lock is found held, with the holder's pid when it is known. */
  onWait?: ((holderPid: number | null) => void) | undefined;
}

/** `<name>.pid` beside the lock: who holds it, for the waiter's message. Best effort, never fatal. */
function writeHolder(target: string): void {
  try {
    writeFileSync(`${target}.pid`, String(process.pid), { mode: 0o600 });
  } catch {
    // only a message depends on it
  }
}

function readHolder(target: string): number | null {
  try {
    const pid = Number(readFileSync(`${target}.pid`, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** `opts.lockStaleMs`, else `JLOG_LOCK_STALE_MS` (for tests), else the default; never below 2 s. */
export function resolveStaleMs(explicit: number | undefined): number {
  const fromEnv = Number(process.env.JLOG_LOCK_STALE_MS);
  const ms = explicit ?? (Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_STALE_MS);
  return Math.max(MIN_STALE_MS, Math.floor(ms));
}

/** Takes `<dir>/<name>.lock`; null when held and `wait` is false. The dir must exist. */
export async function acquire(dir: string, name: string, opts: AcquireOptions): Promise<HeldLock | null> {
  const target = join(dir, name);
  const deadline = Date.now() + opts.timeoutMs;
  let delay = 10;
  // Loaded on the first lock, not with the ledger: a read-only run (status, a dry run) takes no lock
  // and should not pay for proper-lockfile and graceful-fs (issue 13).
  // A CommonJS module: its exports are `default` both bundled and from source (named ones are not,
  // bundled).
  const lockfile = (await import('proper-lockfile')).default.lock;
  let told = false;
  for (;;) {
    const controller = new AbortController();
    try {
      const release = await lockfile(target, {
        stale: opts.staleMs,
        // Refresh often enough that a busy event loop or a slow disk is not mistaken for a dead holder.
        update: Math.max(1_000, Math.floor(opts.staleMs / 5)),
        realpath: false,
        retries: 0,
        // The default throws from a timer (an uncaught crash); losing the lock is reported instead.
        onCompromised: (err) => controller.abort(err),
      });
      if (opts.announce) writeHolder(target);
      return {
        signal: controller.signal,
        release: async () => {
          try {
            if (opts.announce) rmSync(`${target}.pid`, { force: true });
            await release();
          } catch (err) {
            // Already released or taken over: nothing of ours is left to remove.
            if (errCode(err) !== 'ERELEASED' && errCode(err) !== 'ENOTACQUIRED')
              throw ioError('lock', `${target}.lock`, err);
          }
        },
      };
    } catch (err) {
      if (errCode(err) !== 'ELOCKED') throw ioError('lock', `${target}.lock`, err);
      if (!opts.wait) return null;
      if (!told) {
        told = true;
        opts.onWait?.(readHolder(target));
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new JlogError(
          'E_LEDGER_LOCKED',
          `the jlog ledger lock ${target}.lock is held by another process`,
          {
            cause: err,
            retryable: true,
            hint:
              `another jlog (a hook, the background flush or a sync) is still running; try again when it ends. ` +
              `A crashed holder's lock is taken over automatically ${Math.ceil(opts.staleMs / 1000)} s after it died.`,
          },
        );
      }
      // Jittered exponential backoff, so waiters do not retry in lockstep.
      await sleep(Math.min(left, delay * (0.5 + Math.random())));
      delay = Math.min(delay * 2, opts.maxDelayMs);
    }
  }
}
