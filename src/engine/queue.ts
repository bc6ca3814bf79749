// The commits a hook queued with sh alone (no Node on PATH, docs/commands.md) become pending tokens in the
// next run that has Node: a hook, or `jlog flush` (which the hooks' worker runs too). Nothing lost.
import { commitExists, readCommits } from '../git/index.js';
import { hasQueue, takeQueue } from '../ledger/queue.js';
import type { RepoContext } from './context.js';
import { recordCommits } from './record.js';

/** Records the queued commits' tokens; how many worklogs from how many commits (0, 0: none queued). */
export async function recordQueued(ctx: RepoContext): Promise<{ worklogs: number; commits: number }> {
  if (!hasQueue(ctx.ledger.dir)) return { worklogs: 0, commits: 0 };
  const taken = await takeQueue(ctx.ledger.dir);
  if (taken === null) return { worklogs: 0, commits: 0 };
  // A commit amended or reset away since is simply gone: its replacement has its own hooks' record.
  const known: string[] = [];
  for (const sha of taken.shas) if (await commitExists(ctx.repo.top, sha)) known.push(sha);
  const recorded = await recordCommits(ctx, await readCommits(ctx.repo.top, { shas: known }));
  await taken.done();
  return { worklogs: recorded.pending.length, commits: known.length };
}
