// The hook handlers (SPEC §5). They record and hand posting to a detached background worker, so git
// never waits for Jira; only strict mode (commit-msg) and failPushOnError (pre-push) may fail git.
import { readFileSync, writeFileSync } from 'node:fs';
import { insertBranchKey, parseMessage } from '../core/grammar.js';
import { identify } from '../core/identity.js';
import type { LedgerRecord } from '../core/types.js';
import {
  commitExists,
  getConfig,
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
import { blockedLine, blockedNotice, reportFailuresSince } from './notice.js';
import { hasQueue, takeQueue } from '../ledger/queue.js';
import { offlinePlanOptions, recordCommits, recordNewCommit } from './record.js';
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
  await reportFailuresSince(ctx.ledger, io.say);
  const head = fast?.commit ?? (await readCommit(ctx.repo.top, 'HEAD'));
  if (head === null) return 0;
  const options = await offlinePlanOptions(ctx);
  const recorded = await recordNewCommit(ctx, head, options);
  for (const d of recorded.diagnostics) io.say(`jlog: line ${d.line}: ${d.message} (not logged)`);
  const blocked = ctx.config.postOn === 'manual' ? null : await blockedNotice(ctx.ledger, io.env);
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
    if (ctx.config.postOn === 'commit') spawnBackgroundFlush(ctx, []);
  }
  if (blocked !== null) io.say(blockedLine(blocked, recorded.pending.length));
  await recordQueued(ctx, io);
  return 0;
}

/**
 * post-rewrite <amend|rebase>: the new commits inherit the ledger state of the old ones, token by
 * token (same fingerprint). Old pending tokens with no heir are skipped as rewritten, so they are not
 * posted from a commit that no longer exists.
 */
export async function postRewrite(io: HookIO, kind: string): Promise<number> {
  const ctx = await openRepo(io.cwd, io.env);
  const pairs = (await io.stdin())
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(
      (p): p is [string, string, ...string[]] =>
        p.length >= 2 && /^[0-9a-f]{40,64}$/.test(p[0]!) && /^[0-9a-f]{40,64}$/.test(p[1]!),
    );
  if (pairs.length === 0) return 0;
  const newCommits = await readCommits(ctx.repo.top, { shas: [...new Set(pairs.map((p) => p[1]))] });
  const bySha = new Map(newCommits.map((c) => [c.sha, c]));
  const options = await offlinePlanOptions(ctx);
  const orphans = await ctx.ledger.update((view) => {
    const records: LedgerRecord[] = [];
    const carried = new Set<string>();
    const inherited = new Set<string>();
    const posted: LedgerRecord[] = [];
    for (const [oldSha, newSha] of pairs) {
      // Records an earlier rewrite already carried away are history, not heirs.
      const old = view.bySha(oldSha).filter((r) => r.code !== REWRITTEN);
      const commit = bySha.get(newSha);
      if (old.length === 0 || commit === undefined) continue;
      const tokens = parseMessage(commit.message, options.grammar).worklogs;
      const ids = identify(commit, tokens);
      const heirs = new Map<number, LedgerRecord>();
      const claim = (n: number, match: (r: LedgerRecord) => boolean): void => {
        if (inherited.has(ids[n]!.id)) return; // a squash: another old commit's token got here first
        const r = old.find((o) => !carried.has(o.id) && match(o));
        if (r === undefined) return;
        carried.add(r.id);
        inherited.add(ids[n]!.id);
        heirs.set(n, r);
      };
      // Same fingerprint first; then, since git itself says this commit replaces that one, the same
      // issue and seconds (a squash in `rebase -i` takes the first commit's date, so the fingerprint
      // of the squashed-in token changes).
      ids.forEach((id, n) => claim(n, (r) => r.fp === id.fp));
      ids.forEach((_id, n) => {
        if (!heirs.has(n)) claim(n, (r) => r.issue === tokens[n]!.issue && r.seconds === tokens[n]!.seconds);
      });
      for (const [n, heirOf] of heirs) {
        const id = ids[n]!;
        // post-commit already ran for an amend and recorded the new commit's tokens as pending: the
        // state of the token it replaces (posted, say) is the truth. Any other state means an earlier
        // run carried it (git runs post-rewrite for the sequencer's amend, then for the whole rebase).
        const current = view.get(id.id);
        if (current !== undefined && current.state !== 'pending') continue;
        const { id: _old, sha: _sha, at: _at, from: _from, ...state } = heirOf;
        records.push({
          ...state,
          id: id.id,
          sha: commit.sha,
          issue: tokens[n]!.issue,
          from: heirOf.id,
          at: new Date().toISOString(),
        });
      }
      for (const r of old) {
        const heir = [...heirs].find(([, h]) => h.id === r.id);
        if (heir !== undefined || r.state === 'pending' || r.state === 'posting') {
          // Its state lives on in the new commit (or, pending with no heir, it is gone from history):
          // the old id is history, so it is neither posted nor counted twice by report.
          const to = heir === undefined ? commit.sha.slice(0, 10) : ids[heir[0]]!.id;
          records.push({
            ...r,
            state: 'skipped',
            error: `rewritten by ${kind} as ${to}`,
            code: REWRITTEN,
            at: new Date().toISOString(),
          });
        } else if (r.state === 'posted') {
          posted.push(r);
        }
      }
    }
    return { records, result: posted };
  });
  // A posted token the rewrite changed (an amended duration, say): its worklog stays on Jira and the
  // new token will be logged too. Say so, with the way back.
  for (const r of orphans) {
    io.say(
      `jlog: ${r.issue} ${formatDuration(r.seconds, options.grammar)} from ${r.sha.slice(0, 10)} is already on Jira and ` +
        `the ${kind} changed it; to take it back: jlog undo ${r.sha.slice(0, 10)}`,
    );
  }
  // Tokens that are new in the rewritten commits (a reworded message) are recorded like post-commit's.
  await recordCommits(ctx, newCommits);
  return 0;
}

const ZERO = /^0+$/;
const REWRITTEN = 'E_REWRITTEN';

/** pre-push <remote> <url>: records and posts the tokens of the commits being pushed. */
export async function prePush(io: HookIO, remote: string): Promise<number> {
  const ctx = await openRepo(io.cwd, io.env);
  await reportFailuresSince(ctx.ledger, io.say);
  const shas = new Set<string>();
  for (const line of (await io.stdin()).split('\n')) {
    const [, localSha, , remoteSha] = line.trim().split(/\s+/);
    if (localSha === undefined || remoteSha === undefined || ZERO.test(localSha)) continue; // deletion
    const range = ZERO.test(remoteSha) ? [localSha, '--not', '--remotes'] : [`${remoteSha}..${localSha}`];
    const listed = await revList(ctx.repo.top, range).catch(() =>
      revList(ctx.repo.top, [localSha, '--not', '--remotes']),
    );
    for (const sha of listed) shas.add(sha);
  }
  await recordQueued(ctx, io);
  if (ctx.config.postOn !== 'manual') {
    const blocked = await blockedNotice(ctx.ledger, io.env);
    if (blocked !== null) io.say(blockedLine(blocked));
  }
  const commits = shas.size === 0 ? [] : await readCommits(ctx.repo.top, { shas: [...shas], grepTime: true });
  const pushed = commits.map((c) => c.sha);
  if (ctx.config.postOn === 'push' && (!ctx.config.failPushOnError || commits.length === 0)) {
    // The worker records what the ledger lacks (commits made with hooks skipped), then posts, with
    // every older pending token whose commit is on a remote by now, even when this push carries no
    // token (SPEC §5): reading the ledger is its cost, not the push's.
    spawnBackgroundFlush(ctx, pushed, { onlyPushed: true });
    return 0;
  }
  if (commits.length === 0) return 0;
  await recordCommits(ctx, commits);
  if (ctx.config.postOn !== 'push') return 0;
  // failPushOnError: post now, in the foreground, and fail the push if anything did not land. Loaded
  // here only: the Jira client stays off the hooks' start-up path.
  const { runPosting } = await import('./run.js');
  const report = await runPosting({ cwd: ctx.repo.top, env: io.env, scope: { kind: 'flush', shas: pushed } });
  if (report === null) return 0;
  const bad = [...report.failed, ...report.pending];
  for (const o of bad) io.say(`jlog: ${o.worklog.issue}: ${o.error ?? 'not posted'}`);
  if (bad.length > 0) io.say(`jlog: push to ${remote} stopped (failPushOnError: true); run jlog status`);
  return bad.length > 0 ? 1 : 0;
}

/** Commits post-commit queued with sh alone (no Node on PATH): their tokens are recorded now. */
async function recordQueued(ctx: RepoContext, io: HookIO): Promise<void> {
  if (!hasQueue(ctx.ledger.dir)) return;
  const taken = await takeQueue(ctx.ledger.dir);
  if (taken === null) return;
  const known: string[] = [];
  for (const sha of taken.shas) if (await commitExists(ctx.repo.top, sha)) known.push(sha);
  const recorded = await recordCommits(ctx, await readCommits(ctx.repo.top, { shas: known }));
  await taken.done();
  const n = recorded.pending.length;
  if (n > 0) {
    io.say(
      `jlog: recorded ${n} worklog${n === 1 ? '' : 's'} from ${known.length} commit${known.length === 1 ? '' : 's'} queued while node was not found`,
    );
  }
}
