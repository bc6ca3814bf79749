// Jira client benchmark against the embedded sandbox on 127.0.0.1: the client's overhead (pacing,
// retries bookkeeping, error mapping, JSON) over raw undici requests on an identical keep-alive Pool
// (the baseline, same process), for reads and for worklog posts spread over many issues. Also the
// wall time of 45 posts to one issue, which the per-issue write limit (20 per 2 s) paces on purpose.
// Standalone: `node bench/jira-client.mjs` (bundles src with esbuild into a temp dir).
import { build } from 'esbuild';
import { nodeBundle } from '../scripts/esbuild-node.mjs';
import { Buffer } from 'node:buffer';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const RUNS = 5;
const READS = 400;
const ISSUES = 40;
const POSTS_PER_ISSUE = 10;
const CONCURRENCY = 4;

const tmp = mkdtempSync(join(tmpdir(), 'jlog-bench-jira-'));
try {
  const src = (p) => fileURLToPath(new URL(`../src/${p}`, import.meta.url));
  const entry = join(tmp, 'entry.ts');
  writeFileSync(
    entry,
    [
      `export { createJiraClient } from ${JSON.stringify(src('jira/client.ts'))};`,
      `export { startSandbox } from ${JSON.stringify(src('sandbox/server.ts'))};`,
      `export { Pool } from 'undici';`,
    ].join('\n'),
  );
  await build({
    entryPoints: [entry],
    outfile: join(tmp, 'bundle.mjs'),
    ...nodeBundle,
    nodePaths: [fileURLToPath(new URL('../node_modules', import.meta.url))],
  });
  const { createJiraClient, startSandbox, Pool } = await import(pathToFileURL(join(tmp, 'bundle.mjs')).href);

  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const auth = `Basic ${Buffer.from('dev@example.com:sandbox-token').toString('base64')}`;
  const body = (i) => ({
    timeSpentSeconds: 1800,
    started: '2026-03-02T10:00:00.000+0100',
    comment: {
      type: 'doc',
      version: 1,
      content: [{ type: 'paragraph', content: [{ type: 'text', text: `w${i}` }] }],
    },
    properties: [{ key: 'jlog', value: { v: 1, id: `bench:${i}`, fp: `fp${i}`, ck: `ck${i}` } }],
  });

  /** Runs jobs with at most CONCURRENCY at once (the baseline has no semaphore of its own). */
  async function limited(n, job) {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < n) await job(next++);
      }),
    );
  }

  async function measure(label, raw, viaClient) {
    const rawMs = [];
    const clientMs = [];
    for (let run = 0; run < RUNS; run++) {
      for (const [out, fn] of [
        [rawMs, raw],
        [clientMs, viaClient],
      ]) {
        const sandbox = await startSandbox();
        const pool = new Pool(sandbox.url, { connections: CONCURRENCY, pipelining: 1 });
        const client = createJiraClient(
          {
            baseUrl: sandbox.url,
            deployment: 'cloud',
            auth: { type: 'basic', email: 'dev@example.com', token: 'sandbox-token' },
          },
          { concurrency: CONCURRENCY },
        );
        const t0 = performance.now();
        await fn({ sandbox, pool, client });
        out.push(performance.now() - t0);
        await client.close();
        await pool.close();
        await sandbox.close();
      }
    }
    const r = median(rawMs);
    const c = median(clientMs);
    console.log(
      `${label.padEnd(34)} raw undici ${r.toFixed(1).padStart(7)} ms   client ${c.toFixed(1).padStart(7)} ms   ratio ${(c / r).toFixed(2)}`,
    );
  }

  await measure(
    `${READS} GET /myself`,
    async ({ pool }) =>
      limited(READS, async () => {
        const res = await pool.request({
          method: 'GET',
          path: '/rest/api/3/myself',
          headers: { authorization: auth },
        });
        await res.body.json();
      }),
    async ({ client }) => Promise.all(Array.from({ length: READS }, () => client.myself())),
  );

  const posts = ISSUES * POSTS_PER_ISSUE;
  await measure(
    `${posts} POST worklog, ${ISSUES} issues`,
    async ({ pool }) =>
      limited(posts, async (i) => {
        const res = await pool.request({
          method: 'POST',
          path: `/rest/api/3/issue/PROJ-${(i % ISSUES) + 1}/worklog?adjustEstimate=auto&notifyUsers=false`,
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify(body(i)),
        });
        await res.body.json();
        if (res.statusCode !== 201) throw new Error(`raw POST answered ${res.statusCode}`);
      }),
    async ({ client }) =>
      Promise.all(
        Array.from({ length: posts }, (_, i) =>
          client.addWorklog(`PROJ-${(i % ISSUES) + 1}`, body(i), {
            adjustEstimate: 'auto',
            notifyUsers: false,
          }),
        ),
      ),
  );

  // Paced on purpose: the first 20 go at once, the next 20 after the 2 s window, and so on.
  const sandbox = await startSandbox();
  const client = createJiraClient(
    {
      baseUrl: sandbox.url,
      deployment: 'cloud',
      auth: { type: 'basic', email: 'dev@example.com', token: 'sandbox-token' },
    },
    { concurrency: CONCURRENCY },
  );
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 45 }, (_, i) =>
      client.addWorklog('PROJ-1', body(i), { adjustEstimate: 'auto', notifyUsers: false }),
    ),
  );
  const paced = performance.now() - t0;
  const limited429 = sandbox.requests.filter((r) => r.status === 429).length;
  console.log(`45 POST to one issue (paced)          ${paced.toFixed(0)} ms, ${limited429} answered 429`);
  await client.close();
  await sandbox.close();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
