// `projects` for the starter config, from the keys the team already uses: keys in branch names, keys
// that carry a smart-commit command, and keys that open a subject (`PROJ-7: fix`, `[PROJ-7] fix`).
// Keys merely mentioned in prose do not count, and neither do well-known names that look like keys
// (UTF-8, SHA-256, ISO-8601), so `fix UTF-8 decoding #time 1h` never makes UTF a project. Pure.
import { branchKey, parseMessage } from '../core/grammar.js';

/** Standards and encodings written like issue keys. */
const NOT_PROJECTS = new Set([
  'AES',
  'CVE',
  'ECMA',
  'GPL',
  'HTTP',
  'IEC',
  'IEEE',
  'ISO',
  'LGPL',
  'MD',
  'RFC',
  'RSA',
  'SHA',
  'SSL',
  'TLS',
  'UCS',
  'UTF',
  'WCAG',
  'X',
]);
const MAX_PROJECTS = 20;
const SUBJECT_KEY = /^\s*[[(]?([A-Z][A-Z0-9]+)-[0-9]+\b/;
const GRAMMAR = { projects: null, hoursPerDay: 8, daysPerWeek: 5, maxSeconds: Number.MAX_SAFE_INTEGER };

const projectOf = (key: string): string => key.slice(0, key.lastIndexOf('-'));

/** The project keys in use, most used first (then by name), at most 20. */
export function projectsFrom(messages: readonly string[], branches: readonly string[]): string[] {
  const counts = new Map<string, number>();
  const add = (key: string): void => {
    const p = projectOf(key);
    if (!NOT_PROJECTS.has(p)) counts.set(p, (counts.get(p) ?? 0) + 1);
  };
  for (const b of branches) for (const key of branchKey(b, null).keys) add(key);
  for (const m of messages) {
    const subject = SUBJECT_KEY.exec(m.split('\n', 1)[0] ?? '');
    if (subject?.[1] !== undefined) add(`${subject[1]}-0`);
    const parsed = parseMessage(m, GRAMMAR);
    for (const t of [...parsed.worklogs, ...parsed.comments]) add(t.issue);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_PROJECTS)
    .map(([p]) => p);
}
