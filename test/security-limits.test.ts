// Limits seen from the outside (issue 10): an endless answer from a hostile or broken Jira ends the
// command with a clear error instead of eating memory until the timeout, and a timeoutMs beyond the
// schema's bounds is a config error, not a hang.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runJlog } from './helpers/cli.js';
import { makeRepo, type TempRepo } from './helpers/repo.js';

const SLOW = { timeout: 90_000 };
let repo: TempRepo | undefined;
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  repo?.cleanup();
  [repo, server] = [undefined, undefined];
});

/** A Jira that answers every request with a JSON body that never ends; counts what it sent. */
async function endlessJira(): Promise<{ url: string; sent: () => number }> {
  let sent = 0;
  const chunk = Buffer.alloc(256 * 1024, 0x20);
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"displayName":"');
    const pump = (): void => {
      for (;;) {
        if (res.destroyed) return;
        sent += chunk.length;
        if (!res.write(chunk)) break;
      }
      res.once('drain', pump);
    };
    res.on('close', () => undefined);
    pump();
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sent: () => sent };
}

describe('limits', () => {
  it(
    'an endless answer is cut at 8 MB: the command ends with a clear error, long before its timeout',
    SLOW,
    async () => {
      const jira = await endlessJira();
      repo = makeRepo();
      writeFileSync(join(repo.dir, '.jlogrc.json'), '{"timeoutMs": 120000}');
      repo.commit('PROJ-7 #time 1h x', { date: new Date(Date.now() - 3_600_000).toISOString() });
      const env = { ...repo.env, JIRA_BASE_URL: jira.url, JIRA_USER_EMAIL: 'a@b.c', JIRA_API_TOKEN: 't' };
      const started = Date.now();
      for (const args of [['doctor'], ['sync']]) {
        const r = await runJlog(args, { cwd: repo.dir, env, timeoutMs: 80_000 });
        expect(r.code, args[0]).not.toBe(0);
        expect(r.code, args[0]).not.toBeNull(); // ended by itself, not killed
        expect(r.stdout + r.stderr, args[0]).toContain('larger than 8 MB');
      }
      expect(Date.now() - started).toBeLessThan(60_000); // the 120 s timeout was not what ended them
      // What it read before giving up is bounded (the server keeps writing until the socket closes).
      expect(jira.sent()).toBeLessThan(100 * 1024 * 1024);
    },
  );

  it('timeoutMs outside 1,000..120,000 is a config error, exit 2', SLOW, async () => {
    repo = makeRepo();
    for (const value of [0, 999, 120_001, 86_400_000]) {
      writeFileSync(join(repo.dir, '.jlogrc.json'), JSON.stringify({ timeoutMs: value }));
      const r = await runJlog(['parse', 'PROJ-1 #time 1h'], { cwd: repo.dir, env: repo.env });
      expect(r.code, String(value)).toBe(2);
      expect(r.stderr, String(value)).toMatch(/timeoutMs: must be (at least 1000|at most 120000)/);
    }
  });
});
