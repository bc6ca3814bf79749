// `jlog ci` logs pushes only (docs/commands.md, issue 10 and 11): each provider's real environment variables
// and event payloads, a fork's pull-request event that must post nothing, a new branch (no `before`)
// read within `ci.since`, Bitbucket Pipelines, and the author named in worklogs CI posts for others.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/server.js';
import { adfToText } from '../src/core/jira-format.js';
import { runJlog } from './helpers/cli.js';
import { sandboxFor } from './helpers/jira.js';
import { makeRepo, makeTempDir, type TempRepo } from './helpers/repo.js';

const SLOW = { timeout: 60_000 };
const ZEROS = '0'.repeat(40);

let repo: TempRepo | undefined;
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  repo?.cleanup();
  [repo, sandbox] = [undefined, undefined];
});

const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();

/** A repo whose history has the CI account's commit and a teammate's (Alice), and a sandbox. */
async function setup() {
  repo = makeRepo({ email: 'dev@example.com', name: 'Dev Eloper' });
  const s = await sandboxFor(repo);
  sandbox = s.sandbox;
  const old = repo.commit('PROJ-1 #time 1h long ago', { date: daysAgo(30) });
  const base = repo.commit('base', { date: daysAgo(3) });
  const mine = repo.commit('PROJ-2 #time 30m my fix', { date: daysAgo(2) });
  const alice = repo.commit('PROJ-3 #time 2h fixed login', {
    date: daysAgo(1),
    email: 'alice@example.com',
    name: 'Alice Doe',
  });
  return { env: s.env, old, base, mine, alice, repo };
}

function githubEvent(name: string, payload: unknown) {
  const file = join(makeTempDir('jlog-gh-'), 'event.json');
  writeFileSync(file, JSON.stringify(payload));
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: name,
    GITHUB_EVENT_PATH: file,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: (payload as { after?: string }).after ?? '',
  };
}

/** The fields of GitHub's push payload that matter, as GitHub writes them. */
const pushPayload = (before: string, after: string) => ({
  ref: 'refs/heads/main',
  before,
  after,
  created: before === ZEROS,
  deleted: false,
  forced: false,
  base_ref: null,
  compare: 'https://github.com/acme/app/compare/x...y',
  commits: [],
  head_commit: { id: after },
  repository: { full_name: 'acme/app' },
  pusher: { name: 'dev' },
});

/** A fork's pull request, as `pull_request` and `pull_request_target` deliver it. */
const prPayload = (base: string, head: string) => ({
  action: 'synchronize',
  number: 7,
  pull_request: {
    number: 7,
    head: { sha: head, ref: 'feature', repo: { full_name: 'mallory/app', fork: true } },
    base: { sha: base, ref: 'main', repo: { full_name: 'acme/app' } },
  },
  before: base,
  after: head,
  repository: { full_name: 'acme/app' },
});

const issues = () =>
  sandbox!
    .worklogs()
    .map((w) => w.issue)
    .sort();
const comments = () =>
  Object.fromEntries(sandbox!.worklogs().map((w) => [w.issue, adfToText(w.comment as never)]));
const writes = () => sandbox!.requests.filter((r) => r.method !== 'GET');

describe('jlog ci on GitHub Actions', () => {
  it(
    'a push logs the pushed range; others are named in the comment, the posting account is not',
    SLOW,
    async () => {
      const { env, base, alice } = await setup();
      const r = await runJlog(['ci', '--json'], {
        cwd: repo!.dir,
        env: { ...env, ...githubEvent('push', pushPayload(base, alice)) },
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(issues()).toEqual(['PROJ-2', 'PROJ-3']);
      expect(comments()).toEqual({ 'PROJ-2': 'my fix', 'PROJ-3': 'Alice Doe: fixed login' });
      // a second run logs nothing again
      const again = await runJlog(['ci'], {
        cwd: repo!.dir,
        env: { ...env, ...githubEvent('push', pushPayload(base, alice)) },
      });
      expect(again.code).toBe(0);
      expect(issues()).toEqual(['PROJ-2', 'PROJ-3']);
    },
  );

  it('ci.authorInComment: false posts the comment as written', SLOW, async () => {
    const { env, base, alice } = await setup();
    writeFileSync(join(repo!.dir, '.jlogrc.json'), JSON.stringify({ ci: { authorInComment: false } }));
    const r = await runJlog(['ci'], {
      cwd: repo!.dir,
      env: { ...env, ...githubEvent('push', pushPayload(base, alice)) },
    });
    expect(r.code).toBe(0);
    expect(comments()['PROJ-3']).toBe('fixed login');
  });

  it('an event path that is not a file (a pipe nobody writes to) is refused at once', SLOW, async () => {
    const { env } = await setup();
    const fifo = join(makeTempDir('jlog-gh-'), 'event.json');
    execFileSync('mkfifo', [fifo]);
    const r = await runJlog(['ci'], {
      cwd: repo!.dir,
      env: { ...env, ...githubEvent('push', {}), GITHUB_EVENT_PATH: fifo },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot read the GitHub event (GITHUB_EVENT_PATH)');
    expect(sandbox!.worklogs()).toEqual([]);
  });

  for (const name of ['pull_request', 'pull_request_target']) {
    it(`a fork's ${name} event posts nothing and exits 2`, SLOW, async () => {
      const { env, base, alice } = await setup();
      const r = await runJlog(['ci'], {
        cwd: repo!.dir,
        env: { ...env, ...githubEvent(name, prPayload(base, alice)) },
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`GitHub Actions event '${name}' is not a push`);
      expect(writes()).toEqual([]);
      expect(sandbox!.worklogs()).toEqual([]);
    });
  }

  it('an explicit --range is the user saying what to log, whatever the event', SLOW, async () => {
    const { env, base, alice } = await setup();
    const r = await runJlog(['ci', '--range', `${base}..${alice}`], {
      cwd: repo!.dir,
      env: { ...env, ...githubEvent('pull_request', prPayload(base, alice)) },
    });
    expect(r.code).toBe(0);
    expect(issues()).toEqual(['PROJ-2', 'PROJ-3']);
  });

  it(
    'a new branch (before of zeros) logs every recent commit, not only the tip, and nothing older than ci.since',
    SLOW,
    async () => {
      const { env, alice } = await setup();
      const r = await runJlog(['ci'], {
        cwd: repo!.dir,
        env: { ...env, ...githubEvent('push', pushPayload(ZEROS, alice)) },
      });
      expect(r.code).toBe(0);
      expect(issues()).toEqual(['PROJ-2', 'PROJ-3']); // PROJ-1 is 30 days old: outside "7 days ago"
      writeFileSync(join(repo!.dir, '.jlogrc.json'), JSON.stringify({ ci: { since: '60 days ago' } }));
      await runJlog(['ci'], {
        cwd: repo!.dir,
        env: { ...env, ...githubEvent('push', pushPayload(ZEROS, alice)) },
      });
      expect(issues()).toEqual(['PROJ-1', 'PROJ-2', 'PROJ-3']);
    },
  );

  it('an event whose shas are not commit ids is refused', SLOW, async () => {
    const { env } = await setup();
    const r = await runJlog(['ci'], {
      cwd: repo!.dir,
      env: { ...env, ...githubEvent('push', pushPayload('--output=/tmp/x', 'HEAD')) },
    });
    expect(r.code).toBe(2);
    expect(writes()).toEqual([]);
  });
});

describe('jlog ci on GitLab CI', () => {
  const gitlab = (source: string, before: string, after: string) => ({
    CI: 'true',
    GITLAB_CI: 'true',
    CI_PIPELINE_SOURCE: source,
    CI_COMMIT_BEFORE_SHA: before,
    CI_COMMIT_SHA: after,
    CI_COMMIT_BRANCH: 'main',
    CI_DEFAULT_BRANCH: 'main',
  });

  it('a push pipeline logs CI_COMMIT_BEFORE_SHA..CI_COMMIT_SHA', SLOW, async () => {
    const { env, mine, alice } = await setup();
    const r = await runJlog(['ci'], { cwd: repo!.dir, env: { ...env, ...gitlab('push', mine, alice) } });
    expect(r.code).toBe(0);
    expect(issues()).toEqual(['PROJ-3']);
  });

  it('a merge-request pipeline posts nothing and exits 2', SLOW, async () => {
    const { env, base, alice } = await setup();
    for (const source of ['merge_request_event', 'external_pull_request_event', 'web']) {
      const r = await runJlog(['ci'], { cwd: repo!.dir, env: { ...env, ...gitlab(source, base, alice) } });
      expect(r.code, source).toBe(2);
      expect(r.stderr).toContain(`GitLab CI event '${source}' is not a push`);
    }
    expect(writes()).toEqual([]);
  });

  it('a variable that is not a commit id is named as it is spelled', SLOW, async () => {
    const { env, mine } = await setup();
    const r = await runJlog(['ci'], { cwd: repo!.dir, env: { ...env, ...gitlab('push', mine, 'main') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^jlog: CI_COMMIT_SHA is not a commit id; pass --range/);
    expect(writes()).toEqual([]);
  });

  it('a new branch (CI_COMMIT_BEFORE_SHA of zeros) logs the recent commits', SLOW, async () => {
    const { env, alice } = await setup();
    const r = await runJlog(['ci'], { cwd: repo!.dir, env: { ...env, ...gitlab('push', ZEROS, alice) } });
    expect(r.code).toBe(0);
    expect(issues()).toEqual(['PROJ-2', 'PROJ-3']);
  });
});

describe('jlog ci on Bitbucket Pipelines', () => {
  const bitbucket = (commit: string, extra: NodeJS.ProcessEnv = {}) => ({
    CI: 'true',
    BITBUCKET_BUILD_NUMBER: '12',
    BITBUCKET_COMMIT: commit,
    BITBUCKET_BRANCH: 'main',
    BITBUCKET_REPO_FULL_NAME: 'acme/app',
    ...extra,
  });

  it('a branch pipeline logs the commits reachable from BITBUCKET_COMMIT within ci.since', SLOW, async () => {
    const { env, alice } = await setup();
    const r = await runJlog(['ci'], { cwd: repo!.dir, env: { ...env, ...bitbucket(alice) } });
    expect(r.code).toBe(0);
    expect(issues()).toEqual(['PROJ-2', 'PROJ-3']);
    expect(comments()['PROJ-3']).toBe('Alice Doe: fixed login');
  });

  it('a pull-request pipeline posts nothing and exits 2', SLOW, async () => {
    const { env, alice } = await setup();
    const r = await runJlog(['ci'], {
      cwd: repo!.dir,
      env: { ...env, ...bitbucket(alice, { BITBUCKET_PR_ID: '7', BITBUCKET_PR_DESTINATION_BRANCH: 'main' }) },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Bitbucket Pipelines event 'pull-request' is not a push");
    expect(writes()).toEqual([]);
  });
});

describe('jlog ci elsewhere', () => {
  it('without a provider or --range: exit 2 with the fix', SLOW, async () => {
    const { env } = await setup();
    const r = await runJlog(['ci'], { cwd: repo!.dir, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pass --range <before>..<after>');
  });
});
