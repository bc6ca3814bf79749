// Who a token is. Its id `<sha>:<n>` names it in one commit; its fingerprint names it across history
// rewrites (rebase and cherry-pick keep the author email and date, so the fingerprint survives them).
import { hash } from 'node:crypto';
import type { Commit, WorklogToken } from './types.js';

// One-shot `hash` (no Hash object per token): a scan fingerprints every token it reads (issue 13).
function digest(parts: readonly (string | number)[]): string {
  return hash('sha256', JSON.stringify(parts), 'hex').slice(0, 32);
}

export function tokenId(sha: string, n: number): string {
  return `${sha}:${n}`;
}

export function parseTokenId(id: string): { sha: string; n: number } | null {
  const m = /^([0-9a-f]{7,64}):(\d+)$/.exec(id);
  return m ? { sha: m[1]!, n: Number(m[2]) } : null;
}

export interface TokenIdentity {
  id: string;
  fp: string;
}

/**
 * Identities of a commit's worklogs, in message order. Two identical tokens in one commit
 * (`PROJ-1 #time 1h` twice) are two worklogs, so the fingerprint also counts earlier twins.
 */
export function identify(commit: Commit, worklogs: readonly WorklogToken[]): TokenIdentity[] {
  const email = commit.authorEmail.trim().toLowerCase();
  // Twins are only possible with two tokens or more; most commits carry one.
  const seen = worklogs.length > 1 ? new Map<string, number>() : null;
  return worklogs.map((w, n) => {
    const content = [w.issue, w.seconds, w.comment, email] as const;
    let twin = 0;
    if (seen !== null) {
      const key = JSON.stringify(content);
      twin = seen.get(key) ?? 0;
      seen.set(key, twin + 1);
    }
    return {
      id: tokenId(commit.sha, n),
      fp: digest([...content, commit.authorDate, twin]),
    };
  });
}

/** A token's content key (docs/exactly-once.md): issue, seconds, and the comment as written in the token. */
export function contentKey(t: { issue: string; seconds: number; comment: string }): string {
  return JSON.stringify([t.issue, t.seconds, t.comment.trim()]);
}

const CO_AUTHOR = /^co-authored-by:[^<\n]*<([^>\n]+)>\s*$/gim;

/** Emails of the message's `Co-authored-by:` trailers. */
export function coAuthorEmails(message: string): string[] {
  // Most messages have no trailer at all: one cheap test instead of a copy and a match (issue 13).
  if (!CO_AUTHOR_HINT.test(message)) return [];
  return [...message.replace(/\r\n/g, '\n').matchAll(CO_AUTHOR)].map((m) => m[1]!.trim());
}
const CO_AUTHOR_HINT = /co-authored-by:/i;

const GITHUB_SUBJECT = /\(#\d+\)\s*$/;
const GIT_SQUASH_BODY = 'Squashed commit of the following:';
const BITBUCKET_SUBJECT = /^Merged in .*\(pull request #\d+\)\s*$/;
const GITLAB_LINE = /^\s*See merge request \S+!\d+\s*$/m;

/**
 * Whether a commit is a squash merge (docs/exactly-once.md): GitHub's `(#12)` subject, `git merge --squash`'s
 * body, Bitbucket's `Merged in … (pull request #3)` subject, GitLab's `See merge request group/x!3` line,
 * or one of the configured patterns against the whole message.
 */
export function isSquashCommit(commit: Commit, squashPatterns: readonly RegExp[]): boolean {
  const subject = commit.subject.trim();
  if (GITHUB_SUBJECT.test(subject) || BITBUCKET_SUBJECT.test(subject)) return true;
  // Each check below needs its words in the message: most messages have neither (issue 13).
  const git = commit.message.includes(GIT_SQUASH_BODY);
  if (git || commit.message.includes('See merge request')) {
    const message = commit.message.replace(/\r\n/g, '\n');
    const lines = message.split('\n');
    if (git && lines[0]?.trim() === GIT_SQUASH_BODY) return true;
    const blank = git ? lines.findIndex((l) => l.trim() === '') : -1;
    const bodyFirst = blank < 0 ? undefined : lines.slice(blank + 1).find((l) => l.trim() !== '');
    if (bodyFirst?.trim() === GIT_SQUASH_BODY) return true;
    if (GITLAB_LINE.test(message)) return true;
  }
  return squashPatterns.some((p) => {
    p.lastIndex = 0;
    return p.test(commit.message);
  });
}
