// Reconciling with Jira, the pure part (docs/exactly-once.md): which remote worklog, if any, already stands
// for a planned token, and which copy worklog a token may claim. The engine reads the issue and asks git the
// ancestry questions this module lists, then calls `matchRemote` with the answers.
import { hasAuthorPrefix } from './author-prefix.js';
import { parseTokenId } from './identity.js';
import { authorHash } from './marker.js';
import type { Marker, MarkerRef, PlannedWorklog } from './types.js';

/** What matching needs of a worklog read back from Jira. */
export interface RemoteMarkedWorklog {
  id: string;
  timeSpentSeconds: number;
  /** The comment flattened to text. */
  comment: string;
  /** Unix ms. */
  startedMs?: number | undefined;
  marker?: Marker | undefined;
}

/** Answers "is commit `ancestor` an ancestor of commit `descendant`?" (false when git cannot tell). */
export type Ancestry = (ancestor: string, descendant: string) => boolean;

export type RemoteMatch =
  /** Jira already holds the token (its id or fingerprint is in the marker or its `also`). */
  | { kind: 'same'; worklog: RemoteMarkedWorklog }
  /**
   * A copy claims the worklog: the marker gains `ref` in `also` before the token is recorded.
   * `squash`: a squash commit's token claims a branch token's worklog; `reverse`: a branch token
   * claims a squash commit's copy worklog that was logged first.
   */
  | { kind: 'claim'; worklog: RemoteMarkedWorklog; ref: MarkerRef; direction: 'squash' | 'reverse' };

/** SHA of the commit a marker (or an `also` entry) names, or null when its id is not a commit token. */
export function shaOf(id: string): string | null {
  return parseTokenId(id)?.sha ?? null;
}

/** A marker's own token and the tokens in its `also`. */
function refsOf(marker: Marker): MarkerRef[] {
  return [{ id: marker.id, fp: marker.fp }, ...(marker.also ?? [])];
}

/**
 * A marker stands for the token when its id, its fp or an `also` entry has the token's id or
 * fingerprint, except a fingerprint match with a token whose commit is an ancestor of the token's
 * commit (a commit and its own ancestor are two pieces of work, even in the same second).
 */
export function standsFor(
  marker: Marker,
  t: { id: string; fp: string; sha: string },
  ancestry: Ancestry,
): boolean {
  return refsOf(marker).some((ref) => {
    if (ref.id === t.id) return true;
    if (ref.fp !== t.fp) return false;
    const sha = shaOf(ref.id);
    return sha === null || sha === t.sha || !ancestry(sha, t.sha);
  });
}

/**
 * The worklog that holds a token: by id (its marker or an `also` entry), else the worklog id the ledger
 * recorded for it (a rebase carried a posted token by fingerprint: the marker still names the first id).
 */
export function worklogOf(
  remote: readonly RemoteMarkedWorklog[],
  t: { id: string; worklogId?: string | undefined },
): RemoteMarkedWorklog | undefined {
  return (
    remote.find((r) => r.marker !== undefined && refsOf(r.marker).some((ref) => ref.id === t.id)) ??
    (t.worklogId === undefined ? undefined : remote.find((r) => r.id === t.worklogId))
  );
}

/** The comment as the token wrote it compares with a posted one: GitHub's ` (#12)` and ci's `Name: ` aside. */
export function sameComment(token: string, posted: string): boolean {
  const t = stripPrNumber(token);
  const p = stripPrNumber(posted);
  // Without a token comment the posted comment was a subject: not comparable, so not a difference.
  if (t === '') return true;
  // ci.authorInComment: `jlog ci` may have posted it as `Alice Doe: <comment>`.
  return p === t || hasAuthorPrefix(p, t);
}

function stripPrNumber(comment: string): string {
  return comment.replace(/\s*\(#\d+\)\s*$/, '').trim();
}

/** Claimed by a copy already (docs/exactly-once.md: no `copy` entry in its `also`). */
function claimedByCopy(marker: Marker): boolean {
  return (marker.also ?? []).some((r) => r.copy === true);
}

/** A squash-logged copy worklog that a branch token already claimed (one token per copy worklog). */
function claimedByToken(marker: Marker): boolean {
  return (marker.also ?? []).some((r) => r.copy !== true);
}

/** The ancestry questions `matchRemote` will ask, so the engine can answer them from git first. */
export function ancestryQuestions(
  planned: readonly PlannedWorklog[],
  remote: readonly RemoteMarkedWorklog[],
): [string, string][] {
  const out = new Map<string, [string, string]>();
  const ask = (a: string | null, d: string): void => {
    if (a !== null && a !== d) out.set(`${a} ${d}`, [a, d]);
  };
  for (const r of remote) {
    if (r.marker === undefined) continue;
    const refs = refsOf(r.marker);
    for (const w of planned) {
      for (const ref of refs) if (ref.fp === w.fp && ref.id !== w.id) ask(shaOf(ref.id), w.sha);
      if (r.timeSpentSeconds !== w.seconds) continue;
      if (w.squash && !r.marker.copy) ask(shaOf(r.marker.id), w.sha);
      if (!w.squash && r.marker.copy) {
        const sha = shaOf(r.marker.id);
        if (sha !== null) ask(w.sha, sha);
      }
    }
  }
  return [...out.values()];
}

/**
 * Pairs planned tokens (of one issue) with the remote worklogs that already log them or that they
 * claim; each remote worklog stands for one planned token at most. Identity first for every token,
 * so that a content claim never takes a worklog an id or fingerprint names.
 */
export function matchRemote(
  planned: readonly PlannedWorklog[],
  remote: readonly RemoteMarkedWorklog[],
  ancestry: Ancestry,
  used: Set<string> = new Set(),
): Map<string, RemoteMatch> {
  const matches = new Map<string, RemoteMatch>();
  const marked = remote.filter((r) => r.marker !== undefined);
  for (const w of planned) {
    const hit = marked.find((r) => !used.has(r.id) && standsFor(r.marker!, w, ancestry));
    if (hit) {
      used.add(hit.id);
      matches.set(w.id, { kind: 'same', worklog: hit });
    }
  }
  for (const w of planned) {
    if (matches.has(w.id)) continue;
    const claim = w.squash ? squashClaim(w, marked, ancestry, used) : reverseClaim(w, marked, ancestry, used);
    if (claim) {
      used.add(claim.worklog.id);
      matches.set(w.id, claim);
    }
  }
  return matches;
}

/**
 * A squash commit's token claims, on content key, a marker whose commit is not an ancestor of the
 * squash commit and that no copy claimed yet; the squash's author and co-authors first, then the oldest.
 */
function squashClaim(
  w: PlannedWorklog,
  marked: readonly RemoteMarkedWorklog[],
  ancestry: Ancestry,
  used: ReadonlySet<string>,
): RemoteMatch | undefined {
  const candidates = marked.filter((r) => {
    const m = r.marker!;
    if (used.has(r.id) || m.copy === true || claimedByCopy(m)) return false;
    if (r.timeSpentSeconds !== w.seconds || !sameComment(w.comment, r.comment)) return false;
    if (w.inferredSquash && !(m.a !== undefined && (w.authors ?? authorsOf(w)).includes(m.a))) return false;
    const sha = shaOf(m.id);
    return sha === null || !ancestry(sha, w.sha);
  });
  const best = preferred(candidates, w.authors ?? authorsOf(w));
  return (
    best && { kind: 'claim', worklog: best, ref: { id: w.id, fp: w.fp, copy: true }, direction: 'squash' }
  );
}

/**
 * The other way round: a squash commit's copy worklog logged first is claimed by a branch token with
 * its content key, not after its `started`, whose commit is not an ancestor of the squash commit.
 */
function reverseClaim(
  w: PlannedWorklog,
  marked: readonly RemoteMarkedWorklog[],
  ancestry: Ancestry,
  used: ReadonlySet<string>,
): RemoteMatch | undefined {
  const candidates = marked.filter((r) => {
    const m = r.marker!;
    if (used.has(r.id) || m.copy !== true || claimedByToken(m)) return false;
    if (r.timeSpentSeconds !== w.seconds || !sameComment(w.comment, r.comment)) return false;
    if (r.startedMs !== undefined && w.startedMs > r.startedMs) return false;
    const sha = shaOf(m.id);
    return sha === null || !ancestry(w.sha, sha);
  });
  const best = preferred(candidates, authorsOf(w).slice(0, 1));
  return best && { kind: 'claim', worklog: best, ref: { id: w.id, fp: w.fp }, direction: 'reverse' };
}

function authorsOf(w: PlannedWorklog): string[] {
  return w.authors ?? [w.author ?? authorHash(w.authorEmail)];
}

/** Markers whose `a` is one of `authors` first, then the oldest worklog. */
function preferred(
  candidates: readonly RemoteMarkedWorklog[],
  authors: readonly string[],
): RemoteMarkedWorklog | undefined {
  const rank = (r: RemoteMarkedWorklog): number =>
    r.marker?.a !== undefined && authors.includes(r.marker.a) ? 0 : 1;
  return [...candidates].sort(
    (x, y) =>
      rank(x) - rank(y) ||
      (x.startedMs ?? 0) - (y.startedMs ?? 0) ||
      Number(x.id) - Number(y.id) ||
      (x.id < y.id ? -1 : 1),
  )[0];
}

/** docs/exactly-once.md: `also` holds at most 50 entries. */
const MAX_ALSO = 50;

/** The marker with `ref` added to `also` (once; at most 50). */
export function withAlso(marker: Marker, ref: MarkerRef): Marker {
  const also = [...(marker.also ?? []).filter((r) => !(r.id === ref.id && r.fp === ref.fp)), ref];
  // Over the cap, the oldest rewrite goes first: a copy's claim must stay, or a later squash claims again.
  while (also.length > MAX_ALSO) {
    const i = also.findIndex((r) => r.copy !== true);
    also.splice(i >= 0 && i < also.length - 1 ? i : 0, 1);
  }
  return { ...marker, also };
}
