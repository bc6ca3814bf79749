// The Jira client the engine posts through: worklogs, myself, the site's time tracking. Paths are
// `/rest/api/3` on Cloud and `/rest/api/2` on Data Center; pacing, retries and error mapping live
// in pacing.ts, http.ts and errors.ts.

import { adfToText, markerFromProperties, startedToMs, type WorklogBody } from '../core/jira-format.js';
import { commentCalls } from './comments.js';
import { JiraHttp } from './http.js';
import { issueCalls } from './issue.js';
import { Pacer, type Clock } from './pacing.js';
import { createdId, idOf, isObject, issuePath, lockKey, protocolError } from './shape.js';
import type {
  Credentials,
  JiraClient,
  JiraClientOptions,
  JiraUser,
  RemoteWorklog,
  TimeTrackingInfo,
  WriteQuery,
} from './types.js';

export type {
  Credentials,
  IssueStatus,
  JiraClient,
  JiraClientOptions,
  RemoteComment,
  RemoteWorklog,
  Transition,
} from './types.js';

/** Jira's own page size for worklogs; servers may cap it lower, so paging never trusts it. */
const PAGE_SIZE = 5000;
/** Far beyond Jira's 10,000 worklogs per issue even at one per page: a runaway server ends here. */
const MAX_PAGES = 20_000;

export function toRemoteWorklog(raw: unknown): RemoteWorklog | undefined {
  if (!isObject(raw)) return undefined;
  const id = idOf(raw.id);
  if (id === undefined || typeof raw.started !== 'string') return undefined;
  const author = isObject(raw.author) ? raw.author : {};
  const w: RemoteWorklog = {
    id,
    started: raw.started,
    startedMs: startedToMs(raw.started),
    timeSpentSeconds: typeof raw.timeSpentSeconds === 'number' ? raw.timeSpentSeconds : 0,
    comment: adfToText(raw.comment),
  };
  if (typeof author.emailAddress === 'string') w.authorEmail = author.emailAddress;
  // Data Center users have a key or a name instead of an accountId.
  const accountId = idOf(author.accountId) ?? idOf(author.key) ?? idOf(author.name);
  if (accountId !== undefined) w.authorAccountId = accountId;
  const marker = markerFromProperties(raw.properties);
  if (marker !== undefined) w.marker = marker;
  return w;
}

export function createJiraClient(
  creds: Credentials,
  opts: JiraClientOptions & { clock?: Clock } = {},
): JiraClient {
  const pacer = new Pacer({
    concurrency: opts.concurrency ?? 4,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const http = new JiraHttp(creds, opts, pacer);
  let configuration: Promise<TimeTrackingInfo> | undefined;

  const writeQuery = (q: WriteQuery) => ({ adjustEstimate: q.adjustEstimate, notifyUsers: q.notifyUsers });

  return {
    ...issueCalls(http, pacer),
    ...commentCalls(http, pacer, creds.deployment),

    addWorklog(issue, body, q) {
      const what = `Adding a worklog to ${issue}`;
      return pacer.exclusive(lockKey(issue), async () => {
        const res = await http.request({
          method: 'POST',
          path: `${issuePath(issue)}/worklog`,
          query: writeQuery(q),
          body,
          writeIssue: lockKey(issue),
          what,
        });
        return { id: createdId(res, what, 'worklog') };
      });
    },

    async listWorklogs(issue, q = {}) {
      const what = `Reading the worklogs of ${issue}`;
      const out: RemoteWorklog[] = [];
      const seen = new Set<string>();
      let startAt = 0;
      for (let page = 0; page < MAX_PAGES; page++) {
        const res = await http.request({
          method: 'GET',
          path: `${issuePath(issue)}/worklog`,
          query: {
            startAt,
            maxResults: PAGE_SIZE,
            startedAfter: q.startedAfter,
            startedBefore: q.startedBefore,
            expand: 'properties',
          },
          what,
        });
        if (!isObject(res.body) || !Array.isArray(res.body.worklogs))
          throw protocolError(what, 'no worklogs list');
        const worklogs = res.body.worklogs as unknown[];
        for (const raw of worklogs) {
          const w = toRemoteWorklog(raw);
          if (w === undefined) throw protocolError(what, 'a worklog without id or started');
          // A worklog added while paging can shift the pages: keep each one once.
          if (!seen.has(w.id)) {
            seen.add(w.id);
            out.push(w);
          }
        }
        const total = typeof res.body.total === 'number' ? res.body.total : undefined;
        startAt += worklogs.length;
        if (worklogs.length === 0 || total === undefined || startAt >= total) return out;
      }
      throw protocolError(what, `more than ${MAX_PAGES} pages`);
    },

    updateWorklog(issue, id, body, q) {
      // docs/exactly-once.md: duration, start and comment only. The marker is changed on its own
      // (setWorklogProperty), so a PUT never overwrites an `also` another machine just wrote.
      const update: Partial<WorklogBody> = { timeSpentSeconds: body.timeSpentSeconds, started: body.started };
      if (body.comment !== undefined) update.comment = body.comment;
      return pacer.exclusive(lockKey(issue), async () => {
        await http.request({
          method: 'PUT',
          path: `${issuePath(issue)}/worklog/${encodeURIComponent(id)}`,
          query: writeQuery(q),
          body: update,
          writeIssue: lockKey(issue),
          what: `Updating worklog ${id} of ${issue}`,
        });
      });
    },

    deleteWorklog(issue, id, q) {
      return pacer.exclusive(lockKey(issue), async () => {
        await http.request({
          method: 'DELETE',
          path: `${issuePath(issue)}/worklog/${encodeURIComponent(id)}`,
          query: { adjustEstimate: q.adjustEstimate },
          writeIssue: lockKey(issue),
          what: `Deleting worklog ${id} of ${issue}`,
          notFoundAfterUnknownIsDone: true,
        });
      });
    },

    async myself(): Promise<JiraUser> {
      const what = 'Checking the Jira credentials';
      const res = await http.request({ method: 'GET', path: '/myself', what });
      if (!isObject(res.body)) throw protocolError(what, 'no user');
      const b = res.body;
      const accountId = idOf(b.accountId) ?? idOf(b.key) ?? idOf(b.name);
      if (accountId === undefined) throw protocolError(what, 'no accountId');
      const user: JiraUser = {
        accountId,
        // One line: it is printed after "logged in as" (a line break there would forge a line).
        displayName:
          typeof b.displayName === 'string' ? b.displayName.replace(/[\r\n\u2028\u2029]+/g, ' ') : accountId,
      };
      if (typeof b.emailAddress === 'string') user.emailAddress = b.emailAddress;
      return user;
    },

    configuration() {
      if (configuration !== undefined) return configuration;
      const read = (async (): Promise<TimeTrackingInfo> => {
        const what = 'Reading the Jira time tracking settings';
        const res = await http.request({ method: 'GET', path: '/configuration', what });
        if (!isObject(res.body)) throw protocolError(what, 'no configuration');
        const tt = isObject(res.body.timeTrackingConfiguration) ? res.body.timeTrackingConfiguration : {};
        const positive = (v: unknown, fallback: number): number =>
          typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;
        return {
          timeTrackingEnabled: res.body.timeTrackingEnabled === true,
          hoursPerDay: positive(tt.workingHoursPerDay, 8),
          daysPerWeek: positive(tt.workingDaysPerWeek, 5),
        };
      })();
      // A failed read is not cached: the next call asks again.
      configuration = read;
      read.catch(() => {
        if (configuration === read) configuration = undefined;
      });
      return read;
    },

    close() {
      return http.close();
    },
  };
}

export type { WorklogBody };
