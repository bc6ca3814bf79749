// Faults queued by tests: what a client sees, what the sandbox stores, and that every one is recorded.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/server.js';
import { startSandbox } from '../src/sandbox/server.js';
import { basicAuth, client, worklog } from './helpers/sandbox-fetch.js';

let sb: Sandbox;
let call: ReturnType<typeof client>;
beforeEach(async () => {
  sb = await startSandbox();
  call = client(sb);
});
afterEach(() => sb.close());

const postWorklog = (issue = 'PROJ-1') => call('POST', `/issue/${issue}/worklog`, worklog());

describe('faults', () => {
  it('status: answers that status with Retry-After, stores nothing, then is used up', async () => {
    sb.fault({ fault: { kind: 'status', status: 429, retryAfter: 7 }, method: 'POST' });
    const refused = await postWorklog();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('7');
    expect(refused.body).toMatchObject({ errorMessages: [expect.any(String)] });
    expect(sb.worklogs()).toHaveLength(0);
    expect((await postWorklog()).status).toBe(201);
    expect(sb.requests.map((r) => r.status)).toEqual([429, 201]);
  });

  it('status: custom body and headers, `times`, and Infinity until cleared', async () => {
    sb.fault({
      fault: { kind: 'status', status: 503, body: { message: 'down' }, headers: { 'X-Why': 'maintenance' } },
      times: 2,
    });
    for (let i = 0; i < 2; i++) {
      const res = await call('GET', '/myself');
      expect(res).toMatchObject({ status: 503, body: { message: 'down' } });
      expect(res.headers.get('x-why')).toBe('maintenance');
    }
    expect((await call('GET', '/myself')).status).toBe(200);

    sb.fault({ fault: { kind: 'status', status: 500 }, times: Infinity });
    for (let i = 0; i < 5; i++) expect((await call('GET', '/myself')).status).toBe(500);
    sb.clearFaults();
    expect((await call('GET', '/myself')).status).toBe(200);
  });

  it('applies to matching requests only, in queue order', async () => {
    sb.fault({ fault: { kind: 'status', status: 502 }, issue: 'proj-2' });
    sb.fault({ fault: { kind: 'status', status: 504 }, method: 'GET', pathIncludes: '/worklog' });
    sb.fault({ fault: { kind: 'status', status: 500 }, method: 'POST' });
    expect((await call('GET', '/myself')).status).toBe(200);
    expect((await call('GET', '/issue/PROJ-1/worklog')).status).toBe(504);
    expect((await postWorklog('PROJ-2')).status).toBe(502);
    expect((await postWorklog('PROJ-2')).status).toBe(500);
    expect((await postWorklog('PROJ-2')).status).toBe(201);
  });

  it('apply before auth', async () => {
    sb.fault({ fault: { kind: 'status', status: 503 } });
    const res = await client(sb, basicAuth('dev@example.com', 'wrong'))('GET', '/myself');
    expect(res.status).toBe(503);
  });

  it('drop-after-store: the worklog is stored, the client gets no answer', async () => {
    sb.fault({ fault: { kind: 'drop-after-store' }, method: 'POST' });
    await expect(postWorklog()).rejects.toThrow();
    expect(sb.worklogs('PROJ-1')).toHaveLength(1);
    expect(sb.requests[0]).toMatchObject({ method: 'POST', status: 0 });
    // A read afterwards finds it: the outcome was "landed".
    const page = await call('GET', '/issue/PROJ-1/worklog');
    expect(page.body).toMatchObject({ total: 1 });
  });

  it('drop-before-store: nothing stored, no answer', async () => {
    sb.fault({ fault: { kind: 'drop-before-store' } });
    await expect(postWorklog()).rejects.toThrow();
    expect(sb.worklogs()).toHaveLength(0);
    expect(sb.requests).toHaveLength(1);
    expect((await postWorklog()).status).toBe(201);
  });

  it('hang: never answers until the server closes; close is idempotent', async () => {
    sb.fault({ fault: { kind: 'hang' }, method: 'POST' });
    let settled = false;
    const hung = postWorklog().finally(() => (settled = true));
    hung.catch(() => undefined);
    // Other requests are served meanwhile, and the hung one still has no answer.
    for (let i = 0; i < 3; i++) expect((await call('GET', '/myself')).status).toBe(200);
    expect(sb.requests.find((r) => r.method === 'POST')).toMatchObject({ status: 0 });
    expect(settled).toBe(false);
    expect(sb.worklogs()).toHaveLength(0);
    await Promise.all([sb.close(), sb.close()]);
    await expect(hung).rejects.toThrow();
    await sb.close();
  });

  it('latency: answers normally after the delay; close ends a long one', async () => {
    sb.fault({ fault: { kind: 'latency', ms: 50 }, method: 'POST' });
    const res = await postWorklog();
    expect(res.status).toBe(201);
    expect(sb.worklogs()).toHaveLength(1);

    sb.fault({ fault: { kind: 'latency', ms: 600_000 } });
    const slow = call('GET', '/myself');
    slow.catch(() => undefined);
    // The request has arrived (recorded) before the server is closed under it.
    for (let i = 0; i < 100 && sb.requests.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    await sb.close();
    await expect(slow).rejects.toThrow();
  });
});
