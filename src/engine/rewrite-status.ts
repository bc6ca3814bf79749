// What `jlog status` says about rewrites (docs/commands.md): rewrites of posted tokens that the next posting
// run brings Jira in line with (or that `rewrites: "report"` leaves for the user to apply), and worklogs on
// Jira whose commit a force-push took off every branch (orphans, never deleted without `jlog undo`).
import type { LedgerRecord } from '../core/types.js';

/** The command that applies waiting rewrites when `rewrites: "report"` keeps them from happening. */
export const APPLY_REWRITES = 'jlog sync --apply-rewrites';

export interface RewriteEntry {
  /** The new token (null when the old one left history). */
  id: string | null;
  sha: string | null;
  issue: string;
  seconds: number;
  /** The posted token it replaces. */
  from: { id: string; issue: string; seconds: number; worklogId?: string; commentId?: string };
  /** A `#comment` token's rewrite (its comment is edited, moved or deleted); absent for a worklog. */
  kind?: 'comment';
  /** What applying it does on Jira. */
  action: 'alias' | 'update' | 'move' | 'delete';
  command: string;
}

export interface OrphanEntry {
  id: string;
  sha: string;
  issue: string;
  seconds: number;
  worklogId?: string;
  /** A `#comment` jlog posted (kept like a worklog: never deleted without jlog undo). */
  commentId?: string;
  kind?: 'comment';
  started?: string;
  /** The way back, should the work not stand. */
  command: string;
}

/**
 * From current records in first-seen order: the whole ledger, or only those status lists one by one
 * (ledger/summary.ts), which hold every record this looks at.
 */
export function rewriteStatus(records: readonly LedgerRecord[]): {
  rewrites: RewriteEntry[];
  orphans: OrphanEntry[];
} {
  const rewrites: RewriteEntry[] = [];
  const orphans: OrphanEntry[] = [];
  for (const r of records) {
    // A posted `#comment` follows the same rules (docs/exactly-once.md): its comment is what changes.
    const posted = r.replaces?.worklogId !== undefined || r.replaces?.commentId !== undefined;
    if (r.state === 'pending' && r.replaces !== undefined && posted) {
      const from = r.replaces;
      const action =
        from.issue !== r.issue
          ? 'move'
          : from.seconds === r.seconds && from.comment === (r.comment ?? '')
            ? 'alias'
            : 'update';
      rewrites.push({
        id: r.id,
        sha: r.sha,
        issue: r.issue,
        seconds: r.seconds,
        from: {
          id: from.id,
          issue: from.issue,
          seconds: from.seconds,
          ...(from.worklogId ? { worklogId: from.worklogId } : {}),
          ...(from.commentId ? { commentId: from.commentId } : {}),
        },
        ...(r.kind === 'comment' ? { kind: 'comment' as const } : {}),
        action,
        command: APPLY_REWRITES,
      });
    } else if (r.state === 'posted' && r.rewritten?.to === null) {
      if (r.rewritten.by === 'push') orphans.push(orphanOf(r));
      else
        rewrites.push({
          id: null,
          sha: null,
          issue: r.issue,
          seconds: r.seconds,
          from: {
            id: r.id,
            issue: r.issue,
            seconds: r.seconds,
            ...(r.worklogId ? { worklogId: r.worklogId } : {}),
            ...(r.commentId ? { commentId: r.commentId } : {}),
          },
          ...(r.kind === 'comment' ? { kind: 'comment' as const } : {}),
          action: 'delete',
          command: APPLY_REWRITES,
        });
    }
  }
  return { rewrites, orphans };
}

function orphanOf(r: LedgerRecord): OrphanEntry {
  return {
    id: r.id,
    sha: r.sha,
    issue: r.issue,
    seconds: r.seconds,
    ...(r.worklogId ? { worklogId: r.worklogId } : {}),
    ...(r.commentId ? { commentId: r.commentId, kind: 'comment' as const } : {}),
    ...(r.started ? { started: r.started } : {}),
    command: `jlog undo ${r.sha.slice(0, 10)}`,
  };
}
