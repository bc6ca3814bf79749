// `jlog status`: what the ledger knows. Reads no config and asks no one, so it works when all else fails.
import { formatDuration } from '../core/duration.js';
import type { LedgerRecord } from '../core/types.js';
import { repoInfo } from '../git/index.js';
import { Ledger, ledgerDirFor } from '../ledger/ledger.js';
import { APPLY_REWRITES, rewriteStatus } from '../engine/rewrite-status.js';
import { color, out, printJson, table } from './output.js';

const RECENT = 10;
const units = { hoursPerDay: 8, daysPerWeek: 5 };

function visibleState(r: LedgerRecord): string {
  return r.state;
}

export async function run(_args: string[], opts: Record<string, unknown>): Promise<number> {
  const repo = await repoInfo(process.cwd());
  const view = await Ledger.open(ledgerDirFor(repo.commonDir)).read();
  const all = view.all();
  const by = (state: string): LedgerRecord[] => all.filter((r) => visibleState(r) === state);
  const pending = by('pending');
  const failed = by('failed');
  const posted = by('posted');
  const skipped = by('skipped');
  const { rewrites, orphans } = rewriteStatus(view);
  if (opts.json) {
    printJson({
      pending: pending.length,
      posted: posted.length,
      failed: failed.length,
      skipped: skipped.length,
      undone: by('undone').length,
      entries: all.map((r) => ({
        id: r.id,
        sha: r.sha,
        issue: r.issue,
        seconds: r.seconds,
        ...(r.kind ? { kind: r.kind, comment: r.comment ?? '' } : {}),
        ...(r.commentId ? { commentId: r.commentId } : {}),
        state: visibleState(r),
        ...(r.worklogId ? { worklogId: r.worklogId } : {}),
        ...(r.error ? { error: r.error } : {}),
        ...(r.started ? { started: r.started } : {}),
        at: r.at,
      })),
      rewrites,
      orphans,
    });
    return 0;
  }
  out(
    `${pending.length} pending, ${failed.length} failed, ${posted.length} posted, ${skipped.length} skipped`,
  );
  // A comment or a transition (issue 12) logs no time: its text or command stands where the time would.
  const row = (r: LedgerRecord, note: string): string[] => [
    r.issue,
    r.kind === undefined
      ? formatDuration(r.seconds, units)
      : r.kind === 'comment'
        ? 'comment'
        : (r.comment ?? 'transition'),
    r.sha.slice(0, 10),
    note,
  ];
  if (failed.length > 0) {
    out(`\n${color.red('failed')} (fix the cause, then jlog sync --retry-failed):`);
    for (const l of table(failed.map((r) => row(r, r.error ?? '')))) out(`  ${l}`);
  }
  if (pending.length > 0) {
    out(`\n${color.yellow('pending')} (jlog flush posts them now):`);
    for (const l of table(pending.map((r) => row(r, r.error ?? '')))) out(`  ${l}`);
  }
  if (rewrites.length > 0) {
    out(`\n${color.yellow('rewrites')} waiting to be applied to Jira (${APPLY_REWRITES} applies them now):`);
    const rows = rewrites.map((w) => [
      w.from.issue,
      formatDuration(w.from.seconds, units),
      w.from.id.slice(0, 10),
      w.action === 'delete'
        ? 'left history: delete'
        : `${w.action} to ${w.issue} ${formatDuration(w.seconds, units)}`,
    ]);
    for (const l of table(rows)) out(`  ${l}`);
  }
  if (orphans.length > 0) {
    out(`\n${color.yellow('on Jira, no longer on a branch')} (kept; jlog undo <sha> takes one back):`);
    for (const l of table(
      orphans.map((o) => [o.issue, formatDuration(o.seconds, units), o.sha.slice(0, 10), o.command]),
    ))
      out(`  ${l}`);
  }
  if (posted.length > 0) {
    const recent = [...posted].sort((a, b) => (a.at < b.at ? 1 : -1)).slice(0, RECENT);
    out(`\n${color.green('recently posted')}:`);
    for (const l of table(
      recent.map((r) =>
        row(
          r,
          `${r.kind === 'comment' ? `comment ${r.commentId ?? '?'}` : r.kind === 'transition' ? 'applied' : `worklog ${r.worklogId ?? '?'}`}  ${r.at.slice(0, 16).replace('T', ' ')}`,
        ),
      ),
    ))
      out(`  ${l}`);
  }
  return 0;
}
