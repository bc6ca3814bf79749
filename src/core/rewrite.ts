// The rewrite inheritance rule (docs/exactly-once.md "Rewrites"), pure: which new token stands for which old
// one when history is rewritten. post-rewrite gives git's own old→new commit mapping; a force-push seen by
// pre-push gives only the commits that leave the branch and the commits pushed instead.
import { contentKey } from './identity.js';
import type { LedgerRecord } from './types.js';

/** A token on either side of a rewrite. */
export interface RewriteToken {
  id: string;
  sha: string;
  fp: string;
  issue: string;
  seconds: number;
  /** The comment as written in the token (the content key's). */
  comment: string;
}

/** How an heir was found, strongest first. */
export type HeirRule = 'fingerprint' | 'content' | 'issue-seconds' | 'issue' | 'moved';

export interface Inheritance {
  /** old id → new id, with the rule that paired them. */
  heirs: Map<string, { to: string; rule: HeirRule }>;
  /** Old tokens with no heir: gone from history. */
  gone: string[];
}

/**
 * post-rewrite (amend, rebase, `rebase -i` squash/fixup/reword): git says new commit X replaces old
 * commit Y, so within each pair a token is inherited by, in order of preference across all pairs:
 * the same fingerprint (nothing about the token changed); the same content key (a squash in
 * `rebase -i` takes the first commit's date); the same issue and seconds; the same issue (an amended
 * duration or comment: the worklog is updated); and, when both commits have exactly one token left,
 * that one (the key was fixed: the token moved). Each token on each side is used once.
 */
export function inheritByCommit(
  pairs: readonly (readonly [string, string])[],
  oldBySha: ReadonlyMap<string, readonly RewriteToken[]>,
  newBySha: ReadonlyMap<string, readonly RewriteToken[]>,
): Inheritance {
  const heirs = new Map<string, { to: string; rule: HeirRule }>();
  const taken = new Set<string>();
  const tiers: [HeirRule, (o: RewriteToken, n: RewriteToken) => boolean][] = [
    ['fingerprint', (o, n) => o.fp === n.fp],
    ['content', (o, n) => contentKey(o) === contentKey(n)],
    ['issue-seconds', (o, n) => o.issue === n.issue && o.seconds === n.seconds],
    ['issue', (o, n) => o.issue === n.issue],
  ];
  for (const [rule, same] of tiers) {
    for (const [oldSha, newSha] of pairs) {
      for (const o of oldBySha.get(oldSha) ?? []) {
        if (heirs.has(o.id)) continue;
        const n = (newBySha.get(newSha) ?? []).find((t) => !taken.has(t.id) && same(o, t));
        if (n === undefined) continue;
        heirs.set(o.id, { to: n.id, rule });
        taken.add(n.id);
      }
    }
  }
  for (const [oldSha, newSha] of pairs) {
    const left = (oldBySha.get(oldSha) ?? []).filter((o) => !heirs.has(o.id));
    const free = (newBySha.get(newSha) ?? []).filter((n) => !taken.has(n.id));
    if (left.length === 1 && free.length === 1) {
      heirs.set(left[0]!.id, { to: free[0]!.id, rule: 'moved' });
      taken.add(free[0]!.id);
    }
  }
  const gone = [...new Set(pairs.map(([o]) => o))].flatMap((sha) =>
    (oldBySha.get(sha) ?? []).filter((o) => !heirs.has(o.id)).map((o) => o.id),
  );
  return { heirs, gone };
}

/**
 * A force-push: the tokens of the commits that leave the branch go to tokens of the pushed commits
 * with the same content key (a reset and the same message committed again, a rewrite by a tool that
 * skips post-rewrite); the same fingerprint first. Unpaired old tokens are gone from the branch.
 */
export function inheritByContent(
  leaving: readonly RewriteToken[],
  pushed: readonly RewriteToken[],
): Inheritance {
  const heirs = new Map<string, { to: string; rule: HeirRule }>();
  const taken = new Set<string>();
  for (const [rule, same] of [
    ['fingerprint', (o: RewriteToken, n: RewriteToken) => o.fp === n.fp],
    ['content', (o: RewriteToken, n: RewriteToken) => contentKey(o) === contentKey(n)],
  ] as const) {
    for (const o of leaving) {
      if (heirs.has(o.id)) continue;
      const n = pushed.find((t) => !taken.has(t.id) && same(o, t));
      if (n === undefined) continue;
      heirs.set(o.id, { to: n.id, rule });
      taken.add(n.id);
    }
  }
  return { heirs, gone: leaving.filter((o) => !heirs.has(o.id)).map((o) => o.id) };
}

type Held = Pick<LedgerRecord, 'state' | 'from' | 'replaces'>;

/**
 * What post-rewrite does with an heir's ledger record, given what the ledger holds for the heir and
 * for the old token (docs/exactly-once.md: a rewrite and a POST in flight may interleave in any order):
 * - `carry`: the heir is new to the ledger, or pending (post-commit recorded an amend's tokens): it
 *   takes the old token's state;
 * - `rejoin`: the heir was posted as new work (git runs post-commit, so its worker, before
 *   post-rewrite) while the old token's worklog is, or may be, on Jira: the heir is pending again,
 *   replacing the old token, and the next posting run deletes the old token's worklog;
 * - `keep`: an earlier post-rewrite call carried it (git runs it for the sequencer's amend, then for
 *   the whole rebase), or nothing of the old token can be on Jira.
 */
export function heirStep(
  heir: Held | undefined,
  old: Pick<LedgerRecord, 'state'>,
): 'carry' | 'rejoin' | 'keep' {
  if (heir === undefined || heir.state === 'pending') return 'carry';
  const newWork = heir.state === 'posted' && heir.from === undefined && heir.replaces === undefined;
  return newWork && (old.state === 'posted' || old.state === 'pending') ? 'rejoin' : 'keep';
}

/**
 * The record a posting run writes for a token's outcome (found or made on Jira, failed, or left
 * pending), given the ledger's current record of it and whether the run planned it as a rewrite's
 * heir: `as-planned`; `rewritten` when post-rewrite made it an old token meanwhile (its heir takes
 * over); `heir` when post-rewrite made it an old token's heir meanwhile (it stays pending or failed,
 * replacing the old token, so the next run reconciles the old token's worklog instead of adding one).
 */
export function outcomeStep(
  current: Pick<LedgerRecord, 'rewritten' | 'replaces'> | undefined,
  plannedAsHeir: boolean,
): 'as-planned' | 'rewritten' | 'heir' {
  if (current?.rewritten !== undefined) return 'rewritten';
  return current?.replaces !== undefined && !plannedAsHeir ? 'heir' : 'as-planned';
}
