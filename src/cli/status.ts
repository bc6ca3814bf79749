// `jlog status`: what the ledger knows. Reads no config and asks no one, so it works when all else fails.
// Every failed token comes with its way out; every skipped one with why.
import { formatDuration } from '../core/duration.js';
import type { LedgerRecord } from '../core/types.js';
import type { SkipCode } from '../errors.js';
import { repoInfo } from '../git/index.js';
import { Ledger, ledgerDirFor } from '../ledger/ledger.js';
import { APPLY_REWRITES, rewriteStatus } from '../engine/rewrite-status.js';
import { clause, color, escapeTerminal, lowerFirst, out, printJson, shortId, table } from './output.js';
import { withoutIssue } from './run-output.js';

const RECENT = 10;
const units = { hoursPerDay: 8, daysPerWeek: 5 };
const dur = (s: number): string => formatDuration(s, units);

/** A worklog `jlog log` made (id `manual:<uuid>`, engine/select.ts; not imported: status loads no engine). */
const byHand = (r: LedgerRecord): boolean => r.id.startsWith('manual:');

function visibleState(r: LedgerRecord): string {
  return r.state;
}

/** Why a token is skipped (undone tokens are skipped by the user's own hand). */
function skipReason(r: LedgerRecord): string {
  if (r.state === 'undone') return r.worklogId ? 'undone with jlog undo' : 'cancelled with jlog undo';
  return lowerFirst(r.error ?? 'skipped');
}

/** The commands that get a failed token out of `failed`, best first (docs/commands.md). */
export function wayOut(r: LedgerRecord): string[] {
  const id = shortId(r.id);
  const steps: string[] = [];
  if (r.code === 'E_JIRA_NOT_FOUND')
    steps.push(`jlog log <right-key> ${dur(r.seconds).replace(/ /g, '')} --instead-of ${id}`);
  else if (r.retryable === true) steps.push('jlog sync --retry-failed');
  steps.push(`jlog undo ${id}`);
  return steps;
}

export async function run(_args: string[], opts: Record<string, unknown>): Promise<number> {
  const repo = await repoInfo(process.cwd(), { userEmail: false });
  const ledger = Ledger.open(ledgerDirFor(repo.commonDir));
  if (opts.json) {
    // Every entry: the whole ledger.
    const all = (await ledger.read()).all();
    const by = (...states: string[]): LedgerRecord[] => all.filter((r) => states.includes(visibleState(r)));
    const { rewrites, orphans } = rewriteStatus(all);
    printJson({
      pending: by('pending').length,
      posted: by('posted').length,
      failed: by('failed').length,
      skipped: by('skipped', 'undone').length,
      undone: by('undone').length,
      entries: all.map((r) => {
        // The JSON contract has four states: an undone (or cancelled) token is skipped, code E_UNDONE.
        const state = r.state === 'undone' ? 'skipped' : visibleState(r);
        const code = r.state === 'undone' ? ('E_UNDONE' satisfies SkipCode) : r.code;
        return {
          id: r.id,
          sha: r.sha,
          issue: r.issue,
          seconds: r.seconds,
          ...(r.kind ? { kind: r.kind, comment: r.comment ?? '' } : {}),
          ...(r.commentId ? { commentId: r.commentId } : {}),
          state,
          ...(r.worklogId ? { worklogId: r.worklogId } : {}),
          ...(r.error ? { error: r.error } : {}),
          ...(state === 'skipped' ? { reason: skipReason(r) } : {}),
          ...(state === 'failed' ? { next: wayOut(r) } : {}),
          ...(code ? { code } : {}),
          ...(r.started ? { started: r.started } : {}),
          at: r.at,
        };
      }),
      rewrites,
      orphans,
    });
    return 0;
  }
  // The text lists what is not posted and the latest posted only: the ledger's status summary, which a
  // snapshot keeps, so a years-long ledger costs what a new one does (issue 13).
  const lists = await ledger.statusLists(RECENT);
  const by = (...states: string[]): LedgerRecord[] =>
    lists.shown.filter((r) => states.includes(visibleState(r)));
  const pending = by('pending');
  const failed = by('failed');
  const skipped = by('skipped', 'undone');
  const posted = lists.counts.posted;
  const { rewrites, orphans } = rewriteStatus(lists.shown);
  out(`${pending.length} pending, ${failed.length} failed, ${posted} posted, ${skipped.length} skipped`);
  // A comment or a transition (issue 12) logs no time: its text or command stands where the time would.
  // Commit and Jira text is escaped whole here: not even a colour code of its own reaches the terminal.
  const row = (r: LedgerRecord, note: string): string[] => [
    r.issue,
    r.kind === undefined
      ? dur(r.seconds)
      : r.kind === 'comment'
        ? 'comment'
        : escapeTerminal(r.comment ?? 'transition'),
    shortId(r.id),
    escapeTerminal(note),
  ];
  if (failed.length > 0) {
    out(`\n${color.red('failed')}, each with its way out:`);
    const lines = table(failed.map((r) => row(r, lowerFirst(r.error ?? ''))));
    failed.forEach((r, i) => {
      out(`  ${lines[i] ?? ''}`);
      const [first, ...rest] = wayOut(r);
      out(
        `      ${color.dim('→')} ${first ?? ''}${rest.length > 0 ? `, or cancel it: ${rest.join(', ')}` : ''}`,
      );
    });
  }
  if (pending.length > 0) {
    // With rewrites: "report", an amended token's heir waits for its rewrite: flush does not post it.
    const held = new Set(rewrites.map((w) => w.id));
    const postable = pending.some((r) => !held.has(r.id) && !byHand(r));
    out(`\n${color.yellow('pending')}${postable ? ', jlog flush posts them now' : ''}:`);
    // One reason (Jira down, time tracking off) said once over the tokens it holds back.
    const byReason = new Map<string, LedgerRecord[]>();
    for (const r of pending) {
      const said = held.has(r.id)
        ? `held until ${APPLY_REWRITES} applies its rewrite`
        : clause(withoutIssue(r.error ?? '', r.issue));
      // A worklog logged by hand is pending only after an unknown outcome, and has no commit that a
      // run would post it from: the user looks on Jira (what jlog log itself said).
      const reason = byHand(r)
        ? `${said.replace(/; posted again after .*$/, '')}; logged by hand, so no run posts it again; look at ${r.issue} on Jira: jlog undo ${r.id} removes it`
        : said;
      byReason.set(reason, [...(byReason.get(reason) ?? []), r]);
    }
    for (const [reason, list] of byReason) {
      if (reason !== '') out(`  ${escapeTerminal(reason)}:`);
      for (const l of table(list.map((r) => row(r, '')))) out(`    ${l}`);
    }
  }
  if (skipped.length > 0) {
    out(`\n${color.dim('skipped')}, with why:`);
    for (const l of table(skipped.map((r) => row(r, skipReason(r))))) out(`  ${l}`);
  }
  if (rewrites.length > 0) {
    out(`\n${color.yellow('rewrites')} waiting to be applied to Jira, ${APPLY_REWRITES} applies them now:`);
    const rows = rewrites.map((w) => [
      w.from.issue,
      w.kind === 'comment' ? 'comment' : dur(w.from.seconds),
      shortId(w.from.id),
      w.action === 'delete'
        ? 'left history: delete'
        : `${w.action} to ${w.issue}${w.kind === 'comment' ? '' : ` ${dur(w.seconds)}`}`,
    ]);
    for (const l of table(rows)) out(`  ${l}`);
  }
  if (orphans.length > 0) {
    out(`\n${color.yellow('on Jira, no longer on a branch')}, kept; jlog undo <sha> takes one back:`);
    const what = (o: (typeof orphans)[number]) => (o.kind === 'comment' ? 'comment' : dur(o.seconds));
    for (const l of table(orphans.map((o) => [o.issue, what(o), o.sha.slice(0, 10), o.command])))
      out(`  ${l}`);
  }
  if (posted > 0) {
    out(`\n${color.green('recently posted')}:`);
    for (const l of table(
      lists.recent.map((r) =>
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
