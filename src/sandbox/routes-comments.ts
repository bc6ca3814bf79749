// Comment endpoints: `/issue/{key}/comment[/{id}]` (paged with startAt/maxResults/total, ADF on v3 and
// a string on v2), comment properties (`/comment/{id}/properties[/{key}]`) and
// `POST /comment/list?expand=properties` with `{"ids":[…]}`, as Jira answers them.
import type { Reply } from './jira-format.js';
import { adfToText, decodeSafe, errorReply, formatJiraDate, textToAdf } from './jira-format.js';
import type { ApiRequest, RouteContext } from './route-helpers.js';
import { integerParam, isReply, notAllowed, notFound, rateLimited } from './route-helpers.js';
import { propertyMissing } from './routes-issue.js';
import type { SandboxIssue, StoredComment } from './types.js';
import { INVALID_PAYLOAD, checkComment, checkProperties, checkProperty } from './validate.js';

const BODY_EMPTY = 'Comment body can not be empty!';
const MAX_BODY_CHARS = 32_767;
const MAX_LIST_IDS = 1000;
const WRITABLE = new Set(['body', 'visibility', 'properties']);
const READ_ONLY = new Set(['id', 'self', 'author', 'updateAuthor', 'created', 'updated', 'jsdPublic']);

const noComment = (id: string): Reply => errorReply(404, [`Can not find a comment for the id: ${id}.`]);

function expands(req: ApiRequest, what: string): boolean {
  return (req.query.expand ?? '').split(',').some((e) => e.trim() === what);
}

function render(ctx: RouteContext, c: StoredComment, req: ApiRequest): Record<string, unknown> {
  const author = {
    self: `${ctx.baseUrl}/rest/api/${req.api}/user?accountId=${c.author.accountId}`,
    ...c.author,
  };
  const body =
    req.api === 3
      ? typeof c.body === 'string'
        ? textToAdf(c.body)
        : c.body
      : typeof c.body === 'string'
        ? c.body
        : adfToText(c.body);
  const out: Record<string, unknown> = {
    self: `${ctx.baseUrl}/rest/api/${req.api}/issue/${c.issueId}/comment/${c.id}`,
    id: c.id,
    author,
    body,
    updateAuthor: author,
    created: c.created,
    updated: c.updated,
    jsdPublic: true,
  };
  if (expands(req, 'properties')) out.properties = c.properties;
  return out;
}

/** The comment body and properties of a POST or PUT, validated as Jira does; a Reply when refused. */
function readInput(
  req: ApiRequest,
  mode: 'create' | 'update',
): { body: unknown; properties?: { key: string; value: unknown }[] } | Reply {
  if (req.badJson || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
    return errorReply(400, [INVALID_PAYLOAD]);
  }
  const b = req.body as Record<string, unknown>;
  for (const field of Object.keys(b)) {
    if (!WRITABLE.has(field) && !READ_ONLY.has(field)) {
      return errorReply(400, [
        `Unrecognized field "${field}" (class com.atlassian.jira.issue.fields.rest.json.beans.CommentJsonBean), not marked as ignorable`,
      ]);
    }
  }
  // v2 takes only a string; v3 only ADF (a v2 ADF or a v3 string is refused, never guessed).
  if (req.api === 2 && b.body !== undefined && b.body !== null && typeof b.body !== 'string') {
    return errorReply(400, [INVALID_PAYLOAD]);
  }
  const checked = checkComment(b.body, req.api);
  if (isReply(checked)) return checked;
  const text = checked.value === undefined ? '' : adfToText(checked.value);
  if (text.trim() === '') return errorReply(400, [], { comment: BODY_EMPTY });
  if (text.length > MAX_BODY_CHARS) {
    return errorReply(400, [], {
      comment: `The entered text is too long. It exceeds the allowed limit of ${MAX_BODY_CHARS.toLocaleString('en-US')} characters.`,
    });
  }
  const out: { body: unknown; properties?: { key: string; value: unknown }[] } = { body: checked.value };
  if (b.properties !== undefined && b.properties !== null) {
    if (mode === 'update') return out; // Jira ignores properties on an edit; they have their own endpoint
    const props = checkProperties(b.properties);
    if (!Array.isArray(props)) return props;
    out.properties = props;
  }
  return out;
}

export function issueCommentsRoute(ctx: RouteContext, req: ApiRequest, issue: SandboxIssue): Reply {
  const [, , , id, ...rest] = req.segments;
  if (rest.length > 0) return notFound(req);
  if (id === undefined) {
    if (req.method === 'GET') return listComments(ctx, req, issue);
    if (req.method === 'POST') return addComment(ctx, req, issue);
    return notAllowed();
  }
  const comment = ctx.store.comment(decodeSafe(id));
  if (!comment || comment.issue !== issue.key) return noComment(id);
  if (req.method === 'GET') return { status: 200, body: render(ctx, comment, req) };
  if (req.method === 'DELETE') {
    const limited = rateLimited(ctx, issue);
    if (limited) return limited;
    ctx.store.deleteComment(comment.id);
    ctx.store.save();
    return { status: 204 };
  }
  if (req.method !== 'PUT') return notAllowed();
  const input = readInput(req, 'update');
  if (isReply(input)) return input;
  const limited = rateLimited(ctx, issue);
  if (limited) return limited;
  comment.body = input.body;
  comment.updated = formatJiraDate(Date.now());
  ctx.store.save();
  return { status: 200, body: render(ctx, comment, req) };
}

function listComments(ctx: RouteContext, req: ApiRequest, issue: SandboxIssue): Reply {
  const startAtParam = integerParam(req.query, 'startAt');
  if (isReply(startAtParam)) return startAtParam;
  const maxParam = integerParam(req.query, 'maxResults');
  if (isReply(maxParam)) return maxParam;
  const startAt = Math.max(0, startAtParam ?? 0);
  const maxResults = Math.min(Math.max(0, maxParam ?? ctx.maxResults), ctx.maxResults);
  const all = ctx.store.comments(issue.key).sort((a, b) => Number(a.id) - Number(b.id));
  if ((req.query.orderBy ?? '').replace(/^\+/, '') === '-created') all.reverse();
  return {
    status: 200,
    body: {
      startAt,
      maxResults,
      total: all.length,
      comments: all.slice(startAt, startAt + maxResults).map((c) => render(ctx, c, req)),
    },
  };
}

function addComment(ctx: RouteContext, req: ApiRequest, issue: SandboxIssue): Reply {
  const input = readInput(req, 'create');
  if (isReply(input)) return input;
  const limited = rateLimited(ctx, issue);
  if (limited) return limited;
  const now = formatJiraDate(Date.now());
  const comment: StoredComment = {
    id: ctx.store.newCommentId(),
    issue: issue.key,
    issueId: issue.id,
    body: input.body,
    properties: input.properties ?? [],
    author: {
      accountId: ctx.user.accountId,
      emailAddress: ctx.user.emailAddress,
      displayName: ctx.user.displayName,
    },
    created: now,
    updated: now,
  };
  ctx.store.putComment(comment);
  ctx.store.save();
  return { status: 201, body: render(ctx, comment, req) };
}

/** `/comment/list` and `/comment/{id}/properties[/{key}]`. */
export function commentRoute(ctx: RouteContext, req: ApiRequest): Reply {
  const [, second, third, rawKey, ...rest] = req.segments;
  if (second === 'list' && third === undefined)
    return req.method === 'POST' ? listByIds(ctx, req) : notAllowed();
  if (second === undefined || third !== 'properties' || rest.length > 0) return notFound(req);
  const comment = ctx.store.comment(decodeSafe(second));
  if (!comment) return noComment(second);
  const issue = ctx.store.peekIssue(comment.issue);
  if (!issue) return noComment(second);
  if (rawKey === undefined) {
    if (req.method !== 'GET') return notAllowed();
    const keys = comment.properties.map((p) => ({
      self: `${ctx.baseUrl}/rest/api/${req.api}/comment/${comment.id}/properties/${encodeURIComponent(p.key)}`,
      key: p.key,
    }));
    return { status: 200, body: { keys } };
  }
  const key = decodeSafe(rawKey);
  const existing = comment.properties.find((p) => p.key === key);
  if (req.method === 'GET')
    return existing ? { status: 200, body: { key, value: existing.value } } : propertyMissing(key);
  if (req.method === 'DELETE') {
    if (!existing) return propertyMissing(key);
    const limited = rateLimited(ctx, issue);
    if (limited) return limited;
    comment.properties = comment.properties.filter((p) => p.key !== key);
    ctx.store.save();
    return { status: 204 };
  }
  if (req.method !== 'PUT') return notAllowed();
  if (req.badJson) return errorReply(400, [INVALID_PAYLOAD]);
  const bad = checkProperty(key, req.body);
  if (bad) return bad;
  const limited = rateLimited(ctx, issue);
  if (limited) return limited;
  if (existing) existing.value = req.body;
  else comment.properties.push({ key, value: req.body });
  ctx.store.save();
  return { status: existing ? 200 : 201 };
}

function listByIds(ctx: RouteContext, req: ApiRequest): Reply {
  if (req.badJson || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
    return errorReply(400, [INVALID_PAYLOAD]);
  }
  const ids = (req.body as { ids?: unknown }).ids;
  if (!Array.isArray(ids) || ids.length === 0) return errorReply(400, [], { ids: 'You must specify ids.' });
  if (ids.length > MAX_LIST_IDS) {
    return errorReply(400, [`The number of IDs must not exceed ${MAX_LIST_IDS}.`]);
  }
  const wanted = new Set<string>();
  for (const id of ids as unknown[]) {
    // Jackson reads a Long from a number or a numeric string; anything else is a bad payload.
    if (typeof id === 'number' && Number.isInteger(id)) wanted.add(String(id));
    else if (typeof id === 'string' && /^\d+$/.test(id)) wanted.add(id);
    else return errorReply(400, [INVALID_PAYLOAD]);
  }
  const values = [...wanted]
    .map((id) => ctx.store.comment(id))
    .filter((c): c is StoredComment => c !== undefined)
    .sort((a, b) => Number(a.id) - Number(b.id))
    .map((c) => render(ctx, c, req));
  return {
    status: 200,
    body: { maxResults: MAX_LIST_IDS, startAt: 0, total: values.length, isLast: true, values },
  };
}
