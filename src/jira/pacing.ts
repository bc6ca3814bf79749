// Pacing (docs/exactly-once.md): writes to one issue strictly one after another and under Jira Cloud's
// per-issue write limit, and at most `concurrency` requests in flight across the client. The clock is
// injectable so the windows can be tested without real sleeps.

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface WindowLimit {
  max: number;
  windowMs: number;
}

/** Jira Cloud's per-issue write limit (`RateLimit-Reason: jira-per-issue-on-write`). */
export const PER_ISSUE_WRITE_LIMITS: readonly WindowLimit[] = [
  { max: 20, windowMs: 2_000 },
  { max: 100, windowMs: 30_000 },
];

/**
 * Sliding windows over event times: bursts up to each limit are allowed, then the next event waits
 * until the oldest one in the window has left it. Callers stamp an event when its response has
 * arrived: Jira counted it on arrival, which was no later, so the server's window is never fuller
 * than ours.
 */
export class SlidingWindow {
  private stamps: number[] = [];
  private readonly span: number;

  constructor(
    private readonly limits: readonly WindowLimit[],
    /** Added to every window, for clock granularity between us and the server. */
    private readonly marginMs = 5,
  ) {
    this.span = Math.max(0, ...limits.map((l) => l.windowMs)) + marginMs;
  }

  /** How long to wait before one more event fits every window; 0 when it fits now. */
  waitMs(now: number): number {
    this.prune(now);
    let wait = 0;
    for (const { max, windowMs } of this.limits) {
      const window = windowMs + this.marginMs;
      const inside = this.stamps.filter((t) => t > now - window);
      if (inside.length < max) continue;
      // The event that must leave for one more to fit: the max-th newest.
      const oldest = inside[inside.length - max] as number;
      wait = Math.max(wait, oldest + window - now);
    }
    return wait;
  }

  record(now: number): void {
    this.stamps.push(now);
    this.prune(now);
  }

  get size(): number {
    return this.stamps.length;
  }

  private prune(now: number): void {
    const from = this.stamps.findIndex((t) => t > now - this.span);
    if (from === -1) this.stamps = [];
    else if (from > 0) this.stamps = this.stamps.slice(from);
  }
}

/** At most `n` holders at once; the rest wait in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly n: number) {
    if (!(n >= 1)) throw new RangeError(`concurrency must be at least 1, got ${n}`);
  }

  async acquire(): Promise<() => void> {
    if (this.active >= this.n) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter, so `active` never dips and lets a newcomer cut in.
      if (next !== undefined) next();
      else this.active -= 1;
    };
  }

  get inFlight(): number {
    return this.active;
  }
}

/** One holder per key at a time, in arrival order. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

export interface PacerOptions {
  concurrency: number;
  clock?: Clock;
  writeLimits?: readonly WindowLimit[];
}

export class Pacer {
  private readonly slots: Semaphore;
  private readonly issues = new KeyedMutex();
  private readonly windows = new Map<string, SlidingWindow>();
  private readonly clock: Clock;
  private readonly limits: readonly WindowLimit[];

  constructor(opts: PacerOptions) {
    this.slots = new Semaphore(opts.concurrency);
    this.clock = opts.clock ?? realClock;
    this.limits = opts.writeLimits ?? PER_ISSUE_WRITE_LIMITS;
  }

  /** Holds the issue's write lock for all of `fn`, retries included. */
  exclusive<T>(issue: string, fn: () => Promise<T>): Promise<T> {
    return this.issues.run(issue, fn);
  }

  /**
   * Runs one request with a slot. With `writeIssue`, first waits until the issue's write windows
   * have room, and counts the request against them once it is over (whatever its outcome). Call it
   * inside `exclusive(writeIssue, …)` so no other write to the issue slips in between.
   */
  async send<T>(writeIssue: string | undefined, fn: () => Promise<T>): Promise<T> {
    let window: SlidingWindow | undefined;
    if (writeIssue !== undefined) {
      window = this.windows.get(writeIssue);
      if (window === undefined) {
        window = new SlidingWindow(this.limits);
        this.windows.set(writeIssue, window);
      }
      // Bounded: under the issue's lock nothing else stamps, so one wait frees the window.
      for (let i = 0; i < 4; i++) {
        const wait = window.waitMs(this.clock.now());
        if (wait <= 0) break;
        await this.clock.sleep(wait);
      }
    }
    const release = await this.slots.acquire();
    try {
      return await fn();
    } finally {
      release();
      window?.record(this.clock.now());
    }
  }

  /** Waits without holding a request slot (backoff between attempts). */
  sleep(ms: number): Promise<void> {
    return this.clock.sleep(ms);
  }

  now(): number {
    return this.clock.now();
  }

  get inFlight(): number {
    return this.slots.inFlight;
  }
}
