// Jira Cloud's per-issue write limit: 20 writes per 2 s and 100 per 30 s, sliding windows.
const WINDOWS = [
  { limit: 20, ms: 2_000 },
  { limit: 100, ms: 30_000 },
] as const;

export interface RateLimitVerdict {
  /** Seconds until a write to this issue would be accepted. */
  retryAfter: number;
  limit: number;
  resetAt: number;
}

export class PerIssueWriteLimit {
  private readonly writes = new Map<string, number[]>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records the write and returns undefined, or returns why it is refused (and records nothing). */
  take(issue: string): RateLimitVerdict | undefined {
    const now = this.now();
    const longest = WINDOWS[WINDOWS.length - 1]?.ms ?? 0;
    const times = (this.writes.get(issue) ?? []).filter((t) => t > now - longest);
    for (const w of WINDOWS) {
      const inWindow = times.filter((t) => t > now - w.ms);
      if (inWindow.length >= w.limit) {
        // The window frees a slot when its oldest write in the window leaves it.
        const resetAt = (inWindow[inWindow.length - w.limit] ?? now) + w.ms;
        this.writes.set(issue, times);
        return { retryAfter: Math.max(1, Math.ceil((resetAt - now) / 1000)), limit: w.limit, resetAt };
      }
    }
    times.push(now);
    this.writes.set(issue, times);
    return undefined;
  }
}
