// Small readers for Jira's answers, shared by the client's parts: an answer is `unknown` until its
// shape is checked, and a shape jlog cannot read is E_JIRA_PROTOCOL, never a guess.
import { JlogError } from '../errors.js';

export const issuePath = (issue: string): string => `/issue/${encodeURIComponent(issue)}`;

export function protocolError(what: string, detail: string): JlogError {
  return new JlogError('E_JIRA_PROTOCOL', `${what}: Jira's answer could not be read (${detail}).`);
}

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';

/** Jira ids are strings on Cloud and sometimes numbers elsewhere; '' is no id. */
export const idOf = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;

/**
 * The id of what a POST created. Jira said it stored something but not what: only the remote check
 * can tell which one, so a missing id is an unknown outcome, never a success or a plain failure.
 */
export function createdId(res: { status: number; body: unknown }, what: string, noun: string): string {
  const id = isObject(res.body) ? idOf(res.body.id) : undefined;
  if (id !== undefined) return id;
  throw new JlogError(
    'E_JIRA_UNKNOWN_OUTCOME',
    `${what}: Jira answered ${res.status} without a ${noun} id.`,
    {
      status: res.status,
      retryable: true,
    },
  );
}

/** Writes to one issue go one at a time, in call order, whatever the key's case. */
export const lockKey = (issue: string): string => issue.toUpperCase();
