// Sandbox benchmark: the cost of its Jira behaviour (auth, validation, recording, estimates, paging)
// over a bare node:http server that answers the same JSON without doing any of it (the baseline, same
// process, same keep-alive fetch). Sequential POSTs, then paged reads of an issue holding them, with
// and without a data file (which is rewritten after every write).
// Standalone: `node bench/sandbox.mjs` (bundles src with esbuild into a temp dir).
import { build } from 'esbuild';
import { Buffer } from 'node:buffer';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const RUNS = 5;
const POSTS = 300;
const READS = 100;

const tmp = mkdtempSync(join(tmpdir(), 'jlog-bench-sandbox-'));
try {
  const entry = join(tmp, 'entry.ts');
  const server = fileURLToPath(new URL('../src/sandbox/server.ts', import.meta.url));
  writeFileSync(entry, `export { startSandbox } from ${JSON.stringify(server)};`);
  await build({
    entryPoints: [entry],
    outfile: join(tmp, 'bundle.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    logLevel: 'warning',
  });
  const { startSandbox } = await import(pathToFileURL(join(tmp, 'bundle.mjs')).href);

  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const headers = {
    Authorization: `Basic ${Buffer.from('dev@example.com:sandbox-token').toString('base64')}`,
    'Content-Type': 'application/json',
  };
  const body = (i) =>
    JSON.stringify({
      started: '2026-03-02T10:00:00.000+0100',
      timeSpentSeconds: 1800,
      comment: {
        type: 'doc',
        version: 1,
        content: [{ type: 'paragraph', content: [{ type: 'text', text: `w${i}` }] }],
      },
      properties: [{ key: 'jlog', value: { v: 1, id: `bench:${i}` } }],
    });

  /** A server that reads the body and answers fixed JSON: what any HTTP server costs. */
  async function startBaseline() {
    const page = JSON.stringify({ startAt: 0, maxResults: 100, total: POSTS, worklogs: [] });
    const srv = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const payload = req.method === 'POST' ? body(0) : page;
        res.writeHead(req.method === 'POST' ? 201 : 200, { 'Content-Type': 'application/json' });
        res.end(payload);
      });
    });
    await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${srv.address().port}`, close: () => new Promise((r) => srv.close(r)) };
  }

  async function workload(url) {
    const t0 = performance.now();
    for (let i = 0; i < POSTS; i++) {
      const res = await globalThis.fetch(`${url}/rest/api/3/issue/PROJ-1/worklog`, {
        method: 'POST',
        headers,
        body: body(i),
      });
      await res.text();
    }
    const t1 = performance.now();
    for (let i = 0; i < READS; i++) {
      const startAt = (i * 100) % POSTS;
      const res = await globalThis.fetch(
        `${url}/rest/api/3/issue/PROJ-1/worklog?expand=properties&maxResults=100&startAt=${startAt}`,
        { headers },
      );
      await res.json();
    }
    return { post: (t1 - t0) / POSTS, read: (performance.now() - t1) / READS };
  }

  const results = { baseline: [], sandbox: [], sandboxData: [] };
  for (let run = 0; run < RUNS; run++) {
    const base = await startBaseline();
    results.baseline.push(await workload(base.url));
    await base.close();
    const sb = await startSandbox({ perIssueWriteLimit: false });
    results.sandbox.push(await workload(sb.url));
    await sb.close();
    const sbData = await startSandbox({ perIssueWriteLimit: false, data: join(tmp, `data-${run}.json`) });
    results.sandboxData.push(await workload(sbData.url));
    await sbData.close();
  }
  const base = {
    post: median(results.baseline.map((r) => r.post)),
    read: median(results.baseline.map((r) => r.read)),
  };
  for (const [name, rs] of Object.entries(results)) {
    const post = median(rs.map((r) => r.post));
    const read = median(rs.map((r) => r.read));
    console.log(
      `${name.padEnd(12)} POST ${post.toFixed(3)} ms (x${(post / base.post).toFixed(2)})  ` +
        `GET page of 100 ${read.toFixed(3)} ms (x${(read / base.read).toFixed(2)})`,
    );
  }
  console.log(`median of ${RUNS} runs; ${POSTS} sequential POSTs to one issue, ${READS} paged reads`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
