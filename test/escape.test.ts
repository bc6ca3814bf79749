/* eslint-disable no-control-regex -- this file is about control characters */
// Control characters from Jira or commit messages never act on a terminal (docs/configuration.md), and the
// author prefix of `jlog ci` (docs/exactly-once.md) changes only the posted comment.
import { describe, expect, it } from 'vitest';
import { escapeJsonText, escapeOutput, escapeTerminal } from '../src/core/escape.js';
import { hasAuthorPrefix, withAuthorPrefix } from '../src/core/author-prefix.js';
import type { PlannedWorklog } from '../src/core/types.js';

describe('escapeTerminal', () => {
  it('shows every control character as an escape, and leaves other text alone', () => {
    expect(escapeTerminal('\u001b]0;pwned\u0007\u001b[2Jlogged in as Admin\r\n')).toBe(
      '\\x1b]0;pwned\\x07\\x1b[2Jlogged in as Admin\\r\\n',
    );
    expect(escapeTerminal('a\u009b2Jb\u007fc\u0085d')).toBe('a\\x9b2Jb\\x7fc\\x85d');
    expect(escapeTerminal('evil\u202egnp.exe\u2028x\u2066')).toBe('evil\\u202egnp.exe\\u2028x\\u2066');
    expect(escapeTerminal('tab\there')).toBe('tab\\there');
    const plain = 'PROJ-7 #time 1h fixed löğin — ✓ 日本語 emoji 🎉';
    expect(escapeTerminal(plain)).toBe(plain);
  });

  it("for whole output keeps newlines, and jlog's own colour codes when colour is on, nothing else", () => {
    expect(escapeOutput('\u001b[31mred\u001b[39m\nnext\r\u001b[2J\u001b]0;t\u0007', true)).toBe(
      '\u001b[31mred\u001b[39m\nnext\\r\\x1b[2J\\x1b]0;t\\x07',
    );
    expect(
      escapeOutput('\u001b[1mb\u001b[22m \u001b[8mhidden\u001b[0m \u001b[7mx\u001b[38;5;1my', true),
    ).toBe('\u001b[1mb\u001b[22m \\x1b[8mhidden\\x1b[0m \\x1b[7mx\\x1b[38;5;1my');
    expect(escapeOutput('\u001b[31mred\u001b[39m\nnext')).toBe('\\x1b[31mred\\x1b[39m\nnext');
  });
});

describe('JSON output', () => {
  it('JSON.stringify escapes C0 (ESC included) but not C1 or bidi controls: escapeJsonText does, same value', () => {
    const value = { comment: 'a\u001b[2Jb\u009b31mc\u202ed\u2028e\u007f' };
    const raw = JSON.stringify(value);
    expect(raw).toContain('\\u001b'); // C0: already escaped
    expect(raw).toContain('\u009b'); // C1: raw, which is why escapeJsonText exists
    const safe = escapeJsonText(raw);
    expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
    expect(JSON.parse(safe)).toEqual(value);
  });
});

describe('ci.authorInComment', () => {
  const w = (sha: string, postComment: string): PlannedWorklog =>
    ({ id: `${sha}:0`, sha, comment: postComment, postComment, authorEmail: '' }) as PlannedWorklog;
  const commits = [
    { sha: 'a', authorEmail: 'Alice@Example.com', authorName: 'Alice Doe' },
    { sha: 'b', authorEmail: 'ci@example.com', authorName: 'CI Bot' },
  ];

  it('names the author of commits that are not the posting account, by email', () => {
    const out = withAuthorPrefix([w('a', 'fixed login'), w('b', 'deploy'), w('a', '')], commits, {
      emailAddress: 'ci@example.com',
      displayName: 'Alice Doe',
    });
    expect(out.map((x) => x.postComment)).toEqual(['Alice Doe: fixed login', 'deploy', 'Alice Doe']);
    expect(out.map((x) => x.comment)).toEqual(['fixed login', 'deploy', '']); // the token's own: unchanged
    expect(
      withAuthorPrefix([w('a', 'x')], commits, { emailAddress: 'alice@example.com' })[0]!.postComment,
    ).toBe('x');
  });

  it('compares names when Jira hides the email, and names everyone when the account is unknown', () => {
    expect(withAuthorPrefix([w('a', 'x')], commits, { displayName: 'alice doe' })[0]!.postComment).toBe('x');
    expect(withAuthorPrefix([w('b', 'x')], commits, null)[0]!.postComment).toBe('CI Bot: x');
  });

  it('a prefixed remote comment still matches its token comment (squash copies)', () => {
    expect(hasAuthorPrefix('Alice Doe: fixed login', 'fixed login')).toBe(true);
    expect(hasAuthorPrefix('fixed login', 'fixed login')).toBe(false);
    expect(hasAuthorPrefix('Alice Doe: fixed login twice', 'fixed login')).toBe(false);
    expect(hasAuthorPrefix('anything', '')).toBe(false);
  });
});
