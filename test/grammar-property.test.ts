// Property tests: for any message the grammar never throws and only returns well-formed tokens, and
// the branch key the commit-msg hook writes means exactly what parsing with the branch means.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fallbackComment, insertBranchKey, parseMessage, type ParseOptions } from '../src/core/grammar.js';
import type { ParseResult } from '../src/core/types.js';

const KEY = /^[A-Z][A-Z0-9]+-[0-9]+$/;

/** Fragments that make the grammar's interesting cases likely; joined at random. */
const FRAGMENTS = [
  'PROJ-1',
  'PROJ-7',
  'OPS-22',
  'AB2-3',
  'X-1',
  'proj-1',
  'ABC-',
  'PROJ-7x',
  'xPROJ-7',
  'PROJ-007',
  '#time',
  '#Time',
  '#TIME',
  '#comment',
  '#resolve',
  '#start-progress',
  '#',
  '#1',
  'foo#time',
  '#time1h',
  '1h',
  '30m',
  '1.5h',
  '.5h',
  '2d',
  '1w',
  '0m',
  '0.4m',
  '0.5m',
  '3w',
  '1x',
  '1,5h',
  '30',
  'min',
  'hours',
  '2hrs',
  '999999999999999999999w',
  ' ',
  '  ',
  '\t',
  '\u00a0',
  ',',
  ':',
  '.',
  '[',
  ']',
  '(',
  ')',
  '/',
  '-',
  '=',
  '?',
  '&',
  '>',
  '^',
  '!',
  '~',
  '"',
  "'",
  '\n',
  '\r\n',
  '\r',
  'Revert "',
  'fixup! ',
  'squash! ',
  'amend! ',
  '* ',
  '#PROJ-7',
  '#proj-7',
  '#B2B-12',
  '][',
  '30min',
  '1hour',
  '...',
  "Merge branch 'feature/PROJ-7-x'",
  'https://acme.atlassian.net/browse/',
  'fixed login',
  '🚀',
  '\u0000',
  '\ud800',
];

const message = fc.oneof(
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((parts) => parts.join('')),
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((parts) => parts.join(' ')),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

const options = fc.record({
  projects: fc.constantFrom(null, ['PROJ'], ['PROJ', 'OPS'], []),
  hoursPerDay: fc.constantFrom(8, 7.5, 6, 24),
  daysPerWeek: fc.constantFrom(5, 4, 7),
  maxSeconds: fc.constantFrom(60, 3600, 80 * 3600, 1e9),
  branch: fc.constantFrom(
    undefined,
    'main',
    'feature/PROJ-7-login',
    'OPS-1-PROJ-2',
    'PROJ-7',
    'bugfix/OPS-22',
  ),
  gitCommentChar: fc.constantFrom(undefined, '#', ';'),
});

function checkWellFormed(msg: string, opts: ParseOptions, r: ParseResult): void {
  const lines = msg.split(/\r?\n/).length;
  const allowed = (issue: string) => opts.projects === null || opts.projects.includes(issue.split('-')[0]!);
  for (const w of r.worklogs) {
    expect(w.issue).toMatch(KEY);
    expect(allowed(w.issue)).toBe(true);
    expect(Number.isInteger(w.seconds)).toBe(true);
    expect(w.seconds % 60).toBe(0);
    expect(w.seconds).toBeGreaterThanOrEqual(60);
    expect(w.seconds).toBeLessThanOrEqual(opts.maxSeconds);
    expect(w.line).toBeGreaterThanOrEqual(1);
    expect(w.line).toBeLessThanOrEqual(lines);
    expect(w.comment).toBe(w.comment.trim());
    // A comment made only of punctuation is empty (docs/grammar.md).
    if (w.comment !== '') expect(w.comment).toMatch(/[\p{L}\p{N}\p{So}]/u);
  }
  for (const c of [...r.comments, ...r.transitions]) {
    expect(c.issue).toMatch(KEY);
    expect(allowed(c.issue)).toBe(true);
    expect(c.line).toBeGreaterThanOrEqual(1);
    expect(c.line).toBeLessThanOrEqual(lines);
  }
  for (const c of r.comments) expect(c.text).not.toBe('');
  for (const d of r.diagnostics) {
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.line).toBeLessThanOrEqual(lines);
    expect(d.message.length).toBeGreaterThan(0);
  }
}

describe('parseMessage properties', () => {
  it('never throws and returns only well-formed tokens', () => {
    fc.assert(
      fc.property(message, options, (msg, opts) => {
        checkWellFormed(msg, opts, parseMessage(msg, opts));
      }),
      { numRuns: 2000 },
    );
  });

  it('a line parses the same wherever it is in the message (lines stand alone)', () => {
    fc.assert(
      fc.property(message, options, (msg, opts) => {
        const line = msg.split(/\r?\n/)[0]!;
        const alone = parseMessage(line, opts);
        const within = parseMessage(`subject\n\n${line}`, opts);
        const shift = <T extends { line: number }>(xs: T[]) => xs.map((x) => ({ ...x, line: x.line - 2 }));
        expect(shift(within.worklogs)).toEqual(alone.worklogs);
        expect(shift(within.diagnostics)).toEqual(alone.diagnostics);
      }),
      { numRuns: 500 },
    );
  });

  it('a message says what its lines (split on \\r?\\n) say one by one, up to git’s scissors', () => {
    fc.assert(
      fc.property(message, options, (msg, opts) => {
        const cc = opts.gitCommentChar ?? null;
        const want: ParseResult = { worklogs: [], comments: [], transitions: [], diagnostics: [] };
        const lines = msg.split(/\r?\n/);
        for (let i = 0; i < lines.length; i++) {
          const line = lines[i]!;
          if (cc !== null && line === `${cc} ------------------------ >8 ------------------------`) break;
          const one = parseMessage(line, opts);
          for (const k of ['worklogs', 'comments', 'transitions', 'diagnostics'] as const)
            for (const x of one[k]) (want[k] as { line: number }[]).push({ ...x, line: i + 1 });
        }
        expect(parseMessage(msg, opts)).toEqual(want);
      }),
      { numRuns: 2000 },
    );
  });

  it('a line that names another commit’s work yields nothing at all', () => {
    const prefix = fc.constantFrom('Revert "', 'Reapply "', 'fixup! ', 'squash! ', 'amend! ');
    const bullet = fc.constantFrom('', '* ', '- ', '  ', '  * ');
    fc.assert(
      fc.property(bullet, prefix, message, options, (b, p, msg, opts) => {
        const line = b + p + msg.split(/\r?\n/)[0]!;
        expect(parseMessage(line, opts)).toEqual({
          worklogs: [],
          comments: [],
          transitions: [],
          diagnostics: [],
        });
        expect(insertBranchKey(line, 'PROJ-7', opts)).toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it('#KEY before a command means KEY (the # belongs to the key)', () => {
    const rest = fc.array(fc.constantFrom(...FRAGMENTS.filter((f) => !/[\r\n]/.test(f))), { maxLength: 12 });
    fc.assert(
      fc.property(rest, options, (parts, opts) => {
        const tail = parts.join(' ');
        const hashed = parseMessage(`#PROJ-7 ${tail}`, opts);
        const plain = parseMessage(`PROJ-7 ${tail}`, opts);
        expect(hashed).toEqual(plain);
      }),
      { numRuns: 500 },
    );
  });

  it('fallbackComment never throws and returns one trimmed line of single spaces', () => {
    fc.assert(
      fc.property(message, options, (msg, opts) => {
        const text = fallbackComment(msg, opts);
        expect(text).toBe(text.trim());
        expect(text).not.toMatch(/\s\s|[\r\n]/);
      }),
      { numRuns: 1000 },
    );
  });

  it('fallbackComment leaves no key group or command of a space-separated subject', () => {
    const words = fc.array(
      fc.constantFrom('PROJ-1', 'OPS-2', '#time', '1h', '#comment', 'fix', 'login', ','),
      {
        maxLength: 12,
      },
    );
    fc.assert(
      fc.property(words, (ws) => {
        const text = fallbackComment(ws.join(' '), { projects: null });
        expect(text).not.toMatch(/PROJ-1|OPS-2|#/);
      }),
    );
  });
});

describe('insertBranchKey properties', () => {
  const branches = fc.constantFrom('feature/PROJ-7-login', 'PROJ-1', 'bugfix-OPS-22_x');

  it('changes only keyless #time lines, by prepending the key; re-parses as parsing with the branch did', () => {
    fc.assert(
      fc.property(message, options, branches, (msg, opts, branch) => {
        const out = insertBranchKey(msg, branch, opts);
        const withBranch = parseMessage(msg, { ...opts, branch });
        if (out === null) {
          expect(parseMessage(msg, { ...opts, branch: undefined }).worklogs).toEqual(withBranch.worklogs);
          return;
        }
        const key = /[A-Z][A-Z0-9]+-[0-9]+/.exec(branch)![0];
        const before = msg.split('\n');
        const after = out.split('\n');
        expect(after).toHaveLength(before.length);
        after.forEach((line, i) => expect([before[i], `${key} ${before[i]}`]).toContain(line));
        expect(parseMessage(out, { ...opts, branch: undefined })).toEqual(withBranch);
        // Written once, the key is there: a second run changes nothing.
        expect(insertBranchKey(out, branch, opts)).toBeNull();
        checkWellFormed(out, opts, withBranch);
      }),
      { numRuns: 2000 },
    );
  });
});
