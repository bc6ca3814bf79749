// Cross-process locks in the ledger dir (proper-lockfile: an atomic mkdir whose mtime the holder
// refreshes). A holder killed with SIGKILL stops refreshing, so after `staleMs` the next process takes
// the lock over: no manual cleanup, and recovery takes seconds.
//
// Most takes find the lock free (a hook's one append). Those skip proper-lockfile (fastLock below):
// loading it and its signal-exit, which hooks a dozen signals, was a good part of a token commit's
// cost (issue 13). The protocol on disk is the same, so both kinds of holder exclude each other, and a
// lock found taken always goes through proper-lockfile (stale takeover, retries).
import { readFileSync, rmdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
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
  const fast = await fastLock(`${target}.lock`, opts.staleMs);
  if (fast !== null) {
    if (opts.announce) writeHolder(target);
    return {
      get signal() {
        return fast.signal;
      },
      release: async () => {
        if (opts.announce) rmSync(`${target}.pid`, { force: true });
        await fast.release();
      },
    };
  }
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
      // A plain timer: node:timers/promises would load on every hook's start for this rare wait.
      await new Promise((r) => setTimeout(r, Math.min(left, delay * (0.5 + Math.random()))));
      delay = Math.min(delay * 2, opts.maxDelayMs);
    }
  }
}

/** What identifies our lock dir: another holder's (after a takeover) is a new dir with its own mtime. */
interface Mark {
  ino: number;
  mtimeMs: number;
}

function markOf(path: string): Mark | null {
  try {
    const st = statSync(path);
    return { ino: st.ino, mtimeMs: st.mtimeMs };
  } catch {
    return null;
  }
}

async function markOfAsync(path: string): Promise<Mark | null> {
  try {
    const st = await stat(path);
    return { ino: st.ino, mtimeMs: st.mtimeMs };
  } catch {
    return null;
  }
}

const sameMark = (a: Mark | null, b: Mark): boolean =>
  a !== null && a.ino === b.ino && a.mtimeMs === b.mtimeMs;

/**
 * The lock when it is free, without proper-lockfile: one mkdir (atomic), as proper-lockfile takes it.
 * Null when the dir cannot be made (held, stale or anything else): proper-lockfile then decides, with
 * its stale takeover and its errors. Held, it keeps proper-lockfile's promises:
 * - the mtime is refreshed every `staleMs / 5` (at least 1 s), so a long hold (a compaction, a posting
 *   run) is never taken for a dead one;
 * - a lock that stopped being ours (removed, or taken over after this process stalled past `staleMs`)
 *   aborts `signal`, and is never removed: release removes only the dir it made and last stamped;
 * - a process that exits holding it removes it (a signal or SIGKILL leaves it to go stale, as SIGKILL
 *   does with proper-lockfile).
 * Taking and releasing it are asynchronous: a posting run takes the ledger lock hundreds of times, and
 * a directory's mkdir and rmdir on the event loop (~0.3 ms each) held up every answer waiting behind them.
 */
export async function fastLock(
  path: string,
  staleMs: number,
): Promise<{ signal: AbortSignal; release(): Promise<void> } | null> {
  try {
    await mkdir(path);
  } catch {
    return null;
  }
  let mark = await markOfAsync(path);
  if (mark === null) return null; // removed at once: let proper-lockfile sort it out
  // Made when first asked for: loading AbortController costs a hook's one append ~1 ms.
  let controller: AbortController | undefined;
  const control = (): AbortController => (controller ??= new AbortController());
  let held = true;
  let timer: NodeJS.Timeout | undefined;
  const lost = (why: string): void => {
    held = false;
    process.off('exit', onExit);
    control().abort(Object.assign(new Error(`lock ${path} lost: ${why}`), { code: 'ECOMPROMISED' }));
  };
  const refresh = (): void => {
    timer = undefined;
    if (!held) return;
    if (!sameMark(markOf(path), mark!)) return lost('removed or taken over by another process');
    try {
      const now = new Date();
      utimesSync(path, now, now);
    } catch {
      return lost('its mtime could not be refreshed');
    }
    const next = markOf(path);
    if (next === null) return lost('removed by another process');
    mark = next;
    schedule();
  };
  const schedule = (): void => {
    timer = setTimeout(refresh, Math.max(1_000, Math.floor(staleMs / 5)));
    timer.unref(); // never keeps the process alive; exit removes the lock
  };
  const onExit = (): void => {
    if (held && sameMark(markOf(path), mark!)) {
      try {
        rmdirSync(path);
      } catch {
        // going away anyway; the lock goes stale
      }
    }
  };
  process.on('exit', onExit);
  schedule();
  return {
    get signal() {
      return control().signal;
    },
    async release() {
      if (timer !== undefined) clearTimeout(timer);
      process.off('exit', onExit);
      if (!held) return; // lost: what is there now is another holder's
      held = false;
      if (!sameMark(await markOfAsync(path), mark!)) return;
      try {
        await rmdir(path);
      } catch (err) {
        if (errCode(err) !== 'ENOENT') throw ioError('lock', path, err);
      }
    },
  };
}
