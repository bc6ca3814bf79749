// The remote check's views (src/engine/apply.ts issueViews): each issue is read once per run, and a
// read that failed after its retries is the answer for the run, not read through its retries again.
import { afterEach, describe, expect, it } from 'vitest';
import { issueViews } from '../src/engine/apply.js';
import { createJiraClient } from '../src/jira/client.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';
import { PLANNED } from './helpers/jira.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function setup(): Promise<{ sandbox: Sandbox; views: ReturnType<typeof issueViews> }> {
  const sandbox = await startSandbox({});
  open.push(sandbox);
  const jira = createJiraClient(
    {
      baseUrl: sandbox.url,
      deployment: 'cloud',
      auth: { type: 'basic', email: 'dev@example.com', token: 'sandbox-token' },
    },
    { retryBaseMs: 5, maxRetries: 2 },
  );
  open.push(jira);
  return { sandbox, views: issueViews(jira, { toPost: [PLANNED], gone: [] }) };
}

const worklogReads = (s: Sandbox) =>
  s.requests.filter((q) => q.method === 'GET' && q.path.endsWith('/issue/PROJ-7/worklog')).length;

describe('issueViews', () => {
  it('reads an issue once for the run, however often the run asks', async () => {
    const { sandbox, views } = await setup();
    views.warm();
    const [a, b] = await Promise.all([views.get('PROJ-7'), views.get('PROJ-7')]);
    expect(a).toBe(b);
    expect(await views.get('PROJ-7')).toBe(a);
    expect(worklogReads(sandbox)).toBe(1);
  });

  it('keeps a read that failed after its retries (Jira down): the run does not go through them twice', async () => {
    const { sandbox, views } = await setup();
    sandbox.fault({ fault: { kind: 'status', status: 503 }, pathIncludes: '/worklog', times: Infinity });
    views.warm();
    const first = await views.get('PROJ-7').catch((e: unknown) => e);
    const again = await views.get('PROJ-7').catch((e: unknown) => e);
    expect((first as { code?: string }).code).toBe('E_JIRA_UNAVAILABLE');
    expect(again).toBe(first);
    expect(worklogReads(sandbox)).toBe(3); // one read: the first try and its 2 retries
  });
});
