// The hook handlers (docs/commands.md). They record and hand posting to a detached background worker, so git
// never waits for Jira; only strict mode (commit-msg) and failPushOnError (pre-push) may fail git.
import { readFileSync, writeFileSync } from 'node:fs';
import { insertBranchKey, parseMessage } from '../core/grammar.js';
import {
  commitExists,
  getConfig,
  isAncestor,
  isCherryPickInProgress,
  isRebaseInProgress,
  layoutAt,
  readCommit,
  readHeadCommit,
  readCommits,
  revList,
} from '../git/index.js';
import { spawnBackgroundFlush } from './background.js';
import { openRepo, openRepoAt, type RepoContext } from './context.js';
import { debugLogger } from './debug.js';
import { blockedLine, blockedNotice, noteBlocked, reportFailuresSince } from './notice.js';
import { recordQueued } from './queue.js';
import { offlinePlanOptions, recordCommits, recordNewCommit } from './record.js';
import { recordCommitRewrite, recordForcePush, type RewriteNote } from './rewrites.js';
import { formatDuration } from '../core/duration.js';

export interface HookIO {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin: () => Promise<string>;
  /** One line to the user (stderr). */
  say: (line: string) => void;
}

/** commit-msg <file>: the branch's key into keyless `#time` lines; diagnostics block only in strict mode. */
export async function commitMsg(io: HookIO, file: string): Promise<number> {
  const ctx = await openRepo(io.cwd, io.env);
  // The message file still holds git's comment lines (and a `commit -v` diff below the scissors).
  const commentChar = (await getConfig(ctx.repo.top, 'core.commentChar')) ?? '#';
  const grammar = {
    ...(await offlinePlanOptions(ctx)).grammar,
    gitCommentChar: commentChar === 'auto' ? '#' : commentChar,
  };
  let message = readFileSync(file, 'utf8');
  if (ctx.repo.branch !== null) {
    const withKey = insertBranchKey(message, ctx.repo.branch, grammar);
    if (withKey !== null) {
      writeFileSync(file, withKey);
      message = withKey;
      io.say(`jlog: took the issue key from branch ${ctx.repo.branch} for #time`);
    }
  }
  if (!ctx.config.strict) return 0;
  const { diagnostics } = parseMessage(message, grammar);
  debug(
    ctx,
    io,
    `commit-msg (strict): ${diagnostics.length} bad token${diagnostics.length === 1 ? '' : 's'}`,
  );
  if (diagnostics.length === 0) return 0;
  for (const d of diagnostics) io.say(`jlog: line ${d.line}: ${d.message}`);
  io.say('jlog: commit rejected (strict: true): fix the #time tokens above, or commit with JLOG_SKIP=1');
  return 1;
}

/** post-commit: HEAD's tokens become pending; with postOn "commit" the worker posts them right away. */
export async function postCommit(io: HookIO): Promise<number> {
  // Fast path: HEAD straight from the object store, no git process; git itself when that cannot be.
  const layout = layoutAt(io.cwd, io.env);
  const fast = layout === null ? null : readHeadCommit(layout);
  const ctx =
    layout !== null && fast !== null
      ? await openRepoAt(layout, fast.commit.sha, fast.committerEmail, io.env)
      : await openRepo(io.cwd, io.env);
  if (isRebaseInProgress(ctx.repo.gitDir) || isCherryPickInProgress(ctx.repo.gitDir)) return 0;
  // Small independent reads at once (each is a round trip through libuv's threads, issue 13); the
  // lines they lead to keep their order, since each is awaited before the next line is said.
  const optionsRead = offlinePlanOptions(ctx);
  const blockedRead =
    ctx.config.postOn === 'manual' ? Promise.resolve(null) : blockedNotice(ctx.ledger, io.env);
  optionsRead.catch(() => {}); // awaited below; a failure before then is not unhandled
  blockedRead.catch(() => {});
  await reportFailuresSince(ctx.ledger, io.say);
  const head = fast?.commit ?? (await readCommit(ctx.repo.top, 'HEAD'));
  if (head === null) return 0;
  const options = await optionsRead;
  const recorded = await recordNewCommit(ctx, head, options);
  debug(
    ctx,
    io,
    `post-commit ${head.sha.slice(0, 12)}: ${recorded.pending.length} pending, ${recorded.skipped.length} skipped, ${recorded.diagnostics.length} diagnostics${recorded.pending.length > 0 && ctx.config.postOn === 'commit' ? '; worker started' : ''}`,
  );
  for (const d of recorded.diagnostics) io.say(`jlog: line ${d.line}: ${d.message} (not logged)`);
  const blocked = await blockedRead;
  if (recorded.pending.length > 0) {
    const what = recorded.pending
      .map((w) => `${w.issue} ${formatDuration(w.seconds, options.grammar)}`)
      .join(', ');
    const when =
      ctx.config.postOn === 'push'
        ? ', posts on push'
        : ctx.config.postOn === 'commit'
          ? ', posts now, in the background'
          : ', posts with jlog flush';
    // Blocked (no credentials, 401): no promise about when; the next line says what to fix.
    io.say(`jlog: ${what} pending${blocked === null ? when : ''}`);
    // Every pending token, so what an outage left behind goes with this one.
    // With commands on, HEAD is handed over too: its `#comment` and transitions are planned only for
    // the commits a flush is given (no hook records them pending).
    if (ctx.config.postOn === 'commit')
      spawnBackgroundFlush(ctx, postsCommands(ctx.config) ? [head.sha] : []);
  }
  if (blocked !== null) io.say(blockedLine(blocked, recorded.pending.length));
  await recordQueuedAndSay(ctx, io);
  return 0;
}

/**
 * post-rewrite <amend|rebase>: git's old→new mapping goes into the ledger (core/rewrite.ts decides
 * which new token stands for which old one). No Jira here: the next posting run aliases, updates or
 * deletes the old tokens' worklogs.
 */
export async function postRewrite(io: HookIO, kind: string): Promise<number> {
  const ctx = await openRepo(io.cwd, io.env);
  const pairs = (await io.stdin())
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(
      (p): p is [string, string, ...string[]] =>
        p.length >= 2 && /^[0-9a-f]{40,64}$/.test(p[0]!) && /^[0-9a-f]{40,64}$/.test(p[1]!),
    )
    .map((p) => [p[0], p[1]] as const);
  if (pairs.length === 0) return 0;
  const notes = await recordCommitRewrite(ctx, kind === 'amend' ? 'amend' : 'rebase', pairs);
  debug(ctx, io, `post-rewrite ${kind}: ${pairs.length} commits, ${notes.length} tokens on Jira changed`);
  sayRewrites(io, ctx.config, notes, kind);
  return 0;
}

/** One line per posted token a rewrite changes on Jira, saying when it happens. */
function sayRewrites(
  io: HookIO,
  config: { rewrites?: string; postOn: string },
  notes: readonly RewriteNote[],
  kind: string,
): void {
  const report = config.rewrites === 'report';
  for (const { old, to } of notes) {
    const token = old.kind === 'comment' ? 'a comment' : formatDuration(old.seconds);
    const what = `${old.issue} ${token} from ${old.sha.slice(0, 10)}`;
    if (kind === 'push' && to === null) {
      io.say(
        `jlog: ${what} is on Jira and no longer on a branch; jlog undo ${old.sha.slice(0, 10)} takes it back`,
      );
    } else if (report) {
      io.say(
        `jlog: ${what} is on Jira and the ${kind} changed it; jlog status lists it (rewrites: "report")`,
      );
    } else {
      const change = to === null ? 'deletes it' : 'brings it in line';
      io.say(`jlog: ${what} is on Jira and the ${kind} changed it; the next posting run ${change}`);
    }
  }
}

const ZERO = /^0+$/;

/**
 * pre-push <remote> <url>: hands the pushed commits to the worker, which records and posts them. A
 * force-push (the remote ref is not an ancestor of what is pushed) maps the tokens of the commits that
 * leave the branch first (docs/exactly-once.md). The pushed commits are read once, by whoever records them.
 */
export async function prePush(io: HookIO, remote: string): Promise<number> {
  const ctx = await openRepo(io.cwd, io.env);
  await reportFailuresSince(ctx.ledger, io.say);
  const shas = new Set<string>();
  const leaving = new Set<string>();
  const grep = pushGrep(ctx.config);
  for (const line of (await io.stdin()).split('\n')) {
    const [, localSha, , remoteSha] = line.trim().split(/\s+/);
    if (localSha === undefined || remoteSha === undefined || ZERO.test(localSha)) continue; // deletion
    const fresh = ZERO.test(remoteSha);
    const range = fresh ? [localSha, '--not', '--remotes'] : [`${remoteSha}..${localSha}`];
    const listed = await revList(ctx.repo.top, [...grep, ...range]).catch(() =>
      revList(ctx.repo.top, [...grep, localSha, '--not', '--remotes']),
    );
    for (const sha of listed) shas.add(sha);
    if (
      !fresh &&
      (await commitExists(ctx.repo.top, remoteSha)) &&
      !(await isAncestor(ctx.repo.top, remoteSha, localSha))
    ) {
      for (const sha of await revList(ctx.repo.top, [...grep, remoteSha, '--not', localSha]).catch(() => []))
        leaving.add(sha);
    }
  }
  if (leaving.size > 0) {
    const notes = await recordForcePush(ctx, [...leaving], [...shas]);
    sayRewrites(io, ctx.config, notes, 'push');
  }
  await recordQueuedAndSay(ctx, io);
  if (ctx.config.postOn !== 'manual') {
    const blocked = await blockedNotice(ctx.ledger, io.env);
    if (blocked !== null) io.say(blockedLine(blocked));
  }
  // rev-list already kept only the commits that mention #time: whoever records them reads them, once.
  const pushed = [...shas];
  debug(
    ctx,
    io,
    `pre-push ${remote}: ${pushed.length} commits with tokens, ${leaving.size} leaving the branch; postOn ${ctx.config.postOn}`,
  );
  if (ctx.config.postOn === 'push' && (!ctx.config.failPushOnError || pushed.length === 0)) {
    // The worker records what the ledger lacks (commits made with hooks skipped), then posts, with
    // every older pending token whose commit is on a remote by now and a force-push's rewrites, even
    // when this push carries no token (docs/commands.md): reading the ledger is its cost, not the push's.
    spawnBackgroundFlush(ctx, pushed, { onlyPushed: true });
    return 0;
  }
  if (pushed.length === 0) return 0;
  if (ctx.config.postOn !== 'push') {
    await recordCommits(
      ctx,
      await readCommits(ctx.repo.top, {
        shas: pushed,
        grepTime: true,
        grepCommands: postsCommands(ctx.config),
      }),
    );
    return 0;
  }
  // failPushOnError: post now, in the foreground (the run records the pushed commits), and fail the
  // push if anything did not land. Loaded here only: the Jira client stays off the hooks' start-up path.
  const { runPosting } = await import('./run.js');
  let report: Awaited<ReturnType<typeof runPosting>>;
  try {
    report = await runPosting({ cwd: ctx.repo.top, env: io.env, scope: { kind: 'flush', shas: pushed } });
  } catch (err) {
    // Credentials refused or missing: nothing landed. Said in one line with the fix, and the push stops.
    if (!(await noteBlocked(ctx.ledger, err))) throw err;
    const blocked = await blockedNotice(ctx.ledger, io.env);
    if (blocked !== null) io.say(blockedLine(blocked));
    io.say(`jlog: push to ${remote} stopped (failPushOnError: true)`);
    return 1;
  }
  const bad = [...report.failed, ...report.pending];
  for (const o of bad) io.say(`jlog: ${o.worklog.issue}: ${o.error ?? 'not posted'}`);
  if (bad.length > 0) io.say(`jlog: push to ${remote} stopped (failPushOnError: true); run jlog status`);
  return bad.length > 0 ? 1 : 0;
}

/** JLOG_DEBUG=1: what a hook did, in the ledger folder's jlog.log (docs/troubleshooting.md). */
function debug(ctx: RepoContext, io: HookIO, line: string): void {
  debugLogger(ctx, io.env)?.(line);
}

/** rev-list's own filter for commits whose message mentions `#time` (any case, a fixed string). */
const TIME_GREP = ['--regexp-ignore-case', '--fixed-strings', '--grep=#time'];

/** Commits with only a `#comment` or a transition are posted too when jlog posts those (issue 12). */
const postsCommands = (config: RepoContext['config']): boolean =>
  config.commands.comment || config.commands.transitions;

/** What pre-push lists: commits that mention `#time`, or any `#` when commands are posted too. */
function pushGrep(config: RepoContext['config']): string[] {
  return postsCommands(config) ? ['--fixed-strings', '--grep=#'] : TIME_GREP;
}

/** Commits post-commit queued with sh alone (no Node on PATH): their tokens are recorded now. */
async function recordQueuedAndSay(ctx: RepoContext, io: HookIO): Promise<void> {
  const { worklogs: n, commits } = await recordQueued(ctx);
  if (n === 0) return;
  io.say(
    `jlog: recorded ${n} worklog${n === 1 ? '' : 's'} from ${commits} commit${commits === 1 ? '' : 's'} queued by an earlier hook`,
  );
}
