// Plain-fetch access to a sandbox for its own tests: what a Jira client sends, without our client.
import type { Sandbox } from '../../src/sandbox/server.js';

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

export function basicAuth(email: string, token: string): string {
  return `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}`;
}

export function client(sb: Sandbox, auth = basicAuth('dev@example.com', 'sandbox-token')) {
  return async function call(method: string, path: string, body?: unknown, api: 2 | 3 = 3): Promise<Answer> {
    const headers: Record<string, string> = { Authorization: auth, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${sb.url}/rest/api/${api}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed };
  };
}

export const STARTED = '2026-11-27T09:05:00.000+0100';

export function adf(text: string): unknown {
  return { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] };
}

export function worklog(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { started: STARTED, timeSpentSeconds: 3600, ...extra };
}
