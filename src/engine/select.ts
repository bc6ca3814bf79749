// Selecting commits: which commits a run looks at, and what git says about them that the plan needs
// (the commits a merge brings in). Reads only: whatever the ledger must learn is written by the run.
import { commitWorklogs, type CommitWorklogs, type PlanFacts, type PlanOptions } from '../core/plan.js';
import { contentKey, isSquashCommit } from '../core/identity.js';
import type { Commit, LedgerRecord } from '../core/types.js';
import { JlogError, isJlogError } from '../errors.js';
import { readCommits, refsContaining } from '../git/index.js';
import type { RepoContext } from './context.js';
import { gitDate, syncLogOptions } from './sync-log.js';

/** Ids of worklogs logged by hand with `jlog log`: `manual:<uuid>`. */
export const MANUAL_PREFIX = 'manual:';
export type RunScope =
  | {
      kind: 'sync';
      range?: string | undefined;
      since?: string | undefined;
      until?: string | undefined;
      authors: string[] | null;
    }
  | { kind: 'ci'; range: string; /** No `before`: only commits within `ci.since`. */ window?: boolean }
  | { kind: 'flush'; shas?: string[] | undefined };

export interface Selection {
  /** The commits whose tokens the run plans, newest first. */
  commits: Commit[];
  /** flush: the pushed commits, whose tokens the ledger may not have yet (hooks skipped). */
  pushed: Commit[];
  /** flush: pending tokens whose commit is on no branch any more (reset away, gc'd). */
  offBranch: LedgerRecord[];
  facts: PlanFacts;
}

export async function selectCommits(
  ctx: RepoContext,
  scope: RunScope,
  options: PlanOptions,
): Promise<Selection> {
  // Each commit's tokens are worked out as git prints it, while git walks on (issue 13): the plan
  // takes them from here instead of parsing every message again once the whole log is in.
  const bySha = new Map<string, CommitWorklogs>();
  const early = (commit: Commit): void => {
    try {
      bySha.set(commit.sha, commitWorklogs(commit, options));
    } catch {
      // Left to the plan, which meets the same error in its own place.
    }
  };
  const commits = await scopeCommits(ctx, scope, early);
  const selection: Selection =
    scope.kind === 'flush'
      ? await flushSelection(ctx, scope.shas)
      : { commits, pushed: [], offBranch: [], facts: {} };
  selection.facts = {
    ...(await mergeFacts(ctx, selection.commits, options)),
    ...(bySha.size > 0 ? { worklogs: { options, bySha } } : {}),
  };
  return selection;
}

/** Commits with only `#comment` or transitions matter too when jlog posts them (issue 12). */
function postsCommands(ctx: RepoContext): boolean {
  return ctx.config.commands.comment || ctx.config.commands.transitions;
}

async function scopeCommits(
  ctx: RepoContext,
  scope: RunScope,
  onCommit: (commit: Commit) => void,
): Promise<Commit[]> {
  const cwd = ctx.repo.top;
  switch (scope.kind) {
    case 'sync': {
      if (ctx.repo.head === null) return [];
      const options = syncLogOptions(scope, {
        syncSince: ctx.config.sync.since,
        postsCommands: postsCommands(ctx),
      });
      const authors =
        scope.authors === null ? null : new Set(scope.authors.map((a) => a.trim().toLowerCase()));
      const kept = (c: Commit): boolean =>
        authors === null || authors.has(c.authorEmail.trim().toLowerCase());
      const commits = await readCommits(cwd, options, (c) => {
        if (kept(c)) onCommit(c);
      }).catch((err: unknown) => {
        throw badRange(err, scope.range);
      });
      return authors === null ? commits : commits.filter(kept);
    }
    case 'ci':
      return readCommits(
        cwd,
        {
          range: scope.range,
          since: scope.window ? gitDate(ctx.config.ci.since, 'since', true) : undefined,
          grepTime: true,
          grepCommands: postsCommands(ctx),
        },
        onCommit,
      ).catch((err: unknown) => {
        throw badRange(err, scope.range);
      });
    case 'flush':
      return [];
  }
}

/**
 * flush: the pushed commits (read once), plus every pending commit that is still worth posting: the
 * pushed ones, and what an earlier push left pending (Jira was down) that is on a remote by now. A
 * plain flush takes every pending commit still on a branch.
 */
async function flushSelection(ctx: RepoContext, shas: string[] | undefined): Promise<Selection> {
  const cwd = ctx.repo.top;
  const pushed =
    shas === undefined
      ? []
      : await readCommits(cwd, { shas, grepTime: true, grepCommands: postsCommands(ctx) });
  const view = await ctx.ledger.read();
  const wanted = shas === undefined ? null : new Set(shas);
  const pending = new Map<string, LedgerRecord[]>();
  // Pending records are listed ones: an indexed ledger hands them over without reading every line.
  for (const r of view.listed()) {
    // A worklog logged by hand (jlog log) has no commit to find on a branch.
    if (r.id.startsWith(MANUAL_PREFIX)) continue;
    if (r.state === 'pending') pending.set(r.sha, [...(pending.get(r.sha) ?? []), r]);
  }
  const take = new Set(pushed.map((c) => c.sha));
  const offBranch: LedgerRecord[] = [];
  for (const [sha, records] of pending) {
    if (take.has(sha)) continue;
    const where = await refsContaining(cwd, sha);
    if (where === 'missing' || where === 'none') {
      // A commit that was reset away or garbage-collected is not posted (its replacement, if any, has
      // its own tokens); sync logs it again should it come back on a branch.
      if (wanted === null) offBranch.push(...records);
    } else if (wanted === null || wanted.has(sha) || where === 'remote') {
      take.add(sha);
    }
  }
  const known = new Set(pushed.map((c) => c.sha));
  const more = [...take].filter((s) => !known.has(s));
  const commits = [...pushed, ...(more.length === 0 ? [] : await readCommits(cwd, { shas: more }))];
  return { commits, pushed, offBranch, facts: {} };
}

/**
 * For each merge commit with tokens: the tokens of the commits it merges (reachable from it, not from
 * its first parent), by content key. git alone decides what is a copy (docs/exactly-once.md). A merge commit
 * in a squash form (GitLab's `See merge request`) that brings one commit alone brings GitLab's squash
 * commit (its message the MR title, which the merge commit repeats): that commit may claim like one.
 */
async function mergeFacts(
  ctx: RepoContext,
  commits: readonly Commit[],
  options: PlanOptions,
): Promise<PlanFacts> {
  const out = new Map<string, Map<string, string>>();
  const squashes = new Set<string>();
  for (const merge of commits) {
    if (merge.parents.length < 2) continue;
    const own = commitWorklogs(merge, options).worklogs;
    if (own.length === 0) continue;
    const brought = await readCommits(ctx.repo.top, {
      range: `${merge.parents[0]}..${merge.sha}`,
      grepTime: true,
    }).catch(() => [] as Commit[]);
    const keys = new Map<string, string>();
    const others = brought.filter((c) => c.sha !== merge.sha);
    for (const c of others) {
      for (const w of commitWorklogs(c, options).worklogs)
        if (!keys.has(contentKey(w))) keys.set(contentKey(w), w.id);
    }
    if (keys.size > 0) out.set(merge.sha, keys);
    if (others.length === 1 && isSquashCommit(merge, options.squashPatterns)) squashes.add(others[0]!.sha);
  }
  return { merged: out, ...(squashes.size > 0 ? { squashes } : {}) };
}

/** A range git cannot resolve is the user's typo (exit 2), not a failure of git. */
function badRange(err: unknown, range: string | undefined): unknown {
  if (range === undefined || !isJlogError(err, 'E_GIT')) return err;
  if (!/bad revision|unknown revision|ambiguous argument|invalid (revision|range)/i.test(err.message))
    return err;
  return new JlogError('E_USAGE', `git does not know the range '${range}'`, {
    cause: err,
    hint: 'name commits git can resolve, e.g. origin/main..HEAD or HEAD~5..',
  });
}
