import { describe, expect, it } from 'vitest';
import {
  fallbackComment,
  insertBranchKey,
  isGitCommentLine,
  parseMessage,
  type ParseOptions,
} from '../src/core/grammar.js';
import type { ParseResult, WorklogToken } from '../src/core/types.js';

const OPTS: ParseOptions = { projects: null, hoursPerDay: 8, daysPerWeek: 5, maxSeconds: 2 * 5 * 8 * 3600 };
const H = 3600;
const M = 60;

const wl = (issue: string, seconds: number, comment = '', line = 1): WorklogToken => ({
  issue,
  seconds,
  comment,
  line,
});
const parse = (message: string, opts: Partial<ParseOptions> = {}): ParseResult =>
  parseMessage(message, { ...OPTS, ...opts });

describe('docs/grammar.md: Atlassian examples (8 h day, 5 d week)', () => {
  it('JRA-34 #time 1w 2d 4h 30m Total work logged', () => {
    expect(parse('JRA-34 #time 1w 2d 4h 30m Total work logged')).toEqual({
      worklogs: [wl('JRA-34', 217_800, 'Total work logged')],
      comments: [],
      transitions: [],
      diagnostics: [],
    });
  });

  it('time, comment and transition on one key', () => {
    expect(parse('JRA-123 #time 2d 5h #comment Task completed ahead of schedule #resolve')).toEqual({
      worklogs: [wl('JRA-123', 21 * H)],
      comments: [{ issue: 'JRA-123', text: 'Task completed ahead of schedule', line: 1 }],
      transitions: [{ issue: 'JRA-123', name: 'resolve', args: '', line: 1 }],
      diagnostics: [],
    });
  });

  it('a group of three keys shares every command, one worklog per key in order', () => {
    const r = parse('JRA-123 JRA-234 JRA-345 #resolve #time 2d 5h #comment Task completed ahead of schedule');
    expect(r.worklogs).toEqual([wl('JRA-123', 21 * H), wl('JRA-234', 21 * H), wl('JRA-345', 21 * H)]);
    expect(r.comments.map((c) => c.issue)).toEqual(['JRA-123', 'JRA-234', 'JRA-345']);
    expect(r.transitions.map((t) => [t.issue, t.name])).toEqual([
      ['JRA-123', 'resolve'],
      ['JRA-234', 'resolve'],
      ['JRA-345', 'resolve'],
    ]);
    expect(r.diagnostics).toEqual([]);
  });

  it('a #time after a key one typo from a project of yours logs nothing and says which key was meant', () => {
    const r = parse('fix login\nPORJ-7 #time 2h wrong key', { projects: ['PROJ'], branch: 'feature/PROJ-9' });
    expect(r.worklogs).toEqual([]);
    expect(r.diagnostics).toEqual([
      {
        line: 2,
        message:
          "'#time 2h wrong key' follows PORJ-7, and PORJ is not one of your projects: did you mean PROJ-7?",
      },
    ]);
  });

  it('a #time line without a key logs nothing (and says so), unless the branch supplies one', () => {
    const message = 'JRA-123 #comment long description\n#time 2d 5h';
    const r = parse(message);
    expect(r.worklogs).toEqual([]);
    expect(r.comments).toEqual([{ issue: 'JRA-123', text: 'long description', line: 1 }]);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]!.line).toBe(2);
    expect(r.diagnostics[0]!.message).toMatch(/no issue key/);
    expect(parse(message, { branch: 'feature/JRA-9-x' }).worklogs).toEqual([wl('JRA-9', 21 * H, '', 2)]);
  });
});

// [message, expected worklogs, expected number of diagnostics, options]
type Case = [string, WorklogToken[], number, Partial<ParseOptions>?];

const CASES: Record<string, Case> = {
  'later key not adjacent starts a new group': ['PROJ-1 #comment see OPS-2 #time 1h', [wl('OPS-2', H)], 0],
  'arguments stop at the next key group': [
    'PROJ-1 #time 1h fix PROJ-2 #time 2h',
    [wl('PROJ-1', H, 'fix'), wl('PROJ-2', 2 * H)],
    0,
  ],
  'arguments stop at the next command': ['PROJ-1 #time 1h fix #comment c', [wl('PROJ-1', H, 'fix')], 0],
  'text between key and command is ignored': ['PROJ-7 Fix the login #time 1h', [wl('PROJ-7', H)], 0],
  'glued parts': ['PROJ-7 #time 1h30m glued', [wl('PROJ-7', 90 * M, 'glued')], 0],
  'command and units in any case': ['PROJ-7 #Time 2H', [wl('PROJ-7', 2 * H)], 0],
  'TIME upper case, mixed units': ['PROJ-7 #TIME 1D 2h', [wl('PROJ-7', 10 * H)], 0],
  decimals: ['PROJ-7 #time 1.5h', [wl('PROJ-7', 90 * M)], 0],
  'leading-dot decimal': ['PROJ-7 #time .5h', [wl('PROJ-7', 30 * M)], 0],
  'tabs as whitespace': ['PROJ-7\t#time\t1h\tfixed it', [wl('PROJ-7', H, 'fixed it')], 0],
  'emoji around': ['🚀 PROJ-7 #time 45m ship it 🎉', [wl('PROJ-7', 45 * M, 'ship it 🎉')], 0],
  'non-breaking space separates': ['PROJ-7\u00a0#time\u00a01h', [wl('PROJ-7', H)], 0],
  'trailing full stop ends the duration': ['PROJ-7 #time 1h.', [wl('PROJ-7', H)], 0],
  'punctuation after the duration, comment after it': [
    'PROJ-7 #time 1h, fixed login',
    [wl('PROJ-7', H, 'fixed login')],
    0,
  ],
  'full stop then sentence': ['PROJ-7 #time 1h. Fixed login.', [wl('PROJ-7', H, 'Fixed login.')], 0],
  'colon after #time': ['PROJ-7 #time: 1h', [wl('PROJ-7', H)], 0],
  'comment starting with a number': [
    'PROJ-7 #time 2h 3 bugs fixed',
    [wl('PROJ-7', 2 * H, '3 bugs fixed')],
    0,
  ],
  'comment with a word like a unit': ['PROJ-7 #time 2h 2x faster', [wl('PROJ-7', 2 * H, '2x faster')], 0],
  'GitHub ref in the comment is not a command': [
    'PROJ-7 #time 1h see #123',
    [wl('PROJ-7', H, 'see #123')],
    0,
  ],
  'bracketed key': ['[PROJ-7] Fix login #time 1h', [wl('PROJ-7', H)], 0],
  'parenthesised key': ['(PROJ-7) #time 1h', [wl('PROJ-7', H)], 0],
  'key with a colon': ['PROJ-7: Fix login #time 1h', [wl('PROJ-7', H)], 0],
  'comma group': ['PROJ-1, PROJ-2 #time 1h', [wl('PROJ-1', H), wl('PROJ-2', H)], 0],
  'comma group without spaces': ['PROJ-1,PROJ-2 #time 1h', [wl('PROJ-1', H), wl('PROJ-2', H)], 0],
  'bracketed list': ['[PROJ-1, PROJ-2]: #time 1h', [wl('PROJ-1', H), wl('PROJ-2', H)], 0],
  // Key groups are joined only by whitespace and commas (docs/grammar.md): anything else makes two groups,
  // and a command after them belongs to the second.
  'adjacent brackets are two groups': ['[PROJ-1][PROJ-2] #time 1h', [wl('PROJ-2', H)], 0],
  'a colon between keys makes two groups': ['PROJ-1: PROJ-2 #time 1h', [wl('PROJ-2', H)], 0],
  'a word between keys makes two groups': ['PROJ-1 and PROJ-2 #time 1h', [wl('PROJ-2', H)], 0],
  'an ampersand between keys': ['PROJ-1 & PROJ-2 #time 1h', [wl('PROJ-2', H)], 0],
  'a semicolon between keys': ['PROJ-1;PROJ-2 #time 1h', [wl('PROJ-2', H)], 0],
  'a pipe between keys': ['PROJ-1|PROJ-2 #time 1h', [wl('PROJ-2', H)], 0],
  'a slash: the second is no key at all, so one group': ['PROJ-1/PROJ-2 #time 1h', [wl('PROJ-1', H)], 0],
  'a dash: likewise': ['PROJ-1-PROJ-2 #time 1h', [wl('PROJ-1', H)], 0],
  'parenthesised comma list': ['(PROJ-1, PROJ-2) #time 1h', [wl('PROJ-1', H), wl('PROJ-2', H)], 0],
  'spaces and commas in any mix': [
    'PROJ-1 ,PROJ-2 , \tPROJ-3,, PROJ-4 #time 1h',
    [wl('PROJ-1', H), wl('PROJ-2', H), wl('PROJ-3', H), wl('PROJ-4', H)],
    0,
  ],
  'a trailing comma before the command': ['PROJ-1, PROJ-2, #time 1h', [wl('PROJ-1', H), wl('PROJ-2', H)], 0],
  'punctuation after a group does not end it': [
    'PROJ-1 PROJ-2: #time 1h',
    [wl('PROJ-1', H), wl('PROJ-2', H)],
    0,
  ],
  'several groups on one line, each with its commands': [
    'PROJ-1 #time 1h PROJ-2 PROJ-3 #time 30m review',
    [wl('PROJ-1', H), wl('PROJ-2', 30 * M, 'review'), wl('PROJ-3', 30 * M, 'review')],
    0,
  ],
  // A `#` right before a key belongs to the key (docs/grammar.md).
  'hash key': ['#JRA-123 #time 1h', [wl('JRA-123', H)], 0],
  'hash keys in a group': ['#PROJ-1 #PROJ-2 #time 1h', [wl('PROJ-1', H), wl('PROJ-2', H)], 0],
  'hash key after a comma joins the group': [
    'PROJ-1,#PROJ-2 #time 1h',
    [wl('PROJ-1', H), wl('PROJ-2', H)],
    0,
  ],
  'hash key glued to a key is another group': ['PROJ-1#PROJ-2 #time 1h', [wl('PROJ-2', H)], 0],
  'hash key, text, then the command': ['#PROJ-7 Fix login #time 1h', [wl('PROJ-7', H)], 0],
  'hash key with digits in the project': ['#B2B-12 #time 1h', [wl('B2B-12', H)], 0],
  'hash key in parentheses': ['Fix login (#PROJ-7) #time 1h', [wl('PROJ-7', H)], 0],
  'a hash key ends the arguments like any key': ['PROJ-1 #time 1h see #PROJ-2', [wl('PROJ-1', H, 'see')], 0],
  'hash key after an excluded character is no key': ['see https://x/#PROJ-7 and ?q=#PROJ-8 #time 1h', [], 1],
  'lower-case hash key is a (keyless) transition, not a key': ['#proj-7 #time 1h', [], 1],
  'hash key of another project': ['#OPS-7 #time 1h', [], 0, { projects: ['PROJ'] }],
  // Lines that name another commit's work carry nothing, not even a diagnostic.
  'git revert subject': ['Revert "PROJ-7 #time 1h fix login"', [], 0],
  'fixup! subject': ['fixup! PROJ-7 #time 1h fix login', [], 0],
  'squash! subject': ['squash! PROJ-7 #time 1h fix login', [], 0],
  'amend! subject': ['amend! PROJ-7 #time 1h fix login', [], 0],
  'fixup! in a dash-bulleted squash body': ['- fixup! PROJ-7 #time 1h', [], 0],
  'reapply in a star-bulleted squash body': ['* Reapply "PROJ-7 #time 1h"', [], 0],
  'no diagnostic from a quoted bad token': ['fixup! PROJ-7 #time 30min', [], 0],
  'no branch key for a quoted keyless #time': ['squash! #time 1h', [], 0, { branch: 'PROJ-7' }],
  'nested revert': ['Revert "Revert "PROJ-7 #time 1h""', [], 0],
  'Revert without git’s quote is the author’s own line': ['Revert PROJ-7 #time 1h', [wl('PROJ-7', H)], 0],
  'fixup! later in the line is text': ['PROJ-7 #time 1h fixup! typo', [wl('PROJ-7', H, 'fixup! typo')], 0],
  // A unit letter ends its part: a longer unit is a diagnostic, never a guess.
  '30min': ['PROJ-7 #time 30min', [], 1],
  '1hour': ['PROJ-7 #time 1hour', [], 1],
  '2hours': ['PROJ-7 #time 2hours', [], 1],
  '1.5hrs': ['PROJ-7 #time 1.5hrs', [], 1],
  '2h30mins': ['PROJ-7 #time 2h30mins', [], 1],
  '1d 2hrs': ['PROJ-7 #time 1d 2hrs', [], 1],
  '45 m with a space': ['PROJ-7 #time 45 m', [], 1],
  'a plain word after the duration is the comment': [
    'PROJ-7 #time 1h minutes of fun',
    [wl('PROJ-7', H, 'minutes of fun')],
    0,
  ],
  // A comment made only of punctuation is empty.
  'lone full stop after a space': ['PROJ-7 #time 1h .', [wl('PROJ-7', H)], 0],
  'a dash': ['PROJ-7 #time 1h -', [wl('PROJ-7', H)], 0],
  'an ellipsis': ['PROJ-7 #time 1h ...', [wl('PROJ-7', H)], 0],
  'a comma before the next key group': [
    'PROJ-1 #time 1h, PROJ-2 #time 2h',
    [wl('PROJ-1', H), wl('PROJ-2', 2 * H)],
    0,
  ],
  'brackets around the next group': [
    'PROJ-1 #time 1h (PROJ-2 #time 2h)',
    [wl('PROJ-1', H), wl('PROJ-2', 2 * H)],
    0,
  ],
  'an emoji is a comment': ['PROJ-7 #time 1h 🎉', [wl('PROJ-7', H, '🎉')], 0],
  'a number is a comment': ['PROJ-7 #time 1h - 2', [wl('PROJ-7', H, '- 2')], 0],
  'punctuation inside a real comment stays': [
    'PROJ-7 #time 1h fixed (again).',
    [wl('PROJ-7', H, 'fixed (again).')],
    0,
  ],
  // Durations
  'Atlassian: weeks, days, hours, minutes': ['JRA-34 #time 1w 2d 4h 30m', [wl('JRA-34', 217_800)], 0],
  'parts in any order add up': ['PROJ-7 #time 30m 1h', [wl('PROJ-7', 90 * M)], 0],
  'glued parts, days to minutes': ['PROJ-7 #time 1d2h30m', [wl('PROJ-7', 10 * H + 30 * M)], 0],
  'decimal days': ['PROJ-7 #time 1.5d', [wl('PROJ-7', 12 * H)], 0],
  'quarter hour': ['PROJ-7 #time 0.25h', [wl('PROJ-7', 15 * M)], 0],
  'Atlassian doc example over the default maxDuration': [
    'KEY-123 #time 2w 4d 6h 55m This is a comment',
    [],
    1,
  ],
  'the same with a higher maxDuration': [
    'KEY-123 #time 2w 4d 6h 55m This is a comment',
    [wl('KEY-123', 80 * H + 32 * H + 6 * H + 55 * M, 'This is a comment')],
    0,
    { maxSeconds: 1e9 },
  ],
  'Atlassian doc: transition and comment, leading-zero key': [
    'JRA-090 #close #comment Fixed this today',
    [],
    0,
  ],
  'the same key twice in a group is one worklog': ['PROJ-1 PROJ-1 #time 1h', [wl('PROJ-1', H)], 0],
  'two #time for one key': [
    'PROJ-1 #time 1h #time 30m review',
    [wl('PROJ-1', H), wl('PROJ-1', 30 * M, 'review')],
    0,
  ],
  'key ending in a dash-word is still the key': ['PROJ-7-login #time 1h', [wl('PROJ-7', H)], 0],
  'leading zeros': ['PROJ-007 #time 1h', [wl('PROJ-007', H)], 0],
  'digits in the project': ['AB2-7 #time 1h', [wl('AB2-7', H)], 0],
  'squash body bullet': ['* PROJ-7 #time 1h fix', [wl('PROJ-7', H, 'fix')], 0],
  'dash bullet': ['- PROJ-7 #time 1h fix', [wl('PROJ-7', H, 'fix')], 0],
  'indented (git merge --squash body)': ['    PROJ-7 #time 1h', [wl('PROJ-7', H)], 0],
  'quoted key': ['"PROJ-7" #time 1h', [wl('PROJ-7', H)], 0],
  // Not keys, not commands
  'key in a URL': ['see https://acme.atlassian.net/browse/PROJ-7 #time 1h', [], 1],
  'key in a query string': ['see https://x/?issue=PROJ-7 #time 1h', [], 1],
  'key in a path': ['feature/PROJ-7 #time 1h', [], 1],
  'key after a dash': ['OPS-PROJ-7 #time 1h', [], 1],
  'key after &': ['a&PROJ-7 #time 1h', [], 1],
  'key after >': ['>PROJ-7 #time 1h', [], 1],
  'key after ^ ! ~': ['^PROJ-7 !PROJ-8 ~PROJ-9 #time 1h', [], 1],
  'key glued to a word before': ['xPROJ-7 #time 1h', [], 1],
  'key glued to a word after': ['PROJ-7x #time 1h', [], 1],
  'key with underscore after': ['PROJ-7_x #time 1h', [], 1],
  'lower-case key': ['proj-7 #time 1h', [], 1],
  'one-letter project': ['P-7 #time 1h', [], 1],
  'command inside a word': ['PROJ-7 foo#time 1h', [], 0],
  'command after punctuation': ['PROJ-7 (#time 1h)', [], 0],
  'hash alone': ['PROJ-7 # time 1h', [], 0],
  'command before the key': ['#time 1h PROJ-7', [], 1],
  'merge subject': ["Merge branch 'feature/PROJ-7-login' into main", [], 0],
  'merge subject with a bare branch key': ["Merge branch 'PROJ-7-login'", [], 0],
  'merge pull request': ['Merge pull request #12 from acme/PROJ-7-login', [], 0],
  'revert quotes the reverted subject': ['Revert "PROJ-1 #time 1h"', [], 0],
  'reapply quotes too': ['Reapply "PROJ-1 #time 1h"', [], 0],
  'revert in a squash body': ['* Revert "PROJ-1 #time 1h"', [], 0],
  'no commands at all': ['PROJ-7 Fix the login page', [], 0],
  'empty message': ['', [], 0],
  // Diagnostics
  'no duration': ['PROJ-7 #time', [], 1],
  'no duration before the next command': ['PROJ-7 #time #comment x', [], 1],
  'unknown unit': ['PROJ-7 #time 1x', [], 1],
  'not a duration': ['PROJ-7 #time soon', [], 1],
  zero: ['PROJ-7 #time 0m', [], 1],
  'zero parts': ['PROJ-7 #time 0h 0m', [], 1],
  'under half a minute rounds to zero': ['PROJ-7 #time 0.4m', [], 1],
  'over maxDuration': ['PROJ-7 #time 3w', [], 1],
  'comma decimal': ['PROJ-7 #time 1,5h', [], 1],
  'missing unit glued': ['PROJ-7 #time 1h30', [], 1],
  'missing unit at the end': ['PROJ-7 #time 1h 30', [], 1],
  'spelled-out unit': ['PROJ-7 #time 2 hours', [], 1],
  'botched unit after a valid part': ['PROJ-7 #time 1h 30min', [], 1],
  'bare number before a unit word': ['PROJ-7 #time 1h 30 min', [], 1],
  'unit word glued': ['PROJ-7 #time 2hrs', [], 1],
  'each malformed #time is reported': ['PROJ-7 #time 1x #time 2y', [], 2],
  'a bad #time does not stop a good one': ['PROJ-7 #time soon #time 1h', [wl('PROJ-7', H)], 1],
  // Rounding (docs/grammar.md: nearest minute, half up)
  'half a minute rounds up': ['PROJ-7 #time 0.5m', [wl('PROJ-7', M)], 0],
  'exact decimal: 0.025h is 90 s, rounds to 2m': ['PROJ-7 #time 0.025h', [wl('PROJ-7', 2 * M)], 0],
  'just over a minute rounds down': ['PROJ-7 #time 1.01m', [wl('PROJ-7', M)], 0],
  'exactly maxDuration': ['PROJ-7 #time 2w', [wl('PROJ-7', 80 * H)], 0],
  // Options
  'site with a 7.5 h day': ['PROJ-7 #time 1d', [wl('PROJ-7', 27_000)], 0, { hoursPerDay: 7.5 }],
  'site with a 4-day week': ['PROJ-7 #time 1w', [wl('PROJ-7', 32 * H)], 0, { daysPerWeek: 4 }],
  'lower maxDuration': ['PROJ-7 #time 1h 1m', [], 1, { maxSeconds: H }],
  'allow-list: other project yields nothing, silently': ['OPS-1 #time 1h', [], 0, { projects: ['PROJ'] }],
  'allow-list: a key two letters swapped from ours is a diagnostic': [
    'PORJ-7 #time 1h',
    [],
    1,
    { projects: ['PROJ'] },
  ],
  'allow-list: a key one letter off ours is a diagnostic': [
    'PRIJ-7 #time 1h',
    [],
    1,
    { projects: ['OPS', 'PROJ'] },
  ],
  'allow-list: a two-letter project guesses no typo': ['AC-1 #time 1h', [], 0, { projects: ['AB'] }],
  'allow-list: prefix of a word is not our key': ['XPROJ-7 #time 1h', [], 0, { projects: ['PROJ'] }],
  'allow-list: other key still ends the arguments': [
    'PROJ-1 #time 1h see OPS-2 #time 2h',
    [wl('PROJ-1', H, 'see')],
    0,
    { projects: ['PROJ'] },
  ],
  'allow-list: mixed group keeps ours': [
    'OPS-1 PROJ-1 #time 1h',
    [wl('PROJ-1', H)],
    0,
    { projects: ['PROJ'] },
  ],
  'branch key for a line without one': [
    '#time 1h fixed',
    [wl('PROJ-7', H, 'fixed')],
    0,
    { branch: 'feature/PROJ-7-login' },
  ],
  'branch key for text before #time': ['fixed it #time 1h', [wl('PROJ-7', H)], 0, { branch: 'PROJ-7' }],
  'branch key after a dash': ['#time 1h', [wl('PROJ-7', H)], 0, { branch: 'bugfix-PROJ-7_x' }],
  'branch key repeated is one key': ['#time 1h', [wl('PROJ-7', H)], 0, { branch: 'PROJ-7/PROJ-7-again' }],
  'explicit key wins over the branch': [
    'PROJ-1 #time 1h',
    [wl('PROJ-1', H)],
    0,
    { branch: 'feature/PROJ-7' },
  ],
  'branch with two keys supplies none': ['#time 1h', [], 1, { branch: 'feature/PROJ-1-PROJ-2' }],
  'branch with a lower-case key supplies none': ['#time 1h', [], 1, { branch: 'feature/proj-7-login' }],
  'branch key outside the allow-list': ['#time 1h', [], 1, { branch: 'feature/OPS-7', projects: ['PROJ'] }],
  'branch key inside the allow-list': [
    '#time 1h',
    [wl('PROJ-7', H)],
    0,
    { branch: 'OPS-1-PROJ-7', projects: ['PROJ'] },
  ],
  'branch does not apply to another project’s token': [
    'OPS-1 #time 1h',
    [],
    0,
    { branch: 'PROJ-7', projects: ['PROJ'] },
  ],
};

describe('grammar cases', () => {
  it.each(Object.entries(CASES))('%s', (_name, [message, worklogs, diagnostics, opts]) => {
    const r = parse(message, opts);
    expect(r.worklogs).toEqual(worklogs);
    expect(r.diagnostics).toHaveLength(diagnostics);
  });
});

describe('diagnostics', () => {
  const message = (text: string, opts?: Partial<ParseOptions>) => {
    const d = parse(text, opts).diagnostics;
    expect(d).toHaveLength(1);
    return d[0]!;
  };

  it('name the line (1-based) and give a hint', () => {
    const d = message('Fix login\n\nPROJ-7 #time 1x');
    expect(d).toEqual({ line: 3, issue: 'PROJ-7', message: "'#time 1x': unknown unit 'x' (use w, d, h, m)" });
  });

  it('say what is wrong', () => {
    expect(message('PROJ-7 #time').message).toMatch(/no duration .*#time 1h 30m/);
    expect(message('PROJ-7 #time soon').message).toMatch(/'soon' is not a duration \(use w, d, h, m\)/);
    expect(message('PROJ-7 #time 0m').message).toMatch(/zero/);
    expect(message('PROJ-7 #time 0.4m').message).toMatch(/less than a minute/);
    expect(message('PROJ-7 #time 3w').message).toMatch(/longer than maxDuration \(2w\)/);
    expect(message('PROJ-7 #time 1,5h').message).toMatch(/decimals with a dot/);
    expect(message('PROJ-7 #time 1h30').message).toMatch(/missing unit after '30'/);
    expect(message('PROJ-7 #time 1h 30min').message).toMatch(/unknown unit 'min'/);
  });

  it('a keyless #time on a branch with several keys names them', () => {
    expect(message('#time 1h', { branch: 'PROJ-1-PROJ-2' }).message).toMatch(/several \(PROJ-1, PROJ-2\)/);
  });

  it('a group of several keys reports once, without a single issue', () => {
    const d = message('PROJ-1 PROJ-2 #time 1x');
    expect(d.issue).toBeUndefined();
  });

  it('a long argument is shortened in the message', () => {
    const d = message(`PROJ-7 #time ${'x'.repeat(200)}`);
    expect(d.message.length).toBeLessThan(400);
    expect(d.message).toContain('…');
  });
});

describe('lines', () => {
  it('each line stands alone: a command never spans lines; CRLF and LF both split', () => {
    const r = parse('PROJ-1 Fix\r\n#time 1h\nPROJ-2 #time 30m\r\nmore text');
    expect(r.worklogs).toEqual([wl('PROJ-2', 30 * M, '', 3)]);
    expect(r.diagnostics.map((d) => d.line)).toEqual([2]);
  });

  it('keeps message order across lines', () => {
    const r = parse('PROJ-2 #time 1h\nPROJ-1 #time 2h\nPROJ-3 PROJ-1 #time 3h');
    expect(r.worklogs.map((w) => [w.issue, w.line])).toEqual([
      ['PROJ-2', 1],
      ['PROJ-1', 2],
      ['PROJ-3', 3],
      ['PROJ-1', 3],
    ]);
  });

  it('a revert commit yields nothing from its quoted subject but keeps the author’s own tokens', () => {
    const r = parse('Revert "PROJ-1 #time 1h"\n\nThis reverts commit 0123abc.\n\nPROJ-1 #time 15m reverting');
    expect(r.worklogs).toEqual([wl('PROJ-1', 15 * M, 'reverting', 5)]);
  });

  it('a command never reaches back to a key group on an earlier line', () => {
    const r = parse('PROJ-1 Fix login\n\n#time 1h');
    expect(r.worklogs).toEqual([]);
    expect(r.diagnostics.map((d) => d.line)).toEqual([3]);
    expect(parse('PROJ-1 Fix login\n#time 1h', { branch: 'feature/OPS-2' }).worklogs).toEqual([
      wl('OPS-2', H, '', 2),
    ]);
  });

  it('a fixup commit’s subject is skipped but its body is the author’s', () => {
    const r = parse('fixup! PROJ-1 #time 1h login\n\nPROJ-1 #time 10m typo in login');
    expect(r.worklogs).toEqual([wl('PROJ-1', 10 * M, 'typo in login', 3)]);
    expect(r.diagnostics).toEqual([]);
  });

  it('a unit longer than one letter says which units to use', () => {
    for (const d of ['30min', '2hrs', '1hour']) {
      const [diag] = parse(`PROJ-7 #time ${d}`).diagnostics;
      expect(diag?.message).toContain('use w, d, h, m');
    }
  });

  it('a squash merge body lists every commit’s tokens', () => {
    const msg = 'Login page (#42)\n\n* PROJ-7 #time 1h form\n\n* PROJ-7 #time 30m tests\n';
    expect(parse(msg).worklogs).toEqual([wl('PROJ-7', H, 'form', 3), wl('PROJ-7', 30 * M, 'tests', 5)]);
  });
});

describe('comments and transitions', () => {
  it('transition names are kept as written, with their arguments', () => {
    const r = parse('PROJ-7 #start-progress #close Fixed it #time 1h');
    expect(r.transitions).toEqual([
      { issue: 'PROJ-7', name: 'start-progress', args: '', line: 1 },
      { issue: 'PROJ-7', name: 'close', args: 'Fixed it', line: 1 },
    ]);
    expect(r.worklogs).toEqual([wl('PROJ-7', H)]);
  });

  it('#comment matches any case; an empty one is nothing', () => {
    expect(parse('PROJ-7 #COMMENT hello').comments).toEqual([{ issue: 'PROJ-7', text: 'hello', line: 1 }]);
    expect(parse('PROJ-7 #comment   ').comments).toEqual([]);
  });

  it('a comment made only of punctuation is nothing', () => {
    expect(parse('PROJ-7 #comment ...').comments).toEqual([]);
    expect(parse('PROJ-7 #comment -- ok').comments).toEqual([{ issue: 'PROJ-7', text: '-- ok', line: 1 }]);
  });

  it('#PROJ-7 is never a command, even outside the allow-list', () => {
    for (const opts of [{}, { projects: ['OPS'] }]) {
      const r = parse('#PROJ-7 #resolve', opts);
      expect(r.transitions.map((t) => t.name)).not.toContain('PROJ-');
    }
    expect(parse('#PROJ-7 #resolve').transitions).toEqual([
      { issue: 'PROJ-7', name: 'resolve', args: '', line: 1 },
    ]);
  });

  it('Atlassian: a transition and a comment on a leading-zero key', () => {
    const r = parse('JRA-090 #close #comment Fixed this today');
    expect(r.transitions).toEqual([{ issue: 'JRA-090', name: 'close', args: '', line: 1 }]);
    expect(r.comments).toEqual([{ issue: 'JRA-090', text: 'Fixed this today', line: 1 }]);
  });

  it('commands without a key are not reported as anyone’s', () => {
    const r = parse('#comment hello #resolve');
    expect(r.comments).toEqual([]);
    expect(r.transitions).toEqual([]);
    expect(r.diagnostics).toEqual([]);
  });
});

describe('git comment lines (commit-msg hook, before git cleans up)', () => {
  const template = [
    '#time 1h',
    'PROJ-1 #time 2h',
    '',
    '# Please enter the commit message for your changes. Lines starting',
    "# with '#' will be ignored, and an empty message aborts the commit.",
    '#',
    '# On branch feature/PROJ-7-login',
    '# ------------------------ >8 ------------------------',
    '# Do not modify or remove the line above.',
    '+PROJ-2 #time 3h',
    ' PROJ-3 #time 4h',
  ].join('\n');

  it('skips comment lines and everything after the scissors, keeps #time at line start', () => {
    const r = parse(template, { gitCommentChar: '#', branch: 'feature/PROJ-7-login' });
    expect(r.worklogs).toEqual([wl('PROJ-7', H, '', 1), wl('PROJ-1', 2 * H, '', 2)]);
  });

  it('without the option every line is read (a committed message has no comment lines)', () => {
    const r = parse(template, { branch: 'feature/PROJ-7-login' });
    expect(r.worklogs.map((w) => w.issue)).toEqual(['PROJ-7', 'PROJ-1', 'PROJ-2', 'PROJ-3']);
  });

  it('another comment character', () => {
    const r = parse('; PROJ-1 #time 1h\nPROJ-2 #time 1h\n# PROJ-3 #time 1h', { gitCommentChar: ';' });
    expect(r.worklogs.map((w) => w.issue)).toEqual(['PROJ-2', 'PROJ-3']);
  });

  it('isGitCommentLine', () => {
    expect(isGitCommentLine('# Please enter', '#')).toBe(true);
    expect(isGitCommentLine('#', '#')).toBe(true);
    expect(isGitCommentLine('#\tnew file', '#')).toBe(true);
    expect(isGitCommentLine('#time 1h', '#')).toBe(false);
    expect(isGitCommentLine(' # indented', '#')).toBe(false);
    expect(isGitCommentLine(';x', ';')).toBe(true);
  });
});

describe('insertBranchKey', () => {
  const branch = 'feature/PROJ-7-login';

  it('prepends the key to each keyless #time line, byte for byte otherwise (CRLF kept)', () => {
    const msg = 'Fix login #time 1h\r\n\r\nbody text\r\n#time 30m tests\r\nPROJ-1 #time 5m\r\n';
    expect(insertBranchKey(msg, branch, OPTS)).toBe(
      'PROJ-7 Fix login #time 1h\r\n\r\nbody text\r\nPROJ-7 #time 30m tests\r\nPROJ-1 #time 5m\r\n',
    );
  });

  it('the result parses as the message did with the branch', () => {
    const msg = '#time 1h\n#comment x #time 2h';
    const inserted = insertBranchKey(msg, branch, OPTS)!;
    expect(parse(inserted)).toEqual(parse(msg, { branch }));
    expect(parse(inserted).worklogs.map((w) => w.issue)).toEqual(['PROJ-7', 'PROJ-7']);
  });

  it('null when nothing changes', () => {
    expect(insertBranchKey('PROJ-1 #time 1h', branch, OPTS)).toBeNull();
    expect(insertBranchKey('no tokens here', branch, OPTS)).toBeNull();
    expect(insertBranchKey('#time 1h', 'main', OPTS)).toBeNull();
    expect(insertBranchKey('#time 1h', null, OPTS)).toBeNull();
    expect(insertBranchKey('#time 1h', 'PROJ-1-and-PROJ-2', OPTS)).toBeNull();
    expect(insertBranchKey('#time 1h', 'feature/OPS-7', { ...OPTS, projects: ['PROJ'] })).toBeNull();
    expect(insertBranchKey('OPS-1 #time 1h', branch, { ...OPTS, projects: ['PROJ'] })).toBeNull();
    expect(insertBranchKey('Revert "#time 1h"', branch, OPTS)).toBeNull();
  });

  it('leaves git comment lines and the scissors section alone', () => {
    const msg =
      '#time 1h\n# Please enter the commit message\n# ------------------------ >8 ------------------------\n#time 2h\n';
    expect(insertBranchKey(msg, branch, { ...OPTS, gitCommentChar: '#' })).toBe(
      'PROJ-7 #time 1h\n# Please enter the commit message\n# ------------------------ >8 ------------------------\n#time 2h\n',
    );
  });

  it('also writes the key before a keyless #time whose duration is wrong (the diagnostic stays)', () => {
    const out = insertBranchKey('#time soon', branch, OPTS)!;
    expect(out).toBe('PROJ-7 #time soon');
    expect(parse(out).diagnostics).toHaveLength(1);
  });
});

describe('fallbackComment (docs/exactly-once.md)', () => {
  const cases: [string, string, Partial<ParseOptions>?][] = [
    ['PROJ-7 #time 1h', ''],
    ['PROJ-7 fix login #time 1h', 'fix login'],
    ['PROJ-7 Fix login', 'Fix login'],
    ['[PROJ-7] Fix login', 'Fix login'],
    ['[PROJ-1][PROJ-2] Fix login', 'Fix login'],
    ['#PROJ-7 Fix login', 'Fix login'],
    ['[#PROJ-7] Fix login', 'Fix login'],
    ['PROJ-7: Fix login', 'Fix login'],
    ['PROJ-7 - Fix login', 'Fix login'],
    ['Fix login (PROJ-7)', 'Fix login'],
    ['feat(PROJ-7): add login', 'feat: add login'],
    ['PROJ-1, PROJ-2   Fix   the\tthing #time 1h #comment done #resolve', 'Fix the thing'],
    ['Fix login (#42)', 'Fix login (#42)'],
    ['PROJ-7 #time 1h Fix login', ''],
    ['see https://x/browse/PROJ-7 now', 'see https://x/browse/PROJ-7 now'],
    ['OPS-1 fix PROJ-7 #time 1h', 'OPS-1 fix', { projects: ['PROJ'] }],
    ['   ', ''],
  ];
  it.each(cases)('%j → %j', (subject, expected, opts) => {
    expect(fallbackComment(subject, { ...OPTS, ...opts })).toBe(expected);
  });
});
