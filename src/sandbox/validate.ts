// Jira's validation of worklog requests, with Jira's status codes and error bodies (as Jira documents them).
import type { Reply, WorkTime } from './jira-format.js';
import { STARTED_FORMAT_ERROR, errorReply, parseJiraDuration, parseStarted } from './jira-format.js';

export type ApiVersion = 2 | 3;

export interface WorklogInput {
  started?: string;
  startedMs?: number;
  timeSpentSeconds?: number;
  /** Present when the request set the comment; undefined value means "no comment". */
  comment?: { value: unknown };
  properties?: { key: string; value: unknown }[];
}

// Fields of Jira's Worklog bean. The read-only ones are accepted and ignored, as Jira does; anything
// else is refused the way Jackson refuses it (this is also how `newEstimate` in the body fails).
const WRITABLE = new Set(['started', 'timeSpent', 'timeSpentSeconds', 'comment', 'properties', 'visibility']);
const READ_ONLY = new Set(['id', 'self', 'issueId', 'author', 'updateAuthor', 'created', 'updated']);

export const INVALID_PAYLOAD = 'Invalid request payload. Refer to the REST API documentation and try again.';
const NOT_ADF = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
const MAX_PROPERTY_KEY = 255;
const MAX_PROPERTY_VALUE = 32_768;

export function validateWorklog(
  body: unknown,
  api: ApiVersion,
  mode: 'create' | 'update',
  wt: WorkTime,
): WorklogInput | Reply {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return errorReply(400, [INVALID_PAYLOAD]);
  }
  const b = body as Record<string, unknown>;
  for (const field of Object.keys(b)) {
    if (!WRITABLE.has(field) && !READ_ONLY.has(field)) {
      return errorReply(400, [
        `Unrecognized field "${field}" (class com.atlassian.jira.issue.fields.rest.json.beans.WorklogJsonBean), not marked as ignorable`,
      ]);
    }
  }
  const out: WorklogInput = {};

  if (b.started !== undefined && b.started !== null) {
    if (typeof b.started !== 'string') return errorReply(400, [], { started: STARTED_FORMAT_ERROR });
    const ms = parseStarted(b.started);
    // Jira's own behaviour for a date with no offset: an internal error, not a validation error.
    if (ms === 'no-offset') return errorReply(500, ['Internal server error']);
    if (ms === undefined) return errorReply(400, [], { started: STARTED_FORMAT_ERROR });
    out.started = b.started;
    out.startedMs = ms;
  } else if (mode === 'create') {
    return errorReply(400, [], { started: 'You must specify a start date for this worklog.' });
  }

  const hasText = b.timeSpent !== undefined && b.timeSpent !== null;
  const hasSeconds = b.timeSpentSeconds !== undefined && b.timeSpentSeconds !== null;
  if (hasText && hasSeconds) {
    return errorReply(400, [], { timeLogged: 'Provide either timeSpent or timeSpentSeconds, not both.' });
  }
  if (hasSeconds) {
    const s = b.timeSpentSeconds;
    if (typeof s !== 'number' || !Number.isInteger(s)) return errorReply(400, [INVALID_PAYLOAD]);
    out.timeSpentSeconds = s;
  } else if (hasText) {
    if (typeof b.timeSpent !== 'string') return errorReply(400, [INVALID_PAYLOAD]);
    const s = parseJiraDuration(b.timeSpent, wt);
    if (s === undefined) return errorReply(400, [], { timeLogged: 'Invalid time duration entered.' });
    out.timeSpentSeconds = s;
  } else if (mode === 'create') {
    return errorReply(400, [], { timeLogged: 'You must indicate the time spent working.' });
  }
  if (out.timeSpentSeconds !== undefined && out.timeSpentSeconds < 60) {
    return errorReply(400, ['Worklog must not be null.'], {
      timeLogged: 'You must indicate the time spent working.',
    });
  }

  if ('comment' in b) {
    const comment = checkComment(b.comment, api);
    if ('status' in comment) return comment;
    out.comment = comment;
  }

  if (b.properties !== undefined && b.properties !== null) {
    const props = checkProperties(b.properties);
    if (!Array.isArray(props)) return props;
    out.properties = props;
  }

  if (b.visibility !== undefined && b.visibility !== null) {
    const v = b.visibility as { type?: unknown };
    if (typeof b.visibility !== 'object' || (v.type !== 'group' && v.type !== 'role')) {
      return errorReply(400, [INVALID_PAYLOAD]);
    }
  }
  return out;
}

export function checkComment(comment: unknown, api: ApiVersion): { value: unknown } | Reply {
  if (comment === null || comment === undefined) return { value: undefined };
  if (api === 2) {
    if (typeof comment === 'string') return { value: comment === '' ? undefined : comment };
    // Jira Data Center's v2 silently drops an ADF comment (a documented Jira quirk): accepted, not kept.
    if (typeof comment === 'object') return { value: undefined };
    return errorReply(400, [INVALID_PAYLOAD]);
  }
  if (typeof comment !== 'object' || Array.isArray(comment)) return errorReply(400, [], { comment: NOT_ADF });
  const doc = comment as { type?: unknown; version?: unknown; content?: unknown };
  if (
    doc.type !== 'doc' ||
    doc.version !== 1 ||
    !Array.isArray(doc.content) ||
    !doc.content.every(isAdfNode)
  ) {
    return errorReply(400, ['INVALID_INPUT']);
  }
  return { value: comment };
}

/** An ADF node: a typed object whose text (if a text node) is non-empty and whose children are nodes. */
function isAdfNode(node: unknown): boolean {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return false;
  const n = node as { type?: unknown; text?: unknown; content?: unknown; marks?: unknown };
  if (typeof n.type !== 'string' || n.type === '' || n.type === 'doc') return false;
  if (n.type === 'text' && (typeof n.text !== 'string' || n.text === '')) return false;
  if (n.content !== undefined && (!Array.isArray(n.content) || !n.content.every(isAdfNode))) return false;
  if (n.marks !== undefined) {
    if (!Array.isArray(n.marks)) return false;
    for (const mark of n.marks as unknown[]) {
      if (
        mark === null ||
        typeof mark !== 'object' ||
        typeof (mark as { type?: unknown }).type !== 'string'
      ) {
        return false;
      }
    }
  }
  return true;
}

export function checkProperties(props: unknown): { key: string; value: unknown }[] | Reply {
  if (!Array.isArray(props)) return errorReply(400, [INVALID_PAYLOAD]);
  const out: { key: string; value: unknown }[] = [];
  for (const p of props as unknown[]) {
    if (p === null || typeof p !== 'object' || Array.isArray(p)) return errorReply(400, [INVALID_PAYLOAD]);
    const { key, value, ...rest } = p as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) {
      return errorReply(400, [
        `Unrecognized field "${extra}" (class com.atlassian.jira.rest.v2.entity.property.EntityPropertyBean), not marked as ignorable`,
      ]);
    }
    const bad = checkProperty(key, value);
    if (bad) return bad;
    out.push({ key: key as string, value });
  }
  return out;
}

/** Jira's entity-property rules: a key of 1–255 characters, a non-empty JSON value ≤ 32,768 characters. */
export function checkProperty(key: unknown, value: unknown): Reply | undefined {
  if (typeof key !== 'string' || key.trim() === '') {
    return errorReply(400, ['The property key cannot be null or empty.']);
  }
  if (key.length > MAX_PROPERTY_KEY) {
    return errorReply(400, [`The property key cannot be longer than ${MAX_PROPERTY_KEY} characters.`]);
  }
  const serialized = value === undefined ? '' : JSON.stringify(value);
  if (value === null || serialized === '' || serialized === '""') {
    return errorReply(400, ['The property value cannot be null or empty.']);
  }
  if (serialized.length > MAX_PROPERTY_VALUE) {
    return errorReply(400, [`The property value cannot be longer than ${MAX_PROPERTY_VALUE} characters.`]);
  }
  return undefined;
}

export type EstimateAdjustment =
  | { mode: 'auto' }
  | { mode: 'leave' }
  | { mode: 'new'; seconds: number }
  | { mode: 'manual'; seconds: number };

/**
 * The `adjustEstimate` query parameter with its companion (`newEstimate`; `reduceBy` on create and
 * update, `increaseBy` on delete), as Jira validates them.
 */
export function validateAdjustEstimate(
  query: Record<string, string>,
  op: 'create' | 'update' | 'delete',
  wt: WorkTime,
): EstimateAdjustment | Reply {
  const mode = query.adjustEstimate ?? 'auto';
  if (mode === 'auto' || mode === 'leave') return { mode };
  if (mode === 'new') {
    const s = parseJiraDuration(query.newEstimate ?? '', wt);
    if (s === undefined) return errorReply(400, [], { newEstimate: 'You must supply a valid new estimate.' });
    return { mode, seconds: s };
  }
  if (mode === 'manual') {
    const param = op === 'delete' ? 'increaseBy' : 'reduceBy';
    const s = parseJiraDuration(query[param] ?? '', wt);
    if (s === undefined) {
      const what = op === 'delete' ? 'increase' : 'reduce';
      return errorReply(400, [], {
        [param]: `You must supply a valid amount of time to ${what} the estimate by.`,
      });
    }
    return { mode, seconds: s };
  }
  return errorReply(400, [
    `Invalid value for adjustEstimate: '${mode}'. Valid values are: new, leave, manual, auto.`,
  ]);
}
