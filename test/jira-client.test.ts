// The Jira client against the real embedded sandbox over HTTP on 127.0.0.1: no mocked fetch.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { Ajv } from 'ajv';
import { afterEach, describe, expect, it } from 'vitest';
import { adfDoc, buildWorklogBody, type WorklogBody } from '../src/core/jira-format.js';
import { authorHash } from '../src/core/marker.js';
import type { PlannedWorklog } from '../src/core/types.js';
import { JlogError } from '../src/errors.js';
import { createJiraClient } from '../src/jira/client.js';
import { authFix, authHint } from '../src/jira/errors.js';
import type { Credentials, JiraClient, JiraClientOptions, RetryInfo } from '../src/jira/types.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../src/sandbox/server.js';

const TOKEN = 'sandbox-token';
const EMAIL = 'dev@example.com';
const Q = { adjustEstimate: 'auto', notifyUsers: false } as const;

let open: { sandbox: Sandbox; client: JiraClient }[] = [];

afterEach(async () => {
  for (const { sandbox, client } of open) {
    await client.close();
    await sandbox.close();
  }
  open = [];
});

async function setup(
  sandboxOpts: SandboxOptions = {},
  clientOpts: JiraClientOptions = {},
  creds: Partial<Credentials> = {},
): Promise<{ sandbox: Sandbox; client: JiraClient }> {
  const sandbox = await startSandbox(sandboxOpts);
  const client = createJiraClient(
    {
      baseUrl: sandbox.url,
      deployment: 'cloud',
      auth: { type: 'basic', email: EMAIL, token: TOKEN },
      ...creds,
    },
    // Short backoff so retry tests stay quick; Retry-After still sets the floor.
    { retryBaseMs: 20, ...clientOpts },
  );
  const pair = { sandbox, client };
  open.push(pair);
  return pair;
}

function planned(over: Partial<PlannedWorklog> = {}): PlannedWorklog {
  return {
    id: 'c0ffee:0',
    sha: 'c0ffee',
    n: 0,
    issue: 'PROJ-7',
    seconds: 5400,
    comment: 'fixed login',
    postComment: 'fixed login',
    started: '2026-11-27T09:05:00.000+0100',
    startedMs: Date.parse('2026-11-27T09:05:00+01:00'),
    authorEmail: EMAIL,
    fp: 'fp-1',
    squash: false,
    ...over,
  };
}

const body = (over: Partial<PlannedWorklog> = {}, d: 'cloud' | 'datacenter' = 'cloud'): WorklogBody =>
  buildWorklogBody(planned(over), d);

async function failure(p: Promise<unknown>): Promise<JlogError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(JlogError);
  return err as JlogError;
}

const posts = (s: Sandbox) => s.requests.filter((r) => r.method === 'POST');

// The official schema from the extract, with its `$ref`s resolved inside one document. Schemas the
// extract does not carry (UserDetails: read-only output) are open.
function worklogValidator() {
  const extract = JSON.parse(
    // Vendored in the repository (test/fixtures/README.md says where it comes from).
    readFileSync(new URL('./fixtures/openapi-worklog-extract.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
  const schemas: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(extract)) {
    if (/^[A-Z]/.test(name)) schemas[name] = s;
  }
  const text = JSON.stringify({ $id: 'jira', components: { schemas } });
  for (const ref of new Set(text.match(/#\/components\/schemas\/\w+/g) ?? [])) {
    const name = ref.split('/').pop() as string;
    schemas[name] ??= {};
  }
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: 'jira', components: { schemas } });
  const validate = ajv.compile({ $ref: 'jira#/components/schemas/Worklog' });
  const worklog = schemas.Worklog as { properties: Record<string, { readOnly?: boolean }> };
  const writable = Object.entries(worklog.properties)
    .filter(([, p]) => p.readOnly !== true)
    .map(([k]) => k);
  return { validate, writable };
}

describe('addWorklog: what goes on the wire', () => {
  it('posts the body and query docs/exactly-once.md describes, valid against the official schema', async () => {
    const { sandbox, client } = await setup();
    const sent = body();
    const { id } = await client.addWorklog('PROJ-7', sent, Q);

    const [req] = posts(sandbox);
    expect(req?.path).toBe('/rest/api/3/issue/PROJ-7/worklog');
    expect(req?.query).toEqual({ adjustEstimate: 'auto', notifyUsers: 'false' });
    expect(req?.body).toEqual({
      timeSpentSeconds: 5400,
      started: '2026-11-27T09:05:00.000+0100',
      comment: adfDoc('fixed login'),
      properties: [{ key: 'jlog', value: { v: 2, id: 'c0ffee:0', fp: 'fp-1', a: authorHash(EMAIL) } }],
    });
    expect(req?.headers['user-agent']).toMatch(/^jlog\/\S+$/);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.status).toBe(201);

    const { validate, writable } = worklogValidator();
    expect(validate(req?.body), JSON.stringify(validate.errors)).toBe(true);
    for (const key of Object.keys(req?.body as object)) expect(writable).toContain(key);
    expect(req?.body).not.toHaveProperty('timeSpent');

    expect(sandbox.worklogs('PROJ-7').map((w) => w.id)).toEqual([id]);
  });

  it('sends adjustEstimate=leave and notifyUsers=true when asked, and no comment when there is none', async () => {
    const { sandbox, client } = await setup();
    await client.addWorklog('PROJ-7', body({ postComment: '' }), {
      adjustEstimate: 'leave',
      notifyUsers: true,
    });
    const [req] = posts(sandbox);
    expect(req?.query).toEqual({ adjustEstimate: 'leave', notifyUsers: 'true' });
    expect(req?.body).not.toHaveProperty('comment');
  });

  it('reads the worklog back with its marker, flattened comment and instant', async () => {
    const { client } = await setup();
    const { id } = await client.addWorklog('PROJ-7', body(), Q);
    const [w, ...rest] = await client.listWorklogs('PROJ-7');
    expect(rest).toEqual([]);
    expect(w).toMatchObject({
      id,
      startedMs: Date.parse('2026-11-27T09:05:00+01:00'),
      timeSpentSeconds: 5400,
      comment: 'fixed login',
      authorEmail: EMAIL,
      marker: { v: 2, id: 'c0ffee:0', fp: 'fp-1', a: authorHash(EMAIL) },
    });
    expect(w?.authorAccountId).toEqual(expect.any(String));
  });

  it('updates and deletes', async () => {
    const { sandbox, client } = await setup();
    const { id } = await client.addWorklog('PROJ-7', body(), Q);
    await client.updateWorklog('PROJ-7', id, body({ seconds: 600 }), Q);
    expect(sandbox.worklogs('PROJ-7')[0]?.timeSpentSeconds).toBe(600);
    await client.deleteWorklog('PROJ-7', id, { adjustEstimate: 'auto' });
    expect(sandbox.worklogs('PROJ-7')).toEqual([]);
    const del = sandbox.requests.find((r) => r.method === 'DELETE');
    expect(del?.query).toEqual({ adjustEstimate: 'auto' });
  });

  it('Data Center: /rest/api/2, a plain-string comment, Bearer', async () => {
    const { sandbox, client } = await setup(
      { credentials: { token: 'pat-123' } },
      {},
      { deployment: 'datacenter', auth: { type: 'bearer', token: 'pat-123' } },
    );
    const { id } = await client.addWorklog('PROJ-7', body({}, 'datacenter'), Q);
    const [req] = posts(sandbox);
    expect(req?.path).toBe('/rest/api/2/issue/PROJ-7/worklog');
    expect((req?.body as { comment?: unknown }).comment).toBe('fixed login');
    // The sandbox accepts only `Bearer pat-123` for these credentials: a 201 proves the header.
    expect(req?.status).toBe(201);
    const [w] = await client.listWorklogs('PROJ-7');
    expect(w).toMatchObject({ id, comment: 'fixed login', marker: { id: 'c0ffee:0' } });
    expect(sandbox.requests.every((r) => r.path.startsWith('/rest/api/2/'))).toBe(true);
  });

  it('keeps the path of a scoped-token base URL', async () => {
    const { sandbox, client } = await setup();
    // The sandbox serves /rest/api only, so a prefixed base shows up as a 404 on the prefixed path.
    const prefixed = createJiraClient(
      {
        baseUrl: `${sandbox.url}/ex/jira/cloud-1/`,
        deployment: 'cloud',
        auth: { type: 'basic', email: EMAIL, token: TOKEN },
      },
      { maxRetries: 0 },
    );
    open.push({ sandbox, client: prefixed });
    const err = await failure(prefixed.myself());
    expect(err.code).toBe('E_JIRA_NOT_FOUND');
    expect(sandbox.requests.at(-1)?.path).toBe('/ex/jira/cloud-1/rest/api/3/myself');
    await expect(client.myself()).resolves.toMatchObject({ emailAddress: EMAIL });
  });
});

describe('reading', () => {
  it('reads every page with maxResults 2', async () => {
    const { sandbox, client } = await setup({ maxResults: 2 });
    for (let i = 0; i < 5; i++) {
      await client.addWorklog(
        'PROJ-1',
        body({ id: `c0ffee:${i}`, started: `2026-03-0${i + 1}T10:00:00.000+0000` }),
        Q,
      );
    }
    const all = await client.listWorklogs('PROJ-1');
    expect(all.map((w) => w.marker?.id)).toEqual([0, 1, 2, 3, 4].map((i) => `c0ffee:${i}`));
    const gets = sandbox.requests.filter((r) => r.method === 'GET');
    expect(gets.map((r) => r.query.startAt)).toEqual(['0', '2', '4']);
    expect(gets.every((r) => r.query.expand === 'properties')).toBe(true);
  });

  it('sends startedAfter / startedBefore as Unix ms', async () => {
    const { sandbox, client } = await setup();
    const days = ['2026-03-01', '2026-03-02', '2026-03-03'];
    for (const [i, d] of days.entries()) {
      await client.addWorklog('PROJ-1', body({ id: `s:${i}`, started: `${d}T10:00:00.000+0000` }), Q);
    }
    const after = Date.parse('2026-03-02T00:00:00Z');
    const before = Date.parse('2026-03-03T00:00:00Z');
    const got = await client.listWorklogs('PROJ-1', { startedAfter: after, startedBefore: before });
    expect(got.map((w) => w.marker?.id)).toEqual(['s:1']);
    const get = sandbox.requests.find((r) => r.method === 'GET');
    expect(get?.query.startedAfter).toBe(String(after));
    expect(get?.query.startedBefore).toBe(String(before));
  });

  it('myself and configuration (cached for the client life)', async () => {
    const { sandbox, client } = await setup({ timeTracking: { hoursPerDay: 7.5, daysPerWeek: 4 } });
    await expect(client.myself()).resolves.toMatchObject({
      emailAddress: EMAIL,
      accountId: expect.any(String),
    });
    const c = await client.configuration();
    expect(c).toEqual({ timeTrackingEnabled: true, hoursPerDay: 7.5, daysPerWeek: 4 });
    sandbox.setTimeTracking({ hoursPerDay: 6 });
    await expect(client.configuration()).resolves.toEqual(c);
    expect(sandbox.requests.filter((r) => r.path.endsWith('/configuration'))).toHaveLength(1);
  });

  it('configuration: time tracking off, and a failed read is not cached', async () => {
    const { sandbox, client } = await setup({ timeTracking: { enabled: false } }, { maxRetries: 0 });
    sandbox.fault({ fault: { kind: 'status', status: 500 }, pathIncludes: '/configuration' });
    expect((await failure(client.configuration())).code).toBe('E_JIRA_UNAVAILABLE');
    await expect(client.configuration()).resolves.toEqual({
      timeTrackingEnabled: false,
      hoursPerDay: 8,
      daysPerWeek: 5,
    });
  });
});

describe('failures: retries and unknown outcomes', () => {
  it('drop-after-store on POST: unknown outcome, not retried, and the worklog IS on the server', async () => {
    const { sandbox, client } = await setup();
    sandbox.fault({ fault: { kind: 'drop-after-store' }, method: 'POST' });
    const err = await failure(client.addWorklog('PROJ-7', body(), Q));
    expect(err.code).toBe('E_JIRA_UNKNOWN_OUTCOME');
    expect(err.retryable).toBe(true);
    expect(posts(sandbox)).toHaveLength(1);
    expect(sandbox.worklogs('PROJ-7')).toHaveLength(1);
    // The engine's reconciliation read finds it by its marker.
    const [w] = await client.listWorklogs('PROJ-7');
    expect(w?.marker?.id).toBe('c0ffee:0');
  });

  it('drop-before-store on POST: also unknown to the client (the request was sent), nothing stored', async () => {
    const { sandbox, client } = await setup();
    sandbox.fault({ fault: { kind: 'drop-before-store' }, method: 'POST' });
    expect((await failure(client.addWorklog('PROJ-7', body(), Q))).code).toBe('E_JIRA_UNKNOWN_OUTCOME');
    expect(posts(sandbox)).toHaveLength(1);
    expect(sandbox.worklogs('PROJ-7')).toEqual([]);
  });

  it('429 with Retry-After: 1 on POST is retried after about a second', async () => {
    const retries: RetryInfo[] = [];
    const { sandbox, client } = await setup({}, { onRetry: (i) => retries.push(i) });
    sandbox.fault({ fault: { kind: 'status', status: 429, retryAfter: 1 }, method: 'POST' });
    const t0 = Date.now();
    await client.addWorklog('PROJ-7', body(), Q);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ method: 'POST', status: 429, attempt: 1 });
    expect(retries[0]?.delayMs).toBeGreaterThanOrEqual(1000);
    expect(posts(sandbox).map((r) => r.status)).toEqual([429, 201]);
    expect(sandbox.worklogs('PROJ-7')).toHaveLength(1);
  });

  it('429 every time: E_JIRA_RATE_LIMITED with retryAfterMs after maxRetries', async () => {
    const { sandbox, client } = await setup({}, { maxRetries: 2 });
    sandbox.fault({ fault: { kind: 'status', status: 429, retryAfter: 0 }, method: 'POST', times: Infinity });
    const err = await failure(client.addWorklog('PROJ-7', body(), Q));
    expect(err).toMatchObject({ code: 'E_JIRA_RATE_LIMITED', status: 429, retryAfterMs: 0, retryable: true });
    expect(posts(sandbox)).toHaveLength(3);
  });

  it('a Retry-After beyond the cap fails at once instead of sleeping', async () => {
    const { sandbox, client } = await setup({}, { retryCapMs: 2000 });
    sandbox.fault({ fault: { kind: 'status', status: 429, retryAfter: 600 }, method: 'POST' });
    const err = await failure(client.addWorklog('PROJ-7', body(), Q));
    expect(err).toMatchObject({ code: 'E_JIRA_RATE_LIMITED', retryAfterMs: 600_000 });
    expect(posts(sandbox)).toHaveLength(1);
  });

  it('503 on GET is retried', async () => {
    const retries: RetryInfo[] = [];
    const { sandbox, client } = await setup({}, { onRetry: (i) => retries.push(i) });
    sandbox.fault({ fault: { kind: 'status', status: 503 }, method: 'GET', times: 2 });
    await expect(client.listWorklogs('PROJ-7')).resolves.toEqual([]);
    expect(retries.map((r) => r.status)).toEqual([503, 503]);
  });

  it.each([500, 502, 503, 504])(
    '%i on GET every time: E_JIRA_UNAVAILABLE after 4 attempts',
    async (status) => {
      const { sandbox, client } = await setup();
      sandbox.fault({ fault: { kind: 'status', status }, method: 'GET', times: Infinity });
      const err = await failure(client.myself());
      expect(err).toMatchObject({ code: 'E_JIRA_UNAVAILABLE', status, retryable: true });
      expect(sandbox.requests).toHaveLength(4);
    },
  );

  it.each([500, 502, 503, 504])('%i on POST: unknown outcome at once, never re-posted', async (status) => {
    const { sandbox, client } = await setup();
    sandbox.fault({ fault: { kind: 'status', status, retryAfter: 7 }, method: 'POST' });
    const err = await failure(client.addWorklog('PROJ-7', body(), Q));
    expect(err).toMatchObject({
      code: 'E_JIRA_UNKNOWN_OUTCOME',
      status,
      retryAfterMs: 7000,
      retryable: true,
    });
    expect(posts(sandbox)).toHaveLength(1);
  });

  it('a hung POST with a short timeoutMs is an unknown outcome, not a hang', async () => {
    const { sandbox, client } = await setup({}, { timeoutMs: 300 });
    sandbox.fault({ fault: { kind: 'hang' }, method: 'POST' });
    const err = await failure(client.addWorklog('PROJ-7', body(), Q));
    expect(err.code).toBe('E_JIRA_UNKNOWN_OUTCOME');
    expect(err.message).toMatch(/300 ms/);
    expect(posts(sandbox)).toHaveLength(1);
  });

  it('a hung GET is retried, then E_JIRA_UNAVAILABLE', async () => {
    const { sandbox, client } = await setup({}, { timeoutMs: 200, maxRetries: 1 });
    sandbox.fault({ fault: { kind: 'hang' }, method: 'GET', times: Infinity });
    const err = await failure(client.listWorklogs('PROJ-7'));
    expect(err.code).toBe('E_JIRA_UNAVAILABLE');
    expect(sandbox.requests.filter((r) => r.method === 'GET')).toHaveLength(2);
  });

  it('a hung GET followed by an answer succeeds', async () => {
    const { sandbox, client } = await setup({}, { timeoutMs: 200 });
    sandbox.fault({ fault: { kind: 'hang' }, method: 'GET' });
    await expect(client.listWorklogs('PROJ-7')).resolves.toEqual([]);
  });

  it('DELETE whose first answer was lost: the retry finds it gone, and that counts as done', async () => {
    const { sandbox, client } = await setup();
    const { id } = await client.addWorklog('PROJ-7', body(), Q);
    sandbox.fault({ fault: { kind: 'drop-after-store' }, method: 'DELETE' });
    await client.deleteWorklog('PROJ-7', id, { adjustEstimate: 'auto' });
    expect(sandbox.worklogs('PROJ-7')).toEqual([]);
    expect(sandbox.requests.filter((r) => r.method === 'DELETE').map((r) => r.status)).toEqual([0, 404]);
    // Without that history, a 404 is a 404.
    const err = await failure(client.deleteWorklog('PROJ-7', id, { adjustEstimate: 'auto' }));
    expect(err.code).toBe('E_JIRA_NOT_FOUND');
  });

  it('connection refused: E_JIRA_UNAVAILABLE, known not to have landed', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer();
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const client = createJiraClient(
      {
        baseUrl: `http://127.0.0.1:${port}`,
        deployment: 'cloud',
        auth: { type: 'basic', email: EMAIL, token: TOKEN },
      },
      { retryBaseMs: 10, maxRetries: 1 },
    );
    try {
      const err = await failure(client.addWorklog('PROJ-7', body(), Q));
      expect(err).toMatchObject({ code: 'E_JIRA_UNAVAILABLE', retryable: true });
      expect((err.cause as { code?: string }).code).toBe('ECONNREFUSED');
    } finally {
      await client.close();
    }
  });
});

describe('failures: Jira says no', () => {
  it('400 (under a minute): E_JIRA_BAD_REQUEST with Jira message, not retryable', async () => {
    const { sandbox, client } = await setup();
    const err = await failure(client.addWorklog('PROJ-7', { ...body(), timeSpentSeconds: 30 }, Q));
    expect(err).toMatchObject({ code: 'E_JIRA_BAD_REQUEST', status: 400, retryable: false });
    const answered = sandbox.requests[0];
    expect(answered?.status).toBe(400);
    expect(err.message).toMatch(/PROJ-7/);
    expect(err.message.length).toBeGreaterThan('Adding a worklog to PROJ-7: Jira answered 400: '.length);
    expect(posts(sandbox)).toHaveLength(1);
  });

  it('400 when time tracking is off: E_JIRA_TIME_TRACKING_OFF', async () => {
    const { client } = await setup({ timeTracking: { enabled: false } });
    const err = await failure(client.addWorklog('PROJ-7', body(), Q));
    expect(err).toMatchObject({ code: 'E_JIRA_TIME_TRACKING_OFF', status: 400 });
    expect(err.message).toMatch(/Time tracking is disabled/);
  });

  it('403: E_JIRA_FORBIDDEN with the joined errorMessages and errors', async () => {
    const { sandbox, client } = await setup();
    sandbox.fault({
      fault: {
        kind: 'status',
        status: 403,
        body: {
          errorMessages: ['You do not have the permission to see the specified issue.'],
          errors: { worklog: 'No Work on issues.' },
        },
      },
    });
    const err = await failure(client.addWorklog('PROJ-7', body(), Q));
    expect(err).toMatchObject({ code: 'E_JIRA_FORBIDDEN', status: 403, retryable: true });
    expect(err.message).toContain(
      'You do not have the permission to see the specified issue.; No Work on issues.',
    );
  });

  it('404: E_JIRA_NOT_FOUND with Jira message', async () => {
    const { client } = await setup({ issues: ['PROJ-1'] });
    const err = await failure(client.addWorklog('NOPE-9', body({ issue: 'NOPE-9' }), Q));
    expect(err).toMatchObject({ code: 'E_JIRA_NOT_FOUND', status: 404, retryable: true });
    expect(err.message).toContain('Issue does not exist or you do not have permission to see it.');
  });

  it('413: E_JIRA_LIMIT when the issue is full', async () => {
    const { client } = await setup({ worklogLimitPerIssue: 1 });
    await client.addWorklog('PROJ-7', body(), Q);
    const err = await failure(client.addWorklog('PROJ-7', body({ id: 'c0ffee:1' }), Q));
    expect(err).toMatchObject({ code: 'E_JIRA_LIMIT', status: 413 });
    expect(err.message).toMatch(/limit/);
  });

  it('401: E_JIRA_AUTH with a hint naming what to fix', async () => {
    const { sandbox, client } = await setup(
      {},
      {},
      { auth: { type: 'basic', email: EMAIL, token: 'wrong' } },
    );
    const err = await failure(client.myself());
    expect(err).toMatchObject({ code: 'E_JIRA_AUTH', status: 401 });
    expect(err.message).toMatch(/not authenticated/i);
    expect(err.hint).toMatch(/JIRA_USER_EMAIL/);
    expect(err.hint).toMatch(/JIRA_API_TOKEN/);
    expect(err.hint).toMatch(/api\.atlassian\.com\/ex\/jira\/<cloudId>/);
    expect(err.hint).toMatch(/jlog login/);
    expect(sandbox.requests).toHaveLength(1);
  });
});

describe('pacing against the sandbox write limit', () => {
  it('posts 45 worklogs to one issue (and others alongside) without a single 429', async () => {
    const { sandbox, client } = await setup({}, { concurrency: 4 });
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < 45; i++) jobs.push(client.addWorklog('PROJ-1', body({ id: `p:${i}` }), Q));
    for (let i = 0; i < 10; i++) jobs.push(client.addWorklog(`OPS-${i + 1}`, body({ id: `o:${i}` }), Q));
    await Promise.all(jobs);
    expect(posts(sandbox).filter((r) => r.status === 429)).toEqual([]);
    expect(sandbox.worklogs('PROJ-1')).toHaveLength(45);
    // One issue's writes were sent in call order.
    expect(sandbox.worklogs('PROJ-1').map((w) => (w.properties[0]?.value as { id: string }).id)).toEqual(
      Array.from({ length: 45 }, (_, i) => `p:${i}`),
    );
  }, 30_000);
});

describe('the token never leaks', () => {
  it('not in any error message, cause chain, or debug line', async () => {
    const secret = 'tok-S3CRET-9f8e7d';
    const lines: string[] = [];
    const { sandbox, client } = await setup(
      { credentials: { email: EMAIL, token: secret } },
      { debug: (l) => lines.push(l), timeoutMs: 200, maxRetries: 1 },
      { auth: { type: 'basic', email: EMAIL, token: secret } },
    );
    const base64 = Buffer.from(`${EMAIL}:${secret}`).toString('base64');
    const errors: unknown[] = [];
    const capture = (p: Promise<unknown>) => p.catch((e: unknown) => void errors.push(e));

    await client.addWorklog('PROJ-7', body(), Q);
    // Jira (or a proxy) echoing the credential back in its error.
    sandbox.fault({
      fault: {
        kind: 'status',
        status: 400,
        body: { errorMessages: [`bad header Basic ${base64}`], errors: { t: secret } },
      },
    });
    await capture(client.addWorklog('PROJ-7', body(), Q));
    sandbox.fault({ fault: { kind: 'drop-after-store' }, method: 'POST' });
    await capture(client.addWorklog('PROJ-7', body(), Q));
    sandbox.fault({ fault: { kind: 'hang' }, method: 'POST' });
    await capture(client.addWorklog('PROJ-7', body(), Q));
    sandbox.fault({
      fault: { kind: 'status', status: 503, body: { message: secret } },
      method: 'GET',
      times: Infinity,
    });
    await capture(client.listWorklogs('PROJ-7'));
    sandbox.clearFaults();
    const wrong = createJiraClient(
      { baseUrl: sandbox.url, deployment: 'cloud', auth: { type: 'bearer', token: `${secret}-old` } },
      { debug: (l) => lines.push(l) },
    );
    await capture(wrong.myself());
    await wrong.close();
    await sandbox.close();
    await capture(client.myself());

    expect(errors).toHaveLength(6);
    expect(lines.length).toBeGreaterThan(5);
    const everything = [
      ...lines,
      ...errors.map((e) => inspect(e, { depth: Infinity, showHidden: true })),
      ...errors.map((e) => JSON.stringify(e)),
      ...errors.map((e) => String((e as Error).stack)),
    ].join('\n');
    expect(everything).toContain('[redacted]');
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(base64);
  });
});

describe('authFix: the one fix a 401 notice gives', () => {
  it('sends an exported token to where it is set, and a stored login to jlog login', () => {
    const basic = { type: 'basic' as const, email: 'dev@example.com', token: 't' };
    const bearer = { type: 'bearer' as const, token: 't' };
    expect(authFix(authHint(basic))).toBe('check JIRA_USER_EMAIL and JIRA_API_TOKEN');
    expect(authFix(authHint(bearer))).toBe('check JIRA_API_TOKEN');
    expect(authFix(authHint(basic, 'datacenter'))).toBe('unset JIRA_USER_EMAIL or set JIRA_AUTH_TYPE=bearer');
    expect(authFix(authHint({ ...basic, from: 'login' }))).toBe('run jlog login');
    expect(authFix(authHint({ ...bearer, from: 'login' }))).toBe('run jlog login');
    expect(authFix(undefined)).toBe('run jlog login');
  });
});
