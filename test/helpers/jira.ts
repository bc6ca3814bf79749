// A sandbox per test, and the env that points the CLI at it.
import type { PlannedWorklog } from '../../src/core/types.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import type { SandboxOptions } from '../../src/sandbox/types.js';
import type { TempRepo } from './repo.js';

export async function sandboxFor(
  repo: TempRepo,
  opts: SandboxOptions = {},
): Promise<{ sandbox: Sandbox; env: NodeJS.ProcessEnv }> {
  const sandbox = await startSandbox(opts);
  return { sandbox, env: { ...repo.env, ...sandbox.env, JLOG_LOCK_STALE_MS: '2000' } };
}

/** How many worklogs carry each jlog marker id: the exactly-once check. */
export function markerCounts(sandbox: Sandbox): Map<string, number> {
  const counts = new Map<string, number>();
  for (const w of sandbox.worklogs()) {
    const prop = w.properties.find((p) => p.key === 'jlog');
    const id = (prop?.value as { id?: string } | undefined)?.id ?? `unmarked:${w.id}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

export function posts(sandbox: Sandbox): number {
  return sandbox.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/worklog')).length;
}

/** The issues the sandbox holds worklogs on, one entry per worklog, sorted. */
export function loggedIssues(sandbox: Sandbox): string[] {
  return sandbox
    .worklogs()
    .map((w) => w.issue)
    .sort();
}

/** A token as a run plans it: 1h on PROJ-7, for tests that drive the Jira client or the apply step. */
export const PLANNED: PlannedWorklog = {
  id: 'c0ffee:0',
  sha: 'c0ffee',
  n: 0,
  issue: 'PROJ-7',
  seconds: 3600,
  comment: 'fixed login',
  postComment: 'fixed login',
  started: '2026-11-27T09:05:00.000+0100',
  startedMs: Date.parse('2026-11-27T09:05:00+01:00'),
  authorEmail: 'dev@example.com',
  fp: 'fp-1',
  squash: false,
};
