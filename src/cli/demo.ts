// `jlog demo`: everything end to end on this machine. A scratch repo with jlog's hooks, the embedded
// sandbox, a few commits (one with a malformed token), a push to a scratch bare remote, the background
// worker posting, then what Jira received and `jlog status`.
// The demo starts jlog itself as a user would (node:child_process); its git goes through src/git.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adfToText } from '../core/jira-format.js';
import { formatDuration } from '../core/duration.js';
import { execGit } from '../git/index.js';
import { Ledger, ledgerDirFor } from '../ledger/ledger.js';
import { startSandbox } from '../sandbox/server.js';
import { color, out, table } from './output.js';

const COMMITS: { message: string; file: string; hoursAgo: number }[] = [
  { message: 'PROJ-7 #time 1h 30m fixed the login redirect', file: 'login.txt', hoursAgo: 5 },
  { message: 'PROJ-8 PROJ-9 #time 45m code review with the team', file: 'review.txt', hoursAgo: 3 },
  { message: 'PROJ-7 #time soon tidy up', file: 'tidy.txt', hoursAgo: 2 },
  { message: 'OPS-2 #time 2h\n\nupgrade the build agents', file: 'ops.txt', hoursAgo: 1 },
];

const WAIT_MS = 30_000;

export async function run(_args: string[], opts: Record<string, unknown>): Promise<number> {
  const entry = process.argv[1]!;
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'jlog-demo-')));
  const dir = join(root, 'repo');
  const remote = join(root, 'remote.git');
  mkdirSync(dir);
  writeFileSync(join(root, 'gitconfig'), '');
  const sandbox = await startSandbox();
  // The demo's git must not see the user's own hooks or config, and its hooks must find this jlog.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...sandbox.env,
    GIT_CONFIG_GLOBAL: join(root, 'gitconfig'),
    GIT_CONFIG_NOSYSTEM: '1',
    JLOG_BIN: entry,
    NO_COLOR: '1',
  };
  delete env.JLOG_SKIP;
  const git = (...a: string[]) => execGit(a, { cwd: dir, env });
  const jlog = (...a: string[]) =>
    spawnSync(process.execPath, [entry, ...a], { cwd: dir, env, encoding: 'utf8' });
  try {
    out(color.bold(`jlog demo in ${root}`));
    // The demo's token is exported with JIRA_BASE_URL beside it: an environment token goes only there
    // (docs/configuration.md).
    out(`sandbox Jira on ${sandbox.url} (JIRA_BASE_URL, with the sandbox's token in JIRA_API_TOKEN)\n`);
    await execGit(['init', '-q', '--bare', '-b', 'main', remote], { cwd: root, env });
    await git('init', '-q', '-b', 'main');
    await git('config', 'user.email', 'dev@example.com');
    await git('config', 'user.name', 'Dev Eloper');
    await git('config', 'commit.gpgsign', 'false');
    await git('remote', 'add', 'origin', remote);
    const init = jlog('init', '--git');
    step('$ jlog init --git', init.stdout + init.stderr);

    for (const c of COMMITS) {
      writeFileSync(join(dir, c.file), `${c.message}\n`);
      await git('add', c.file);
      const date = new Date(Date.now() - c.hoursAgo * 3_600_000).toISOString();
      // A failed commit or push is shown like any other step (1 and 128: git's failure codes).
      const r = await execGit(['commit', '-q', '-m', c.message], {
        cwd: dir,
        env: { ...env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
        okCodes: [1, 128],
      });
      step(`$ git commit -m ${JSON.stringify(c.message)}`, r.stderr + r.stdout);
    }
    const push = await execGit(['push', '-q', '-u', 'origin', 'main'], { cwd: dir, env, okCodes: [1, 128] });
    step('$ git push -u origin main', push.stderr + push.stdout);

    const ledger = Ledger.open(ledgerDirFor(join(dir, '.git')));
    const settled = await waitForWorker(ledger);
    if (!settled)
      out(
        color.yellow(
          `the background worker did not finish within ${WAIT_MS / 1000} s; see ${ledger.folder.logPath('flush.log')}`,
        ),
      );

    out(color.bold('What Jira received:'));
    const rows = sandbox
      .worklogs()
      .map((w) => [w.issue, formatDuration(w.timeSpentSeconds), w.started, adfToText(w.comment)]);
    for (const line of table([['issue', 'time', 'started', 'comment'], ...rows])) out(`  ${line}`);
    out('');
    const status = jlog('status');
    step('$ jlog status', status.stdout + status.stderr);
    out(
      'Run it yourself: jlog login --base-url https://<site>.atlassian.net (your token is stored for that site ' +
        `only), then jlog init in a repo of yours; or try jlog sandbox first. Scratch files: ${opts.keep ? root : 'removed'}`,
    );
    return settled && rows.length > 0 ? 0 : 1;
  } finally {
    await sandbox.close();
    if (!opts.keep) rmSync(root, { recursive: true, force: true });
  }
}

function step(title: string, output: string): void {
  out(color.cyan(title));
  const text = output.trim();
  if (text) for (const line of text.split('\n')) out(`  ${line}`);
  out('');
}

/** Waits until nothing is pending and no worker holds the post lock (bounded). */
async function waitForWorker(ledger: Ledger): Promise<boolean> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const counts = (await ledger.read()).counts();
    if (counts.pending === 0 && counts.posted > 0) return true;
  }
  return false;
}
