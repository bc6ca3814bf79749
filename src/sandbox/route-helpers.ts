// What every sandbox route shares: the request and context shapes, Jira's generic 404/405 answers,
// query integers and Jira Cloud's per-issue write limit.
import type { Reply } from './jira-format.js';
import { errorReply } from './jira-format.js';
import type { PerIssueWriteLimit } from './rate-limit.js';
import type { Store } from './store.js';
import type { SandboxIssue } from './types.js';
import type { ApiVersion } from './validate.js';

export interface SandboxUser {
  accountId: string;
  emailAddress: string;
  displayName: string;
}

export interface RouteContext {
  store: Store;
  baseUrl: string;
  user: SandboxUser;
  timeTracking: { enabled: boolean; hoursPerDay: number; daysPerWeek: number };
  maxResults: number;
  worklogLimitPerIssue: number;
  writeLimit: PerIssueWriteLimit | undefined;
}

export interface ApiRequest {
  method: string;
  api: ApiVersion;
  /** Path segments after /rest/api/{2|3}/. */
  segments: string[];
  query: Record<string, string>;
  body: unknown;
  /** Set when the body was present but not JSON. */
  badJson: boolean;
}

export const NO_ISSUE = 'Issue does not exist or you do not have permission to see it.';

export function notFound(req: ApiRequest): Reply {
  return errorReply(404, [`null for uri: /rest/api/${req.api}/${req.segments.join('/')}`]);
}

export function notAllowed(): Reply {
  return errorReply(405, ['Method Not Allowed']);
}

export function integerParam(query: Record<string, string>, name: string): number | undefined | Reply {
  const v = query[name];
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) return errorReply(400, [`Invalid value '${v}' for parameter ${name}.`]);
  return Number(v);
}

export function isReply(x: unknown): x is Reply {
  return typeof x === 'object' && x !== null && 'status' in x;
}

/** Jira Cloud's per-issue write limit; undefined when the write may go ahead (and is counted). */
export function rateLimited(ctx: RouteContext, issue: SandboxIssue): Reply | undefined {
  const verdict = ctx.writeLimit?.take(issue.key);
  if (!verdict) return undefined;
  return errorReply(
    429,
    ['Rate limit exceeded.'],
    {},
    {
      'Retry-After': String(verdict.retryAfter),
      'RateLimit-Reason': 'jira-per-issue-on-write',
      'X-RateLimit-Limit': String(verdict.limit),
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': new Date(verdict.resetAt).toISOString(),
    },
  );
}
