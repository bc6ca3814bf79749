// The sandbox's comment, property, status and transition endpoints as a plain HTTP client sees them,
// plus the Host check (DNS rebinding) and the project allow-list.
import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/server.js';
import { startSandbox } from '../src/sandbox/server.js';
import { adf, client, worklog } from './helpers/sandbox-fetch.js';

let sb: Sandbox;
let call: ReturnType<typeof client>;
beforeEach(async () => {
  sb = await startSandbox({ maxResults: 2, perIssueWriteLimit: false });
  call = client(sb);
});
afterEach(() => sb.close());

const errors = (body: unknown) => body as { errorMessages: string[]; errors: Record<string, string> };

async function comment(issue: string, text: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call('POST', `/issue/${issue}/comment`, { body: adf(text), ...extra });
  expect(res.status).toBe(201);
  return (res.body as { id: string }).id;
}

describe('comments', () => {
  it('v3 takes ADF with properties and reads back paged with startAt/maxResults/total', async () => {
    const marker = { v: 2, id: 'abc:c0', fp: 'f' };
    const first = await comment('PROJ-1', 'one', { properties: [{ key: 'jlog', value: marker }] });
    await comment('PROJ-1', 'two');
    await comment('PROJ-1', 'three');
    const page1 = await call('GET', '/issue/PROJ-1/comment');
    expect(page1.body).toMatchObject({ startAt: 0, maxResults: 2, total: 3 });
    const comments = (page1.body as { comments: { id: string; body: unknown; properties?: unknown }[] })
      .comments;
    expect(comments.map((c) => c.body)).toEqual([adf('one'), adf('two')]);
    // Jira's comment list does not carry properties, even when asked.
    expect(comments[0]).not.toHaveProperty('properties');
    const page2 = await call('GET', '/issue/PROJ-1/comment?startAt=2&expand=properties');
    expect((page2.body as { comments: unknown[] }).comments).toHaveLength(1);
    // v2 sees the same comment as a plain string.
    const v2 = await call('GET', `/issue/PROJ-1/comment/${first}`, undefined, 2);
    expect((v2.body as { body: unknown }).body).toBe('one');
    // The property is at its own endpoint and in comment/list?expand=properties.
    expect((await call('GET', `/comment/${first}/properties/jlog`)).body).toEqual({
      key: 'jlog',
      value: marker,
    });
    const list = await call('POST', '/comment/list?expand=properties', { ids: [Number(first), 999_999] });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ startAt: 0, total: 1, isLast: true });
    const values = (list.body as { values: { id: string; properties: unknown }[] }).values;
    expect(values.map((v) => [v.id, v.properties])).toEqual([[first, [{ key: 'jlog', value: marker }]]]);
    const plain = await call('POST', '/comment/list', { ids: [first] });
    expect((plain.body as { values: object[] }).values[0]).not.toHaveProperty('properties');
  });

  it('v2 takes a plain string; each version refuses the other form', async () => {
    const res = await call('POST', '/issue/PROJ-1/comment', { body: 'plain' }, 2);
    expect(res.status).toBe(201);
    expect((res.body as { body: unknown }).body).toBe('plain');
    expect((await call('POST', '/issue/PROJ-1/comment', { body: adf('x') }, 2)).status).toBe(400);
    const v3string = await call('POST', '/issue/PROJ-1/comment', { body: 'plain' });
    expect(v3string.status).toBe(400);
    expect(sb.comments('PROJ-1')).toHaveLength(1);
  });

  it('refuses empty, too long, unknown fields and bad properties with Jira bodies', async () => {
    const empty = await call('POST', '/issue/PROJ-1/comment', {});
    expect(empty.status).toBe(400);
    expect(errors(empty.body).errors.comment).toBe('Comment body can not be empty!');
    const emptyNode = await call('POST', '/issue/PROJ-1/comment', {
      body: {
        type: 'doc',
        version: 1,
        content: [{ type: 'paragraph', content: [{ type: 'text', text: '' }] }],
      },
    });
    expect(emptyNode.status).toBe(400);
    const long = await call('POST', '/issue/PROJ-1/comment', { body: adf('x'.repeat(32_768)) });
    expect(errors(long.body).errors.comment).toMatch(/exceeds the allowed limit of 32,767/);
    const unknown = await call('POST', '/issue/PROJ-1/comment', { body: adf('x'), text: 'y' });
    expect(errors(unknown.body).errorMessages[0]).toMatch(/^Unrecognized field "text"/);
    const bigProp = await call('POST', '/issue/PROJ-1/comment', {
      body: adf('x'),
      properties: [{ key: 'jlog', value: { s: 'x'.repeat(32_768) } }],
    });
    expect(errors(bigProp.body).errorMessages[0]).toMatch(/cannot be longer than 32768/);
    const badJson = await call('POST', '/issue/PROJ-1/comment', '{not json');
    expect(badJson.status).toBe(400);
    expect(sb.comments()).toEqual([]);
  });

  it('updates and deletes a comment; 404 for another issue or a gone one', async () => {
    const id = await comment('PROJ-1', 'one');
    expect((await call('PUT', `/issue/PROJ-1/comment/${id}`, { body: adf('uno') })).status).toBe(200);
    expect(sb.comments('PROJ-1')[0]?.body).toEqual(adf('uno'));
    expect((await call('DELETE', `/issue/PROJ-2/comment/${id}`)).status).toBe(404);
    expect((await call('DELETE', `/issue/PROJ-1/comment/${id}`)).status).toBe(204);
    const gone = await call('DELETE', `/issue/PROJ-1/comment/${id}`);
    expect(gone.status).toBe(404);
    expect(errors(gone.body).errorMessages).toEqual([`Can not find a comment for the id: ${id}.`]);
  });

  it('comment/list: ids required, at most 1000, numbers or numeric strings', async () => {
    expect((await call('POST', '/comment/list', {})).status).toBe(400);
    expect((await call('POST', '/comment/list', { ids: ['x'] })).status).toBe(400);
    const many = await call('POST', '/comment/list', { ids: Array.from({ length: 1001 }, (_, i) => i) });
    expect(errors(many.body).errorMessages).toEqual(['The number of IDs must not exceed 1000.']);
    expect((await call('GET', '/comment/list')).status).toBe(405);
  });

  it('comment properties: PUT creates (201) then updates (200), GET keys, DELETE', async () => {
    const id = await comment('PROJ-1', 'one');
    expect((await call('GET', `/comment/${id}/properties/jlog`)).status).toBe(404);
    expect((await call('PUT', `/comment/${id}/properties/jlog`, { v: 2 })).status).toBe(201);
    expect((await call('PUT', `/comment/${id}/properties/jlog`, { v: 3 })).status).toBe(200);
    expect((await call('GET', `/comment/${id}/properties`)).body).toMatchObject({ keys: [{ key: 'jlog' }] });
    expect((await call('PUT', `/comment/${id}/properties/${'k'.repeat(256)}`, { v: 1 })).status).toBe(400);
    expect((await call('DELETE', `/comment/${id}/properties/jlog`)).status).toBe(204);
    expect((await call('GET', '/comment/424242/properties/jlog')).status).toBe(404);
  });
});

describe('faults on the new endpoints', () => {
  it('drop-after-store writes then drops; an issue filter matches comment property paths too', async () => {
    const id = await comment('PROJ-1', 'one');
    sb.fault({
      fault: { kind: 'drop-after-store' },
      method: 'PUT',
      issue: 'PROJ-1',
      pathIncludes: '/properties/',
    });
    await expect(call('PUT', `/comment/${id}/properties/jlog`, { v: 2 })).rejects.toThrow();
    expect(sb.comments('PROJ-1')[0]?.properties).toEqual([{ key: 'jlog', value: { v: 2 } }]);
    sb.fault({ fault: { kind: 'status', status: 503 }, method: 'POST', pathIncludes: '/transitions' });
    expect((await call('POST', '/issue/PROJ-1/transitions', { transition: { id: '11' } })).status).toBe(503);
    expect(sb.status('PROJ-1')).toBe('To Do');
    sb.fault({ fault: { kind: 'drop-before-store' }, method: 'DELETE' });
    await expect(call('DELETE', `/issue/PROJ-1/comment/${id}`)).rejects.toThrow();
    expect(sb.comments('PROJ-1')).toHaveLength(1);
  });
});

describe('issue properties', () => {
  it('404 until written, 201 then 200, keys listed, Jira limits on key and value, DELETE', async () => {
    const missing = await call('GET', '/issue/PROJ-1/properties/jlog');
    expect(missing.status).toBe(404);
    expect(errors(missing.body).errorMessages).toEqual(["The property with key 'jlog' does not exist."]);
    const value = { v: 1, undone: [{ id: 'a:0', fp: 'f' }], transitions: [] };
    expect((await call('PUT', '/issue/PROJ-1/properties/jlog', value)).status).toBe(201);
    expect((await call('PUT', '/issue/PROJ-1/properties/jlog', value)).status).toBe(200);
    expect((await call('GET', '/issue/PROJ-1/properties/jlog')).body).toEqual({ key: 'jlog', value });
    expect((await call('GET', '/issue/PROJ-1/properties')).body).toMatchObject({ keys: [{ key: 'jlog' }] });
    expect(sb.issueProperty('PROJ-1', 'jlog')).toEqual(value);
    const tooBig = await call('PUT', '/issue/PROJ-1/properties/big', { s: 'x'.repeat(32_761) });
    expect(errors(tooBig.body).errorMessages).toEqual([
      'The property value cannot be longer than 32768 characters.',
    ]);
    expect((await call('PUT', `/issue/PROJ-1/properties/${'k'.repeat(256)}`, { v: 1 })).status).toBe(400);
    expect((await call('PUT', '/issue/PROJ-1/properties/jlog', '{oops')).status).toBe(400);
    expect((await call('DELETE', '/issue/PROJ-1/properties/jlog')).status).toBe(204);
    expect((await call('DELETE', '/issue/PROJ-1/properties/jlog')).status).toBe(404);
  });

  it('a worklog property PUT is checked against the worklog and Jira limits', async () => {
    const res = await call('POST', '/issue/PROJ-1/worklog', worklog());
    const id = (res.body as { id: string }).id;
    expect(
      (await call('PUT', `/issue/PROJ-1/worklog/${id}/properties/jlog`, { v: 2, id: 'a:0', fp: 'f' })).status,
    ).toBe(201);
    expect(
      (await call('PUT', `/issue/PROJ-1/worklog/${id}/properties/jlog`, { v: 2, id: 'a:0', fp: 'g' })).status,
    ).toBe(200);
    expect((await call('PUT', `/issue/PROJ-1/worklog/99/properties/jlog`, { v: 2 })).status).toBe(404);
    expect((await call('PUT', `/issue/PROJ-1/worklog/${id}/properties/jlog`, null)).status).toBe(400);
  });
});

interface TransitionsBody {
  transitions: { id: string; name: string; to: { id: string; name: string }; isGlobal: boolean }[];
}

describe('status and transitions', () => {
  const names = async (issue: string) =>
    ((await call('GET', `/issue/${issue}/transitions`)).body as TransitionsBody).transitions.map(
      (t) => t.name,
    );

  it('a new issue is To Do; GET issue?fields=status says so; only the transitions from there are offered', async () => {
    const res = await call('GET', '/issue/PROJ-1?fields=status');
    expect(res.body).toMatchObject({ key: 'PROJ-1', fields: { status: { name: 'To Do', id: '10000' } } });
    expect((res.body as { fields: object }).fields).not.toHaveProperty('timetracking');
    expect(await names('PROJ-1')).toEqual(['Start Progress', 'Resolve Issue', 'Cancel Issue', 'Close Issue']);
  });

  it('POST moves the issue; a transition not offered now is a 400 naming its id', async () => {
    expect((await call('POST', '/issue/PROJ-1/transitions', { transition: { id: '11' } })).status).toBe(204);
    expect(sb.status('PROJ-1')).toBe('In Progress');
    expect(await names('PROJ-1')).toEqual(['Stop Progress', 'Resolve Issue', 'Close Issue']);
    const stale = await call('POST', '/issue/PROJ-1/transitions', { transition: { id: '11' } });
    expect(stale.status).toBe(400);
    expect(errors(stale.body).errorMessages).toEqual(["Transition id '11' is not valid for this issue."]);
    expect((await call('POST', '/issue/PROJ-1/transitions', { transition: { id: 61 } }, 2)).status).toBe(204);
    expect(sb.status('PROJ-1')).toBe('Done');
    expect(await names('PROJ-1')).toEqual(['Reopen Issue', 'Close Issue']);
    expect((await call('POST', '/issue/PROJ-1/transitions', {})).status).toBe(400);
    expect((await call('GET', '/issue/PROJ-404/transitions')).status).toBe(200);
  });

  it('setStatus moves an issue as a person would', async () => {
    sb.setStatus('PROJ-2', 'done');
    expect(
      ((await call('GET', '/issue/PROJ-2?fields=status')).body as { fields: { status: { name: string } } })
        .fields.status.name,
    ).toBe('Done');
  });
});

describe('projects allow-list', () => {
  it('an issue outside --projects is a 404 like Jira, on every endpoint', async () => {
    const only = await startSandbox({ projects: ['PROJ'] });
    try {
      const c = client(only);
      expect((await c('GET', '/issue/PROJ-1?fields=status')).status).toBe(200);
      for (const path of [
        '/issue/OPS-1?fields=status',
        '/issue/OPS-1/transitions',
        '/issue/OPS-1/comment',
        '/issue/OPS-1/properties/jlog',
      ]) {
        const res = await c('GET', path);
        expect(res.status, path).toBe(404);
        expect(errors(res.body).errorMessages).toEqual([
          'Issue does not exist or you do not have permission to see it.',
        ]);
      }
      expect((await c('POST', '/issue/PROJ2-1/worklog', worklog())).status).toBe(404);
    } finally {
      await only.close();
    }
  });
});

describe('Host check (DNS rebinding)', () => {
  function get(host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: sb.port, path: '/rest/api/3/myself', headers: { host } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  it('answers its own address and port only; another host name gets 421 and is not served', async () => {
    expect(await get(`127.0.0.1:${sb.port}`)).toBe(401);
    expect(await get(`localhost:${sb.port}`)).toBe(401);
    for (const host of ['evil.example', `evil.example:${sb.port}`, `127.0.0.1:${sb.port + 1}`, '127.0.0.1']) {
      expect(await get(host), host).toBe(421);
    }
    expect(sb.requests.map((r) => r.status)).toEqual([401, 401]);
  });
});
