// When to try again, and how long to wait (docs/exactly-once.md and Atlassian's rate-limit advice):
// Retry-After is the floor; without it, exponential backoff with jitter ×0.7–1.3; every wait capped.

/** `Retry-After` in ms from `now`: delta-seconds or an HTTP date; undefined when absent or junk. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface BackoffInput {
  /** The attempt that just failed, 1-based. */
  attempt: number;
  baseMs: number;
  capMs: number;
  retryAfterMs?: number | undefined;
  /** [0, 1): injectable for tests. */
  random?: () => number;
}

/** The wait before the next attempt: max(Retry-After, base·2^(n−1)·jitter), at most capMs. */
export function backoffMs({
  attempt,
  baseMs,
  capMs,
  retryAfterMs,
  random = Math.random,
}: BackoffInput): number {
  const jitter = 0.7 + 0.6 * random();
  const exponential = baseMs * 2 ** Math.max(0, attempt - 1) * jitter;
  return Math.round(Math.min(capMs, Math.max(retryAfterMs ?? 0, exponential)));
}

/**
 * The site's certificate was refused: the same on every attempt until someone changes the trust
 * (a company's own certificate authority, a certificate for another name, an expired one).
 */
export const CERTIFICATE_REFUSED: readonly string[] = [
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
];

/** Network failures where the request certainly never reached the server. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  // TLS handshake failures: the request is written only after the handshake.
  ...CERTIFICATE_REFUSED,
  'EPROTO',
]);

/** The first error `code` along the cause chain. */
export function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 8 && e !== null && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * 'not-sent': the request never left (safe to send again); 'unknown': it may have reached Jira
 * (a timeout, a reset or close after sending): a write must be reconciled, never re-sent blindly.
 */
export function classifyNetworkError(err: unknown): 'not-sent' | 'unknown' {
  const code = errorCode(err);
  return code !== undefined && NOT_SENT.has(code) ? 'not-sent' : 'unknown';
}
