// Who a token is. Its id `<sha>:<n>` names it in one commit; its fingerprint names it across history
// rewrites (rebase and cherry-pick keep the author email and date, so the fingerprint survives them).
import { createHash } from 'node:crypto';
import type { Commit, WorklogToken } from './types.js';

function digest(parts: readonly (string | number)[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
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
  const seen = new Map<string, number>();
  return worklogs.map((w, n) => {
    const content = [w.issue, w.seconds, w.comment, email] as const;
    const key = JSON.stringify(content);
    const twin = seen.get(key) ?? 0;
    seen.set(key, twin + 1);
    return {
      id: tokenId(commit.sha, n),
      fp: digest([...content, commit.authorDate, twin]),
    };
  });
}

const SQUASH_SUBJECT = /\(#\d+\)\s*$/;
const SQUASH_BODY = 'Squashed commit of the following:';

/** Whether a commit is a squash merge (SPEC §4): GitHub's `(#123)` subject, git's squash body, or the configured pattern. */
export function isSquashCommit(commit: Commit, squashPattern: RegExp | null): boolean {
  if (SQUASH_SUBJECT.test(commit.subject)) return true;
  const lines = commit.message.replace(/\r\n/g, '\n').split('\n');
  if (lines[0]?.trim() === SQUASH_BODY) return true;
  const blank = lines.findIndex((l) => l.trim() === '');
  const bodyFirst = blank < 0 ? undefined : lines.slice(blank + 1).find((l) => l.trim() !== '');
  if (bodyFirst?.trim() === SQUASH_BODY) return true;
  return squashPattern !== null && squashPattern.test(commit.message);
}
