// Reading commits: `git log -z` with NUL-separated fields, parsed by a pure function. Messages can hold
// any byte but NUL, so NUL is the only safe separator (never split on newlines).
import type { Commit } from '../core/types.js';
import { JlogError, isJlogError } from '../errors.js';
import { execGit, safeRev } from './exec.js';

// Seven fields, NUL between them; `-z` ends each commit with one more NUL.
const FIELDS = ['%H', '%P', '%an', '%ae', '%aI', '%s', '%B'] as const;
export const LOG_FORMAT = FIELDS.join('%x00');
const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

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
  for (let i = 0; i < parts.length; i += FIELDS.length) {
    const [
      sha = '',
      parents = '',
      authorName = '',
      authorEmail = '',
      authorDate = '',
      subject = '',
      message = '',
    ] = parts.slice(i, i + FIELDS.length);
    if (!SHA.test(sha))
      throw new JlogError('E_GIT', `unexpected git log output: "${sha.slice(0, 50)}" is not a SHA`);
    commits.push({
      sha,
      parents: parents === '' ? [] : parents.split(' '),
      authorName,
      authorEmail,
      authorDate,
      subject,
      message,
    });
  }
  return commits;
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

/** Commits newest first. An empty repository (no HEAD yet) has none. */
export async function readCommits(cwd: string, opts: ReadCommitsOptions = {}): Promise<Commit[]> {
  if (opts.shas !== undefined && opts.shas.length === 0) return [];
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
  let input: string | undefined;
  if (opts.shas !== undefined) {
    // On stdin: any number of SHAs without hitting the command-line limit.
    args.push('--no-walk', '--stdin');
    input = opts.shas.join('\n') + '\n';
  } else {
    args.push(safeRev(opts.range ?? 'HEAD'));
  }
  args.push('--');
  try {
    const r = await execGit(args, input === undefined ? { cwd } : { cwd, input });
    return parseLogOutput(r.stdout);
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
