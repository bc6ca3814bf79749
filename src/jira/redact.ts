// The token must never reach an error message, a cause or a debug line (docs/configuration.md). Everything
// the client says passes through a redactor that knows the credential in every form it was sent in.

import type { Credentials } from './types.js';

export type Redactor = (text: string) => string;

const AUTH_HEADER = /\b(Basic|Bearer)\s+[A-Za-z0-9._~+/=-]{4,}/gi;

export function authorizationHeader(auth: Credentials['auth']): string {
  return auth.type === 'basic'
    ? `Basic ${Buffer.from(`${auth.email}:${auth.token}`).toString('base64')}`
    : `Bearer ${auth.token}`;
}

export function makeRedactor(auth: Credentials['auth']): Redactor {
  const header = authorizationHeader(auth);
  const secrets = [
    header.slice(header.indexOf(' ') + 1),
    auth.token,
    JSON.stringify(auth.token).slice(1, -1),
    encodeURIComponent(auth.token),
  ]
    .filter((s) => s !== '')
    // Longest first, so a secret that contains another is replaced whole.
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text.replace(AUTH_HEADER, '$1 [redacted]');
    for (const secret of secrets) out = out.split(secret).join('[redacted]');
    return out;
  };
}

/**
 * A network error reduced to what is safe to keep as a `cause`: name, code and a redacted message.
 * The original object (sockets, undici internals) is not carried along.
 */
export function safeCause(err: unknown, redact: Redactor, depth = 0): Error {
  const source = err instanceof Error ? err : new Error(String(err));
  const clean = new Error(redact(source.message));
  clean.name = source.name;
  const code = (source as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(clean, { code });
  clean.stack = `${clean.name}: ${clean.message}`;
  if (depth < 4 && source.cause !== undefined && source.cause !== source) {
    Object.defineProperty(clean, 'cause', {
      value: safeCause(source.cause, redact, depth + 1),
      enumerable: false,
    });
  }
  return clean;
}
