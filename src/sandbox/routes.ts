// The Jira endpoints the sandbox serves, /rest/api/3 (ADF comments) and /rest/api/2 (plain strings).
// Each handler turns a parsed request into a Reply; server.ts does the HTTP, auth and faults.
import type { Reply, WorkTime } from './jira-format.js';
import {
  adfToText,
  decodeSafe,
  errorReply,
  formatJiraDate,
  formatJiraDuration,
  parseStarted,
  textToAdf,
} from './jira-format.js';
import type { ApiRequest, RouteContext } from './route-helpers.js';
import { NO_ISSUE, integerParam, isReply, notAllowed, notFound, rateLimited } from './route-helpers.js';
import { commentRoute, issueCommentsRoute } from './routes-comments.js';
import { issuePropertiesRoute, transitionsRoute } from './routes-issue.js';
import type { SandboxIssue, StoredWorklog } from './types.js';
import type { ApiVersion, EstimateAdjustment } from './validate.js';
import { renderStatus } from './routes-issue.js';
import { statusById } from './workflow.js';
import { INVALID_PAYLOAD, checkProperty, validateAdjustEstimate, validateWorklog } from './validate.js';

const TIME_TRACKING_OFF = 'Time tracking is disabled. Ask a Jira administrator to enable it to log work.';

export type { ApiRequest, RouteContext, SandboxUser } from './route-helpers.js';

export function route(ctx: RouteContext, req: ApiRequest): Reply {
  const [first, key, second, worklogId, third, propertyKey, ...rest] = req.segments;
  const m = req.method;
  if (first === 'myself' && key === undefined) return m === 'GET' ? myself(ctx) : notAllowed();
  if (first === 'configuration' && key === undefined) return m === 'GET' ? configuration(ctx) : notAllowed();
  if (first === 'comment') return commentRoute(ctx, req);
  if (first !== 'issue' || key === undefined || key === '' || rest.length > 0) return notFound(req);

  const issue = ctx.store.findIssue(decodeSafe(key));
  if (!issue) return errorReply(404, [NO_ISSUE]);
  if (second === undefined) return m === 'GET' ? getIssue(ctx, req, issue) : notAllowed();
  if (second === 'properties') return issuePropertiesRoute(ctx, req, issue);
  if (second === 'comment') return issueCommentsRoute(ctx, req, issue);
  if (second === 'transitions') return transitionsRoute(ctx, req, issue);
  if (second !== 'worklog') return notFound(req);
  if (req.badJson) return errorReply(400, [INVALID_PAYLOAD]);

  if (worklogId === undefined) {
    if (m === 'GET') return listWorklogs(ctx, req, issue);
    if (m === 'POST') return addWorklog(ctx, req, issue);
    return notAllowed();
  }
  const worklog = ctx.store.get(worklogId);
  if (!worklog || worklog.issue !== issue.key) {
    return errorReply(404, [`Cannot find worklog with id: ${worklogId}.`]);
  }
  if (third === undefined) {
    if (m === 'GET') return { status: 200, body: renderWorklog(ctx, worklog, req) };
    if (m === 'PUT') return updateWorklog(ctx, req, issue, worklog);
    if (m === 'DELETE') return deleteWorklog(ctx, req, issue, worklog);
    return notAllowed();
  }
  if (third !== 'properties') return notFound(req);
  if (propertyKey === undefined) {
    if (m !== 'GET') return notAllowed();
    const keys = worklog.properties.map((p) => ({
      self: propertySelf(ctx, worklog, p.key, req.api),
      key: p.key,
    }));
    return { status: 200, body: { keys } };
  }
  return worklogProperty(ctx, req, issue, worklog, decodeSafe(propertyKey));
}

function workTime(ctx: RouteContext): WorkTime {
  return { hoursPerDay: ctx.timeTracking.hoursPerDay, daysPerWeek: ctx.timeTracking.daysPerWeek };
}

function myself(ctx: RouteContext): Reply {
  return {
    status: 200,
    body: {
      self: `${ctx.baseUrl}/rest/api/3/user?accountId=${ctx.user.accountId}`,
      ...renderUser(ctx),
      accountType: 'atlassian',
      locale: 'en_US',
    },
  };
}

function configuration(ctx: RouteContext): Reply {
  const tt = ctx.timeTracking;
  const body: Record<string, unknown> = {
    attachmentsEnabled: true,
    issueLinkingEnabled: true,
    subTasksEnabled: true,
    timeTrackingEnabled: tt.enabled,
    unassignedIssuesAllowed: false,
    votingEnabled: true,
    watchingEnabled: true,
  };
  // Jira includes the configuration only when time tracking is on.
  if (tt.enabled) {
    body.timeTrackingConfiguration = {
      workingHoursPerDay: tt.hoursPerDay,
      workingDaysPerWeek: tt.daysPerWeek,
      timeFormat: 'pretty',
      defaultUnit: 'minute',
    };
  }
  return { status: 200, body };
}

function renderUser(ctx: RouteContext) {
  return {
    accountId: ctx.user.accountId,
    emailAddress: ctx.user.emailAddress,
    displayName: ctx.user.displayName,
    active: true,
    timeZone: 'UTC',
  };
}

function getIssue(ctx: RouteContext, req: ApiRequest, issue: SandboxIssue): Reply {
  // `fields=status,timetracking`; absent, `*all` or `*navigable`: every field the sandbox has.
  const asked = (req.query.fields ?? '*all').split(',').map((f) => f.trim());
  const all = asked.some((f) => f === '*all' || f === '*navigable');
  const fields: Record<string, unknown> = {};
  if (all || asked.includes('timetracking')) fields.timetracking = timetracking(ctx, issue);
  if (all || asked.includes('status')) fields.status = renderStatus(ctx, statusById(issue.statusId), req.api);
  return {
    status: 200,
    body: {
      expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
      id: issue.id,
      key: issue.key,
      self: `${ctx.baseUrl}/rest/api/${req.api}/issue/${issue.id}`,
      fields,
    },
  };
}

function timetracking(ctx: RouteContext, issue: SandboxIssue): Record<string, unknown> {
  const wt = workTime(ctx);
  const tt: Record<string, unknown> = {};
  if (issue.originalEstimateSeconds !== null) {
    tt.originalEstimate = formatJiraDuration(issue.originalEstimateSeconds, wt);
    tt.originalEstimateSeconds = issue.originalEstimateSeconds;
  }
  if (issue.remainingEstimateSeconds !== null) {
    tt.remainingEstimate = formatJiraDuration(issue.remainingEstimateSeconds, wt);
    tt.remainingEstimateSeconds = issue.remainingEstimateSeconds;
  }
  if (issue.timeSpentSeconds > 0) {
    tt.timeSpent = formatJiraDuration(issue.timeSpentSeconds, wt);
    tt.timeSpentSeconds = issue.timeSpentSeconds;
  }
  return tt;
}

function expandsProperties(req: ApiRequest): boolean {
  return (req.query.expand ?? '').split(',').some((e) => e.trim() === 'properties');
}

function renderWorklog(ctx: RouteContext, w: StoredWorklog, req: ApiRequest): Record<string, unknown> {
  const author = {
    self: `${ctx.baseUrl}/rest/api/${req.api}/user?accountId=${w.author.accountId}`,
    ...w.author,
  };
  const out: Record<string, unknown> = {
    self: `${ctx.baseUrl}/rest/api/${req.api}/issue/${w.issueId}/worklog/${w.id}`,
    author,
    updateAuthor: author,
  };
  if (w.comment !== undefined) {
    out.comment =
      req.api === 3
        ? typeof w.comment === 'string'
          ? textToAdf(w.comment)
          : w.comment
        : typeof w.comment === 'string'
          ? w.comment
          : adfToText(w.comment);
  }
  const startedMs = parseStarted(w.started);
  Object.assign(out, {
    created: w.created,
    updated: w.updated,
    // Jira renders dates in the user's time zone (the sandbox user's is UTC), not as they were sent.
    started: typeof startedMs === 'number' ? formatJiraDate(startedMs) : w.started,
    timeSpent: formatJiraDuration(w.timeSpentSeconds, workTime(ctx)),
    timeSpentSeconds: w.timeSpentSeconds,
    id: w.id,
    issueId: w.issueId,
  });
  if (expandsProperties(req)) out.properties = w.properties;
  return out;
}

function listWorklogs(ctx: RouteContext, req: ApiRequest, issue: SandboxIssue): Reply {
  const params: Record<string, number | undefined> = {};
  for (const name of ['startAt', 'maxResults', 'startedAfter', 'startedBefore']) {
    const v = integerParam(req.query, name);
    if (isReply(v)) return v;
    params[name] = v;
  }
  const startAt = Math.max(0, params.startAt ?? 0);
  const maxResults = Math.min(Math.max(0, params.maxResults ?? ctx.maxResults), ctx.maxResults);
  const after = params.startedAfter;
  const before = params.startedBefore;
  const matching = ctx.store
    .worklogs(issue.key)
    .map((w) => ({ w, ms: parseStarted(w.started) as number }))
    .filter(({ ms }) => (after === undefined || ms >= after) && (before === undefined || ms < before))
    .sort((a, b) => a.ms - b.ms || Number(a.w.id) - Number(b.w.id));
  return {
    status: 200,
    body: {
      startAt,
      maxResults,
      total: matching.length,
      worklogs: matching.slice(startAt, startAt + maxResults).map(({ w }) => renderWorklog(ctx, w, req)),
    },
  };
}

/** Time tracking, the estimate parameters and the write limit: what every worklog write checks. */
function writeGate(
  ctx: RouteContext,
  req: ApiRequest,
  op: 'create' | 'update' | 'delete',
): EstimateAdjustment | Reply {
  if (!ctx.timeTracking.enabled) return errorReply(400, [TIME_TRACKING_OFF]);
  return validateAdjustEstimate(req.query, op, workTime(ctx));
}

function adjust(issue: SandboxIssue, how: EstimateAdjustment, autoDelta: number): void {
  const remaining = issue.remainingEstimateSeconds;
  if (how.mode === 'new') issue.remainingEstimateSeconds = how.seconds;
  else if (remaining === null || how.mode === 'leave') return;
  else if (how.mode === 'auto') issue.remainingEstimateSeconds = Math.max(0, remaining - autoDelta);
  else issue.remainingEstimateSeconds = Math.max(0, remaining - how.seconds);
}

function addWorklog(ctx: RouteContext, req: ApiRequest, issue: SandboxIssue): Reply {
  const how = writeGate(ctx, req, 'create');
  if (isReply(how)) return how;
  const input = validateWorklog(req.body, req.api, 'create', workTime(ctx));
  if (isReply(input)) return input;
  if (ctx.store.count(issue.key) >= ctx.worklogLimitPerIssue) {
    return errorReply(413, [
      `The issue has reached the limit of ${ctx.worklogLimitPerIssue} worklogs. Remove some before adding more.`,
    ]);
  }
  const limited = rateLimited(ctx, issue);
  if (limited) return limited;

  const now = formatJiraDate(Date.now());
  const seconds = input.timeSpentSeconds as number;
  const worklog: StoredWorklog = {
    id: ctx.store.newWorklogId(),
    issue: issue.key,
    issueId: issue.id,
    started: input.started as string,
    timeSpentSeconds: seconds,
    properties: input.properties ?? [],
    author: {
      accountId: ctx.user.accountId,
      emailAddress: ctx.user.emailAddress,
      displayName: ctx.user.displayName,
    },
    created: now,
    updated: now,
  };
  if (input.comment?.value !== undefined) worklog.comment = input.comment.value;
  ctx.store.put(worklog);
  issue.timeSpentSeconds += seconds;
  adjust(issue, how, seconds);
  ctx.store.save();
  return { status: 201, body: renderWorklog(ctx, worklog, req) };
}

function updateWorklog(
  ctx: RouteContext,
  req: ApiRequest,
  issue: SandboxIssue,
  worklog: StoredWorklog,
): Reply {
  const how = writeGate(ctx, req, 'update');
  if (isReply(how)) return how;
  const input = validateWorklog(req.body, req.api, 'update', workTime(ctx));
  if (isReply(input)) return input;
  const limited = rateLimited(ctx, issue);
  if (limited) return limited;

  if (input.started !== undefined) worklog.started = input.started;
  if (input.timeSpentSeconds !== undefined) {
    const delta = input.timeSpentSeconds - worklog.timeSpentSeconds;
    worklog.timeSpentSeconds = input.timeSpentSeconds;
    issue.timeSpentSeconds += delta;
    adjust(issue, how, delta);
  } else if (how.mode === 'new') {
    adjust(issue, how, 0);
  }
  if (input.comment !== undefined) {
    if (input.comment.value === undefined) delete worklog.comment;
    else worklog.comment = input.comment.value;
  }
  for (const p of input.properties ?? []) setProperty(worklog, p.key, p.value);
  worklog.updated = formatJiraDate(Date.now());
  ctx.store.save();
  return { status: 200, body: renderWorklog(ctx, worklog, req) };
}

function deleteWorklog(
  ctx: RouteContext,
  req: ApiRequest,
  issue: SandboxIssue,
  worklog: StoredWorklog,
): Reply {
  const how = writeGate(ctx, req, 'delete');
  if (isReply(how)) return how;
  const limited = rateLimited(ctx, issue);
  if (limited) return limited;
  ctx.store.delete(worklog.id);
  issue.timeSpentSeconds = Math.max(0, issue.timeSpentSeconds - worklog.timeSpentSeconds);
  // Deleting gives the time back: auto restores what the worklog took, manual adds increaseBy.
  if (how.mode === 'auto') adjust(issue, how, -worklog.timeSpentSeconds);
  else if (how.mode === 'manual') adjust(issue, { mode: 'manual', seconds: -how.seconds }, 0);
  else adjust(issue, how, 0);
  ctx.store.save();
  return { status: 204 };
}

function setProperty(worklog: StoredWorklog, key: string, value: unknown): boolean {
  const existing = worklog.properties.find((p) => p.key === key);
  if (existing) existing.value = value;
  else worklog.properties.push({ key, value });
  return existing === undefined;
}

function propertySelf(ctx: RouteContext, w: StoredWorklog, key: string, api: ApiVersion): string {
  return `${ctx.baseUrl}/rest/api/${api}/issue/${w.issueId}/worklog/${w.id}/properties/${encodeURIComponent(key)}`;
}

function worklogProperty(
  ctx: RouteContext,
  req: ApiRequest,
  issue: SandboxIssue,
  worklog: StoredWorklog,
  key: string,
): Reply {
  const existing = worklog.properties.find((p) => p.key === key);
  const missing = errorReply(404, [`The property with key '${key}' does not exist.`]);
  if (req.method === 'GET') return existing ? { status: 200, body: { key, value: existing.value } } : missing;
  if (req.method !== 'PUT' && req.method !== 'DELETE') return notAllowed();
  if (req.method === 'PUT') {
    const bad = checkProperty(key, req.body);
    if (bad) return bad;
  } else if (!existing) {
    return missing;
  }
  const limited = rateLimited(ctx, issue);
  if (limited) return limited;
  if (req.method === 'DELETE') {
    worklog.properties = worklog.properties.filter((p) => p.key !== key);
    ctx.store.save();
    return { status: 204 };
  }
  const created = setProperty(worklog, key, req.body);
  ctx.store.save();
  return { status: created ? 201 : 200 };
}
