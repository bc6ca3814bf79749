// The sandbox refuses what Jira refuses, with Jira's status and error body, as Jira documents it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/server.js';
import { startSandbox } from '../src/sandbox/server.js';
import { STARTED, adf, basicAuth, client, worklog } from './helpers/sandbox-fetch.js';

let sb: Sandbox;
let call: ReturnType<typeof client>;
beforeEach(async () => {
  // The write limit has its own test; here it would only get in the way of many quick POSTs.
  sb = await startSandbox({ perIssueWriteLimit: false });
  call = client(sb);
});
afterEach(() => sb.close());

const STARTED_ERROR = {
  errorMessages: [],
  errors: {
    started: 'Invalid date format. Please enter the date in the format "yyyy-MM-dd\'T\'HH:mm:ss.SSSZ".',
  },
};

describe('POST worklog: started', () => {
  it.each([
    ['2026-11-27T08:05:00.000Z'],
    ['2026-11-27T09:05:00.000+01:00'],
    ['2026-11-27T09:05:00+0100'],
    ['2026-11-27 09:05:00.000+0100'],
    ['2026-02-30T09:05:00.000+0100'],
    ['2026-11-27T09:05:00.000+0000-0800'],
    ['yesterday'],
  ])('refuses %s with the exact Jira body', async (started) => {
    const res = await call('POST', '/issue/PROJ-1/worklog', worklog({ started }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual(STARTED_ERROR);
  });

  it('answers a date without an offset with 500, as Jira does', async () => {
    const res = await call('POST', '/issue/PROJ-1/worklog', worklog({ started: '2026-11-27T09:05:00.000' }));
    expect(res.status).toBe(500);
    expect(sb.worklogs()).toHaveLength(0);
  });

  it('requires started', async () => {
    const res = await call('POST', '/issue/PROJ-1/worklog', { timeSpentSeconds: 3600 });
    expect(res.status).toBe(400);
    expect(Object.keys((res.body as { errors: object }).errors)).toEqual(['started']);
  });

  it('accepts the exact format with any offset and renders it in the user time zone', async () => {
    const res = await call(
      'POST',
      '/issue/PROJ-1/worklog',
      worklog({ started: '2026-03-29T01:30:00.000-0230' }),
    );
    expect(res.status).toBe(201);
    expect((res.body as { started: string }).started).toBe('2026-03-29T04:00:00.000+0000');
    expect(sb.worklogs('PROJ-1')[0]?.started).toBe('2026-03-29T01:30:00.000-0230');
  });
});

describe('POST worklog: time spent', () => {
  it('takes timeSpentSeconds and answers the Worklog', async () => {
    const res = await call('POST', '/issue/PROJ-1/worklog', worklog({ timeSpentSeconds: 5400 }));
    expect(res.status).toBe(201);
    const body = res.body as Record<string, unknown>;
    expect(body).toMatchObject({
      timeSpentSeconds: 5400,
      timeSpent: '1h 30m',
      started: '2026-11-27T08:05:00.000+0000',
    });
    expect(typeof body.id).toBe('string');
    expect(body.issueId).toBe(sb.issue('PROJ-1')?.id);
    expect(body.self).toBe(`${sb.url}/rest/api/3/issue/${String(body.issueId)}/worklog/${String(body.id)}`);
    expect(body.author).toMatchObject({ emailAddress: 'dev@example.com' });
    expect(body).not.toHaveProperty('properties');
    expect(body).toHaveProperty('created');
  });

  it('parses timeSpent with the site working day', async () => {
    sb.setTimeTracking({ hoursPerDay: 6 });
    const res = await call('POST', '/issue/PROJ-1/worklog', { started: STARTED, timeSpent: '1d 30m' });
    expect(res.status).toBe(201);
    expect((res.body as { timeSpentSeconds: number }).timeSpentSeconds).toBe(6 * 3600 + 1800);
  });

  it('refuses a bad duration string', async () => {
    const res = await call('POST', '/issue/PROJ-1/worklog', { started: STARTED, timeSpent: 'an hour' });
    expect(res).toMatchObject({
      status: 400,
      body: { errors: { timeLogged: 'Invalid time duration entered.' } },
    });
  });

  it('refuses both timeSpent and timeSpentSeconds, and neither', async () => {
    const both = await call('POST', '/issue/PROJ-1/worklog', worklog({ timeSpent: '1h' }));
    expect(both.status).toBe(400);
    const neither = await call('POST', '/issue/PROJ-1/worklog', { started: STARTED });
    expect(neither).toMatchObject({ status: 400, body: { errors: { timeLogged: expect.any(String) } } });
    expect(sb.worklogs()).toHaveLength(0);
  });

  it('refuses under a minute with "Worklog must not be null"', async () => {
    const res = await call('POST', '/issue/PROJ-1/worklog', worklog({ timeSpentSeconds: 59 }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      errorMessages: ['Worklog must not be null.'],
      errors: { timeLogged: 'You must indicate the time spent working.' },
    });
    const minute = await call('POST', '/issue/PROJ-1/worklog', worklog({ timeSpentSeconds: 60 }));
    expect(minute.status).toBe(201);
  });
});

describe('POST worklog: fields, comments, properties', () => {
  it.each(['newEstimate', 'reduceBy', 'adjustEstimate', 'issueKey'])(
    'refuses the unknown field %s',
    async (field) => {
      const res = await call('POST', '/issue/PROJ-1/worklog', worklog({ [field]: '1h' }));
      expect(res.status).toBe(400);
      expect((res.body as { errorMessages: string[] }).errorMessages[0]).toContain(
        `Unrecognized field "${field}"`,
      );
    },
  );

  it('refuses malformed JSON and a non-JSON media type', async () => {
    expect((await call('POST', '/issue/PROJ-1/worklog', '{"started":')).status).toBe(400);
    const res = await fetch(`${sb.url}/rest/api/3/issue/PROJ-1/worklog`, {
      method: 'POST',
      headers: { Authorization: basicAuth('dev@example.com', 'sandbox-token'), 'Content-Type': 'text/plain' },
      body: JSON.stringify(worklog()),
    });
    expect(res.status).toBe(415);
  });

  it('keeps a valid ADF comment on v3 and shows it as text on v2', async () => {
    const res = await call('POST', '/issue/PROJ-1/worklog', worklog({ comment: adf('fixed login') }));
    expect(res.status).toBe(201);
    expect((res.body as { comment: unknown }).comment).toEqual(adf('fixed login'));
    const v2 = await call('GET', '/issue/PROJ-1/worklog', undefined, 2);
    expect((v2.body as { worklogs: { comment: unknown }[] }).worklogs[0]?.comment).toBe('fixed login');
  });

  it.each([
    ['a plain string', 'fixed login'],
    [
      'an empty text node',
      { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: '' }] }] },
    ],
    ['a wrong version', { type: 'doc', version: 2, content: [] }],
    ['no content', { type: 'doc', version: 1 }],
    ['not a doc', { type: 'paragraph', content: [] }],
  ])('refuses %s as a v3 comment', async (_what, comment) => {
    const res = await call('POST', '/issue/PROJ-1/worklog', worklog({ comment }));
    expect(res.status).toBe(400);
    expect(sb.worklogs()).toHaveLength(0);
  });

  it('takes a plain string on v2, silently drops ADF there, and shows v2 strings as ADF on v3', async () => {
    const plain = await call('POST', '/issue/PROJ-1/worklog', worklog({ comment: 'standup' }), 2);
    expect(plain).toMatchObject({ status: 201, body: { comment: 'standup' } });
    const dropped = await call('POST', '/issue/PROJ-1/worklog', worklog({ comment: adf('lost') }), 2);
    expect(dropped.status).toBe(201);
    expect(dropped.body).not.toHaveProperty('comment');
    const v3 = await call('GET', `/issue/PROJ-1/worklog/${(plain.body as { id: string }).id}`);
    expect((v3.body as { comment: unknown }).comment).toEqual(adf('standup'));
  });

  it('stores properties and returns them only with expand=properties', async () => {
    const properties = [{ key: 'jlog', value: { v: 1, id: 'abc:0', fp: 'f' } }];
    const res = await call('POST', '/issue/PROJ-1/worklog?expand=properties', worklog({ properties }));
    expect(res).toMatchObject({ status: 201, body: { properties } });
    const id = (res.body as { id: string }).id;
    expect((await call('GET', `/issue/PROJ-1/worklog/${id}`)).body).not.toHaveProperty('properties');
    expect((await call('GET', `/issue/PROJ-1/worklog/${id}?expand=properties`)).body).toMatchObject({
      properties,
    });
    const one = await call('GET', `/issue/PROJ-1/worklog/${id}/properties/jlog`);
    expect(one).toMatchObject({ status: 200, body: { key: 'jlog', value: properties[0]?.value } });
    expect((await call('GET', `/issue/PROJ-1/worklog/${id}/properties/nope`)).status).toBe(404);
  });

  it.each([
    ['a key over 255 characters', [{ key: 'k'.repeat(256), value: 1 }]],
    ['an empty key', [{ key: '', value: 1 }]],
    ['a missing value', [{ key: 'jlog' }]],
    ['an empty value', [{ key: 'jlog', value: '' }]],
    ['a value over 32768 characters', [{ key: 'jlog', value: 'x'.repeat(32_767) }]],
    ['an extra field', [{ key: 'jlog', value: 1, extra: true }]],
    ['not an array', { key: 'jlog', value: 1 }],
  ])('refuses properties with %s', async (_what, properties) => {
    const res = await call('POST', '/issue/PROJ-1/worklog', worklog({ properties }));
    expect(res.status).toBe(400);
    expect(sb.worklogs()).toHaveLength(0);
  });

  it('accepts a key of exactly 255 and a value of exactly 32768 characters', async () => {
    const properties = [{ key: 'k'.repeat(255), value: 'x'.repeat(32_766) }];
    expect(JSON.stringify(properties[0]?.value)).toHaveLength(32_768);
    expect((await call('POST', '/issue/PROJ-1/worklog', worklog({ properties }))).status).toBe(201);
  });
});

describe('adjustEstimate and the remaining estimate', () => {
  const remaining = () => sb.issue('PROJ-2')?.remainingEstimateSeconds;

  it('auto reduces, leave does not, new sets, manual reduces by reduceBy; delete auto restores', async () => {
    expect((await call('GET', '/issue/PROJ-2?fields=timetracking')).status).toBe(200);
    const start = remaining() as number;
    const auto = await call('POST', '/issue/PROJ-2/worklog?adjustEstimate=auto', worklog());
    expect(remaining()).toBe(start - 3600);
    await call('POST', '/issue/PROJ-2/worklog?adjustEstimate=leave', worklog());
    expect(remaining()).toBe(start - 3600);
    await call('POST', '/issue/PROJ-2/worklog?adjustEstimate=manual&reduceBy=2h', worklog());
    expect(remaining()).toBe(start - 3 * 3600);
    await call('DELETE', `/issue/PROJ-2/worklog/${(auto.body as { id: string }).id}?adjustEstimate=auto`);
    expect(remaining()).toBe(start - 2 * 3600);
    await call('POST', '/issue/PROJ-2/worklog?adjustEstimate=new&newEstimate=1d', worklog());
    expect(remaining()).toBe(8 * 3600);
    const issue = await call('GET', '/issue/PROJ-2?fields=timetracking');
    expect(issue.body).toMatchObject({
      key: 'PROJ-2',
      fields: {
        timetracking: {
          remainingEstimateSeconds: 8 * 3600,
          remainingEstimate: '1d',
          timeSpentSeconds: 3 * 3600,
        },
      },
    });
  });

  it.each([
    ['adjustEstimate=new', 'newEstimate'],
    ['adjustEstimate=new&newEstimate=soon', 'newEstimate'],
    ['adjustEstimate=manual', 'reduceBy'],
  ])('refuses %s', async (query, field) => {
    const res = await call('POST', `/issue/PROJ-2/worklog?${query}`, worklog());
    expect(res.status).toBe(400);
    expect((res.body as { errors: Record<string, string> }).errors).toHaveProperty(field);
    expect(sb.worklogs()).toHaveLength(0);
  });

  it('refuses an unknown adjustEstimate', async () => {
    expect((await call('POST', '/issue/PROJ-2/worklog?adjustEstimate=sometimes', worklog())).status).toBe(
      400,
    );
  });
});

describe('issues, time tracking, limits', () => {
  it('answers 404 with Jira body for a missing issue', async () => {
    const only = await startSandbox({ issues: ['PROJ-1'] });
    try {
      const res = await client(only)('POST', '/issue/PROJ-2/worklog', worklog());
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        errorMessages: ['Issue does not exist or you do not have permission to see it.'],
        errors: {},
      });
      expect((await client(only)('POST', '/issue/proj-1/worklog', worklog())).status).toBe(201);
      expect(only.worklogs('PROJ-1')).toHaveLength(1);
    } finally {
      await only.close();
    }
    expect((await call('GET', '/issue/not-a-key/worklog')).status).toBe(404);
  });

  it('refuses worklogs while time tracking is off, and says so in /configuration', async () => {
    sb.setTimeTracking({ enabled: false });
    const res = await call('POST', '/issue/PROJ-1/worklog', worklog());
    expect(res.status).toBe(400);
    expect((res.body as { errorMessages: string[] }).errorMessages[0]).toMatch(/time tracking/i);
    const conf = await call('GET', '/configuration');
    expect(conf.body).toMatchObject({ timeTrackingEnabled: false });
    expect(conf.body).not.toHaveProperty('timeTrackingConfiguration');
    sb.setTimeTracking({ enabled: true, hoursPerDay: 7.5, daysPerWeek: 4 });
    expect((await call('GET', '/configuration')).body).toMatchObject({
      timeTrackingEnabled: true,
      timeTrackingConfiguration: {
        workingHoursPerDay: 7.5,
        workingDaysPerWeek: 4,
        timeFormat: 'pretty',
        defaultUnit: 'minute',
      },
    });
  });

  it('answers 413 past the per-issue worklog limit', async () => {
    const small = await startSandbox({ worklogLimitPerIssue: 2 });
    try {
      const post = () => client(small)('POST', '/issue/PROJ-1/worklog', worklog());
      expect((await post()).status).toBe(201);
      expect((await post()).status).toBe(201);
      expect((await post()).status).toBe(413);
      expect(small.worklogs()).toHaveLength(2);
    } finally {
      await small.close();
    }
  });
});

describe('auth', () => {
  it('answers /myself with the user, and 401 for wrong or missing credentials everywhere', async () => {
    const me = await call('GET', '/myself');
    expect(me).toMatchObject({
      status: 200,
      body: { emailAddress: 'dev@example.com', active: true, timeZone: 'UTC' },
    });
    expect((me.body as { accountId: string }).accountId).toBeTruthy();
    const wrong = client(sb, basicAuth('dev@example.com', 'wrong'));
    for (const [method, path] of [
      ['GET', '/myself'],
      ['GET', '/configuration'],
      ['POST', '/issue/PROJ-1/worklog'],
      ['GET', '/issue/PROJ-1/worklog'],
    ] as const) {
      const res = await wrong(method, path, method === 'POST' ? worklog() : undefined);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ errorMessages: [expect.any(String)] });
    }
    const none = await fetch(`${sb.url}/rest/api/3/myself`);
    expect(none.status).toBe(401);
    expect(sb.worklogs()).toHaveLength(0);
  });

  it('takes a bearer token when configured with a token alone', async () => {
    const dc = await startSandbox({ credentials: { token: 'pat-123' } });
    try {
      expect(dc.env).toMatchObject({ JIRA_BASE_URL: dc.url, JIRA_API_TOKEN: 'pat-123' });
      expect(dc.env).not.toHaveProperty('JIRA_USER_EMAIL');
      expect((await client(dc, 'Bearer pat-123')('GET', '/myself', undefined, 2)).status).toBe(200);
      expect((await client(dc, 'Bearer nope')('GET', '/myself', undefined, 2)).status).toBe(401);
      expect((await client(dc, basicAuth('dev@example.com', 'pat-123'))('GET', '/myself')).status).toBe(401);
    } finally {
      await dc.close();
    }
  });

  it('records requests with lower-cased headers and the Authorization redacted', async () => {
    await call('POST', '/issue/PROJ-1/worklog?notifyUsers=false', worklog());
    const rec = sb.requests.at(-1);
    expect(rec).toMatchObject({
      method: 'POST',
      path: '/rest/api/3/issue/PROJ-1/worklog',
      query: { notifyUsers: 'false' },
      status: 201,
      body: worklog(),
    });
    expect(rec?.headers.authorization).toBe('[redacted]');
    expect(JSON.stringify(sb.requests)).not.toContain(
      Buffer.from('dev@example.com:sandbox-token').toString('base64'),
    );
    expect(rec?.headers['content-type']).toBe('application/json');
  });
});
