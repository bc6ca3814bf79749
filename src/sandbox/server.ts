// The embedded Jira-compatible server: node:http on 127.0.0.1, Jira's validation and failures, faults
// queued by tests, every request recorded (Authorization redacted). Used by the demo, the tests
// (instead of mocks) and acceptance trials.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultQueue } from './faults.js';
import type { Reply } from './jira-format.js';
import { decodeSafe, errorReply } from './jira-format.js';
import { PerIssueWriteLimit } from './rate-limit.js';
import type { ApiRequest, RouteContext, SandboxUser } from './routes.js';
import { route } from './routes.js';
import { Store } from './store.js';
import { statusById, statusByName } from './workflow.js';
import type { Fault, RecordedRequest, Sandbox, SandboxOptions } from './types.js';

export type {
  StoredComment,
  Fault,
  FaultRule,
  RecordedRequest,
  Sandbox,
  SandboxIssue,
  SandboxOptions,
  StoredWorklog,
  TimeTrackingSettings,
} from './types.js';

export const DEFAULT_CREDENTIALS = { email: 'dev@example.com', token: 'sandbox-token' } as const;
const MAX_BODY_BYTES = 5 * 1024 * 1024;
const NOT_AUTHENTICATED = 'You are not authenticated. Authentication required to perform this operation.';

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const credentials = opts.credentials ?? DEFAULT_CREDENTIALS;
  const email = 'email' in credentials ? credentials.email : undefined;
  const store = new Store(opts.data, opts.issues, opts.projects);
  const faults = new FaultQueue();
  const requests: RecordedRequest[] = [];
  const tt = opts.timeTracking ?? {};
  const ctx: RouteContext = {
    store,
    baseUrl: '',
    user: userFor(email ?? DEFAULT_CREDENTIALS.email),
    timeTracking: {
      enabled: tt.enabled ?? true,
      hoursPerDay: tt.hoursPerDay ?? 8,
      daysPerWeek: tt.daysPerWeek ?? 5,
    },
    maxResults: opts.maxResults ?? 5000,
    worklogLimitPerIssue: opts.worklogLimitPerIssue ?? 10_000,
    writeLimit: opts.perIssueWriteLimit === false ? undefined : new PerIssueWriteLimit(),
  };
  const expectedAuth =
    email === undefined
      ? `Bearer ${credentials.token}`
      : `Basic ${Buffer.from(`${email}:${credentials.token}`).toString('base64')}`;

  // Set once the port is known; nothing is answered before that.
  let ownHost: (host: string | undefined) => boolean = () => false;
  // Requests that are waiting (latency) or never answered (hang): close() ends them.
  const pending = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      // A bug in the sandbox: answer 500 rather than leave the client hanging.
      if (!res.headersSent && !res.destroyed) send(res, errorReply(500, [String(err)]));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // DNS rebinding: a web page on another origin can reach 127.0.0.1 under its own host name. Only
    // requests addressed to this server's own loopback address and port are answered.
    if (!ownHost(req.headers.host)) {
      req.resume();
      return send(
        res,
        errorReply(421, ['Misdirected request: this sandbox answers only its own loopback address.']),
      );
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: redactedHeaders(req),
      body: parseForRecord(raw),
      status: 0,
      at: Date.now(),
    };
    requests.push(record);
    const answer = (reply: Reply) => {
      record.status = reply.status;
      send(res, reply);
    };
    if (raw === undefined) return answer(errorReply(413, ['Request entity too large']));

    const api = /^\/rest\/api\/([23])\/(.*)$/.exec(url.pathname);
    const segments = api ? (api[2] ?? '').replace(/\/$/, '').split('/') : [];
    // The issue a fault rule's `issue` matches: named in the path, or the issue of the comment it names.
    const issue =
      api && segments[0] === 'issue' && segments[1]
        ? decodeSafe(segments[1]).toUpperCase()
        : api && segments[0] === 'comment' && segments[1]
          ? store.comment(decodeSafe(segments[1]))?.issue
          : undefined;

    const fault = faults.take({ method, path: url.pathname, issue });
    if (fault?.kind === 'hang') {
      pending.add(res);
      return;
    }
    if (fault?.kind === 'drop-before-store') return void req.socket.destroy();
    if (fault?.kind === 'status') return answer(statusFaultReply(fault));
    if (fault?.kind === 'latency') {
      pending.add(res);
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, fault.ms);
        timers.add(t);
      });
      pending.delete(res);
      if (closed || res.destroyed) return;
    }

    const reply = api
      ? normalHandling(
          method,
          Number(api[1]) as 2 | 3,
          segments,
          url,
          raw,
          req.headers.authorization,
          req.headers['content-type'],
        )
      : errorReply(404, [`null for uri: ${url.pathname}`]);
    if (fault?.kind === 'drop-after-store') {
      record.status = 0;
      return void req.socket.destroy();
    }
    answer(reply);
  }

  function normalHandling(
    method: string,
    api: 2 | 3,
    segments: string[],
    url: URL,
    raw: string,
    authorization: string | undefined,
    contentType: string | undefined,
  ): Reply {
    // Real Jira sometimes answers bad credentials on issue endpoints with a 404; the sandbox always
    // says 401, so a client's credential check is testable everywhere.
    if (authorization !== expectedAuth) {
      return errorReply(
        401,
        [NOT_AUTHENTICATED],
        {},
        {
          'WWW-Authenticate': email === undefined ? 'Bearer realm="sandbox"' : 'Basic realm="protected-area"',
        },
      );
    }
    // Jira's JSON endpoints refuse a body of any other media type before reading it.
    if (
      (method === 'POST' || method === 'PUT') &&
      raw !== '' &&
      !/application\/json/i.test(contentType ?? '')
    ) {
      return errorReply(415, ['Unsupported Media Type']);
    }
    let body: unknown;
    let badJson = false;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        badJson = true;
      }
    }
    const req: ApiRequest = {
      method,
      api,
      segments,
      query: Object.fromEntries(url.searchParams),
      body,
      badJson,
    };
    return route(ctx, req);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  ownHost = (host) => host !== undefined && hosts.has(host.toLowerCase());
  ctx.baseUrl = url;

  let closing: Promise<void> | undefined;
  const sandbox: Sandbox = {
    url,
    port,
    // The sandbox's own throwaway credentials, not a user's secret.
    env:
      email === undefined
        ? { JIRA_BASE_URL: url, JIRA_API_TOKEN: credentials.token, JIRA_AUTH_TYPE: 'bearer' }
        : { JIRA_BASE_URL: url, JIRA_USER_EMAIL: email, JIRA_API_TOKEN: credentials.token },
    worklogs: (issue) => store.worklogs(issue).map((w) => structuredClone(w)),
    comments: (issue) => store.comments(issue).map((c) => structuredClone(c)),
    status: (key) => {
      const issue = store.peekIssue(key);
      return issue && statusById(issue.statusId).name;
    },
    setStatus: (key, name) => {
      const issue = store.findIssue(key);
      const status = statusByName(name);
      if (!issue || !status) throw new RangeError(`no issue ${key} or no status ${name}`);
      issue.statusId = status.id;
      store.save();
    },
    issueProperty: (key, propertyKey) => {
      const value = store.peekIssue(key)?.properties?.find((p) => p.key === propertyKey)?.value;
      return value === undefined ? undefined : structuredClone(value);
    },
    issue: (key) => {
      const issue = store.peekIssue(key);
      return issue && { ...issue };
    },
    requests,
    fault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    setTimeTracking: (next) => {
      if (next.enabled !== undefined) ctx.timeTracking.enabled = next.enabled;
      if (next.hoursPerDay !== undefined) ctx.timeTracking.hoursPerDay = next.hoursPerDay;
      if (next.daysPerWeek !== undefined) ctx.timeTracking.daysPerWeek = next.daysPerWeek;
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        closed = true;
        for (const t of timers) clearTimeout(t);
        timers.clear();
        for (const res of pending) res.socket?.destroy();
        pending.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
  return sandbox;
}

function userFor(email: string): SandboxUser {
  const hash = createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 24);
  const local = email.split('@')[0] ?? 'dev';
  return { accountId: `712020:${hash}`, emailAddress: email, displayName: `Sandbox ${local}` };
}

function statusFaultReply(fault: Extract<Fault, { kind: 'status' }>): Reply {
  const headers: Record<string, string> = { ...fault.headers };
  if (fault.retryAfter !== undefined) headers['Retry-After'] = String(fault.retryAfter);
  const body = fault.body ?? { errorMessages: [`Sandbox fault: HTTP ${fault.status}`], errors: {} };
  return { status: fault.status, body, headers };
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.headersSent) return;
  const headers: Record<string, string> = { ...reply.headers };
  let payload = '';
  if (reply.body !== undefined && reply.status !== 204) {
    payload = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    headers['Content-Type'] ??= 'application/json;charset=UTF-8';
  }
  headers['Content-Length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/** The body as text, or undefined when it is larger than the sandbox accepts. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseForRecord(raw: string | undefined): unknown {
  if (raw === undefined || raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function redactedHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] =
      name.toLowerCase() === 'authorization' ? '[redacted]' : [value].flat().join(', ');
  }
  return out;
}
