// The sync fast path's first act (issue 13): start `git log` (and the rev-parse every run starts with)
// before the rest of jlog is loaded, so git walks history while Node loads, reads the config and plans. It asks what the run will ask under the
// default config; a config that moves `sync.since` or turns on `commands` makes the run ask something
// else, and then the prefetch is killed and the run starts its own log (git/commits.ts decides).
import { DEFAULT_CONFIG } from '../config/schema.js';
import { syncLogOptions } from '../engine/sync-log.js';
import { prefetchCommits } from '../git/commits.js';
import { prefetchRepoInfo } from '../git/repo.js';
import type { FastCommand } from './fast-path.js';

export function prefetchSync(cmd: FastCommand): void {
  const text = (v: string | true | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
  try {
    const options = syncLogOptions(
      { range: cmd.args[0], since: text(cmd.opts.since), until: text(cmd.opts.until) },
      {
        syncSince: DEFAULT_CONFIG.sync.since,
        postsCommands: DEFAULT_CONFIG.commands.comment || DEFAULT_CONFIG.commands.transitions,
      },
    );
    prefetchCommits(process.cwd(), options);
  } catch {
    // A date or range the run will refuse: it says so itself, in its own words.
  }
  // The run's first question (where the repository is): it depends on nothing. A sync for all authors
  // never asks whose tokens are mine (cli/sync.ts, engine/run.ts): no `git config user.email` for it.
  prefetchRepoInfo(process.cwd(), { userEmail: cmd.opts.allAuthors !== true });
}
