// `#comment` and transition commands as tokens of their own (docs/exactly-once.md): ids `<sha>:c<n>` and
// `<sha>:t<n>` (n counts the commit's comments, or its transitions, 0-based in message order, each key
// of a group its own), fingerprints that survive rebase and cherry-pick as worklogs' do, content keys
// for the copy rules, and the order a line is applied in: worklog, comment, then transitions as written.
import { createHash } from 'node:crypto';
import { authorHash } from './marker.js';
import { normalizeTransitionName } from './transition-match.js';
import type { Commit, ParseResult, RewriteSource } from './types.js';

export type CommandKind = 'comment' | 'transition';

/** What comments and transitions share with each other (and with worklogs) for the exactly-once rules. */
interface PlannedCommandBase {
  /** `<sha>:c<n>` or `<sha>:t<n>`. */
  id: string;
  sha: string;
  n: number;
  issue: string;
  /** 1-based line of the message. */
  line: number;
  authorEmail: string;
  /** The marker's `a`. */
  author: string;
  /** `a` of the author and of every `Co-authored-by:` trailer. */
  authors: string[];
  /** The commit's author date as git printed it: what the fingerprint and reports use. */
  authorDate: string;
  fp: string;
  /** The commit is a squash merge (copy rules, docs/exactly-once.md). */
  squash: boolean;
  /** The token this one replaces (a rewrite): the run updates or moves that one's comment instead of posting. */
  replaces?: RewriteSource | undefined;
}

export interface PlannedComment extends PlannedCommandBase {
  kind: 'comment';
  /** The comment text as written after `#comment`. */
  text: string;
}

export interface PlannedTransition extends PlannedCommandBase {
  kind: 'transition';
  /** The command as written, without `#` (`resolve`, `start-progress`). */
  name: string;
}

export type PlannedCommand = PlannedComment | PlannedTransition;

const KIND_LETTER: Record<CommandKind, string> = { comment: 'c', transition: 't' };

export function commandId(sha: string, kind: CommandKind, n: number): string {
  return `${sha}:${KIND_LETTER[kind]}${n}`;
}

/** `{sha, kind, n}` of a command id, or null for a worklog id or anything else. */
export function parseCommandId(id: string): { sha: string; kind: CommandKind; n: number } | null {
  const m = /^([0-9a-f]{7,64}):([ct])(\d+)$/.exec(id);
  if (m === null) return null;
  return { sha: m[1] as string, kind: m[2] === 'c' ? 'comment' : 'transition', n: Number(m[3]) };
}

/** What a copy of the command has in common with it: (kind, issue, text or normalized name). */
export function commandContentKey(c: PlannedCommand): string {
  return JSON.stringify(
    c.kind === 'comment'
      ? ['comment', c.issue, c.text]
      : ['transition', c.issue, normalizeTransitionName(c.name)],
  );
}

function digest(parts: readonly (string | number)[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

export interface CommandOptions {
  /** `commands.comment`: off (the default) plans no comment at all. */
  comments: boolean;
  /** `commands.transitions`: off (the default) plans no transition at all. */
  transitions: boolean;
  /** `a` of `Co-authored-by:` trailers, for the copy rules' preference. */
  coAuthors?: readonly string[];
  squash?: boolean;
}

/**
 * The comments and transitions of a commit, with identity. Two identical commands in one message
 * (`PROJ-1 #comment wip` twice) are two tokens: the fingerprint counts earlier twins.
 */
export function commitCommands(commit: Commit, parsed: ParseResult, opts: CommandOptions): PlannedCommand[] {
  const email = commit.authorEmail.trim().toLowerCase();
  const author = authorHash(commit.authorEmail);
  const base = (
    n: number,
    issue: string,
    line: number,
    kind: CommandKind,
    content: string,
    twin: number,
  ) => ({
    id: commandId(commit.sha, kind, n),
    sha: commit.sha,
    n,
    issue,
    line,
    authorEmail: commit.authorEmail,
    author,
    authors: [author, ...(opts.coAuthors ?? [])],
    authorDate: commit.authorDate,
    fp: digest([kind, issue, content, email, commit.authorDate, twin]),
    squash: opts.squash ?? false,
  });
  const twins = new Map<string, number>();
  const twin = (key: string): number => {
    const n = twins.get(key) ?? 0;
    twins.set(key, n + 1);
    return n;
  };
  const out: PlannedCommand[] = [];
  if (opts.comments) {
    parsed.comments.forEach((c, n) => {
      const t = twin(JSON.stringify(['c', c.issue, c.text]));
      out.push({ ...base(n, c.issue, c.line, 'comment', c.text, t), kind: 'comment', text: c.text });
    });
  }
  if (opts.transitions) {
    parsed.transitions.forEach((c, n) => {
      const name = normalizeTransitionName(c.name);
      const t = twin(JSON.stringify(['t', c.issue, name]));
      out.push({ ...base(n, c.issue, c.line, 'transition', name, t), kind: 'transition', name: c.name });
    });
  }
  return out;
}

/** Where an entry stands in a commit's apply order: by line, then worklog, comment, transition. */
export interface OrderKey {
  line: number;
  kind: 'worklog' | CommandKind;
  /** Message order among entries of the same kind. */
  n: number;
}

const KIND_RANK: Record<OrderKey['kind'], number> = { worklog: 0, comment: 1, transition: 2 };

/** Sorts a commit's entries into the order docs/exactly-once.md applies them (stable; does not mutate). */
export function applyOrder<T>(entries: readonly T[], key: (e: T) => OrderKey): T[] {
  return entries
    .map((e, i) => ({ e, k: key(e), i }))
    .sort(
      (a, b) =>
        a.k.line - b.k.line || KIND_RANK[a.k.kind] - KIND_RANK[b.k.kind] || a.k.n - b.k.n || a.i - b.i,
    )
    .map(({ e }) => e);
}
