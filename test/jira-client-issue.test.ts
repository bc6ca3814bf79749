// The client's issue-level calls (properties, comments, status, transitions, worklog updates) against
// the real sandbox over HTTP on 127.0.0.1, and its defences (8 MB answers, header-unsafe tokens).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adfDoc, buildWorklogBody } from '../src/core/jira-format.js';
import type { Marker } from '../src/core/types.js';
import { JlogError } from '../src/errors.js';
import { createJiraClient } from '../src/jira/client.js';
import type { Credentials, JiraClient, JiraClientOptions } from '../src/jira/types.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../src/sandbox/server.js';
import { PLANNED } from './helpers/jira.js';

const TOKEN = 'sandbox-token';
const EMAIL = 'dev@example.com';
const Q = { adjustEstimate: 'auto', notifyUsers: false } as const;
const MARKER: Marker = { v: 2, id: 'c0ffee:c0', fp: 'fp-c' };

let open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.reverse()) await o.close();
  open = [];
});

async function setup(
  sandboxOpts: SandboxOptions = {},
  clientOpts: JiraClientOptions = {},
  deployment: Credentials['deployment'] = 'cloud',
): Promise<{ sandbox: Sandbox; client: JiraClient }> {
  const dc = deployment === 'datacenter';
  const sandbox = await startSandbox({ ...(dc ? { credentials: { token: 'pat-1' } } : {}), ...sandboxOpts });
  open.push(sandbox);
  const client = createJiraClient(
    {
      baseUrl: sandbox.url,
      deployment,
      auth: dc ? { type: 'bearer', token: 'pat-1' } : { type: 'basic', email: EMAIL, token: TOKEN },
    },
    { retryBaseMs: 20, ...clientOpts },
  );
  open.push(client);
  return { sandbox, client };
}

async function failure(p: Promise<unknown>): Promise<JlogError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(JlogError);
  return err as JlogError;
}

const calls = (s: Sandbox, method: string, part: string) =>
  s.requests.filter((r) => r.method === method && r.path.includes(part));

describe('worklog update and marker', () => {
  it('updateWorklog: PUT ?adjustEstimate=auto with seconds, started and comment only; the estimate follows', async () => {
    const { sandbox, client } = await setup();
    const { id } = await client.addWorklog('PROJ-7', buildWorklogBody(PLANNED, 'cloud'), Q);
    const before = sandbox.issue('PROJ-7')?.remainingEstimateSeconds as number;
    await client.updateWorklog(
      'PROJ-7',
      id,
      buildWorklogBody({ ...PLANNED, seconds: 7200, postComment: 'more' }, 'cloud'),
      Q,
    );
    const [put] = calls(sandbox, 'PUT', '/worklog/');
    expect(put?.query).toEqual({ adjustEstimate: 'auto', notifyUsers: 'false' });
    expect(put?.body).toEqual({ timeSpentSeconds: 7200, started: PLANNED.started, comment: adfDoc('more') });
    expect(sandbox.issue('PROJ-7')?.remainingEstimateSeconds).toBe(before - 3600);
    // The marker was not touched by the update.
    expect(sandbox.worklogs('PROJ-7')[0]?.properties[0]?.value).toMatchObject({ id: 'c0ffee:0' });
  });

  it('setWorklogProperty replaces the marker; listWorklogs reads it back as v2 with also', async () => {
    const { sandbox, client } = await setup();
    const { id } = await client.addWorklog('PROJ-7', buildWorklogBody(PLANNED, 'cloud'), Q);
    const next: Marker = {
      v: 2,
      id: 'c0ffee:0',
      fp: 'fp-1',
      also: [{ id: 'beef:0', fp: 'fp-1', copy: true }],
    };
    await client.setWorklogProperty('PROJ-7', id, 'jlog', next);
    expect(calls(sandbox, 'PUT', `/worklog/${id}/properties/jlog`)).toHaveLength(1);
    expect((await client.listWorklogs('PROJ-7'))[0]?.marker).toEqual(next);
    expect((await failure(client.setWorklogProperty('PROJ-7', '424242', 'jlog', next))).code).toBe(
      'E_JIRA_NOT_FOUND',
    );
  });
});

describe('issue properties', () => {
  it('undefined when the property does not exist, the value once set; a missing issue is E_JIRA_NOT_FOUND', async () => {
    const { sandbox, client } = await setup({ projects: ['PROJ'] });
    expect(await client.getIssueProperty('PROJ-7', 'jlog')).toBeUndefined();
    const value = { v: 1, undone: [{ id: 'a:0', fp: 'f' }], transitions: [{ id: 'a:t0', fp: 'g' }] };
    await client.setIssueProperty('PROJ-7', 'jlog', value);
    expect(sandbox.issueProperty('PROJ-7', 'jlog')).toEqual(value);
    expect(await client.getIssueProperty('PROJ-7', 'jlog')).toEqual(value);
    expect((await failure(client.getIssueProperty('OPS-1', 'jlog'))).code).toBe('E_JIRA_NOT_FOUND');
    expect((await failure(client.setIssueProperty('OPS-1', 'jlog', value))).code).toBe('E_JIRA_NOT_FOUND');
  });

  it('with the issue known to exist, a missing property is one read (no key list), a set one its value', async () => {
    const { sandbox, client } = await setup();
    expect(await client.getIssueProperty('PROJ-7', 'jlog', { issueExists: true })).toBeUndefined();
    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /rest/api/3/issue/PROJ-7/properties/jlog',
    ]);
    await client.setIssueProperty('PROJ-7', 'jlog', { v: 1 });
    expect(await client.getIssueProperty('PROJ-7', 'jlog', { issueExists: true })).toEqual({ v: 1 });
  });

  it('Jira refuses a value over 32,768 characters: E_JIRA_BAD_REQUEST with its message', async () => {
    const { client } = await setup();
    const err = await failure(client.setIssueProperty('PROJ-7', 'jlog', { s: 'x'.repeat(40_000) }));
    expect(err.code).toBe('E_JIRA_BAD_REQUEST');
    expect(err.message).toMatch(/cannot be longer than 32768 characters/);
  });
});

describe('comments', () => {
  it('addComment: ADF with the marker as the jlog property; listComments reads text and marker back', async () => {
    const { sandbox, client } = await setup();
    const { id } = await client.addComment('PROJ-7', 'fixed the login', MARKER);
    const [post] = calls(sandbox, 'POST', '/issue/PROJ-7/comment');
    expect(post?.body).toEqual({
      body: adfDoc('fixed the login'),
      properties: [{ key: 'jlog', value: MARKER }],
    });
    const [c] = await client.listComments('PROJ-7');
    expect(c).toMatchObject({ id, body: 'fixed the login', marker: MARKER });
    expect(c?.created).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('Data Center: /rest/api/2 and a plain string', async () => {
    const { sandbox, client } = await setup({}, {}, 'datacenter');
    await client.addComment('PROJ-7', 'plain', MARKER);
    const [post] = calls(sandbox, 'POST', '/comment');
    expect(post?.path).toBe('/rest/api/2/issue/PROJ-7/comment');
    expect(post?.body).toEqual({ body: 'plain', properties: [{ key: 'jlog', value: MARKER }] });
    expect(await client.listComments('PROJ-7')).toMatchObject([{ body: 'plain', marker: MARKER }]);
  });

  it('every page, properties in batches of comment/list; v1 read as v2; foreign or malformed markers ignored', async () => {
    const { sandbox, client } = await setup({ maxResults: 40, perIssueWriteLimit: false });
    // Seeded straight over HTTP: the client would pace 130 writes to one issue over 30 s.
    const auth = `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64')}`;
    const raw = async (method: string, path: string, value: unknown): Promise<string> => {
      const res = await fetch(`${sandbox.url}/rest/api/3${path}`, {
        method,
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify(value),
      });
      expect(res.status).toBeLessThan(300);
      const text = await res.text();
      return text === '' ? '' : ((JSON.parse(text) as { id?: string }).id ?? '');
    };
    const seed = (text: string, marker: unknown) =>
      raw('POST', '/issue/PROJ-7/comment', {
        body: adfDoc(text),
        properties: [{ key: 'jlog', value: marker }],
      });
    for (let i = 0; i < 130; i++) await seed(`c${i}`, { v: 2, id: `s:c${i}`, fp: `f${i}` });
    // A v1 marker, and a damaged one that a human or a script wrote.
    await seed('v1', { v: 1, id: 'old:c0', fp: 'old' });
    const damaged = await seed('damaged', MARKER);
    await raw('PUT', `/comment/${damaged}/properties/jlog`, { v: 2, id: 7, fp: 'x' });
    sandbox.requests.length = 0;

    const comments = await client.listComments('PROJ-7');
    expect(comments).toHaveLength(132);
    expect(new Set(comments.map((c) => c.id)).size).toBe(132);
    expect(comments[129]?.marker).toEqual({ v: 2, id: 's:c129', fp: 'f129' });
    expect(comments[130]?.marker).toEqual({ v: 2, id: 'old:c0', fp: 'old' });
    expect(comments[131]?.marker).toBeUndefined();
    expect(calls(sandbox, 'GET', '/comment')).toHaveLength(4);
    const lists = calls(sandbox, 'POST', '/comment/list');
    expect(lists.map((r) => (r.body as { ids: number[] }).ids.length)).toEqual([100, 32]);
    expect(lists[0]?.query).toEqual({ expand: 'properties' });
  });

  it('setCommentProperty replaces the marker of a comment (a copy claims it)', async () => {
    const { sandbox, client } = await setup();
    const { id } = await client.addComment('PROJ-7', 'x', MARKER);
    const claimed: Marker = { ...MARKER, also: [{ id: 'beef:c0', fp: 'fp-b', copy: true }] };
    await client.setCommentProperty('PROJ-7', id, 'jlog', claimed);
    expect(calls(sandbox, 'PUT', `/rest/api/3/comment/${id}/properties/jlog`)).toHaveLength(1);
    expect((await client.listComments('PROJ-7'))[0]?.marker).toEqual(claimed);
  });

  it('deleteComment; a comment gone already is E_JIRA_NOT_FOUND', async () => {
    const { sandbox, client } = await setup();
    const { id } = await client.addComment('PROJ-7', 'x', MARKER);
    await client.deleteComment('PROJ-7', id);
    expect(sandbox.comments()).toEqual([]);
    expect((await failure(client.deleteComment('PROJ-7', id))).code).toBe('E_JIRA_NOT_FOUND');
  });
});

describe('status and transitions', () => {
  it('lists what the current status offers, applies one, reads the new status', async () => {
    const { sandbox, client } = await setup();
    expect(await client.getIssueStatus('PROJ-7')).toEqual({ id: '10000', name: 'To Do' });
    const offered = await client.listTransitions('PROJ-7');
    expect(offered.map((t) => t.name)).toEqual([
      'Start Progress',
      'Resolve Issue',
      'Cancel Issue',
      'Close Issue',
    ]);
    expect(offered[0]).toEqual({ id: '11', name: 'Start Progress', to: { id: '3', name: 'In Progress' } });
    await client.transitionIssue('PROJ-7', '11');
    expect(calls(sandbox, 'POST', '/transitions')[0]?.body).toEqual({ transition: { id: '11' } });
    expect(await client.getIssueStatus('PROJ-7')).toEqual({ id: '3', name: 'In Progress' });
    expect(
      calls(sandbox, 'GET', '/issue/PROJ-7').find((r) => r.path === '/rest/api/3/issue/PROJ-7')?.query,
    ).toEqual({
      fields: 'status',
    });
    const err = await failure(client.transitionIssue('PROJ-7', '11'));
    expect(err.code).toBe('E_JIRA_BAD_REQUEST');
    expect(err.message).toMatch(/Transition id '11' is not valid for this issue/);
  });
});

describe('writes after an unknown outcome are never re-sent blindly', () => {
  it('drop-after-store on a comment POST: unknown outcome, one request, the comment is there', async () => {
    const { sandbox, client } = await setup();
    sandbox.fault({ fault: { kind: 'drop-after-store' }, method: 'POST', pathIncludes: '/comment' });
    expect((await failure(client.addComment('PROJ-7', 'x', MARKER))).code).toBe('E_JIRA_UNKNOWN_OUTCOME');
    expect(calls(sandbox, 'POST', '/comment')).toHaveLength(1);
    expect((await client.listComments('PROJ-7'))[0]?.marker).toEqual(MARKER);
  });

  it('503 on a property PUT and a hung transition POST: unknown outcome, not retried', async () => {
    const { sandbox, client } = await setup({}, { timeoutMs: 300 });
    sandbox.fault({ fault: { kind: 'status', status: 503 }, method: 'PUT', pathIncludes: '/properties/' });
    expect((await failure(client.setIssueProperty('PROJ-7', 'jlog', { v: 1 }))).code).toBe(
      'E_JIRA_UNKNOWN_OUTCOME',
    );
    expect(calls(sandbox, 'PUT', '/properties/')).toHaveLength(1);
    sandbox.fault({ fault: { kind: 'hang' }, method: 'POST', pathIncludes: '/transitions' });
    expect((await failure(client.transitionIssue('PROJ-7', '11'))).code).toBe('E_JIRA_UNKNOWN_OUTCOME');
    expect(calls(sandbox, 'POST', '/transitions')).toHaveLength(1);
    sandbox.fault({ fault: { kind: 'drop-after-store' }, method: 'PUT', pathIncludes: '/worklog/' });
    const { id } = await client.addWorklog('PROJ-7', buildWorklogBody(PLANNED, 'cloud'), Q);
    expect(
      (await failure(client.updateWorklog('PROJ-7', id, buildWorklogBody(PLANNED, 'cloud'), Q))).code,
    ).toBe('E_JIRA_UNKNOWN_OUTCOME');
    expect(calls(sandbox, 'PUT', '/worklog/')).toHaveLength(1);
  });

  it('429 is retried on every write (Jira refused before doing anything); reads retry 503, comment/list too', async () => {
    const { sandbox, client } = await setup();
    sandbox.fault({ fault: { kind: 'status', status: 429, retryAfter: 0 }, method: 'PUT' });
    await client.setIssueProperty('PROJ-7', 'jlog', { v: 1 });
    expect(calls(sandbox, 'PUT', '/properties/').map((r) => r.status)).toEqual([429, 201]);
    await client.addComment('PROJ-7', 'x', MARKER);
    sandbox.fault({ fault: { kind: 'status', status: 503 }, pathIncludes: '/comment/list' });
    sandbox.fault({ fault: { kind: 'status', status: 502 }, pathIncludes: '/transitions' });
    expect(await client.listComments('PROJ-7')).toHaveLength(1);
    expect(calls(sandbox, 'POST', '/comment/list').map((r) => r.status)).toEqual([503, 200]);
    expect(await client.listTransitions('PROJ-7')).toHaveLength(4);
  });

  it('paces writes of every kind to one issue under the per-issue limit: no 429', async () => {
    const { sandbox, client } = await setup();
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 12; i++) {
      writes.push(client.addComment('PROJ-7', `c${i}`, MARKER));
      writes.push(client.setIssueProperty('PROJ-7', 'jlog', { v: 1, n: i }));
    }
    await Promise.all(writes);
    expect(sandbox.requests.filter((r) => r.status === 429)).toEqual([]);
    expect(sandbox.issueProperty('PROJ-7', 'jlog')).toEqual({ v: 1, n: 11 });
  });
});

describe('defences', () => {
  async function server(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const srv: Server = createServer(handler);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    open.push({ close: () => new Promise<void>((r) => srv.close(() => r())) });
    srv.on('connection', (s) => open.push({ close: async () => void s.destroy() }));
    return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  }
  const clientFor = (baseUrl: string) => {
    const c = createJiraClient(
      { baseUrl, deployment: 'cloud', auth: { type: 'basic', email: EMAIL, token: TOKEN } },
      { retryBaseMs: 10, maxRetries: 1 },
    );
    open.push(c);
    return c;
  };

  it('an answer over 8 MB is an error, declared or streamed, and is not read to the end', async () => {
    let written = 0;
    const url = await server((req, res) => {
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      if (req.url?.includes('/comment')) {
        // No Content-Length: the client must stop counting at 8 MB.
        res.writeHead(200, { 'content-type': 'application/json' });
        const pump = () => {
          while (written < 64 * 1024 * 1024 && !res.destroyed) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        return pump();
      }
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': String(3 * 1024 ** 3) });
      res.write(chunk);
    });
    const client = clientFor(url);
    const read = await failure(client.listComments('PROJ-7'));
    expect(read.code).toBe('E_JIRA_PROTOCOL');
    expect(read.message).toMatch(/larger than 8 MB/);
    expect(written).toBeLessThan(64 * 1024 * 1024);
    // A write whose answer is too large may have landed: unknown outcome, for the caller to read back.
    const write = await failure(client.addWorklog('PROJ-7', buildWorklogBody(PLANNED, 'cloud'), Q));
    expect(write.code).toBe('E_JIRA_UNKNOWN_OUTCOME');
  });

  it('an answer that trickles after its headers is cut off by timeoutMs, declared length or not', async () => {
    const timers = new Set<NodeJS.Timeout>();
    open.push({ close: async () => timers.forEach((t) => clearInterval(t)) });
    const url = await server((req, res) => {
      // One byte every 20 ms: never idle long enough for a per-chunk timeout, never done.
      const declared = !req.url?.includes('/comment');
      res.writeHead(200, {
        'content-type': 'application/json',
        ...(declared ? { 'content-length': '100000' } : {}),
      });
      res.write('{"worklogs":[');
      const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(' ')), 20);
      timers.add(t);
    });
    const client = createJiraClient(
      { baseUrl: url, deployment: 'cloud', auth: { type: 'basic', email: EMAIL, token: TOKEN } },
      { retryBaseMs: 10, maxRetries: 1, timeoutMs: 300 },
    );
    open.push(client);
    const streamed = await failure(client.listComments('PROJ-7'));
    expect(streamed.code).toBe('E_JIRA_UNAVAILABLE');
    expect(streamed.message).toMatch(/no answer within 300 ms/);
    const declared = await failure(client.addWorklog('PROJ-7', buildWorklogBody(PLANNED, 'cloud'), Q));
    expect(declared.code).toBe('E_JIRA_UNKNOWN_OUTCOME');
  }, 15_000);

  /** A self-signed certificate for 127.0.0.1, made by openssl (none is kept in the repository). */
  function selfSigned(): { key: Buffer; cert: Buffer } | null {
    const dir = mkdtempSync(join(tmpdir(), 'jlog-tls-'));
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1'].concat([
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          'key.pem',
          '-out',
          'cert.pem',
        ]),
        { cwd: dir, stdio: 'ignore' },
      );
      return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
    } catch {
      return null;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('a certificate the machine does not trust is said once, with the fix, and not tried again', async () => {
    const tls = selfSigned();
    expect(tls, 'openssl makes the test certificate').not.toBeNull();
    let handshakes = 0;
    const srv = createHttpsServer(tls!, (_req, res) => res.end('{}'));
    srv.on('connection', () => handshakes++);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    open.push({ close: () => new Promise<void>((r) => srv.close(() => r())) });
    const client = createJiraClient(
      {
        baseUrl: `https://127.0.0.1:${(srv.address() as AddressInfo).port}`,
        deployment: 'cloud',
        auth: { type: 'basic', email: EMAIL, token: TOKEN },
      },
      { retryBaseMs: 10, maxRetries: 3 },
    );
    open.push(client);
    const err = await failure(client.listComments('PROJ-7'));
    expect(err.code).toBe('E_JIRA_UNAVAILABLE');
    expect(err.message).toMatch(
      /the TLS certificate of 127\.0\.0\.1:\d+ was refused \(DEPTH_ZERO_SELF_SIGNED_CERT\)/,
    );
    expect(err.hint).toMatch(/NODE_EXTRA_CA_CERTS/);
    expect(handshakes).toBe(1);
    // A write was never sent either: the token stays pending, not an unknown outcome.
    const write = await failure(client.addWorklog('PROJ-7', buildWorklogBody(PLANNED, 'cloud'), Q));
    expect(write.code).toBe('E_JIRA_UNAVAILABLE');
  });

  it('a token an HTTP header cannot carry is a credential error at once, without the token in it', () => {
    for (const token of ['abc\ndef', 'abc\r\ndef', 'tök€n', 'a\u0000b']) {
      for (const auth of [
        { type: 'basic' as const, email: EMAIL, token },
        { type: 'bearer' as const, token },
      ]) {
        let err: unknown;
        try {
          createJiraClient({ baseUrl: 'http://127.0.0.1:9', deployment: 'cloud', auth });
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(JlogError);
        expect((err as JlogError).code).toBe('E_CREDENTIALS');
        expect((err as JlogError).message).not.toContain(token);
      }
    }
  });
});
