// The pure plan for comments and transitions: off by default, ledger states, not mine, merge copies,
// flush's fresh commits, and docs/exactly-once.md's order.
import { describe, expect, it } from 'vitest';
import { planCommands, type CommandPlanOptions } from '../src/core/command-plan.js';
import type { Commit, LedgerRecord } from '../src/core/types.js';

const OPTS: CommandPlanOptions = {
  grammar: { projects: null, hoursPerDay: 8, daysPerWeek: 5, maxSeconds: 80 * 3600 },
  comments: true,
  transitions: true,
  isSquash: (c) => /\(#\d+\)$/.test(c.subject),
  authors: null,
  retryFailed: false,
};

function commit(sha: string, message: string, email = 'dev@example.com'): Commit {
  return {
    sha: sha.repeat(40).slice(0, 40),
    parents: [],
    authorName: 'Dev',
    authorEmail: email,
    authorDate: '2026-11-27T09:05:00+01:00',
    subject: message.split('\n')[0] ?? '',
    message,
  };
}

function ledgerOf(records: Partial<LedgerRecord>[]) {
  const map = new Map(
    records.map((r) => [r.id as string, { sha: '', issue: '', seconds: 0, at: '', ...r } as LedgerRecord]),
  );
  return { get: (id: string) => map.get(id), all: () => [...map.values()] };
}

const ids = (xs: { command: { id: string } }[] | { id: string }[]) =>
  xs.map((x) => ('command' in x ? x.command.id : x.id).slice(40));

describe('planCommands', () => {
  it('with both options off (the default) plans nothing at all', () => {
    const p = planCommands([commit('a', 'PROJ-1 #comment x #resolve')], ledgerOf([]), {
      ...OPTS,
      comments: false,
      transitions: false,
    });
    expect(p).toEqual({ toApply: [], done: [], copies: [], failed: [], skipped: [], gone: [] });
  });

  it('oldest commit first; within a commit by line, comment before transitions', () => {
    const newer = commit('b', 'PROJ-1 #close');
    const older = commit('a', 'PROJ-1 #start #comment begun\nPROJ-2 #comment two');
    const p = planCommands([newer, older], ledgerOf([]), OPTS);
    expect(p.toApply.map((c) => `${c.sha[0]}${c.id.slice(40)}`)).toEqual(['a:c0', 'a:t0', 'a:c1', 'b:t0']);
  });

  it('ledger states: posted is done, undone and other skips stand, failed waits for --retry-failed', () => {
    const c = commit('a', 'PROJ-1 #comment a #comment b #comment c #comment d #comment e');
    const sha = c.sha;
    const ledger = ledgerOf([
      { id: `${sha}:c0`, state: 'posted' },
      { id: `${sha}:c1`, state: 'undone' },
      { id: `${sha}:c2`, state: 'skipped', code: 'E_ALREADY_IN_STATUS', error: 'PROJ-1 is already Done' },
      { id: `${sha}:c3`, state: 'failed', retryable: true, error: 'nope' },
      { id: `${sha}:c4`, state: 'skipped', code: 'E_NOT_MINE' },
    ]);
    const p = planCommands([c], ledger, OPTS);
    expect(ids(p.done)).toEqual([':c0']);
    expect(p.skipped.map((s) => [s.command.id.slice(40), s.reason])).toEqual([
      [':c1', 'undone with jlog undo'],
      [':c2', 'PROJ-1 is already Done'],
    ]);
    expect(ids(p.failed)).toEqual([':c3']);
    expect(ids(p.toApply)).toEqual([':c4']);
    expect(ids(planCommands([c], ledger, { ...OPTS, retryFailed: true }).toApply)).toEqual([':c3', ':c4']);
  });

  it("other authors' commands are skipped as not mine unless everyone is in scope", () => {
    const c = commit('a', 'PROJ-1 #comment x', 'bob@example.com');
    const p = planCommands([c], ledgerOf([]), { ...OPTS, authors: ['Dev@Example.com'] });
    expect(p.skipped.map((s) => s.code)).toEqual(['E_NOT_MINE']);
    expect(
      planCommands([commit('a', 'PROJ-1 #comment x')], ledgerOf([]), {
        ...OPTS,
        authors: ['DEV@example.com'],
      }).toApply,
    ).toHaveLength(1);
  });

  it('a merge commit repeating a command of a commit it merges is a copy, never applied', () => {
    const merge = commit('m', 'Merge pull request #3\n\nPROJ-1 #comment fixed #resolve');
    const merged = new Map([
      [merge.sha, new Map([[JSON.stringify(['comment', 'PROJ-1', 'fixed']), 'b'.repeat(40) + ':c0']])],
    ]);
    const p = planCommands([merge], ledgerOf([]), OPTS, { merged });
    expect(p.copies.map((c) => [c.command.kind, c.copyOf.slice(40)])).toEqual([['comment', ':c0']]);
    expect(p.toApply.map((c) => c.kind)).toEqual(['transition']);
  });

  it('flush: every command of a fresh (pushed) commit; of older commits only the pending ones', () => {
    const pushed = commit('a', 'PROJ-1 #comment new');
    const old = commit('b', 'PROJ-1 #comment old #comment waiting');
    const ledger = ledgerOf([{ id: `${old.sha}:c1`, state: 'pending' }]);
    const p = planCommands([pushed, old], ledger, { ...OPTS, fresh: new Set([pushed.sha]) });
    expect(p.toApply.map((c) => (c.kind === 'comment' ? c.text : c.name))).toEqual(['waiting', 'new']);
  });

  it('marks squash commits and co-authors for the copy rules', () => {
    const c = commit(
      's',
      'Fix login (#12)\n\nPROJ-1 #comment fixed\n\nCo-authored-by: Bob <bob@example.com>',
    );
    const [only] = planCommands([c], ledgerOf([]), OPTS).toApply;
    expect(only?.squash).toBe(true);
    expect(only?.authors).toHaveLength(2);
  });

  it('rewrites: an heir carries what it replaces; a posted comment that left history is gone, a force-push only lists it', () => {
    const c = commit('b', 'PROJ-1 #comment new text');
    const replaces = { id: `${'a'.repeat(40)}:c0`, fp: 'f', issue: 'PROJ-1', seconds: 0, comment: 'old' };
    const ledger = ledgerOf([
      { id: `${c.sha}:c0`, kind: 'comment', state: 'pending', replaces: { ...replaces, commentId: '7' } },
      { id: 'e'.repeat(40) + ':c0', kind: 'comment', state: 'posted', rewritten: { by: 'amend', to: null } },
      { id: 'f'.repeat(40) + ':c0', kind: 'comment', state: 'posted', rewritten: { by: 'push', to: null } },
      // A worklog that left history is the worklog plan's, a transition cannot be taken back.
      { id: 'e'.repeat(40) + ':0', state: 'posted', rewritten: { by: 'amend', to: null } },
      {
        id: 'e'.repeat(40) + ':t0',
        kind: 'transition',
        state: 'posted',
        rewritten: { by: 'amend', to: null },
      },
    ]);
    const p = planCommands([c], ledger, OPTS);
    expect(p.toApply.map((x) => x.replaces)).toEqual([{ ...replaces, commentId: '7' }]);
    expect(p.gone.map((r) => r.id)).toEqual(['e'.repeat(40) + ':c0']);
    // rewrites: "report": listed, not applied; nothing deleted.
    const report = planCommands([c], ledger, { ...OPTS, reportRewrites: true });
    expect(report.toApply).toEqual([]);
    expect(report.skipped.map((s) => s.reason)).toEqual([
      'a rewrite of a posted comment waits (rewrites: "report"): jlog sync --apply-rewrites brings it in line',
    ]);
    expect(report.gone).toEqual([]);
  });
});
