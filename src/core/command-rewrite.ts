// The rewrite rules for `#comment` and transition tokens (docs/exactly-once.md: they follow the worklog
// rules), pure. A comment pairs only with a comment, as worklogs pair (core/rewrite.ts): the same
// fingerprint, the same text, the same issue (the text was amended: the comment is updated), or the one
// left on each side of a commit pair (the key was fixed: the old comment is deleted, the new one
// posted). A transition pairs only on fingerprint or content (the same command on the same issue): an
// amended `#resolve` that became `#start-progress` is another command, and a rewrite never applies the
// same transition a second time.
import type { PlannedCommand } from './commands.js';
import {
  heirStep,
  inheritByCommit,
  inheritByContent,
  type HeirRule,
  type Inheritance,
  type RewriteToken,
} from './rewrite.js';
import { normalizeTransitionName } from './transition-match.js';
import type { LedgerRecord } from './types.js';

export type CommandTokenKind = 'comment' | 'transition';

/** A command token on either side of a rewrite: its text (or normalized name) is the content. */
export interface CommandRewriteToken extends RewriteToken {
  kind: CommandTokenKind;
}

const KINDS: readonly CommandTokenKind[] = ['comment', 'transition'];

export function commandRewriteToken(c: PlannedCommand): CommandRewriteToken {
  return {
    kind: c.kind,
    id: c.id,
    sha: c.sha,
    fp: c.fp,
    issue: c.issue,
    seconds: 0,
    comment: c.kind === 'comment' ? c.text : normalizeTransitionName(c.name),
  };
}

/** A command token as the ledger recorded it (a transition's `comment` is the command, `#resolve`). */
export function recordedCommandToken(r: LedgerRecord & { kind: CommandTokenKind }): CommandRewriteToken {
  const text = r.comment ?? '';
  return {
    kind: r.kind,
    id: r.id,
    sha: r.sha,
    fp: r.fp ?? '',
    issue: r.issue,
    seconds: 0,
    comment: r.kind === 'comment' ? text : normalizeTransitionName(text.replace(/^#/, '')),
  };
}

/** Transitions keep only the heirs that are the same command. */
function keep(kind: CommandTokenKind, rule: HeirRule): boolean {
  return kind === 'comment' || rule === 'fingerprint' || rule === 'content';
}

/** Pairs one kind at a time (a comment never inherits a transition); transitions keep only the same command. */
function perKind(pair: (kind: CommandTokenKind) => Inheritance): Inheritance {
  const out: Inheritance = { heirs: new Map(), gone: [] };
  for (const kind of KINDS) {
    const r = pair(kind);
    for (const [id, heir] of r.heirs) {
      if (keep(kind, heir.rule)) out.heirs.set(id, heir);
      else out.gone.push(id);
    }
    out.gone.push(...r.gone);
  }
  return out;
}

/** post-rewrite: git's old→new commit pairs (inheritByCommit, one kind at a time). */
export function inheritCommandsByCommit(
  pairs: readonly (readonly [string, string])[],
  oldBySha: ReadonlyMap<string, readonly CommandRewriteToken[]>,
  newBySha: ReadonlyMap<string, readonly CommandRewriteToken[]>,
): Inheritance {
  const only = (m: ReadonlyMap<string, readonly CommandRewriteToken[]>, kind: CommandTokenKind) =>
    new Map([...m].map(([sha, list]) => [sha, list.filter((t) => t.kind === kind)]));
  return perKind((kind) => inheritByCommit(pairs, only(oldBySha, kind), only(newBySha, kind)));
}

/** A force-push: the same fingerprint, then the same content, one kind at a time (inheritByContent). */
export function inheritCommandsByContent(
  leaving: readonly CommandRewriteToken[],
  pushed: readonly CommandRewriteToken[],
): Inheritance {
  return perKind((kind) =>
    inheritByContent(
      leaving.filter((t) => t.kind === kind),
      pushed.filter((t) => t.kind === kind),
    ),
  );
}

/**
 * What a rewrite writes for a command token's heir, the worklog rules (heirStep) per kind:
 * - `posted`: the heir is carried as posted: a comment or an applied transition whose fingerprint is
 *   unchanged (the marker, or the issue property, already stands for it);
 * - `alias`: an applied transition whose fingerprint changed (`rebase -i` squash takes the first
 *   commit's date): pending, so the next run records it in the issue property as applied, and never
 *   applies it (a rewrite never applies a transition a second time);
 * - `replace`: pending, replacing the old token: the next posting run updates the old comment (same
 *   issue) or deletes it and posts the new one (moved), or finds it gone and posts;
 * - `rejoin`: a comment posted as new work before post-rewrite ran (postOn: "commit"): pending again,
 *   replacing the old token, so the next run deletes the old comment;
 * - `fresh`: failed, and the rewrite changed it (a wrong key or transition name put right): nothing of
 *   it is on Jira, so the heir is pending as new work;
 * - `same`: failed or skipped (not mine, a copy, undone, already in the status): the same state;
 * - `keep`: nothing to write.
 */
export function commandHeirStep(
  kind: CommandTokenKind,
  heir: Pick<LedgerRecord, 'state' | 'from' | 'replaces'> | undefined,
  old: Pick<LedgerRecord, 'state'>,
  known: boolean,
  rule: HeirRule,
): 'posted' | 'alias' | 'replace' | 'rejoin' | 'fresh' | 'same' | 'keep' {
  const step = heirStep(heir, old);
  if (step === 'keep') return 'keep';
  // A transition applied as new work is applied: there is nothing to bring in line.
  if (step === 'rejoin') return kind === 'comment' ? 'rejoin' : 'keep';
  if (old.state === 'posted') {
    if (rule === 'fingerprint') return 'posted';
    return kind === 'transition' ? 'alias' : 'replace';
  }
  if (old.state === 'pending' || !known) return 'replace';
  if (old.state === 'failed' && rule !== 'fingerprint') return 'fresh';
  return 'same';
}
