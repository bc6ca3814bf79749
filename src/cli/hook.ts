// `jlog hook <name>`: the hooks' way in. A hook never prints a stack trace and never breaks git by
// crashing: everything is caught here, logged to the ledger dir, and told in one line.
import { join } from 'node:path';
import { escapeOutput } from '../core/escape.js';
import { clause } from '../core/voice.js';
import * as hooks from '../engine/hooks.js';
import { isJlogError } from '../errors.js';
import { gitDirsAt } from '../git/dirs.js';
import { headSha, layoutAt } from '../git/head.js';
import { HOOK_NAMES, isHookName } from '../install/hook-names.js';
import { appendSync, ensurePrivateDirSync } from '../ledger/nofollow.js';
import { ledgerDirFor } from '../ledger/ledger.js';
import { appendQueue } from '../ledger/queue.js';

function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return Promise.resolve('');
  return new Promise((resolve) => {
    let data = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d: string) => (data += d));
    process.stdin.on('end', () => resolve(data));
    process.stdin.on('error', () => resolve(data));
  });
}

export async function runHook(name: string, args: string[]): Promise<number> {
  const env = process.env;
  if (env.JLOG_SKIP === '1') return 0;
  if (!isHookName(name)) {
    process.stderr.write(`jlog: unknown hook '${name}' (hooks: ${HOOK_NAMES.join(', ')})\n`);
    return 2;
  }
  const hook = name;
  // Hook lines quote commit messages: escaped so they never act on the terminal (docs/configuration.md).
  const say = (line: string): void => void process.stderr.write(escapeOutput(line) + '\n');
  let stdinText: Promise<string> | null = null;
  const io = { cwd: process.cwd(), env, say, stdin: () => (stdinText ??= readStdin()) };
  try {
    switch (hook) {
      case 'commit-msg':
        return args[0] === undefined ? 0 : await hooks.commitMsg(io, args[0]);
      case 'post-commit':
        return await hooks.postCommit(io);
      case 'post-rewrite':
        return await hooks.postRewrite(io, args[0] ?? 'amend');
      case 'pre-push':
        return await hooks.prePush(io, args[0] ?? 'origin');
    }
  } catch (err) {
    logCrash(hook, err);
    const what = clause(
      isJlogError(err) ? err.message : `internal error (${err instanceof Error ? err.message : String(err)})`,
    );
    // The commit's tokens must not be lost (docs/commands.md): post-commit queues HEAD as the shim does
    // without Node, and the next hook that runs records it. One line, with the fix when there is one.
    const queued = hook === 'post-commit' && queueHead();
    const fix = isJlogError(err) && err.hint ? `${clause(err.hint)}; ` : '';
    const then = queued
      ? 'the commit is queued for the next hook, git is not affected'
      : 'git is not affected, jlog sync finds the commits later';
    say(`jlog: ${hook} hook: ${what}; ${fix}${then}`);
    return 0;
  }
}

/** Best effort: the crash goes to <common dir>/jlog/jlog.log when we can find it without git. */
function logCrash(hook: string, err: unknown): void {
  try {
    const ledgerDir = ledgerDirFor(commonDir());
    ensurePrivateDirSync(ledgerDir);
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    appendSync(
      join(ledgerDir, 'jlog.log'),
      `${new Date().toISOString()} [${process.pid}] ${hook} crashed: ${detail}\n`,
    );
  } catch {
    // nowhere to log: the one line on stderr is all we can do
  }
}

/** Best effort: HEAD onto `<common dir>/jlog/queue`; whether it is there. */
function queueHead(): boolean {
  try {
    const layout = layoutAt(process.cwd());
    const sha = layout === null ? null : headSha(layout);
    if (layout === null || sha === null) return false;
    appendQueue(ledgerDirFor(layout.commonDir), sha);
    return true;
  } catch {
    return false;
  }
}

/** The common git dir as the hook finds it without git (git runs hooks at the work tree's top). */
function commonDir(): string {
  return gitDirsAt(process.cwd())?.commonDir ?? '.git';
}
