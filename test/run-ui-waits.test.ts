// How a posting run says that it waits for Jira (docs/commands.md: said within a second): when many
// requests wait side by side (every issue's read while Jira is down), one line stands for them all.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runUi, type RunUi } from '../src/cli/run-ui.js';

let lines: string[];
let ui: RunUi | undefined;
beforeEach(() => {
  lines = [];
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(0);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  ui?.close();
  ui = undefined;
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const refused = (delayMs: number) => ({ kind: 'jira' as const, delayMs, code: 'ECONNREFUSED' });

describe('a posting run waiting for Jira', () => {
  it('says a wait once for the requests that wait side by side, and again once that wait is over', () => {
    ui = runUi('jlog sync');
    // Nine requests (the site's settings, two reads for each of four issues) fail at once.
    for (let i = 0; i < 9; i++) ui.onWait!(refused(1200 + i * 10));
    expect(lines).toEqual([
      'jlog: Jira could not be reached, ECONNREFUSED: waiting 2 s before trying again…\n',
    ]);
    // Their second attempts fail while the wait said is still running: nothing new to say.
    vi.setSystemTime(1100);
    for (let i = 0; i < 4; i++) ui.onWait!(refused(2400));
    expect(lines).toHaveLength(1);
    // Once it is over, the next wait is said.
    vi.setSystemTime(1300);
    ui.onWait!({ kind: 'jira', delayMs: 4000, status: 429 });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('jlog: Jira asked to slow down: waiting 4 s before trying again…\n');
    // Another jlog's lock is said whatever Jira does.
    ui.onWait!({ kind: 'lock', holderPid: 42 });
    expect(lines).toHaveLength(3);
  });
});
