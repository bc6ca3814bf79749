// The smart-commit lexer (docs/grammar.md): finds issue keys and `#commands` on one line, and keys in a
// branch name. A hand-written scanner, linear in the line's length: no regex that can backtrack.
import { isDigitCode, isLetterCode, isSpace, isUpperCode, isWordCode } from './chars.js';

export interface KeyEvent {
  kind: 'key';
  start: number;
  end: number;
  key: string;
  /** False for a key of a project outside the `projects` allow-list: it yields nothing. */
  allowed: boolean;
}

export interface CommandEvent {
  kind: 'command';
  /** Offset of `#`. */
  start: number;
  /** Offset just after the name: the arguments start here. */
  nameEnd: number;
  name: string;
}

export type LineEvent = KeyEvent | CommandEvent;

/** A key is not a key right after these (URLs, paths, query strings, `feature/PROJ-7`): Atlassian's list. */
const EXCLUDED_BEFORE = new Set('/=?&>^!~-'.split('').map((c) => c.charCodeAt(0)));

const HASH = 35;
const DASH = 45;

/** `[A-Z][A-Z0-9]+-[0-9]+` at `i`, not followed by a word character; the end offset, or -1. */
function matchKey(s: string, i: number): number {
  if (!isUpperCode(s.charCodeAt(i))) return -1;
  let j = i + 1;
  while (j < s.length && (isUpperCode(s.charCodeAt(j)) || isDigitCode(s.charCodeAt(j)))) j++;
  if (j === i + 1 || s.charCodeAt(j) !== DASH) return -1;
  const num = ++j;
  while (j < s.length && isDigitCode(s.charCodeAt(j))) j++;
  if (j === num || (j < s.length && isWordCode(s.charCodeAt(j)))) return -1;
  return j;
}

/**
 * Whether the `#` right before offset `i` sits after one of Atlassian's excluded characters: the `#`
 * belongs to the key, so `https://x/#PROJ-7` is excluded like `https://x/PROJ-7`.
 */
function hashExcluded(line: string, i: number): boolean {
  return i >= 2 && line.charCodeAt(i - 1) === HASH && EXCLUDED_BEFORE.has(line.charCodeAt(i - 2));
}

/** The project part of a key (`PROJ` of `PROJ-7`). */
export function projectOf(key: string): string {
  return key.slice(0, key.lastIndexOf('-'));
}

/** Keys and commands of one line, in order. `projects` null allows every project. */
export function scanLine(line: string, projects: ReadonlySet<string> | null): LineEvent[] {
  const events: LineEvent[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line.charCodeAt(i);
    const prev = i === 0 ? -1 : line.charCodeAt(i - 1);
    if (c === HASH && (prev === -1 || isSpace(prev)) && isLetterCode(line.charCodeAt(i + 1))) {
      // `#PROJ-7` is the key PROJ-7 written the way GitHub for Jira reads it, never a command: the
      // key branch below takes it, with its `#`.
      if (matchKey(line, i + 1) > 0) {
        i++;
        continue;
      }
      let j = i + 2;
      while (j < line.length && (isLetterCode(line.charCodeAt(j)) || line.charCodeAt(j) === DASH)) j++;
      events.push({ kind: 'command', start: i, nameEnd: j, name: line.slice(i + 1, j) });
      i = j;
      continue;
    }
    if (
      isUpperCode(c) &&
      (prev === -1 || (!isWordCode(prev) && !EXCLUDED_BEFORE.has(prev))) &&
      !hashExcluded(line, i)
    ) {
      const end = matchKey(line, i);
      if (end > 0) {
        const key = line.slice(i, end);
        events.push({
          kind: 'key',
          // A `#` right before a key belongs to it (docs/grammar.md): it is neither a gap nor argument text.
          start: prev === HASH ? i - 1 : i,
          end,
          key,
          allowed: projects === null || projects.has(projectOf(key)),
        });
        i = end;
        continue;
      }
    }
    // Inside a word nothing can start (a key needs a boundary, a command whitespace): skip the word.
    if (isWordCode(c)) {
      i++;
      while (i < line.length && isWordCode(line.charCodeAt(i))) i++;
    } else {
      i++;
    }
  }
  return events;
}

/**
 * Between two keys of one group: at least one whitespace or comma and nothing else (docs/grammar.md, as
 * Jira reads it). `[PROJ-1][PROJ-2]`, `PROJ-1: PROJ-2` or `PROJ-1 and PROJ-2` are two groups, and a
 * command after them belongs to the second only.
 */
export function isGroupGap(line: string, from: number, to: number): boolean {
  if (from >= to) return false;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i);
    if (!isSpace(c) && c !== 44) return false; // 44: ','
  }
  return true;
}

export function allowList(projects: readonly string[] | null): ReadonlySet<string> | null {
  return projects === null ? null : new Set(projects);
}

export interface BranchKey {
  /** The one distinct (allowed) key in the branch name, or null. */
  key: string | null;
  /** Every distinct allowed key found, in order. */
  keys: string[];
}

/**
 * Keys in a branch name (`feature/PROJ-7-login`, `PROJ-7_fix`, `bugfix-PROJ-7`): a key here may follow
 * `/`, `-` or any other non-alphanumeric character and ends at one. Uppercase only, like Jira's.
 */
export function branchKey(
  branch: string | null | undefined,
  projects: ReadonlySet<string> | null,
): BranchKey {
  const keys: string[] = [];
  if (!branch) return { key: null, keys };
  const isAlnum = (code: number) => isLetterCode(code) || isDigitCode(code);
  let i = 0;
  while (i < branch.length) {
    if (i === 0 || !isAlnum(branch.charCodeAt(i - 1))) {
      let j = i + 1;
      if (isUpperCode(branch.charCodeAt(i))) {
        while (j < branch.length && (isUpperCode(branch.charCodeAt(j)) || isDigitCode(branch.charCodeAt(j))))
          j++;
        if (j > i + 1 && branch.charCodeAt(j) === DASH) {
          const num = ++j;
          while (j < branch.length && isDigitCode(branch.charCodeAt(j))) j++;
          if (j > num && !isAlnum(branch.charCodeAt(j))) {
            const key = branch.slice(i, j);
            if ((projects === null || projects.has(projectOf(key))) && !keys.includes(key)) keys.push(key);
            i = j;
            continue;
          }
        }
      }
    }
    i++;
  }
  return { key: keys.length === 1 ? keys[0]! : null, keys };
}
