// `ci.authorInComment` (docs/exactly-once.md): worklogs (and `#comment` comments) that `jlog ci` posts for
// someone else's commit appear in Jira under the CI account, so their comment starts with the commit author's
// name (`Alice Doe: fixed login`). Only the posted comment changes: the token's own comment, its content
// key and its identity stay as written (docs/exactly-once.md), so dedup is the same with or without the
// prefix.
import type { Commit, PlannedWorklog } from './types.js';

/** The Jira account that posts (GET /myself); null when unknown, which names every author. */
export interface PostingAccount {
  displayName?: string | undefined;
  emailAddress?: string | undefined;
}

const same = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && a.trim() !== '' && a.trim().toLowerCase() === b.trim().toLowerCase();

/** Whether the commit's author is the posting account: by email, or by name when Jira hides the email. */
export function isPostingAccount(
  commit: Pick<Commit, 'authorEmail' | 'authorName'>,
  account: PostingAccount | null,
): boolean {
  if (account === null) return false;
  if (account.emailAddress !== undefined && account.emailAddress.trim() !== '')
    return same(account.emailAddress, commit.authorEmail);
  return same(account.displayName, commit.authorName);
}

/** The comment to post: `<author>: <comment>`, or the author alone when there is no comment. */
export function prefixedComment(author: string, comment: string): string {
  return comment.trim() === '' ? author : `${author}: ${comment}`;
}

/** The name to put before a comment posted for this commit; null when the posting account wrote it. */
export function prefixAuthor(
  commit: Pick<Commit, 'authorEmail' | 'authorName'> | undefined,
  account: PostingAccount | null,
): string | null {
  if (commit === undefined || isPostingAccount(commit, account)) return null;
  const author = commit.authorName.trim() || commit.authorEmail.trim();
  return author === '' ? null : author;
}

/** The worklogs with their author named, for those whose commit is not the posting account's. */
export function withAuthorPrefix(
  worklogs: readonly PlannedWorklog[],
  commits: readonly Pick<Commit, 'sha' | 'authorEmail' | 'authorName'>[],
  account: PostingAccount | null,
): PlannedWorklog[] {
  const bySha = new Map(commits.map((c) => [c.sha, c]));
  return worklogs.map((w) => {
    const author = prefixAuthor(bySha.get(w.sha), account);
    return author === null ? w : { ...w, postComment: prefixedComment(author, w.postComment) };
  });
}

/** A remote comment that is `comment` with an author prefix (a worklog `jlog ci` posted). */
export function hasAuthorPrefix(remote: string, comment: string): boolean {
  const r = remote.trim();
  const c = comment.trim();
  return c !== '' && r.endsWith(`: ${c}`) && r.length - c.length - 2 <= 200;
}

/**
 * The text `jlog ci` posts for a `#comment` (docs/exactly-once.md, ci.authorInComment as for worklogs): the
 * author named first when the commit is not the posting account's. The token's text, its content key and its
 * marker stay as written.
 */
export function commentTextWithAuthor(
  commits: readonly Pick<Commit, 'sha' | 'authorEmail' | 'authorName'>[],
  account: PostingAccount | null,
): (c: { sha: string; text: string }) => string {
  const bySha = new Map(commits.map((c) => [c.sha, c]));
  return (c) => {
    const author = prefixAuthor(bySha.get(c.sha), account);
    return author === null ? c.text : prefixedComment(author, c.text);
  };
}
