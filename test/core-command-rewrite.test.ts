// The rewrite rule for `#comment` and transition tokens (docs/exactly-once.md), pure: comments pair as
// worklogs do, a comment never with a transition, and a transition only with the same command.
import { describe, expect, it } from 'vitest';
import {
  commandHeirStep,
  inheritCommandsByCommit,
  inheritCommandsByContent,
  type CommandRewriteToken,
} from '../src/core/command-rewrite.js';

const tok = (
  sha: string,
  n: string,
  kind: 'comment' | 'transition',
  issue: string,
  text: string,
  fp = `${sha}${n}`,
): CommandRewriteToken => ({ kind, id: `${sha}:${n}`, sha, fp, issue, seconds: 0, comment: text });

const bySha = (...ts: CommandRewriteToken[]) => {
  const m = new Map<string, CommandRewriteToken[]>();
  for (const t of ts) m.set(t.sha, [...(m.get(t.sha) ?? []), t]);
  return m;
};

describe('inheritCommandsByCommit', () => {
  it('an amended comment text on the same issue is its heir (an update), a fixed key is moved', () => {
    const r = inheritCommandsByCommit(
      [['o', 'n']],
      bySha(tok('o', 'c0', 'comment', 'PROJ-1', 'fixed'), tok('o', 'c1', 'comment', 'PROJ-2', 'done')),
      bySha(
        tok('n', 'c0', 'comment', 'PROJ-1', 'fixed the login'),
        tok('n', 'c1', 'comment', 'PROJ-3', 'done'),
      ),
    );
    expect([...r.heirs]).toEqual([
      ['o:c0', { to: 'n:c0', rule: 'issue-seconds' }],
      ['o:c1', { to: 'n:c1', rule: 'moved' }],
    ]);
    expect(r.gone).toEqual([]);
  });

  it('a comment never inherits a transition; a transition only the same command (fingerprint or content)', () => {
    const r = inheritCommandsByCommit(
      [['o', 'n']],
      bySha(
        tok('o', 'c0', 'comment', 'PROJ-1', 'fixed'),
        tok('o', 't0', 'transition', 'PROJ-1', 'resolve', 'same'),
        tok('o', 't1', 'transition', 'PROJ-1', 'close'),
      ),
      bySha(
        tok('n', 't0', 'transition', 'PROJ-1', 'resolve', 'same'),
        tok('n', 't1', 'transition', 'PROJ-1', 'start progress'),
      ),
    );
    expect([...r.heirs]).toEqual([['o:t0', { to: 'n:t0', rule: 'fingerprint' }]]);
    // `#close` became `#start-progress`: another command; the comment left the message.
    expect(r.gone.sort()).toEqual(['o:c0', 'o:t1']);
  });

  it('a force-push pairs on fingerprint, then content, one kind at a time', () => {
    const r = inheritCommandsByContent(
      [tok('o', 'c0', 'comment', 'PROJ-1', 'fixed'), tok('o', 'c1', 'comment', 'PROJ-1', 'other')],
      [tok('n', 'c0', 'comment', 'PROJ-1', 'fixed'), tok('n', 't0', 'transition', 'PROJ-1', 'other')],
    );
    expect([...r.heirs]).toEqual([['o:c0', { to: 'n:c0', rule: 'content' }]]);
    expect(r.gone).toEqual(['o:c1']);
  });
});

describe('commandHeirStep', () => {
  it.each([
    ['comment', undefined, 'posted', true, 'fingerprint', 'posted'],
    ['comment', undefined, 'posted', true, 'issue-seconds', 'replace'],
    ['comment', undefined, 'posted', true, 'moved', 'replace'],
    ['comment', undefined, 'pending', true, 'issue', 'replace'],
    ['comment', undefined, 'pending', false, 'content', 'replace'],
    // A failed comment the rewrite changed (its text, or a wrong key put right) is tried afresh.
    ['comment', undefined, 'failed', true, 'issue', 'fresh'],
    ['comment', undefined, 'failed', true, 'moved', 'fresh'],
    ['comment', undefined, 'failed', true, 'fingerprint', 'same'],
    ['transition', undefined, 'failed', true, 'moved', 'fresh'],
    ['comment', { state: 'posted' }, 'posted', true, 'issue', 'rejoin'],
    ['comment', { state: 'posted', from: 'x' }, 'posted', true, 'issue', 'keep'],
    // A rewrite never applies a transition again.
    ['transition', undefined, 'posted', true, 'fingerprint', 'posted'],
    // Same command, new fingerprint (a squash took the first commit's date): recorded, not applied.
    ['transition', undefined, 'posted', true, 'content', 'alias'],
    ['transition', { state: 'posted' }, 'posted', true, 'content', 'keep'],
    ['transition', undefined, 'pending', true, 'content', 'replace'],
    ['transition', undefined, 'skipped', true, 'content', 'same'],
  ] as const)('%s, heir %o, old %s (known %s, %s): %s', (kind, heir, old, known, rule, step) => {
    expect(commandHeirStep(kind, heir, { state: old }, known, rule)).toBe(step);
  });
});
