// The client's issue-level calls (docs/exactly-once.md): entity properties (the `jlog` issue property holds
// tombstones and applied transitions; the worklog property holds the marker), the issue's status and
// its workflow transitions. Writes hold the issue's lock and count against its write windows.
import { JlogError, isJlogError } from '../errors.js';
import type { JiraHttp } from './http.js';
import type { Pacer } from './pacing.js';
import { idOf, isObject, issuePath, lockKey, protocolError } from './shape.js';
import type { IssueStatus, JiraClient, Transition } from './types.js';

type IssueCalls = Pick<
  JiraClient,
  | 'setWorklogProperty'
  | 'getIssueProperty'
  | 'setIssueProperty'
  | 'listTransitions'
  | 'transitionIssue'
  | 'getIssueStatus'
>;

const propertyPath = (key: string): string => `/properties/${encodeURIComponent(key)}`;

function statusOf(raw: unknown): IssueStatus | undefined {
  if (!isObject(raw)) return undefined;
  const id = idOf(raw.id);
  return id !== undefined && typeof raw.name === 'string' ? { id, name: raw.name } : undefined;
}

export function issueCalls(http: JiraHttp, pacer: Pacer): IssueCalls {
  /** One paced write to the issue; nothing to read from the answer. */
  const write = (
    issue: string,
    method: 'PUT' | 'POST',
    path: string,
    body: unknown,
    what: string,
  ): Promise<void> =>
    pacer.exclusive(lockKey(issue), async () => {
      await http.request({ method, path, body, writeIssue: lockKey(issue), what });
    });

  return {
    setWorklogProperty(issue, worklogId, key, value) {
      return write(
        issue,
        'PUT',
        `${issuePath(issue)}/worklog/${encodeURIComponent(worklogId)}${propertyPath(key)}`,
        value,
        `Updating the ${key} property of worklog ${worklogId} on ${issue}`,
      );
    },

    async getIssueProperty(issue, key, opts) {
      const what = `Reading the ${key} property of ${issue}`;
      const read = async (): Promise<{ found: true; value: unknown } | { found: false }> => {
        try {
          const res = await http.request({
            method: 'GET',
            path: `${issuePath(issue)}${propertyPath(key)}`,
            what,
          });
          if (!isObject(res.body) || !('value' in res.body)) throw protocolError(what, 'no value');
          return { found: true, value: res.body.value };
        } catch (err) {
          if (isJlogError(err, 'E_JIRA_NOT_FOUND')) return { found: false };
          throw err;
        }
      };
      const first = await read();
      if (first.found) return first.value;
      // Jira answers 404 both for a missing property and a missing issue. When the caller knows the
      // issue is there (the remote check's worklog read answered), the 404 is the property's.
      if (opts?.issueExists === true) return undefined;
      // Otherwise the key list tells which (and a missing issue fails here with its own 404).
      const res = await http.request({ method: 'GET', path: `${issuePath(issue)}/properties`, what });
      if (!isObject(res.body) || !Array.isArray(res.body.keys)) throw protocolError(what, 'no keys list');
      const listed = (res.body.keys as unknown[]).some((k) => isObject(k) && k.key === key);
      if (!listed) return undefined;
      // Written between the two reads: read it once more, and fail closed if it vanished again.
      const again = await read();
      if (again.found) return again.value;
      throw new JlogError('E_JIRA_UNAVAILABLE', `${what}: the property changed while it was read.`, {
        retryable: true,
      });
    },

    setIssueProperty(issue, key, value) {
      return write(
        issue,
        'PUT',
        `${issuePath(issue)}${propertyPath(key)}`,
        value,
        `Updating the ${key} property of ${issue}`,
      );
    },

    async listTransitions(issue) {
      const what = `Reading the transitions of ${issue}`;
      const res = await http.request({ method: 'GET', path: `${issuePath(issue)}/transitions`, what });
      if (!isObject(res.body) || !Array.isArray(res.body.transitions)) {
        throw protocolError(what, 'no transitions list');
      }
      return (res.body.transitions as unknown[]).map((raw): Transition => {
        const id = isObject(raw) ? idOf(raw.id) : undefined;
        const to = isObject(raw) ? statusOf(raw.to) : undefined;
        if (id === undefined || !isObject(raw) || typeof raw.name !== 'string' || to === undefined) {
          throw protocolError(what, 'a transition without id, name or target status');
        }
        return { id, name: raw.name, to };
      });
    },

    transitionIssue(issue, transitionId) {
      return write(
        issue,
        'POST',
        `${issuePath(issue)}/transitions`,
        { transition: { id: transitionId } },
        `Transitioning ${issue} (transition ${transitionId})`,
      );
    },

    async getIssueStatus(issue) {
      const what = `Reading the status of ${issue}`;
      const res = await http.request({
        method: 'GET',
        path: issuePath(issue),
        query: { fields: 'status' },
        what,
      });
      const status =
        isObject(res.body) && isObject(res.body.fields) ? statusOf(res.body.fields.status) : undefined;
      if (status === undefined) throw protocolError(what, 'no status');
      return status;
    },
  };
}
