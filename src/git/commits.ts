// Reading commits: `git log -z` with NUL-separated fields, parsed by a pure function. Messages can hold
// any byte but NUL, so NUL is the only safe separator (never split on newlines).
import type { Commit } from '../core/types.js';
import { JlogError, isJlogError } from '../errors.js';
import { sep } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { execGit, safeRev } from './exec.js';
import { startGit, type GitRun } from './spawn.js';

// Seven fields, NUL between them; `-z` ends each commit with one more NUL.
const FIELDS = ['%H', '%P', '%an', '%ae', '%aI', '%s', '%B'] as const;
export const LOG_FORMAT = FIELDS.join('%x00');

/** 40 (SHA-1) or 64 (SHA-256) lower-case hex digits: checked for every commit a scan reads. */
function isSha(text: string): boolean {
  if (text.length !== 40 && text.length !== 64) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Parses `git log -z --format=LOG_FORMAT` output, in git's order. Throws E_GIT on output it cannot read. */
export function parseLogOutput(raw: string): Commit[] {
  if (raw === '') return [];
  const parts = raw.split('\0');
  // A terminating NUL leaves one empty piece at the end.
  if (parts.length % FIELDS.length === 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length % FIELDS.length !== 0) {
    throw new JlogError('E_GIT', `unexpected git log output (${parts.length} fields is not a multiple of 7)`);
  }
  const commits: Commit[] = [];
  for (let i = 0; i < parts.length; i += FIELDS.length)
    commits.push(commitOf(parts.slice(i, i + FIELDS.length)));
  return commits;
}

function commitOf(fields: readonly string[]): Commit {
  const [
    sha = '',
    parents = '',
    authorName = '',
    authorEmail = '',
    authorDate = '',
    subject = '',
    message = '',
  ] = fields;
  if (!isSha(sha))
    throw new JlogError('E_GIT', `unexpected git log output: "${sha.slice(0, 50)}" is not a SHA`);
  return {
    sha,
    parents: parents === '' ? [] : parents.split(' '),
    authorName,
    authorEmail,
    authorDate,
    subject,
    message,
  };
}

/**
 * The same parse as output arrives: each commit is handed out as soon as its seven fields are in, so
 * a caller works on the first commits while git is still walking history (issue 13).
 */
export class LogStream {
  readonly #decoder = new StringDecoder('utf8');
  readonly #onCommit: (commit: Commit) => void;
  #rest = '';

  constructor(onCommit: (commit: Commit) => void) {
    this.#onCommit = onCommit;
  }

  push(chunk: Buffer): void {
    const text = this.#rest + this.#decoder.write(chunk);
    let start = 0;
    for (;;) {
      // Seven NULs end a commit: six between its fields and the one `-z` puts after it.
      let end = start - 1;
      for (let k = 0; k < FIELDS.length && (k === 0 || end !== -1); k++) end = text.indexOf('\0', end + 1);
      if (end === -1) break;
      this.#onCommit(commitOf(text.slice(start, end).split('\0')));
      start = end + 1;
    }
    this.#rest = text.slice(start);
  }

  /** The last commit (git does not end the output with a NUL). */
  end(): void {
    const text = this.#rest + this.#decoder.end();
    this.#rest = '';
    if (text === '') return;
    const parts = text.split('\0');
    if (parts.length !== FIELDS.length) {
      throw new JlogError(
        'E_GIT',
        `unexpected git log output (${parts.length} fields is not a multiple of 7)`,
      );
    }
    this.#onCommit(commitOf(parts));
  }
}

export interface ReadCommitsOptions {
  /** A revision range (`a..b`, `main`, `HEAD~5..`); default HEAD. Ignored when `shas` is given. */
  range?: string;
  /** Exactly these commits (no history walk). */
  shas?: readonly string[];
  /** git's approxidate (`30 days ago`, `2026-01-01`). */
  since?: string;
  until?: string;
  /** Exact author email (case-insensitive). */
  author?: string;
  /** Only commits whose message contains `#time` (any case): the cheap prefilter for the grammar. */
  grepTime?: boolean;
  /** With grepTime: any `#` instead (`#comment` and transitions are posted too, issue 12). */
  grepCommands?: boolean;
  maxCount?: number;
}

/** The `git log` arguments (and stdin) for `opts`. */
function logArgs(opts: ReadCommitsOptions): { args: string[]; input?: string } {
  const args = ['log', '-z', `--format=${LOG_FORMAT}`, '--no-color', '--no-decorate'];
  if (opts.grepTime || opts.author !== undefined) {
    // Fixed strings, any case: `#time` and `<email>` are literals, never patterns.
    args.push('--fixed-strings', '--regexp-ignore-case');
  }
  if (opts.grepTime) args.push(opts.grepCommands ? '--grep=#' : '--grep=#time');
  if (opts.author !== undefined) args.push(`--author=<${opts.author}>`);
  if (opts.since !== undefined) args.push(`--since=${opts.since}`);
  if (opts.until !== undefined) args.push(`--until=${opts.until}`);
  if (opts.maxCount !== undefined) args.push(`--max-count=${opts.maxCount}`);
  if (opts.shas !== undefined) {
    // On stdin: any number of SHAs without hitting the command-line limit.
    args.push('--no-walk', '--stdin', '--');
    return { args, input: opts.shas.join('\n') + '\n' };
  }
  args.push(safeRev(opts.range ?? 'HEAD'), '--');
  return { args };
}

/**
 * `git log` into a pipe writes each commit as it is done (GIT_FLUSH unset and stdout not a file): 2,000
 * writes of 300 bytes, each a wake-up, a read and a 'data' event on this side, one by one whenever jlog
 * keeps up. Fully buffered, git writes a few KB at a time: the same commits, still streamed.
 */
function startLog(cwd: string, args: string[], input: string | undefined): GitRun {
  const env = { ...process.env, GIT_FLUSH: '0' };
  return startGit(args, input === undefined ? { cwd, env } : { cwd, env, input });
}

/**
 * A `git log` started before anyone asked for it: the sync fast path starts its log first thing, so
 * that git walks history while Node loads the rest of jlog (issue 13). It does not hold the process
 * open until claimed, and the first readCommits takes it only when it asks exactly the same question
 * from the same repository (any other question kills it).
 */
let early: { key: string; cwd: string; run: GitRun } | null = null;

export function prefetchCommits(cwd: string, opts: ReadCommitsOptions): void {
  early?.run.kill();
  const { args, input } = logArgs(opts);
  const run = startLog(cwd, args, input);
  run.ref(false);
  // Unclaimed, its failure is nobody's error; a claimer gets the same rejection from `result`.
  run.result.catch(() => undefined);
  early = { key: JSON.stringify([args, input]), cwd, run };
}

function claim(cwd: string, key: string): GitRun | null {
  const e = early;
  early = null;
  if (e === null) return null;
  // The run reads from the repository's top, found from the directory the prefetch ran in: git log
  // (no paths) prints the same from anywhere in one work tree.
  if (e.key === key && (e.cwd === cwd || e.cwd.startsWith(cwd.endsWith(sep) ? cwd : cwd + sep))) {
    e.run.ref(true);
    return e.run;
  }
  e.run.kill();
  return null;
}

/**
 * Commits newest first. An empty repository (no HEAD yet) has none. `onCommit` sees each commit as
 * soon as git prints it, before the whole answer is in.
 */
export async function readCommits(
  cwd: string,
  opts: ReadCommitsOptions = {},
  onCommit?: (commit: Commit) => void,
): Promise<Commit[]> {
  if (opts.shas !== undefined && opts.shas.length === 0) return [];
  const { args, input } = logArgs(opts);
  try {
    const run = claim(cwd, JSON.stringify([args, input])) ?? startLog(cwd, args, input);
    if (onCommit === undefined) return parseLogOutput((await run.result).stdout);
    return await streamed(run, onCommit);
  } catch (err) {
    if (
      opts.shas === undefined &&
      opts.range === undefined &&
      isJlogError(err, 'E_GIT') &&
      isUnbornHead(err)
    ) {
      return [];
    }
    throw err;
  }
}

/** The commits of `run` as they arrive; a parse failure stops git and is the answer. */
async function streamed(run: GitRun, onCommit: (commit: Commit) => void): Promise<Commit[]> {
  const commits: Commit[] = [];
  const stream = new LogStream((c) => {
    commits.push(c);
    onCommit(c);
  });
  let failure: { err: unknown } | null = null;
  run.onStdout((chunk) => {
    if (failure !== null) return;
    try {
      stream.push(chunk);
    } catch (err) {
      // Thrown from an event handler it would be uncaught: keep it for the caller, and stop git.
      failure = { err };
      run.kill();
    }
  });
  const settled = await run.result.then(
    () => null,
    (err: unknown) => ({ err }),
  );
  if (failure !== null) throw (failure as { err: unknown }).err;
  if (settled !== null) throw settled.err;
  stream.end();
  return commits;
}

function isUnbornHead(err: JlogError): boolean {
  return /does not have any commits yet|ambiguous argument 'HEAD'|bad revision 'HEAD'/.test(err.message);
}

/** One commit, or null when `sha` names no commit here. */
export async function readCommit(cwd: string, sha: string): Promise<Commit | null> {
  const r = await execGit(
    ['log', '-z', '--no-walk', `--format=${LOG_FORMAT}`, '--no-color', `${safeRev(sha)}^{commit}`, '--'],
    { cwd, okCodes: [128] },
  );
  if (r.code !== 0) {
    if (/not a git repository/.test(r.stderr))
      throw new JlogError('E_NOT_A_REPO', `${cwd} is not in a git repository`);
    return null;
  }
  return parseLogOutput(r.stdout)[0] ?? null;
}
