// Issue-level endpoints: entity properties (`/issue/{key}/properties[/{propertyKey}]`) and workflow
// transitions (`/issue/{key}/transitions`), with Jira's answers and validation.
import type { Reply } from './jira-format.js';
import { decodeSafe, errorReply } from './jira-format.js';
import type { ApiRequest, RouteContext } from './route-helpers.js';
import { notAllowed, notFound, rateLimited } from './route-helpers.js';
import type { SandboxIssue } from './types.js';
import { INVALID_PAYLOAD, checkProperty } from './validate.js';
import type { ApiVersion } from './validate.js';
import type { SandboxStatus } from './workflow.js';
import { statusById, transitionsFrom } from './workflow.js';

export const propertyMissing = (key: string): Reply =>
  errorReply(404, [`The property with key '${key}' does not exist.`]);

export function renderStatus(ctx: RouteContext, s: SandboxStatus, api: ApiVersion): Record<string, unknown> {
  return {
    self: `${ctx.baseUrl}/rest/api/${api}/status/${s.id}`,
    description: '',
    iconUrl: `${ctx.baseUrl}/images/icons/statuses/generic.png`,
    name: s.name,
    id: s.id,
    statusCategory: {
      self: `${ctx.baseUrl}/rest/api/${api}/statuscategory/${s.category.id}`,
      id: s.category.id,
      key: s.category.key,
      colorName: s.category.key === 'done' ? 'green' : s.category.key === 'new' ? 'blue-gray' : 'yellow',
      name: s.category.name,
    },
  };
}

export function issuePropertiesRoute(ctx: RouteContext, req: ApiRequest, issue: SandboxIssue): Reply {
  const [, , , rawKey, ...rest] = req.segments;
  if (rest.length > 0) return notFound(req);
  const props = (issue.properties ??= []);
  const self = (key: string) =>
    `${ctx.baseUrl}/rest/api/${req.api}/issue/${issue.id}/properties/${encodeURIComponent(key)}`;
  if (rawKey === undefined) {
    if (req.method !== 'GET') return notAllowed();
    return { status: 200, body: { keys: props.map((p) => ({ self: self(p.key), key: p.key })) } };
  }
  const key = decodeSafe(rawKey);
  const existing = props.find((p) => p.key === key);
  if (req.method === 'GET')
    return existing ? { status: 200, body: { key, value: existing.value } } : propertyMissing(key);
  if (req.method === 'DELETE') {
    if (!existing) return propertyMissing(key);
    const limited = rateLimited(ctx, issue);
    if (limited) return limited;
    issue.properties = props.filter((p) => p.key !== key);
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
  else props.push({ key, value: req.body });
  ctx.store.save();
  return { status: existing ? 200 : 201 };
}

export function transitionsRoute(ctx: RouteContext, req: ApiRequest, issue: SandboxIssue): Reply {
  if (req.segments.length > 3) return notFound(req);
  const available = transitionsFrom(issue.statusId);
  if (req.method === 'GET') {
    return {
      status: 200,
      body: {
        expand: 'transitions',
        transitions: available.map((t) => ({
          id: t.id,
          name: t.name,
          to: renderStatus(ctx, statusById(t.to), req.api),
          hasScreen: false,
          isGlobal: t.from === undefined,
          isInitial: false,
          isAvailable: true,
          isConditional: false,
          isLooped: false,
        })),
      },
    };
  }
  if (req.method !== 'POST') return notAllowed();
  if (req.badJson || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) {
    return errorReply(400, [INVALID_PAYLOAD]);
  }
  const t = (req.body as { transition?: unknown }).transition;
  const raw = t !== null && typeof t === 'object' ? (t as { id?: unknown }).id : undefined;
  const id = typeof raw === 'number' ? String(raw) : raw;
  if (typeof id !== 'string' || id === '') return errorReply(400, ["Missing 'transition' identifier"]);
  const chosen = available.find((a) => a.id === id);
  if (!chosen) return errorReply(400, [`Transition id '${id}' is not valid for this issue.`]);
  const limited = rateLimited(ctx, issue);
  if (limited) return limited;
  issue.statusId = chosen.to;
  ctx.store.save();
  return { status: 204 };
}
