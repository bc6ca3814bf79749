// A team around one bare remote, as docs/exactly-once.md is tried for real: each developer has a clone with
// the hooks installed, a "provider" clone plays GitHub/GitLab/Bitbucket merging pull requests exactly the
// way they write their commits, and every CI run is a fresh full clone running `jlog ci` from the
// provider's push event. The sandbox is Jira; tests assert what it holds at the end.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adfToText } from '../../src/core/jira-format.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import type { SandboxOptions, StoredWorklog } from '../../src/sandbox/types.js';
import { JLOG_BIN, runJlog, type CliResult } from '../helpers/cli.js';
import { isolatedEnv, makeTempDir } from '../helpers/repo.js';

export interface Person {
  name: string;
  email: string;
}

export const ALICE: Person = { name: 'Alice Doe', email: 'alice@example.com' };
export const BOB: Person = { name: 'Bob Builder', email: 'bob@example.com' };
/** What GitHub writes as the author of a squash when the PR author keeps their email private. */
export const ALICE_NOREPLY: Person = {
  name: 'Alice Doe',
  email: '41898282+alice-doe@users.noreply.github.com',
};
const GITHUB: Person = { name: 'GitHub', email: 'noreply@github.com' };
const GITLAB: Person = { name: 'GitLab', email: 'gitlab@example.com' };
const BITBUCKET: Person = { name: 'Bitbucket', email: 'commits-noreply@bitbucket.org' };

/** Generous: two cores shared by a whole team of test runs. */
const SLOW = 120_000;

export interface Run extends CliResult {
  json: RunJson;
}
export interface RunEntry {
  id: string;
  sha: string;
  issue: string;
  seconds: number;
  comment?: string;
}
export type RunJson = Partial<
  Record<'posted' | 'updated' | 'deleted' | 'alreadyLogged' | 'failed' | 'pending' | 'skipped', RunEntry[]>
>;

/** The `a` of a v2 marker (docs/exactly-once.md): the first 12 hex digits of SHA-256 of the lower-cased email. */
export function markerA(email: string): string {
  return createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 12);
}

/** A time `daysAgo` days before now, at a fixed clock time, in +02:00 (a commit's own offset). */
export function day(daysAgo: number, time = '10:00:00'): string {
  return `${new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10)}T${time}+02:00`;
}

export interface Sh {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Asynchronous on purpose: the sandbox lives in this process and must answer while git and hooks run. */
export function sh(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; input?: string },
): Promise<Sh> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), SLOW);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    // git may exit without reading its stdin (a failed command): not an error of the test.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

function parseRun(r: CliResult): Run {
  const text = r.stdout.trim();
  return { ...r, json: text.startsWith('{') ? (JSON.parse(text) as RunJson) : {} };
}

export interface CommitOptions {
  /** Author and committer date (ISO 8601 with offset). */
  date?: string;
  /** Author other than the clone's user (a commit taken over from a colleague). */
  author?: Person;
  /** Extra environment for this one commit (JLOG_SKIP, a GUI client without hooks). */
  env?: NodeJS.ProcessEnv;
}

export class Clone {
  private files = 0;
  constructor(
    readonly dir: string,
    readonly person: Person,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  /** git, failing the test with git's own words when it fails. */
  async git(args: string[], extraEnv: NodeJS.ProcessEnv = {}, input?: string): Promise<string> {
    const r = await this.tryGit(args, extraEnv, input);
    if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout.trimEnd();
  }

  tryGit(args: string[], extraEnv: NodeJS.ProcessEnv = {}, input?: string): Promise<Sh> {
    return sh('git', args, { cwd: this.dir, env: { ...this.env, ...extraEnv }, ...(input ? { input } : {}) });
  }

  /** Commits a change with this message (through the hooks, when installed); returns the new SHA. */
  async commit(message: string, opts: CommitOptions = {}): Promise<string> {
    writeFileSync(join(this.dir, `work-${this.person.email.split('@')[0]}-${this.files++}.txt`), message);
    await this.git(['add', '-A']);
    await this.git(['commit', '-q', '-F', '-'], commitEnv(opts), message);
    return this.head();
  }

  /** `git commit --amend` with a new message (same author and author date, as git keeps them). */
  async amend(message: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<string> {
    await this.git(['commit', '-q', '--amend', '-F', '-'], extraEnv, message);
    return this.head();
  }

  /**
   * `git rebase -i <onto>` with a scripted todo: `edit` gets the todo lines (`pick <sha> <subject>`)
   * and returns the new ones; `editor` (a shell command, default `true`) edits the messages git asks for.
   */
  async rebaseInteractive(
    onto: string,
    edit: (todo: string[]) => string[],
    opts: { editor?: string; extra?: string[] } = {},
  ): Promise<string> {
    const scripts = makeTempDir('jlog-rebase-');
    const todoOut = join(scripts, 'todo.json');
    const editor = join(scripts, 'sequence-editor.mjs');
    writeFileSync(
      editor,
      [
        "import { readFileSync, writeFileSync } from 'node:fs';",
        'const file = process.argv[2];',
        "const lines = readFileSync(file, 'utf8').split('\\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));",
        `writeFileSync(${JSON.stringify(todoOut)}, JSON.stringify(lines));`,
        `const next = JSON.parse(readFileSync(${JSON.stringify(todoOut + '.next')}, 'utf8'));`,
        "writeFileSync(file, next.join('\\n') + '\\n');",
      ].join('\n'),
    );
    // The todo is computed here, before git runs: list it the way git will.
    const list = (await this.git(['log', '--reverse', '--format=pick %H %s', `${onto}..HEAD`]))
      .split('\n')
      .filter((l) => l !== '');
    writeFileSync(todoOut + '.next', JSON.stringify(edit(list)));
    await this.git(['rebase', '-q', '-i', ...(opts.extra ?? []), onto], {
      GIT_SEQUENCE_EDITOR: `node ${editor}`,
      GIT_EDITOR: opts.editor ?? 'true',
    });
    return this.head();
  }

  head(): Promise<string> {
    return this.git(['rev-parse', 'HEAD']);
  }

  /** Pushes, then waits for the background worker the hooks started. */
  async push(...args: string[]): Promise<Sh> {
    const r = await this.tryGit(['push', '-q', ...args]);
    if (r.code !== 0) throw new Error(`git push ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    await this.workersDone();
    return r;
  }

  jlog(...args: string[]): Promise<Run> {
    return runJlog(args, { cwd: this.dir, env: this.env, timeoutMs: SLOW }).then(parseRun);
  }

  async status(): Promise<StatusJson> {
    const r = await this.jlog('status', '--json');
    return JSON.parse(r.stdout) as StatusJson;
  }

  /** Waits (bounded) until no background worker of this clone is running. */
  async workersDone(): Promise<void> {
    await waitForWorkers(this.dir, this.env);
  }
}

export interface StatusJson {
  pending: number;
  posted: number;
  failed: number;
  skipped: number;
  entries: {
    id: string;
    sha: string;
    issue: string;
    seconds: number;
    state: string;
    reason?: string;
    error?: string;
  }[];
  rewrites?: unknown[];
  orphans?: unknown[];
}

function commitEnv(opts: CommitOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...opts.env };
  if (opts.date) env.GIT_AUTHOR_DATE = env.GIT_COMMITTER_DATE = opts.date;
  if (opts.author) {
    env.GIT_AUTHOR_NAME = opts.author.name;
    env.GIT_AUTHOR_EMAIL = opts.author.email;
  }
  return env;
}

/**
 * The detached `jlog flush --background` workers whose cwd is this clone. Linux exposes them in /proc;
 * elsewhere a foreground `jlog flush` waits for the post lock the worker holds instead.
 */
async function waitForWorkers(dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (!existsSync('/proc/self/cmdline')) {
    await runJlog(['flush'], { cwd: dir, env, timeoutMs: SLOW });
    return;
  }
  for (let i = 0; i < 480; i++) {
    if (!workerRunning(dir)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the background worker in ${dir} still runs after 2 minutes`);
}

function workerRunning(dir: string): boolean {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!argv.includes('flush') || !argv.includes('--background')) continue;
      if (readlinkSync(`/proc/${pid}/cwd`) === dir) return true;
    } catch {
      // the process ended while we looked
    }
  }
  return false;
}

export interface Push {
  before: string;
  after: string;
}

export interface TeamOptions {
  /** The `.jlogrc.json` the team commits (default `{}`). */
  config?: object;
  sandbox?: SandboxOptions;
}

export interface WorklogView {
  issue: string;
  seconds: number;
  comment: string;
  started: string;
  marker: Record<string, unknown> | undefined;
  raw: StoredWorklog;
}

export class Team {
  private clones = 0;
  private cis = 0;
  private provider: Clone | undefined;

  private constructor(
    readonly root: string,
    readonly remote: string,
    readonly sandbox: Sandbox,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  /** A bare remote whose main holds the team's `.jlogrc.json`, and the sandbox as their Jira. */
  static async create(opts: TeamOptions = {}): Promise<Team> {
    const root = makeTempDir('jlog-team-');
    const home = join(root, 'home');
    mkdirSync(home);
    writeFileSync(join(home, '.gitconfig'), '');
    const sandbox = await startSandbox(opts.sandbox ?? {});
    const env = { ...isolatedEnv(home), ...sandbox.env, JLOG_BIN, JLOG_LOCK_STALE_MS: '2000' };
    const remote = join(root, 'origin.git');
    await sh('git', ['init', '-q', '--bare', '-b', 'main', remote], { cwd: root, env });
    const team = new Team(root, remote, sandbox, env);
    const seed = await team.plainClone('seed', { name: 'Team Lead', email: 'lead@example.com' });
    writeFileSync(join(seed.dir, '.jlogrc.json'), JSON.stringify(opts.config ?? {}, null, 2) + '\n');
    await seed.git(['add', '-A']);
    await seed.git(['commit', '-q', '-m', 'Add the jlog config'], {
      GIT_AUTHOR_DATE: day(20),
      GIT_COMMITTER_DATE: day(20),
    });
    await seed.git(['push', '-q', 'origin', 'main']);
    return team;
  }

  /** A developer's clone with `jlog init` run (hooks, default `postOn: "push"` unless configured). */
  async developer(person: Person, opts: { hooks?: boolean } = {}): Promise<Clone> {
    const clone = await this.plainClone(person.email.split('@')[0]!, person);
    if (opts.hooks !== false) {
      const init = await clone.jlog('init', '--git');
      if (init.code !== 0) throw new Error(`jlog init failed: ${init.stderr}`);
    }
    return clone;
  }

  private async plainClone(name: string, person: Person): Promise<Clone> {
    const dir = join(this.root, `${name}-${this.clones++}`);
    await sh('git', ['clone', '-q', this.remote, dir], { cwd: this.root, env: this.env });
    const clone = new Clone(dir, person, this.env);
    await clone.git(['config', 'user.name', person.name]);
    await clone.git(['config', 'user.email', person.email]);
    await clone.git(['config', 'commit.gpgsign', 'false']);
    await clone.git(['config', 'gc.auto', '0']);
    return clone;
  }

  /** The provider's side: a clone that merges pull requests and pushes main, as the web UI does. */
  private async server(): Promise<Clone> {
    this.provider ??= await this.plainClone('provider', GITHUB);
    const p = this.provider;
    await p.git(['fetch', '-q', '--prune', 'origin']);
    await p.git(['checkout', '-q', '-B', 'main', 'origin/main']);
    return p;
  }

  /** Commits of the pull request, oldest first: full messages, as providers list them. */
  private async prCommits(p: Clone, branch: string): Promise<string[]> {
    const out = await p.git(['log', '--reverse', '--format=%B%x00', `origin/main..origin/${branch}`]);
    return out
      .split('\0')
      .map((m) => m.trim())
      .filter((m) => m !== '');
  }

  private async finish(p: Clone, before: string, deleteBranch: string | undefined): Promise<Push> {
    await p.git(['push', '-q', 'origin', 'HEAD:main']);
    if (deleteBranch !== undefined) await p.git(['push', '-q', 'origin', `:${deleteBranch}`]);
    return { before, after: await p.head() };
  }

  /**
   * GitHub "Squash and merge" with its default message: a one-commit PR gets that commit's subject
   * plus ` (#n)` and its body; a longer PR the PR title plus ` (#n)` and `* <message>` per commit;
   * co-authors as `Co-authored-by:` trailers after GitHub's `---------` line.
   */
  async githubSquash(opts: {
    branch: string;
    pr: number;
    author: Person;
    title?: string;
    coAuthors?: Person[];
    deleteBranch?: boolean;
    date?: string;
  }): Promise<Push> {
    const p = await this.server();
    const before = await p.head();
    const commits = await this.prCommits(p, opts.branch);
    let message: string;
    if (commits.length === 1 && opts.title === undefined) {
      const [subject, ...body] = commits[0]!.split('\n');
      message = `${subject} (#${opts.pr})${body.length > 0 ? '\n' + body.join('\n') : ''}`;
    } else {
      message = `${opts.title ?? 'Pull request'} (#${opts.pr})\n\n${commits.map((c) => `* ${c}`).join('\n\n')}`;
    }
    if (opts.coAuthors && opts.coAuthors.length > 0) {
      message += `\n\n---------\n\n${opts.coAuthors.map((c) => `Co-authored-by: ${c.name} <${c.email}>`).join('\n')}`;
    }
    await p.git(['merge', '-q', '--squash', `origin/${opts.branch}`]);
    await p.git(['commit', '-q', '-F', '-'], providerEnv(opts.author, GITHUB, opts.date), message + '\n');
    return this.finish(p, before, opts.deleteBranch ? opts.branch : undefined);
  }

  /** GitHub "Create a merge commit": `Merge pull request #n from <owner>/<branch>`, blank line, PR title. */
  async githubMerge(opts: {
    branch: string;
    pr: number;
    owner: string;
    title: string;
    merger: Person;
  }): Promise<Push> {
    const p = await this.server();
    const before = await p.head();
    const message = `Merge pull request #${opts.pr} from ${opts.owner}/${opts.branch}\n\n${opts.title}\n`;
    await p.git(
      ['merge', '-q', '--no-ff', '--no-edit', `origin/${opts.branch}`, '-m', message],
      providerEnv(opts.merger, GITHUB),
    );
    return this.finish(p, before, undefined);
  }

  /** GitHub "Rebase and merge": every commit re-created on main, author kept, GitHub as committer. */
  async githubRebaseMerge(opts: { branch: string }): Promise<Push> {
    const p = await this.server();
    const before = await p.head();
    await p.git(['checkout', '-q', '-B', 'rebase-merge', `origin/${opts.branch}`]);
    await p.git(['rebase', '-q', '--force-rebase', 'origin/main'], {
      GIT_COMMITTER_NAME: GITHUB.name,
      GIT_COMMITTER_EMAIL: GITHUB.email,
    });
    await p.git(['checkout', '-q', '-B', 'main', 'rebase-merge']);
    return this.finish(p, before, undefined);
  }

  /** GitLab squash (fast-forward merge): title, the commits, `See merge request group/proj!n`. */
  async gitlabSquash(opts: { branch: string; mr: number; title: string; author: Person }): Promise<Push> {
    const p = await this.server();
    const before = await p.head();
    const commits = await this.prCommits(p, opts.branch);
    const message = `${opts.title}\n\n${commits.map((c) => `* ${c}`).join('\n\n')}\n\nSee merge request group/proj!${opts.mr}\n`;
    await p.git(['merge', '-q', '--squash', `origin/${opts.branch}`]);
    await p.git(['commit', '-q', '-F', '-'], providerEnv(opts.author, GITLAB), message);
    return this.finish(p, before, undefined);
  }

  /**
   * GitLab "Merge commit": the default merge commit `Merge branch '<b>' into 'main'`, the title,
   * `See merge request group/proj!n`. With "Squash commits when merging", it merges one squash commit
   * with the default squash template (the MR title), authored by the MR author.
   */
  async gitlabMerge(opts: {
    branch: string;
    mr: number;
    title: string;
    author: Person;
    squash: boolean;
  }): Promise<Push> {
    const p = await this.server();
    const before = await p.head();
    const base = await p.git(['merge-base', 'main', `origin/${opts.branch}`]);
    const squash = !opts.squash
      ? `origin/${opts.branch}`
      : await p.git(
          ['commit-tree', `origin/${opts.branch}^{tree}`, '-p', base, '-F', '-'],
          providerEnv(opts.author, GITLAB),
          `${opts.title}\n`,
        );
    const message = `Merge branch '${opts.branch}' into 'main'\n\n${opts.title}\n\nSee merge request group/proj!${opts.mr}\n`;
    await p.git(['merge', '-q', '--no-ff', squash, '-m', message], providerEnv(opts.author, GITLAB));
    return this.finish(p, before, undefined);
  }

  /** Bitbucket squash: `Merged in <branch> (pull request #n)`, PR title, the commits, `Approved-by:`. */
  async bitbucketSquash(opts: {
    branch: string;
    pr: number;
    title: string;
    merger: Person;
    approver: Person;
  }): Promise<Push> {
    const p = await this.server();
    const before = await p.head();
    const commits = await this.prCommits(p, opts.branch);
    const message =
      `Merged in ${opts.branch} (pull request #${opts.pr})\n\n${opts.title}\n\n` +
      `${commits.map((c) => `* ${c}`).join('\n\n')}\n\nApproved-by: ${opts.approver.name}\n`;
    await p.git(['merge', '-q', '--squash', `origin/${opts.branch}`]);
    await p.git(['commit', '-q', '-F', '-'], providerEnv(opts.merger, BITBUCKET), message);
    return this.finish(p, before, undefined);
  }

  /**
   * A CI job on the push: a fresh full clone (actions/checkout with fetch-depth: 0 fetches every
   * branch), checked out at the pushed commit, `jlog ci --json` reading the provider's push event.
   */
  async ci(push: Push, provider: 'github' | 'gitlab' | 'range' = 'github'): Promise<Run> {
    const dir = join(this.root, `ci-${this.cis++}`);
    await sh('git', ['clone', '-q', this.remote, dir], { cwd: this.root, env: this.env });
    await sh('git', ['checkout', '-q', push.after], { cwd: dir, env: this.env });
    const env: NodeJS.ProcessEnv = { ...this.env, CI: 'true' };
    const args = ['ci', '--json'];
    if (provider === 'github') {
      const event = join(dir, '..', `event-${this.cis}.json`);
      writeFileSync(
        event,
        JSON.stringify({ ref: 'refs/heads/main', before: push.before, after: push.after }),
      );
      Object.assign(env, { GITHUB_ACTIONS: 'true', GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: event });
    } else if (provider === 'gitlab') {
      Object.assign(env, {
        GITLAB_CI: 'true',
        CI_PIPELINE_SOURCE: 'push',
        CI_COMMIT_BEFORE_SHA: push.before,
        CI_COMMIT_SHA: push.after,
      });
    } else {
      args.push('--range', `${push.before}..${push.after}`);
    }
    return parseRun(await runJlog(args, { cwd: dir, env, timeoutMs: SLOW }));
  }

  /** A commit's text as the remote has it (`%B`, `%s`, …): what the provider wrote. */
  show(sha: string, format = '%B'): Promise<string> {
    return sh('git', ['--git-dir', this.remote, 'log', '-1', `--format=${format}`, sha], {
      cwd: this.root,
      env: this.env,
    }).then((r) => r.stdout.trimEnd());
  }

  /** The issue's `jlog` property (docs/exactly-once.md: tombstones), read through Jira's REST API; null when unset. */
  async issueProperty(key: string): Promise<{ undone?: { id: string; fp: string }[] } | null> {
    const auth = Buffer.from(`${this.env.JIRA_USER_EMAIL}:${this.env.JIRA_API_TOKEN}`).toString('base64');
    const res = await fetch(`${this.sandbox.url}/rest/api/3/issue/${key}/properties/jlog`, {
      headers: { Authorization: `Basic ${auth}`, Accept: 'application/json' },
    });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`GET issue property: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { value: { undone?: { id: string; fp: string }[] } }).value;
  }

  /** What Jira holds, oldest first: the end state every workflow test asserts. */
  worklogs(issue?: string): WorklogView[] {
    return this.sandbox
      .worklogs(issue)
      .map((w) => ({
        issue: w.issue,
        seconds: w.timeSpentSeconds,
        comment: w.comment === undefined ? '' : adfToText(w.comment),
        started: w.started,
        marker: w.properties.find((p) => p.key === 'jlog')?.value as Record<string, unknown> | undefined,
        raw: w,
      }))
      .sort((a, b) => a.started.localeCompare(b.started) || a.issue.localeCompare(b.issue));
  }

  /** The worklog writes Jira received (POST, PUT, DELETE of worklogs). */
  writes(method: 'POST' | 'PUT' | 'DELETE'): number {
    return this.sandbox.requests.filter((r) => r.method === method && /\/worklog(\/\d+)?$/.test(r.path))
      .length;
  }

  async close(): Promise<void> {
    await this.sandbox.close();
    // Workers still running would write into the dirs being removed (they end fast: Jira is gone).
    if (existsSync('/proc/self/cmdline')) {
      for (const name of readdirSync(this.root)) {
        await waitForWorkers(join(this.root, name), this.env).catch(() => undefined);
      }
    }
    const { rmSync } = await import('node:fs');
    rmSync(this.root, { recursive: true, force: true });
  }
}

function providerEnv(author: Person, committer: Person, date?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
  };
  if (date) env.GIT_AUTHOR_DATE = env.GIT_COMMITTER_DATE = date;
  return env;
}
