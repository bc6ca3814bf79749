// Commit message → tokens + diagnostics (docs/grammar.md). Pure. Each line stands alone; a key group is keys
// separated only by whitespace/commas; commands after a group apply to every key in it; a command's
// arguments run to the next command or key group.
import { checkDuration, parseTimeArgument, type DurationUnits } from './duration.js';
import { allowList, branchKey, isGroupGap, scanLine, type BranchKey, type LineEvent } from './scan.js';
import type { GrammarOptions, ParseResult } from './types.js';

export { fallbackComment } from './subject.js';
export { branchKey } from './scan.js';

export interface ParseOptions extends GrammarOptions {
  /**
   * The commit-msg hook sees the message before git cleans it up. With git's comment character here
   * (`#` unless `core.commentChar` says otherwise), lines git's `cleanup=strip` removes are skipped:
   * lines starting with it, except `#` followed by a letter (a command: `#time 1h` on a line of its own
   * is a token, and the hook saves it from the editor's cleanup by writing the branch key before it),
   * and everything from the scissors line of `commit -v` on. Leave unset for committed messages.
   */
  gitCommentChar?: string | null | undefined;
}

/**
 * A line that names another commit's work (docs/grammar.md): `git revert` writes `Revert "PROJ-1 #time 1h"`,
 * reverting that writes `Reapply "…"`, and `git commit --fixup/--squash` writes `fixup! `, `squash! `
 * or `amend! ` before the target's subject. Logging those tokens again would double the time, so such
 * a line yields nothing, not even a diagnostic (also after a `* `/`- ` bullet or indented, as
 * squash-merge bodies list commits).
 */
const QUOTING_LINE = /^\s*(?:[*-]\s+)?(?:Revert "|Reapply "|fixup! |squash! |amend! )/;

/**
 * A comment with no letter, digit or symbol in it (`.`, `-`, `()`), as `PROJ-7 #time 1h .` leaves
 * behind, says nothing: it is empty (docs/grammar.md).
 */
const MEANINGFUL = /[\p{L}\p{N}\p{So}]/u;
const meaningful = (text: string): string => (MEANINGFUL.test(text) ? text : '');

function scissors(commentChar: string): string {
  return `${commentChar} ------------------------ >8 ------------------------`;
}

/** A line git's default cleanup strips from an edited message (see ParseOptions.gitCommentChar). */
export function isGitCommentLine(line: string, commentChar: string): boolean {
  if (!line.startsWith(commentChar)) return false;
  if (commentChar !== '#') return true;
  const next = line.charCodeAt(1);
  return !((next >= 65 && next <= 90) || (next >= 97 && next <= 122));
}

const isTime = (name: string) => name.length === 4 && name.toLowerCase() === 'time';
const isComment = (name: string) => name.length === 7 && name.toLowerCase() === 'comment';

/** Whether a `#time` comes before any key on the line: it has no key of its own. */
function hasKeylessTime(events: readonly LineEvent[]): boolean {
  for (const e of events) {
    if (e.kind === 'key') return false;
    if (isTime(e.name)) return true;
  }
  return false;
}

/** Calls `visit` for each line the grammar reads, with its 1-based number; stops at git's scissors. */
function eachLine(message: string, opts: ParseOptions, visit: (line: string, lineNo: number) => void): void {
  const cc = opts.gitCommentChar ?? null;
  const cut = cc === null ? null : scissors(cc);
  // The lines of `message.split(/\r?\n/)`, walked without building them: without a `#` a line yields
  // nothing, and most lines of most messages have none (a scan reads thousands; issue 13).
  let hash = message.indexOf('#');
  let n = 0;
  for (let start = 0; ;) {
    const nl = message.indexOf('\n', start);
    const end = nl === -1 ? message.length : nl;
    n++;
    if (cc !== null || (hash !== -1 && hash < end)) {
      const line = message.slice(start, nl !== -1 && message.charCodeAt(end - 1) === 13 ? end - 1 : end);
      if (cc !== null) {
        if (line === cut) return;
        if (isGitCommentLine(line, cc)) {
          if (nl === -1) return;
          start = nl + 1;
          continue;
        }
      }
      if (line.includes('#') && !QUOTING_LINE.test(line)) visit(line, n);
    } else if (hash === -1) {
      return;
    }
    if (nl === -1) return;
    start = nl + 1;
    if (hash !== -1 && hash < start) hash = message.indexOf('#', start);
  }
}

function preview(name: string, args: string): string {
  const text = `#${name} ${args.trim()}`.trim();
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** The first key whose project is one typo (a letter changed, two swapped) from an allowed one. */
function typoKey(
  keys: readonly string[],
  projects: ReadonlySet<string> | null,
): { key: string; project: string; meant: string } | null {
  if (projects === null) return null;
  for (const key of keys) {
    const dash = key.lastIndexOf('-');
    const project = key.slice(0, dash);
    for (const mine of projects) {
      // Two-letter projects are a typo away from too many others to guess.
      if (mine.length >= 3 && oneTypoApart(project, mine))
        return { key, project, meant: mine + key.slice(dash) };
    }
  }
  return null;
}

function oneTypoApart(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  const diff: number[] = [];
  for (let i = 0; i < a.length && diff.length <= 2; i++) if (a[i] !== b[i]) diff.push(i);
  if (diff.length === 1) return true;
  const [i, j] = diff as [number, number];
  return diff.length === 2 && j === i + 1 && a[i] === b[j] && a[j] === b[i];
}

function noKeyMessage(what: string, branch: BranchKey, branchName: string | undefined): string {
  const fix = 'write the issue key before it (ABC-123 #time 1h)';
  if (branch.keys.length > 1) {
    return `'${what}' has no issue key and branch '${branchName}' names several (${branch.keys.join(', ')}): ${fix}`;
  }
  return `'${what}' has no issue key: ${fix} or commit on a branch named after the issue`;
}

/** What a message would log: worklogs, comments, transitions and diagnostics, in message order. */
export function parseMessage(message: string, opts: ParseOptions): ParseResult {
  const result: ParseResult = { worklogs: [], comments: [], transitions: [], diagnostics: [] };
  const projects = allowList(opts.projects);
  const units: DurationUnits = { hoursPerDay: opts.hoursPerDay, daysPerWeek: opts.daysPerWeek };
  const branch = branchKey(opts.branch, projects);
  eachLine(message, opts, (line, lineNo) => {
    const events = scanLine(line, projects);
    // A branch key acts exactly as if the hook had written it at the start of the line.
    let group: { keys: string[]; seen: Set<string>; others: string[]; end: number; open: boolean } | null =
      branch.key !== null && hasKeylessTime(events)
        ? { keys: [branch.key], seen: new Set([branch.key]), others: [], end: 0, open: false }
        : null;
    for (let idx = 0; idx < events.length; idx++) {
      const e = events[idx]!;
      if (e.kind === 'key') {
        if (group === null || !group.open || !isGroupGap(line, group.end, e.start)) {
          // Keys of other projects still shape groups: their commands are theirs, not the previous group's.
          group = { keys: [], seen: new Set(), others: [], end: e.end, open: true };
        }
        if (e.allowed && !group.seen.has(e.key)) {
          group.seen.add(e.key);
          group.keys.push(e.key);
        } else if (!e.allowed) {
          group.others.push(e.key);
        }
        group.end = e.end;
        continue;
      }
      if (group !== null) group.open = false;
      const keys = group?.keys ?? [];
      const time = isTime(e.name);
      const args = line.slice(e.nameEnd, events[idx + 1]?.start ?? line.length);
      // A group of other projects' keys only is not ours to log, nor to complain about, unless a key
      // is one typo away from a project of yours (PORJ-7 for PROJ): that time would be lost unsaid.
      // A keyless comment or transition is no one's.
      if ((group !== null || !time) && keys.length === 0) {
        const typo = time ? typoKey(group?.others ?? [], projects) : null;
        if (typo !== null) {
          const message = `'${preview(e.name, args)}' follows ${typo.key}, and ${typo.project} is not one of your projects: did you mean ${typo.meant}?`;
          result.diagnostics.push({ line: lineNo, message });
        }
        continue;
      }
      const single = keys.length === 1 ? { issue: keys[0]! } : {};
      if (time) {
        const parsed = parseTimeArgument(args, units);
        const checked = parsed.ok ? checkDuration(parsed.seconds, opts.maxSeconds, units) : parsed;
        const what = preview(e.name, args);
        if (!checked.ok) {
          result.diagnostics.push({ line: lineNo, message: `'${what}': ${checked.reason}`, ...single });
        } else if (keys.length === 0) {
          result.diagnostics.push({ line: lineNo, message: noKeyMessage(what, branch, opts.branch) });
        } else {
          const comment = parsed.ok ? meaningful(parsed.comment) : '';
          for (const issue of keys)
            result.worklogs.push({ issue, seconds: checked.seconds, comment, line: lineNo });
        }
      } else if (isComment(e.name)) {
        const text = meaningful(args.trim());
        if (text !== '') for (const issue of keys) result.comments.push({ issue, text, line: lineNo });
      } else {
        const rest = args.trim();
        for (const issue of keys) result.transitions.push({ issue, name: e.name, args: rest, line: lineNo });
      }
    }
  });
  return result;
}

/**
 * The message with the branch's key written before every `#time` that has no key of its own (`KEY `
 * at the start of its line; everything else byte for byte, CRLF kept), or null when nothing changes:
 * no such line, or the branch does not name exactly one (allowed) issue. What the commit-msg hook
 * writes, so that history itself carries the key.
 */
export function insertBranchKey(
  message: string,
  branch: string | null | undefined,
  opts: ParseOptions,
): string | null {
  const projects = allowList(opts.projects);
  const key = branchKey(branch, projects).key;
  if (key === null) return null;
  const targets: number[] = [];
  eachLine(message, opts, (line, lineNo) => {
    if (hasKeylessTime(scanLine(line, projects))) targets.push(lineNo);
  });
  if (targets.length === 0) return null;
  // Walk the raw message once, copying slices: line N starts after the (N-1)th '\n', CRs stay put.
  const parts: string[] = [];
  let start = 0;
  let lastStart = 0;
  let lineNo = 1;
  for (const target of targets) {
    while (lineNo < target) {
      start = message.indexOf('\n', start) + 1;
      lineNo++;
    }
    parts.push(message.slice(lastStart, start), `${key} `);
    lastStart = start;
  }
  parts.push(message.slice(lastStart));
  return parts.join('');
}
