// Reading, updating and deleting worklogs; pages; the per-issue write limit; the data file.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PerIssueWriteLimit } from '../src/sandbox/rate-limit.js';
import type { Sandbox } from '../src/sandbox/server.js';
import { startSandbox } from '../src/sandbox/server.js';
import { adf, client, worklog } from './helpers/sandbox-fetch.js';

interface Page {
  startAt: number;
  maxResults: number;
  total: number;
  worklogs: { id: string; started: string; properties?: unknown }[];
}

let sb: Sandbox;
let call: ReturnType<typeof client>;
beforeEach(async () => {
  sb = await startSandbox({ maxResults: 2, perIssueWriteLimit: false });
  call = client(sb);
});
afterEach(() => sb.close());

async function post(issue: string, started: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call('POST', `/issue/${issue}/worklog`, worklog({ started, ...extra }));
  expect(res.status).toBe(201);
  return (res.body as { id: string }).id;
}

describe('GET worklogs', () => {
  it('pages at the server cap, ordered by started then id', async () => {
    const c = await post('PROJ-1', '2026-01-03T10:00:00.000+0000');
    const a = await post('PROJ-1', '2026-01-01T10:00:00.000+0000');
    const b1 = await post('PROJ-1', '2026-01-02T12:00:00.000+0200'); // 10:00 UTC
    const b2 = await post('PROJ-1', '2026-01-02T10:00:00.000+0000'); // same instant, higher id
    const d = await post('PROJ-1', '2026-01-04T10:00:00.000+0000');
    await post('PROJ-2', '2026-01-01T10:00:00.000+0000');

    const seen: string[] = [];
    for (let startAt = 0, pages = 0; pages < 10; pages++) {
      const res = await call('GET', `/issue/PROJ-1/worklog?startAt=${startAt}&maxResults=100`);
      const page = res.body as Page;
      expect(page).toMatchObject({ startAt, maxResults: 2, total: 5 });
      expect(page.worklogs.length).toBeLessThanOrEqual(2);
      seen.push(...page.worklogs.map((w) => w.id));
      startAt += page.worklogs.length;
      if (startAt >= page.total || page.worklogs.length === 0) break;
    }
    expect(seen).toEqual([a, b1, b2, c, d]);
    const one = (await call('GET', '/issue/PROJ-1/worklog?maxResults=1')).body as Page;
    expect(one).toMatchObject({ maxResults: 1, total: 5 });
    expect(one.worklogs).toHaveLength(1);
  });

  it('narrows with startedAfter (on or after) and startedBefore (before), in Unix ms', async () => {
    const t = (d: number) => Date.UTC(2026, 0, d, 10);
    await post('PROJ-1', '2026-01-01T10:00:00.000+0000');
    const second = await post('PROJ-1', '2026-01-02T10:00:00.000+0000');
    const third = await post('PROJ-1', '2026-01-03T10:00:00.000+0000');
    const after = (await call('GET', `/issue/PROJ-1/worklog?startedAfter=${t(2)}`)).body as Page;
    expect(after.total).toBe(2);
    expect(after.worklogs.map((w) => w.id)).toEqual([second, third]);
    const window = (await call('GET', `/issue/PROJ-1/worklog?startedAfter=${t(2)}&startedBefore=${t(3)}`))
      .body as Page;
    expect(window.worklogs.map((w) => w.id)).toEqual([second]);
    expect((await call('GET', '/issue/PROJ-1/worklog?startedAfter=yesterday')).status).toBe(400);
  });

  it('includes properties only with expand=properties', async () => {
    const properties = [{ key: 'jlog', value: { v: 1, id: 'sha:0' } }];
    await post('PROJ-1', '2026-01-01T10:00:00.000+0000', { properties });
    const plain = (await call('GET', '/issue/PROJ-1/worklog')).body as Page;
    expect(plain.worklogs[0]).not.toHaveProperty('properties');
    const expanded = (await call('GET', '/issue/PROJ-1/worklog?expand=properties')).body as Page;
    expect(expanded.worklogs[0]?.properties).toEqual(properties);
  });
});

describe('PUT, DELETE and properties of one worklog', () => {
  it('updates only what is sent, with the same validation', async () => {
    const id = await post('PROJ-1', '2026-01-01T10:00:00.000+0000', { comment: adf('first') });
    const before = sb.issue('PROJ-1')?.remainingEstimateSeconds as number;
    const res = await call('PUT', `/issue/PROJ-1/worklog/${id}`, { timeSpentSeconds: 7200 });
    expect(res).toMatchObject({ status: 200, body: { id, timeSpentSeconds: 7200, comment: adf('first') } });
    expect(sb.issue('PROJ-1')?.remainingEstimateSeconds).toBe(before - 3600);
    const bad = await call('PUT', `/issue/PROJ-1/worklog/${id}`, { started: '2026-01-01T10:00:00Z' });
    expect(bad.status).toBe(400);
    expect(sb.worklogs('PROJ-1')[0]).toMatchObject({
      started: '2026-01-01T10:00:00.000+0000',
      timeSpentSeconds: 7200,
    });
  });

  it('deletes with 204, and the worklog is gone; another issue cannot reach it', async () => {
    const id = await post('PROJ-1', '2026-01-01T10:00:00.000+0000');
    expect((await call('GET', `/issue/PROJ-2/worklog/${id}`)).status).toBe(404);
    expect((await call('DELETE', `/issue/PROJ-2/worklog/${id}`)).status).toBe(404);
    expect((await call('DELETE', `/issue/PROJ-1/worklog/${id}`)).status).toBe(204);
    expect((await call('GET', `/issue/PROJ-1/worklog/${id}`)).status).toBe(404);
    expect(sb.worklogs()).toHaveLength(0);
  });

  it('sets properties one by one: 201 created, 200 updated', async () => {
    const id = await post('PROJ-1', '2026-01-01T10:00:00.000+0000');
    expect((await call('PUT', `/issue/PROJ-1/worklog/${id}/properties/jlog`, { v: 1 })).status).toBe(201);
    expect((await call('PUT', `/issue/PROJ-1/worklog/${id}/properties/jlog`, { v: 2 })).status).toBe(200);
    expect((await call('PUT', `/issue/PROJ-1/worklog/${id}/properties/jlog`, '""')).status).toBe(400);
    const got = await call('GET', `/issue/PROJ-1/worklog/${id}/properties/jlog`);
    expect(got.body).toEqual({ key: 'jlog', value: { v: 2 } });
    expect(sb.worklogs('PROJ-1')[0]?.properties).toEqual([{ key: 'jlog', value: { v: 2 } }]);
  });
});

describe('per-issue write limit', () => {
  it('allows 20 writes per 2 s and 100 per 30 s, and says when to come back', () => {
    let now = 1_000_000;
    const limit = new PerIssueWriteLimit(() => now);
    for (let i = 0; i < 20; i++) expect(limit.take('A')).toBeUndefined();
    expect(limit.take('A')).toMatchObject({ limit: 20, retryAfter: 2 });
    expect(limit.take('B')).toBeUndefined(); // another issue has its own budget
    now += 2_000;
    for (let i = 0; i < 20; i++) expect(limit.take('A')).toBeUndefined();
    for (let step = 0; step < 3; step++) {
      now += 2_000;
      for (let i = 0; i < 20; i++) expect(limit.take('A')).toBeUndefined();
    }
    now += 2_000; // 100 writes in the last 10 s: the 30 s window is full
    expect(limit.take('A')).toMatchObject({ limit: 100, retryAfter: 20 });
    now += 20_000;
    expect(limit.take('A')).toBeUndefined();
  });

  it('answers 429 with Retry-After and the rate-limit headers, storing nothing', async () => {
    const limited = await startSandbox();
    try {
      const callL = client(limited);
      // 101 writes cannot all fit in the 30 s window, however slow this machine is.
      const results: number[] = [];
      let refused: Awaited<ReturnType<typeof callL>> | undefined;
      for (let batch = 0; batch < 11; batch++) {
        const answers = await Promise.all(
          Array.from({ length: 10 }, () => callL('POST', '/issue/PROJ-9/worklog', worklog())),
        );
        for (const a of answers) {
          results.push(a.status);
          if (a.status === 429) refused ??= a;
        }
      }
      expect(new Set(results)).toEqual(new Set([201, 429]));
      expect(limited.worklogs('PROJ-9')).toHaveLength(results.filter((s) => s === 201).length);
      expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(refused?.headers.get('ratelimit-reason')).toBe('jira-per-issue-on-write');
      expect(refused?.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(refused?.headers.get('x-ratelimit-limit')).toMatch(/^(20|100)$/);
      expect(refused?.headers.get('x-ratelimit-reset')).toBeTruthy();
      expect((await callL('POST', '/issue/PROJ-10/worklog', worklog())).status).toBe(201);
    } finally {
      await limited.close();
    }
  });
});

describe('data file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jlog-sandbox-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps worklogs, ids and estimates across restarts', async () => {
    const data = join(dir, 'nested', 'sandbox.json');
    const first = await startSandbox({ data });
    const id = (
      (
        await client(first)(
          'POST',
          '/issue/PROJ-1/worklog?expand=properties',
          worklog({ properties: [{ key: 'jlog', value: 1 }] }),
        )
      ).body as { id: string }
    ).id;
    const remaining = first.issue('PROJ-1')?.remainingEstimateSeconds;
    await first.close();
    expect(existsSync(data)).toBe(true);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['sandbox.json']);

    const second = await startSandbox({ data });
    try {
      expect(second.worklogs('PROJ-1')).toEqual([
        expect.objectContaining({ id, properties: [{ key: 'jlog', value: 1 }] }),
      ]);
      expect(second.issue('PROJ-1')?.remainingEstimateSeconds).toBe(remaining);
      const page = (await client(second)('GET', '/issue/PROJ-1/worklog')).body as Page;
      expect(page.total).toBe(1);
      const next = await client(second)('POST', '/issue/PROJ-1/worklog', worklog());
      expect((next.body as { id: string }).id).not.toBe(id);
      const del = await client(second)('DELETE', `/issue/PROJ-1/worklog/${id}`);
      expect(del.status).toBe(204);
    } finally {
      await second.close();
    }
    const third = await startSandbox({ data });
    expect(third.worklogs().map((w) => w.id)).not.toContain(id);
    expect(third.worklogs()).toHaveLength(1);
    await third.close();
  });
});
