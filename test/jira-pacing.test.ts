import { describe, expect, it } from 'vitest';
import {
  KeyedMutex,
  PER_ISSUE_WRITE_LIMITS,
  Pacer,
  Semaphore,
  SlidingWindow,
  type Clock,
} from '../src/jira/pacing.js';
import { backoffMs, classifyNetworkError, parseRetryAfter } from '../src/jira/retry.js';

/** Time moves only when someone sleeps: the windows are tested without real waiting. */
function fakeClock(): Clock & { sleeps: number[] } {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

describe('SlidingWindow', () => {
  it('allows a burst of 20, then waits for the 2 s window', () => {
    const w = new SlidingWindow(PER_ISSUE_WRITE_LIMITS, 0);
    const t0 = 0;
    for (let i = 0; i < 20; i++) {
      expect(w.waitMs(t0 + i)).toBe(0);
      w.record(t0 + i);
    }
    expect(w.waitMs(t0 + 20)).toBe(2000 - 20);
    expect(w.waitMs(t0 + 2000)).toBe(0);
  });

  it('holds 100 per 30 s even when each 2 s window is fine', () => {
    const w = new SlidingWindow(PER_ISSUE_WRITE_LIMITS, 0);
    let now = 0;
    for (let i = 0; i < 100; i++) {
      now += w.waitMs(now);
      w.record(now);
      now += 1;
    }
    // 100 events in five bursts of 20, the last one at about 8 s: the 101st waits for the first to age out.
    expect(w.waitMs(now)).toBe(30_000 - now);
  });

  it('never lets more than the limit into any window (property over random arrivals)', () => {
    const w = new SlidingWindow(PER_ISSUE_WRITE_LIMITS, 0);
    const stamps: number[] = [];
    let now = 0;
    let seed = 7;
    for (let i = 0; i < 400; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      now += seed % 300;
      now += w.waitMs(now);
      w.record(now);
      stamps.push(now);
    }
    for (const { max, windowMs } of PER_ISSUE_WRITE_LIMITS) {
      for (let i = 0; i + max < stamps.length; i++) {
        expect((stamps[i + max] as number) - (stamps[i] as number)).toBeGreaterThanOrEqual(windowMs);
      }
    }
  });
});

describe('Semaphore and KeyedMutex', () => {
  it('keeps at most n in flight', async () => {
    const sem = new Semaphore(3);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const release = await sem.acquire();
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setImmediate(r));
        active--;
        release();
      }),
    );
    expect(peak).toBe(3);
    expect(sem.inFlight).toBe(0);
  });

  it('runs one holder per key, in call order; other keys in parallel', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const job = (key: string, n: number) =>
      mutex.run(key, async () => {
        log.push(`${key}${n}+`);
        await new Promise((r) => setImmediate(r));
        log.push(`${key}${n}-`);
      });
    await Promise.all([job('A', 1), job('A', 2), job('B', 1), job('A', 3)]);
    const a = log.filter((l) => l.startsWith('A'));
    expect(a).toEqual(['A1+', 'A1-', 'A2+', 'A2-', 'A3+', 'A3-']);
    // B ran while A1 held its lock.
    expect(log.indexOf('B1+')).toBeLessThan(log.indexOf('A1-'));
  });

  it('releases the lock when the holder throws', async () => {
    const mutex = new KeyedMutex();
    await expect(mutex.run('A', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(mutex.run('A', async () => 'next')).resolves.toBe('next');
  });
});

describe('Pacer', () => {
  it('paces 45 writes to one issue under 20/2 s and 100/30 s with a fake clock', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ concurrency: 4, clock });
    const sent: number[] = [];
    await Promise.all(
      Array.from({ length: 45 }, () =>
        pacer.exclusive('PROJ-1', () =>
          pacer.send('PROJ-1', async () => {
            sent.push(clock.now());
          }),
        ),
      ),
    );
    expect(sent).toHaveLength(45);
    for (let i = 0; i + 20 < sent.length; i++) {
      expect((sent[i + 20] as number) - (sent[i] as number)).toBeGreaterThanOrEqual(2000);
    }
    // Two waits: after the 20th and after the 40th.
    expect(clock.sleeps).toHaveLength(2);
  });

  it('does not pace reads, nor writes to other issues', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ concurrency: 4, clock });
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < 30; i++) {
      jobs.push(pacer.exclusive(`P-${i}`, () => pacer.send(`P-${i}`, async () => {})));
      jobs.push(pacer.send(undefined, async () => {}));
    }
    await Promise.all(jobs);
    expect(clock.sleeps).toEqual([]);
  });
});

describe('retry rules', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('1', now)).toBe(1000);
    expect(parseRetryAfter(' 2.5 ', now)).toBe(2500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('backs off exponentially with jitter ×0.7–1.3, Retry-After as the floor, capped', () => {
    const at = (attempt: number, random: number, retryAfterMs?: number) =>
      backoffMs({ attempt, baseMs: 1000, capMs: 30_000, retryAfterMs, random: () => random });
    expect(at(1, 0)).toBe(700);
    expect(at(1, 0.999999)).toBe(1300);
    expect(at(3, 0.5)).toBe(4000);
    expect(at(1, 0, 5000)).toBe(5000);
    expect(at(3, 0.999999, 1000)).toBe(5200);
    expect(at(10, 0.5)).toBe(30_000);
  });

  it('tells a request that never left from one that may have landed', () => {
    const err = (code: string) => Object.assign(new Error(code), { code });
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT']) {
      expect(classifyNetworkError(err(code))).toBe('not-sent');
    }
    for (const code of ['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_SOCKET', 'ECONNRESET']) {
      expect(classifyNetworkError(err(code))).toBe('unknown');
    }
    expect(classifyNetworkError(new Error('no code'))).toBe('unknown');
    expect(classifyNetworkError(new Error('wrapped', { cause: err('ECONNREFUSED') }))).toBe('not-sent');
  });
});
