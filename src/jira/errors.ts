// Jira's answers as JlogErrors (docs/exactly-once.md): a stable code, Jira's own message, whether a later try
// can help, and for 401 what to fix. Messages pass through the redactor.

import { JlogError } from '../errors.js';
import type { Redactor } from './redact.js';
import type { Credentials } from './types.js';

/** Jira's error text: `errorMessages` and the values of `errors`, joined; '' when none. */
export function jiraMessage(body: unknown): string {
  if (body === null || typeof body !== 'object') return '';
  const { errorMessages, errors, message } = body as Record<string, unknown>;
  const parts: string[] = [];
  if (Array.isArray(errorMessages)) {
    for (const m of errorMessages) if (typeof m === 'string' && m.trim() !== '') parts.push(m.trim());
  }
  if (errors !== null && typeof errors === 'object') {
    for (const v of Object.values(errors)) if (typeof v === 'string' && v.trim() !== '') parts.push(v.trim());
  }
  // Gateways and Data Center sometimes answer `{"message": …}`.
  if (parts.length === 0 && typeof message === 'string' && message.trim() !== '') parts.push(message.trim());
  // One line: a line break in Jira's text must not start a line of its own in jlog's output.
  return parts.join('; ').replace(/[\r\n\u2028\u2029]+/g, ' ');
}

const TIME_TRACKING_OFF =
  /time\s*tracking[^.;]*\b(disabled|not enabled|not turned on|switched off|is off|turned off)\b/i;

/**
 * A 401 hint's first instruction in a few words, for one-line notices (the hooks' "n worklogs waiting:
 * <fix>"): an exported token is fixed where it is set, since `jlog login` cannot override it.
 */
export function authFix(hint: string | undefined): string {
  if (hint?.startsWith(CHECK_BASIC)) return 'check JIRA_USER_EMAIL and JIRA_API_TOKEN';
  if (hint?.startsWith(CHECK_BEARER)) return 'check JIRA_API_TOKEN';
  if (hint?.startsWith(PAT_WITH_EMAIL)) return 'unset JIRA_USER_EMAIL or set JIRA_AUTH_TYPE=bearer';
  return 'run jlog login';
}

const CHECK_BASIC = 'Check JIRA_USER_EMAIL and JIRA_API_TOKEN';
const CHECK_BEARER = 'Check JIRA_API_TOKEN';
const PAT_WITH_EMAIL = 'A personal access token goes without an email';

export function authHint(auth: Credentials['auth'], deployment?: Credentials['deployment']): string {
  // A token jlog login stored: the environment has nothing to check, logging in again fixes it.
  if (auth.from === 'login')
    return 'The token jlog login stored for this site was refused (expired or revoked?): run `jlog login` again.';
  // Data Center with an email: Basic auth, which a personal access token does not pass (Atlassian's
  // token page is for Cloud accounts).
  if (auth.type === 'basic' && deployment === 'datacenter')
    return `${PAT_WITH_EMAIL}: unset JIRA_USER_EMAIL or set JIRA_AUTH_TYPE=bearer. Or check the user name and password, or run \`jlog login\`.`;
  return auth.type === 'basic'
    ? `${CHECK_BASIC} (API tokens expire, one year by default; create one at ` +
        'https://id.atlassian.com/manage-profile/security/api-tokens). A scoped API token needs ' +
        'JIRA_BASE_URL=https://api.atlassian.com/ex/jira/<cloudId>. Or run `jlog login`.'
    : `${CHECK_BEARER}: the personal access token or OAuth 2.0 access token may have expired or ` +
        'been revoked (OAuth needs JIRA_BASE_URL=https://api.atlassian.com/ex/jira/<cloudId>). Or run `jlog login`.';
}

export interface StatusContext {
  /** What the call was doing, for the message: `adding a worklog to PROJ-7`. */
  what: string;
  status: number;
  body: unknown;
  auth: Credentials['auth'];
  deployment?: Credentials['deployment'];
  redact: Redactor;
  retryAfterMs?: number | undefined;
}

/** The error for a final 4xx/5xx answer (after retries, when any applied). */
export function errorForStatus(ctx: StatusContext): JlogError {
  const { status, redact, retryAfterMs } = ctx;
  const said = redact(jiraMessage(ctx.body));
  const message = redact(`${ctx.what}: Jira answered ${status}${said === '' ? '' : `: ${said}`}`);
  const base = { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  switch (status) {
    case 400:
      if (TIME_TRACKING_OFF.test(said)) {
        return new JlogError('E_JIRA_TIME_TRACKING_OFF', message, {
          ...base,
          retryable: true,
          hint: 'A Jira administrator can enable time tracking (Jira settings > Work items > Time tracking).',
        });
      }
      return new JlogError('E_JIRA_BAD_REQUEST', message, { ...base, retryable: false });
    case 401:
      return new JlogError('E_JIRA_AUTH', message, {
        ...base,
        retryable: true,
        hint: authHint(ctx.auth, ctx.deployment),
      });
    case 403:
      return new JlogError('E_JIRA_FORBIDDEN', message, {
        ...base,
        retryable: true,
        hint: 'The account needs the Browse projects and Work on issues permissions for this project.',
      });
    case 404:
      return new JlogError('E_JIRA_NOT_FOUND', message, {
        ...base,
        retryable: true,
        hint: 'Check the issue key, and that this account can see the issue.',
      });
    case 413:
      return new JlogError('E_JIRA_LIMIT', message, { ...base, retryable: false });
    case 429:
      return new JlogError('E_JIRA_RATE_LIMITED', message, {
        ...base,
        retryable: true,
        hint: 'Jira is rate-limiting this account; the worklogs stay pending and the next run posts them.',
      });
    default:
      if (status >= 500) return new JlogError('E_JIRA_UNAVAILABLE', message, { ...base, retryable: true });
      return new JlogError('E_JIRA_PROTOCOL', message, { ...base, retryable: false });
  }
}
