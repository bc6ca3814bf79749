// The worklog comment when a token has none (docs/exactly-once.md, `comment.fallback: "subject"`): the commit
// subject without its key groups and commands, whitespace collapsed.
import { isSpace } from './chars.js';
import { allowList, isGroupGap, scanLine } from './scan.js';
import type { GrammarOptions } from './types.js';

/** Left over at either end once keys are gone: `PROJ-7: Fix` → `Fix`, `Fix - PROJ-7` → `Fix`. */
const ORPHANS = ':;,|-–—';

/**
 * `PROJ-7 fix login #time 1h` → `fix login`; `[PROJ-7] Fix login (#42)` → `Fix login (#42)`;
 * `feat(PROJ-7): x` → `feat: x`. Every key group with an allowed key and every command with its
 * arguments is removed; brackets emptied by that go too. '' when nothing is left.
 */
export function fallbackComment(subject: string, opts: Pick<GrammarOptions, 'projects'>): string {
  const line = subject.replace(/\r?\n/g, ' ');
  const events = scanLine(line, allowList(opts.projects));
  const cuts: [number, number][] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.kind === 'command') {
      cuts.push([e.start, events[i + 1]?.start ?? line.length]);
      continue;
    }
    let last = e;
    let allowed = e.allowed;
    while (i + 1 < events.length) {
      const next = events[i + 1]!;
      if (next.kind !== 'key' || !isGroupGap(line, last.end, next.start)) break;
      last = next;
      allowed ||= next.allowed;
      i++;
    }
    if (allowed) cuts.push([e.start, last.end]);
  }
  const kept: string[] = [];
  let at = 0;
  for (const [from, to] of cuts) {
    kept.push(line.slice(at, from));
    at = to;
  }
  kept.push(line.slice(at));
  const text = kept.join(' ');
  return trimOrphans(
    collapse(text)
      .replace(/\(\s*\)|\[\s*\]/g, '')
      .replace(/ {2,}/g, ' '),
  );
}

/** Runs of whitespace → one space, trimmed; built from slices, not character by character. */
function collapse(text: string): string {
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    const start = i;
    while (i < text.length && !isSpace(text.charCodeAt(i))) i++;
    if (i > start) words.push(text.slice(start, i));
  }
  return words.join(' ');
}

function trimOrphans(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text[start] === ' ' || ORPHANS.includes(text[start]!))) start++;
  while (end > start && (text[end - 1] === ' ' || ORPHANS.includes(text[end - 1]!))) end--;
  return text.slice(start, end);
}
