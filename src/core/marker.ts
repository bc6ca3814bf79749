// The `jlog` marker as Jira holds it (docs/exactly-once.md): read from worklog and comment properties that
// anyone with edit rights (a human, a script, a hostile Jira) may have written, so everything is checked and
// whatever does not have the marker's shape is ignored rather than trusted. A v1 marker
// (`{v:1,id,fp}`) reads as v2 without `a` and `also`.
import { createHash } from 'node:crypto';
import type { IssueMarks, Marker, MarkerRef } from './types.js';

/** Far above any real id (`<sha>:<n>`, `manual:<uuid>`) or fingerprint: longer strings are not ours. */
const MAX_FIELD = 200;
/** Markers cap `also` at 50 when writing; reading tolerates more, but not without bound. */
const MAX_ALSO_READ = 500;

const field = (v: unknown): v is string => typeof v === 'string' && v !== '' && v.length <= MAX_FIELD;
const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function refOf(raw: unknown): MarkerRef | undefined {
  if (!isObject(raw) || !field(raw.id) || !field(raw.fp)) return undefined;
  const ref: MarkerRef = { id: raw.id, fp: raw.fp };
  if (raw.copy === true) ref.copy = true;
  return ref;
}

/**
 * A marker value as v2, or undefined when it is not one. Required fields (`v`, `id`, `fp`) must be
 * right or there is no marker; a malformed optional field (`a`, `also` or one of its entries) is
 * dropped on its own, so a damaged `also` never hides the worklog's own token.
 */
export function parseMarker(value: unknown): Marker | undefined {
  if (!isObject(value)) return undefined;
  if (value.v !== 1 && value.v !== 2) return undefined;
  if (!field(value.id) || !field(value.fp)) return undefined;
  const marker: Marker = { v: 2, id: value.id, fp: value.fp };
  if (value.v === 1) return marker;
  if (field(value.a)) marker.a = value.a;
  if (value.copy === true) marker.copy = true;
  if (Array.isArray(value.also)) {
    const also: MarkerRef[] = [];
    for (const raw of (value.also as unknown[]).slice(0, MAX_ALSO_READ)) {
      const ref = refOf(raw);
      if (ref !== undefined) also.push(ref);
    }
    if (also.length > 0) marker.also = also;
  }
  return marker;
}

// A scan hashes the same few author emails once per token (issue 13: per-token work was ~50 µs);
// remembered per process, bounded so a pathological history cannot grow it without limit.
const authorHashes = new Map<string, string>();

/** The marker's `a`: the first 12 hex digits of SHA-256 of the lower-cased author email. */
export function authorHash(email: string): string {
  let hash = authorHashes.get(email);
  if (hash === undefined) {
    hash = createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 12);
    if (authorHashes.size < 1_000) authorHashes.set(email, hash);
  }
  return hash;
}

/** Newest last, at most this many of each list of the issue property (docs/exactly-once.md). */
export const MAX_ISSUE_MARKS = 500;
/** Jira refuses a property value longer than this (as JSON). */
export const MAX_PROPERTY_CHARS = 32_768;

/**
 * The issue property as it can be written: each list capped at {@link MAX_ISSUE_MARKS}, then the
 * oldest entry of the longer list dropped until the JSON fits Jira's property limit (500 pairs of
 * `<sha>:<n>` and a fingerprint are about 45,000 characters, which Jira would refuse outright and so
 * record nothing at all).
 */
export function fitIssueMarks(marks: IssueMarks): IssueMarks {
  const undone = marks.undone.slice(-MAX_ISSUE_MARKS);
  const transitions = marks.transitions.slice(-MAX_ISSUE_MARKS);
  const size = (): number => JSON.stringify({ ...marks, undone, transitions }).length;
  for (let n = size(); n > MAX_PROPERTY_CHARS && undone.length + transitions.length > 0; n = size()) {
    (undone.length >= transitions.length ? undone : transitions).shift();
  }
  return { ...marks, undone, transitions };
}
