// The post figure's reference (issue 13): a bare undici script that makes exactly the requests a
// jlog run makes for the same worklogs (the time tracking read, then per issue the worklog list and
// the tombstone property side by side, then the issue's POSTs one after another) with the same
// slots, and nothing else: no git, no plan, no ledger. It shows what the sandbox, the latency and the
// request count allow on this machine, beside jlog's own figure.
// With "tombstones": false it skips the tombstone read: the ideal's request count (one check per
// issue), to show what that read costs.
//   JIRA_BASE_URL, JIRA_USER_EMAIL, JIRA_API_TOKEN: the sandbox; BARE_PLAN: JSON
//   {"concurrency":16,"issues":{"PROJ-1":20,...},"tombstones":true}
import { Buffer } from 'node:buffer';
import { Pool } from 'undici';

const plan = JSON.parse(process.env.BARE_PLAN ?? '{}');
const auth = `Basic ${Buffer.from(`${process.env.JIRA_USER_EMAIL}:${process.env.JIRA_API_TOKEN}`).toString('base64')}`;
const pool = new Pool(process.env.JIRA_BASE_URL, { connections: plan.concurrency });

let active = 0;
const waiting = [];
async function send(method, path, body) {
  if (active >= plan.concurrency) await new Promise((resolve) => waiting.push(resolve));
  else active++;
  try {
    const headers = { authorization: auth, accept: 'application/json' };
    if (body) headers['content-type'] = 'application/json';
    const res = await pool.request({ method, path, headers, body: body && JSON.stringify(body) });
    const text = await res.body.text();
    if (res.statusCode >= 300 && res.statusCode !== 404)
      throw new Error(`${method} ${path}: ${res.statusCode}`);
    return text === '' ? null : JSON.parse(text);
  } finally {
    const next = waiting.shift();
    if (next) next();
    else active--;
  }
}

const api = '/rest/api/3';
const config = send('GET', `${api}/configuration`);
await Promise.all(
  Object.entries(plan.issues).map(async ([issue, posts]) => {
    await Promise.all([
      send('GET', `${api}/issue/${issue}/worklog?expand=properties`),
      plan.tombstones === false ? null : send('GET', `${api}/issue/${issue}/properties/jlog`),
    ]);
    for (let n = 0; n < posts; n++) {
      await send('POST', `${api}/issue/${issue}/worklog?adjustEstimate=auto&notifyUsers=true`, {
        timeSpentSeconds: 900,
        started: '2026-11-27T09:05:00.000+0100',
        comment: {
          type: 'doc',
          version: 1,
          content: [{ type: 'paragraph', content: [{ type: 'text', text: `bare step ${n}` }] }],
        },
        properties: [{ key: 'jlog', value: { v: 2, id: `${issue}:${n}`, fp: 'bare', a: 'bare' } }],
      });
    }
  }),
);
await config;
await pool.close();
