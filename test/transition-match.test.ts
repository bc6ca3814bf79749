// Transition matching as Atlassian's smart commits match (docs/exactly-once.md), table-driven.
import { describe, expect, it } from 'vitest';
import {
  matchTransition,
  normalizeTransitionName,
  transitionMatchError,
} from '../src/core/transition-match.js';

const t = (...names: string[]) => names.map((name, i) => ({ id: String(11 + i * 10), name }));
const TODO = t('Start Progress', 'Resolve Issue', 'Cancel Issue', 'Close Issue');

describe('matchTransition', () => {
  it.each([
    // [command, offered, expected name or outcome]
    ['start-progress', TODO, 'Start Progress'],
    ['START-PROGRESS', TODO, 'Start Progress'],
    ['start', TODO, 'Start Progress'],
    ['s', TODO, 'Start Progress'],
    ['resolve', TODO, 'Resolve Issue'],
    ['resolve-issue', TODO, 'Resolve Issue'],
    ['close', TODO, 'Close Issue'],
    ['cl', TODO, 'Close Issue'],
    ['c', TODO, 'ambiguous'],
    ['done', TODO, 'none'],
    ['start-review', TODO, 'none'],
    ['progress', TODO, 'none'], // a prefix, not a substring
    ['', TODO, 'none'],
    // Exact wins over prefix.
    ['close', t('Close', 'Close Issue'), 'Close'],
    ['close-i', t('Close', 'Close Issue'), 'Close Issue'],
    ['clo', t('Close', 'Close Issue'), 'ambiguous'],
    // A name with its own hyphen or underscore, and extra spaces in Jira's name.
    ['re-open', t('Re-open', 'Resolve'), 'Re-open'],
    ['re open', t('Re-open'), 'Re-open'],
    ['in-review', t('In  Review'), 'In  Review'],
    ['won-t-fix', t("Won't Fix"), 'none'],
    // Two transitions with one name are ambiguous (jlog never guesses which step Jira means).
    ['done', t('Done', 'Done'), 'ambiguous'],
    ['x', [], 'none'],
  ])('#%s', (command, offered, expected) => {
    const res = matchTransition(command, offered);
    if (expected === 'none' || expected === 'ambiguous') expect(res.kind).toBe(expected);
    else expect(res).toEqual({ kind: 'match', transition: offered.find((o) => o.name === expected) });
  });

  it('lists every offered name when nothing matches, and the candidates when several do', () => {
    expect(matchTransition('done', TODO)).toEqual({
      kind: 'none',
      names: ['Start Progress', 'Resolve Issue', 'Cancel Issue', 'Close Issue'],
    });
    expect(matchTransition('c', TODO)).toMatchObject({
      kind: 'ambiguous',
      candidates: ['Cancel Issue', 'Close Issue'],
    });
  });
});

describe('transitionMatchError', () => {
  it('one line naming the command, the issue and the available transitions', () => {
    const none = matchTransition('done', TODO);
    const amb = matchTransition('c', TODO);
    if (none.kind === 'match' || amb.kind === 'match') throw new Error('expected failures');
    expect(transitionMatchError('PROJ-7', 'done', none)).toBe(
      "#done matches no transition of PROJ-7 from its current status (available: 'Start Progress', 'Resolve Issue', 'Cancel Issue', 'Close Issue')",
    );
    expect(transitionMatchError('PROJ-7', 'c', amb)).toMatch(
      /^#c on PROJ-7 matches several transitions \('Cancel Issue', 'Close Issue'\); write more of the name/,
    );
    expect(transitionMatchError('PROJ-7', 'x', { kind: 'none', names: [] })).toMatch(/available: none/);
  });
});

describe('normalizeTransitionName', () => {
  it.each([
    ['Start Progress', 'start progress'],
    ['start-progress', 'start progress'],
    ['  In   Review ', 'in review'],
    ['won_t_fix', 'won t fix'],
  ])('%j → %j', (a, b) => expect(normalizeTransitionName(a)).toBe(b));
});
