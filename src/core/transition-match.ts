// Which workflow transition a smart-commit command names, as Atlassian matches it (docs/exactly-once.md): any
// case,
// `-` for a space, a unique prefix. An exact name wins over prefixes (`#close` with `Close` and
// `Close Issue` offered is `Close`); no match, or several, is an error that lists what Jira offers.

export interface NamedTransition {
  id: string;
  name: string;
}

export type TransitionMatch<T extends NamedTransition> =
  | { kind: 'match'; transition: T }
  | { kind: 'none'; names: string[] }
  | { kind: 'ambiguous'; names: string[]; candidates: string[] };

/** Lower case, `-` and `_` as spaces, runs of whitespace as one: how a name and a command compare. */
export function normalizeTransitionName(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, ' ').replace(/\s+/g, ' ').trim();
}

export function matchTransition<T extends NamedTransition>(
  command: string,
  offered: readonly T[],
): TransitionMatch<T> {
  const wanted = normalizeTransitionName(command);
  const names = offered.map((t) => t.name);
  if (wanted === '') return { kind: 'none', names };
  const exact = offered.filter((t) => normalizeTransitionName(t.name) === wanted);
  // Two transitions offered under one name (Jira allows it): jlog never guesses which one is meant.
  if (exact.length === 1) return { kind: 'match', transition: exact[0] as T };
  const pool =
    exact.length > 1 ? exact : offered.filter((t) => normalizeTransitionName(t.name).startsWith(wanted));
  if (pool.length === 1) return { kind: 'match', transition: pool[0] as T };
  if (pool.length === 0) return { kind: 'none', names };
  return { kind: 'ambiguous', names, candidates: pool.map((t) => t.name) };
}

/** The one-line reason a transition command cannot be applied, naming what Jira offers. */
export function transitionMatchError(
  issue: string,
  command: string,
  result: Exclude<TransitionMatch<NamedTransition>, { kind: 'match' }>,
): string {
  const list = (xs: readonly string[]) => (xs.length === 0 ? 'none' : xs.map((n) => `'${n}'`).join(', '));
  if (result.kind === 'ambiguous') {
    return `#${command} on ${issue} matches several transitions (${list(result.candidates)}); write more of the name (available: ${list(result.names)})`;
  }
  return `#${command} matches no transition of ${issue} from its current status (available: ${list(result.names)})`;
}
