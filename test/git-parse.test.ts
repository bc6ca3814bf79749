import { describe, expect, it } from 'vitest';
import { parseLogOutput } from '../src/git/index.js';
import { isJlogError } from '../src/errors.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

/** What `git log -z --format=LOG_FORMAT` prints: 7 NUL-separated fields, each commit ended by a NUL. */
function rec(f: {
  sha: string;
  parents?: string;
  name?: string;
  email?: string;
  date?: string;
  subject?: string;
  body: string;
}) {
  return (
    [
      f.sha,
      f.parents ?? '',
      f.name ?? 'Dev',
      f.email ?? 'dev@example.com',
      f.date ?? '2026-11-27T09:05:00+01:00',
      f.subject ?? '',
      f.body,
    ].join('\0') + '\0'
  );
}

describe('parseLogOutput', () => {
  it('returns nothing for empty output', () => {
    expect(parseLogOutput('')).toEqual([]);
  });

  it('reads every field, parents split, in git order', () => {
    const raw =
      rec({ sha: A, parents: `${B} ${C}`, subject: 'Merge', body: 'Merge\n' }) +
      rec({
        sha: B,
        parents: C,
        name: 'Zoë Ünïcode',
        email: 'z@x.org',
        subject: 'PROJ-7 #time 1h',
        body: 'PROJ-7 #time 1h\n',
      }) +
      rec({ sha: C, subject: 'root', body: 'root\n' });
    const commits = parseLogOutput(raw);
    expect(commits.map((c) => c.sha)).toEqual([A, B, C]);
    expect(commits[0]?.parents).toEqual([B, C]);
    expect(commits[1]).toEqual({
      sha: B,
      parents: [C],
      authorName: 'Zoë Ünïcode',
      authorEmail: 'z@x.org',
      authorDate: '2026-11-27T09:05:00+01:00',
      subject: 'PROJ-7 #time 1h',
      message: 'PROJ-7 #time 1h\n',
    });
    expect(commits[2]?.parents).toEqual([]);
  });

  it('keeps newlines, CRLF, tabs and odd bytes inside a message intact', () => {
    const body = 'subj\r\n\r\nPROJ-1 #time 1h\r\n\tindented \u0001\u001e\u001f odd \uFFFD bytes\n\nlast';
    const commits = parseLogOutput(rec({ sha: A, subject: 'subj', body }) + rec({ sha: B, body: 'x\n' }));
    expect(commits).toHaveLength(2);
    expect(commits[0]?.message).toBe(body);
    expect(commits[1]?.message).toBe('x\n');
  });

  it('handles an empty message and an empty subject', () => {
    const commits = parseLogOutput(rec({ sha: A, body: '' }) + rec({ sha: B, body: '' }));
    expect(commits.map((c) => [c.subject, c.message])).toEqual([
      ['', ''],
      ['', ''],
    ]);
  });

  it('accepts output without the final NUL', () => {
    const raw = rec({ sha: A, body: 'one\n' }) + rec({ sha: B, body: 'two\n' }).slice(0, -1);
    expect(parseLogOutput(raw).map((c) => c.message)).toEqual(['one\n', 'two\n']);
  });

  it('accepts SHA-256 object names', () => {
    const sha = 'd'.repeat(64);
    expect(parseLogOutput(rec({ sha, body: 'x' }))[0]?.sha).toBe(sha);
  });

  it('takes 40 or 64 lower-case hex digits as a SHA, and nothing else', () => {
    for (const sha of [
      'a'.repeat(39),
      'a'.repeat(41),
      'a'.repeat(63),
      'a'.repeat(65),
      'A'.repeat(40),
      `${'a'.repeat(39)}g`,
      `${'a'.repeat(39)}/`,
      `${'a'.repeat(39)}:`,
    ])
      expect(() => parseLogOutput(rec({ sha, body: 'x' })), sha).toThrow(/is not a SHA/);
    for (const sha of ['0123456789abcdef'.repeat(4).slice(0, 40), '0123456789abcdef'.repeat(4)])
      expect(parseLogOutput(rec({ sha, body: 'x' }))[0]?.sha).toBe(sha);
  });

  it('refuses output that is not in its format instead of misreading it', () => {
    for (const raw of [
      'not git output',
      rec({ sha: 'zzz', body: 'x' }),
      rec({ sha: A, body: 'x' }) + 'extra\0',
    ]) {
      let err: unknown;
      try {
        parseLogOutput(raw);
      } catch (e) {
        err = e;
      }
      expect(isJlogError(err, 'E_GIT'), raw).toBe(true);
    }
  });
});
