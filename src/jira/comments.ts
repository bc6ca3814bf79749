// The client's comment calls (docs/exactly-once.md `#comment`): comments carry the jlog marker as the comment
// property `jlog`. Jira's comment list does not return properties, so the remote check reads every
// page of comments, then their properties with `POST /comment/list?expand=properties` in batches.
import { adfDoc, adfToText, MARKER_KEY, markerFromProperties } from '../core/jira-format.js';
import { JlogError } from '../errors.js';
import type { JiraHttp } from './http.js';
import type { Pacer } from './pacing.js';
import { createdId, idOf, isObject, issuePath, lockKey, protocolError } from './shape.js';
import type { Credentials, JiraClient, RemoteComment } from './types.js';

type CommentCalls = Pick<
  JiraClient,
  'listComments' | 'addComment' | 'updateComment' | 'deleteComment' | 'setCommentProperty'
>;

/** Comments per page; Jira may answer with fewer, so paging follows `total`, never this. */
const PAGE_SIZE = 1000;
/** Far beyond any real issue's comments even at one per page: a runaway server ends here. */
const MAX_PAGES = 10_000;
/** Jira takes up to 1000 ids per `comment/list`; smaller batches keep each answer small. */
const LIST_BATCH = 100;

export function commentCalls(
  http: JiraHttp,
  pacer: Pacer,
  deployment: Credentials['deployment'],
): CommentCalls {
  const bodyText = (raw: unknown): string => (typeof raw === 'string' ? raw : adfToText(raw));
  /** What Jira takes as a comment body: ADF on Cloud, a plain string on Data Center; undefined when empty. */
  const bodyOf = (text: string): unknown =>
    deployment === 'cloud' ? adfDoc(text) : text.trim() === '' ? undefined : text;

  /** Every comment's id, text and created date, all pages, each once. */
  async function pages(issue: string, what: string): Promise<RemoteComment[]> {
    const out: RemoteComment[] = [];
    const seen = new Set<string>();
    let startAt = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await http.request({
        method: 'GET',
        path: `${issuePath(issue)}/comment`,
        query: { startAt, maxResults: PAGE_SIZE },
        what,
      });
      if (!isObject(res.body) || !Array.isArray(res.body.comments))
        throw protocolError(what, 'no comments list');
      const comments = res.body.comments as unknown[];
      for (const raw of comments) {
        const id = isObject(raw) ? idOf(raw.id) : undefined;
        if (id === undefined || !isObject(raw)) throw protocolError(what, 'a comment without id');
        // A comment added while paging can shift the pages: keep each one once.
        if (seen.has(id)) continue;
        seen.add(id);
        out.push({
          id,
          body: bodyText(raw.body),
          created: typeof raw.created === 'string' ? raw.created : '',
        });
      }
      const total = typeof res.body.total === 'number' ? res.body.total : undefined;
      startAt += comments.length;
      if (comments.length === 0 || total === undefined || startAt >= total) return out;
    }
    throw protocolError(what, `more than ${MAX_PAGES} pages`);
  }

  return {
    async listComments(issue) {
      const what = `Reading the comments of ${issue}`;
      const comments = await pages(issue, what);
      for (let i = 0; i < comments.length; i += LIST_BATCH) {
        const batch = comments.slice(i, i + LIST_BATCH);
        const ids = batch.map((c) => {
          // Jira's comment ids are numbers on the wire of comment/list.
          if (!/^\d{1,18}$/.test(c.id)) throw protocolError(what, `a comment id that is not a number`);
          return Number(c.id);
        });
        const res = await http.request({
          method: 'POST',
          path: '/comment/list',
          query: { expand: 'properties' },
          body: { ids },
          readOnly: true,
          what,
        });
        if (!isObject(res.body) || !Array.isArray(res.body.values))
          throw protocolError(what, 'no values list');
        const props = new Map<string, unknown>();
        for (const raw of res.body.values as unknown[]) {
          const id = isObject(raw) ? idOf(raw.id) : undefined;
          if (id !== undefined && isObject(raw)) props.set(id, raw.properties ?? []);
        }
        for (const c of batch) {
          // A comment missing here was deleted between the reads, or the answer is short: either
          // way its marker is unknown, and an unknown marker must not read as "not posted".
          if (!props.has(c.id)) {
            throw new JlogError(
              'E_JIRA_UNAVAILABLE',
              `${what}: comment ${c.id} was not in Jira's answer; try again.`,
              {
                retryable: true,
              },
            );
          }
          const marker = markerFromProperties(props.get(c.id));
          if (marker !== undefined) c.marker = marker;
        }
      }
      return comments;
    },

    addComment(issue, text, marker) {
      const what = `Adding a comment to ${issue}`;
      const body = bodyOf(text);
      if (body === undefined) {
        return Promise.reject(new JlogError('E_INTERNAL', `${what}: the comment is empty.`));
      }
      return pacer.exclusive(lockKey(issue), async () => {
        const res = await http.request({
          method: 'POST',
          path: `${issuePath(issue)}/comment`,
          body: { body, properties: [{ key: MARKER_KEY, value: marker }] },
          writeIssue: lockKey(issue),
          what,
        });
        return { id: createdId(res, what, 'comment') };
      });
    },

    updateComment(issue, id, text) {
      // The body only: the marker is a property of its own (setCommentProperty), so an edit never
      // overwrites an `also` another machine just wrote.
      const what = `Updating comment ${id} of ${issue}`;
      const body = bodyOf(text);
      if (body === undefined) {
        return Promise.reject(new JlogError('E_INTERNAL', `${what}: the comment is empty.`));
      }
      return pacer.exclusive(lockKey(issue), async () => {
        await http.request({
          method: 'PUT',
          path: `${issuePath(issue)}/comment/${encodeURIComponent(id)}`,
          body: { body },
          writeIssue: lockKey(issue),
          what,
        });
      });
    },

    setCommentProperty(issue, commentId, key, value) {
      return pacer.exclusive(lockKey(issue), async () => {
        await http.request({
          method: 'PUT',
          path: `/comment/${encodeURIComponent(commentId)}/properties/${encodeURIComponent(key)}`,
          body: value,
          writeIssue: lockKey(issue),
          what: `Updating the ${key} property of comment ${commentId} on ${issue}`,
        });
      });
    },

    deleteComment(issue, id) {
      return pacer.exclusive(lockKey(issue), async () => {
        await http.request({
          method: 'DELETE',
          path: `${issuePath(issue)}/comment/${encodeURIComponent(id)}`,
          writeIssue: lockKey(issue),
          what: `Deleting comment ${id} of ${issue}`,
          notFoundAfterUnknownIsDone: true,
        });
      });
    },
  };
}
