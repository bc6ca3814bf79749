// The remote check's decision (SPEC §4): which planned worklogs are already on Jira. Pure: the engine
// reads the worklogs and asks git which marker commits are reachable, then calls this.
import { hasAuthorPrefix } from './author-prefix.js';
import { parseTokenId } from './identity.js';
import type { Marker, PlannedWorklog } from './types.js';

/** What the remote check needs of a worklog read back from Jira. */
export interface RemoteMarkedWorklog {
  id: string;
  timeSpentSeconds: number;
  /** The comment flattened to text. */
  comment: string;
  authorEmail?: string | undefined;
  marker?: Marker | undefined;
}

/** SHA of the commit a marker names, or null when the marker's id is not a jlog id. */
export function markerSha(marker: Marker): string | null {
  return parseTokenId(marker.id)?.sha ?? null;
}

/**
 * Pairs planned worklogs with the remote worklogs that already log them; each remote worklog stands
 * for one token at most. Same id or same fingerprint always matches. A squash-merge commit's worklog
 * also matches, on content, a marker whose commit is not reachable from HEAD (`unreachable` holds the
 * SHAs the caller found unreachable, with their author email when the commit is still here): same
 * seconds, same token comment, same author email when known (the issue is the same by construction:
 * the caller reads one issue's worklogs).
 */
export function matchRemote(
  planned: readonly PlannedWorklog[],
  remote: readonly RemoteMarkedWorklog[],
  unreachable: ReadonlyMap<string, string | null>,
): Map<string, RemoteMarkedWorklog> {
  const matches = new Map<string, RemoteMarkedWorklog>();
  const used = new Set<string>();
  const marked = remote.filter((r) => r.marker !== undefined);
  const take = (w: PlannedWorklog, pred: (r: RemoteMarkedWorklog) => boolean): boolean => {
    const hit = marked.find((r) => !used.has(r.id) && pred(r));
    if (!hit) return false;
    used.add(hit.id);
    matches.set(w.id, hit);
    return true;
  };
  // Identity first, for every token, so that content matches never steal a marker an id names.
  for (const w of planned) take(w, (r) => r.marker!.id === w.id);
  for (const w of planned) if (!matches.has(w.id)) take(w, (r) => r.marker!.fp === w.fp);
  for (const w of planned) {
    if (matches.has(w.id) || !w.squash) continue;
    take(w, (r) => {
      const sha = markerSha(r.marker!);
      if (sha === null || !unreachable.has(sha)) return false;
      // The squashed commit's author, when this clone still has it. Jira's worklog author is the
      // account that posted, whose email often differs from the git one: not compared.
      const email = unreachable.get(sha);
      const sameEmail = email == null || email.trim().toLowerCase() === w.authorEmail.trim().toLowerCase();
      // Without a token comment the posted comment was the squashed commit's own subject: not comparable.
      // GitHub appends ` (#12)` to a one-commit PR's subject, so to the token's comment too.
      const sameComment =
        w.comment === '' ||
        r.comment.trim() === w.comment.trim() ||
        r.comment.trim() === stripPrNumber(w.comment) ||
        hasAuthorPrefix(r.comment, w.comment) || // posted by jlog ci for its author (ci.authorInComment)
        hasAuthorPrefix(r.comment, stripPrNumber(w.comment));
      return r.timeSpentSeconds === w.seconds && sameComment && sameEmail;
    });
  }
  return matches;
}

function stripPrNumber(comment: string): string {
  return comment.replace(/\s*\(#\d+\)\s*$/, '').trim();
}

/** The marker SHAs among remote worklogs that the squash rule may need reachability for. */
export function markerShas(remote: readonly RemoteMarkedWorklog[]): string[] {
  const shas = new Set<string>();
  for (const r of remote) {
    const sha = r.marker ? markerSha(r.marker) : null;
    if (sha !== null) shas.add(sha);
  }
  return [...shas];
}
