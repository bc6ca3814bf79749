/* eslint-disable no-control-regex -- this file is about control characters */
// Escape sequences from Jira's answers and from commit messages never reach the terminal raw
// (docs/configuration.md, issue 10): a fake "logged in as Admin" line, a window-title change, a cleared
// screen.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runJlog } from './helpers/cli.js';
import { makeRepo, type TempRepo } from './helpers/repo.js';

const SLOW = { timeout: 60_000 };
const EVIL = '\u001b]0;pwned\u0007\u001b[2K\rjlog: logged in as Admin\u009b2J\u202e\njlog: forged line';
// Anything that acts on a terminal: C0 but newline (and tab), DEL, C1, bidi overrides.
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

let repo: TempRepo | undefined;
let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  repo?.cleanup();
  [repo, server] = [undefined, undefined];
});

/** A Jira whose user name and error texts carry escape sequences. */
async function evilJira(): Promise<string> {
  server = createServer((req, res) => {
    req.resume();
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url?.includes('/myself'))
      return json(200, { accountId: '1', displayName: EVIL, emailAddress: 'dev@example.com' });
    if (req.url?.includes('/configuration'))
      return json(200, {
        timeTrackingEnabled: true,
        timeTrackingConfiguration: { workingHoursPerDay: 8, workingDaysPerWeek: 5 },
      });
    return json(400, { errorMessages: [EVIL], errors: {} });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('terminal output is escaped', () => {
  it("Jira's display name and error text: doctor and sync print them escaped", SLOW, async () => {
    const url = await evilJira();
    repo = makeRepo();
    repo.commit('PROJ-7 #time 1h fixed login', { date: new Date(Date.now() - 3_600_000).toISOString() });
    const env = { ...repo.env, JIRA_BASE_URL: url, JIRA_USER_EMAIL: 'dev@example.com', JIRA_API_TOKEN: 't' };
    for (const args of [['doctor'], ['doctor', '--json'], ['sync'], ['sync', '--json'], ['status']]) {
      const r = await runJlog(args, { cwd: repo.dir, env });
      expect(r.stdout + r.stderr, args.join(' ')).toContain('pwned'); // the text is shown…
      expect(r.stdout, args.join(' ')).not.toMatch(RAW); // …but never acts
      expect(r.stderr, args.join(' ')).not.toMatch(RAW);
      // a newline in Jira's text never starts a line of its own
      expect(r.stdout + r.stderr, args.join(' ')).not.toMatch(/^jlog: forged line/m);
    }
  });

  it('commit messages: parse, sync --dry-run and the hooks print them escaped', SLOW, async () => {
    repo = makeRepo();
    const message = `PROJ-7 #time 1h fixed ${EVIL}\n\nPROJ-8 #time 1x ${EVIL}`;
    repo.commit(message, { date: new Date(Date.now() - 3_600_000).toISOString() });
    for (const args of [
      ['parse', message],
      ['parse', '--json', message],
      ['sync', '--dry-run', '--offline'],
      ['sync', '--dry-run', '--offline', '--json'],
      ['hook', 'commit-msg'],
    ]) {
      const r = await runJlog(args, { cwd: repo.dir, env: repo.env });
      expect(r.stdout + r.stderr, args.join(' ')).not.toMatch(RAW);
    }
    const json = await runJlog(['parse', '--json', message], { cwd: repo.dir, env: repo.env });
    const parsed = JSON.parse(json.stdout) as { worklogs: { comment: string }[] };
    expect(parsed.worklogs[0]!.comment).toContain(EVIL.slice(0, 10)); // the value itself is intact
  });

  it(
    "colour codes from a commit message or Jira: never raw without colour, only jlog's own with it",
    SLOW,
    async () => {
      // SGR sequences do not move the cursor, but \x1b[8m hides what follows and \x1b[7m swaps colours.
      const HIDE = 'fixed \u001b[8mhidden\u001b[0m \u001b[31mred\u001b[39m';
      const url = await evilJira();
      repo = makeRepo();
      const message = `PROJ-7 #time 1h ${HIDE}`;
      repo.commit(message, { date: new Date(Date.now() - 3_600_000).toISOString() });
      const jira = { JIRA_BASE_URL: url, JIRA_USER_EMAIL: 'dev@example.com', JIRA_API_TOKEN: 't' };
      for (const args of [
        ['parse', message],
        ['sync', '--dry-run', '--offline'],
        ['doctor'],
        ['sync'],
        ['status'],
      ]) {
        const r = await runJlog(args, { cwd: repo.dir, env: { ...repo.env, ...jira } });
        expect(r.stdout + r.stderr, args.join(' ')).not.toContain('\u001b');
        const colour = await runJlog(args, {
          cwd: repo.dir,
          env: { ...repo.env, ...jira, FORCE_COLOR: '1' },
        });
        expect(colour.stdout + colour.stderr, `${args.join(' ')} FORCE_COLOR`).not.toMatch(
          /\u001b\[(0|7|8)m/,
        );
      }
      const colour = await runJlog(['parse', message], {
        cwd: repo.dir,
        env: { ...repo.env, FORCE_COLOR: '1' },
      });
      expect(colour.stdout).toContain('\u001b[1m'); // jlog's own bold header is kept
      expect(colour.stdout).toContain('\\x1b[8mhidden');
    },
  );

  it(
    "with colour on, a commit's or Jira's text shows even jlog's own colour codes as text",
    SLOW,
    async () => {
      // \x1b[31m is one of the codes jlog writes itself, so only escaping the text where it is shown
      // keeps it from colouring the line (parse, the sync plan, failures, status, doctor).
      const url = await evilJira();
      repo = makeRepo();
      const message = 'PROJ-7 #time 1h fixed \u001b[31mred\u001b[39m';
      repo.commit(message, { date: new Date(Date.now() - 3_600_000).toISOString() });
      const env = {
        ...repo.env,
        FORCE_COLOR: '1',
        JIRA_BASE_URL: url,
        JIRA_USER_EMAIL: 'dev@example.com',
        JIRA_API_TOKEN: 't',
      };
      for (const args of [
        ['parse', message],
        ['sync', '--dry-run', '--offline'],
        ['sync'],
        ['status'],
        ['doctor'],
      ]) {
        const r = await runJlog(args, { cwd: repo.dir, env });
        expect(r.stdout + r.stderr, args.join(' ')).not.toMatch(/\u001b\[31mred/);
      }
      const parsed = await runJlog(['parse', message], { cwd: repo.dir, env });
      expect(parsed.stdout).toContain('\\x1b[31mred');
    },
  );
});
