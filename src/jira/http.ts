// One request to Jira, with the retry rules of docs/exactly-once.md. The only place that sends bytes to Jira:
// one keep-alive undici Pool per client, each attempt bounded by timeoutMs, every failure a
// JlogError. A POST that may have landed is never sent again: it fails as E_JIRA_UNKNOWN_OUTCOME
// and the engine reads the issue's worklogs to find out.

import type { Dispatcher } from 'undici';
import { Pool, poolRequest } from './undici-pool.js';
import { JlogError } from '../errors.js';
import { errorForStatus } from './errors.js';
import type { Pacer } from './pacing.js';
import { makeRedactor, authorizationHeader, safeCause, type Redactor } from './redact.js';
import { backoffMs, CERTIFICATE_REFUSED, classifyNetworkError, errorCode, parseRetryAfter } from './retry.js';
import type { Credentials, JiraClientOptions } from './types.js';

declare const JLOG_VERSION: string;
const VERSION = typeof JLOG_VERSION === 'string' ? JLOG_VERSION : '0.0.0-dev';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpCall {
  method: Method;
  /** Below the API root: `/issue/PROJ-7/worklog`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Counts against this issue's write windows (the caller holds the issue's lock). */
  writeIssue?: string;
  /** For messages: `adding a worklog to PROJ-7`. */
  what: string;
  /** DELETE: a 404 after an attempt whose outcome was unknown means that attempt landed. */
  notFoundAfterUnknownIsDone?: boolean;
  /** A POST that only reads (`/comment/list`): safe to send again, and not a write to pace. */
  readOnly?: boolean;
}

export interface HttpResult {
  status: number;
  /** Parsed JSON, or undefined when the body was empty or not JSON. */
  body: unknown;
}

/** Statuses worth another attempt for requests that are safe to repeat. */
const RETRY_IDEMPOTENT = new Set([429, 500, 502, 503, 504]);

/** docs/exactly-once.md: a larger answer is an error, never read into memory (a hostile or broken server). */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** What undici accepts in a header is wider than this; docs/configuration.md says tokens are printable ASCII. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** The answer was larger than MAX_RESPONSE_BYTES (thrown by `once`, mapped by `request`). */
class TooLarge extends Error {
  override readonly name = 'TooLarge';
}

interface Settings {
  timeoutMs: number;
  maxRetries: number;
  retryCapMs: number;
  retryBaseMs: number;
}

export class JiraHttp {
  private readonly pool: Pool;
  private readonly root: string;
  private readonly headers: Record<string, string>;
  private readonly redact: Redactor;
  private readonly s: Settings;
  private closed = false;

  constructor(
    private readonly creds: Credentials,
    private readonly opts: JiraClientOptions,
    private readonly pacer: Pacer,
  ) {
    let url: URL;
    try {
      url = new URL(creds.baseUrl);
    } catch (cause) {
      throw new JlogError('E_CREDENTIALS', `The Jira base URL is not a URL: ${creds.baseUrl}`, { cause });
    }
    const timeoutMs = opts.timeoutMs ?? 30_000;
    this.s = {
      timeoutMs,
      maxRetries: opts.maxRetries ?? 3,
      retryCapMs: opts.retryCapMs ?? 30_000,
      retryBaseMs: opts.retryBaseMs ?? 1_000,
    };
    this.redact = makeRedactor(creds.auth);
    // undici refuses a header with a newline or a non-Latin-1 character; checked here so it is one
    // clear credential error before any request, not a failure per request (never the token itself).
    const auth = creds.auth;
    if (!PRINTABLE_ASCII.test(auth.token) || (auth.type === 'basic' && !PRINTABLE_ASCII.test(auth.email))) {
      throw new JlogError(
        'E_CREDENTIALS',
        'the Jira credentials contain a character an HTTP header cannot carry (a newline, a control or a non-ASCII character)',
        { hint: 'copy the API token again without extra characters, then run jlog login' },
      );
    }
    // A scoped-token base (`https://api.atlassian.com/ex/jira/<cloudId>`) keeps its path.
    this.root = `${url.pathname.replace(/\/+$/, '')}/rest/api/${creds.deployment === 'cloud' ? 3 : 2}`;
    this.headers = {
      authorization: authorizationHeader(creds.auth),
      accept: 'application/json',
      'user-agent': `jlog/${VERSION}`,
    };
    this.pool = new Pool(url.origin, {
      connections: opts.concurrency ?? 4,
      connectTimeout: Math.min(timeoutMs, opts.connectTimeoutMs ?? 10_000),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      pipelining: 1,
    });
  }

  async request(call: HttpCall): Promise<HttpResult> {
    if (this.closed) throw new JlogError('E_INTERNAL', 'The Jira client is closed.');
    const path = this.pathOf(call);
    // Only reads are sent again after an outcome that is unknown: a POST, PUT or DELETE that may have
    // landed is reported as E_JIRA_UNKNOWN_OUTCOME and the caller reads back (docs/exactly-once.md). DELETE
    // is the one write repeated, because its second answer tells: 404 means the first one landed.
    const idempotent = call.method === 'GET' || call.readOnly === true;
    const repeatable = idempotent || call.method === 'DELETE';
    const attempts = this.s.maxRetries + 1;
    let uncertain = false;
    for (let attempt = 1; ; attempt++) {
      const started = this.pacer.now();
      let result: HttpResult & { retryAfter?: string | undefined };
      try {
        result = await this.pacer.send(call.writeIssue, () => this.once(call.method, path, call.body));
      } catch (err) {
        if (err instanceof TooLarge) {
          // A write that got this far was probably stored: only a read back can tell.
          throw new JlogError(
            idempotent ? 'E_JIRA_PROTOCOL' : 'E_JIRA_UNKNOWN_OUTCOME',
            `${call.what}: Jira's answer is larger than ${MAX_RESPONSE_BYTES / 1024 / 1024} MB; it was not read.`,
            { retryable: !idempotent },
          );
        }
        if (errorCode(err) === 'UND_ERR_INVALID_ARG') {
          // undici refused to build the request: nothing was sent, and sending again cannot help.
          throw new JlogError(
            'E_INTERNAL',
            `${call.what}: the request could not be built (${this.redact(String((err as Error).message))}).`,
            {
              cause: safeCause(err, this.redact),
            },
          );
        }
        const kind = classifyNetworkError(err);
        const code = errorCode(err) ?? (err instanceof Error ? err.name : 'error');
        this.log(
          `${call.method} ${path} failed after ${this.pacer.now() - started} ms: ${code} (attempt ${attempt})`,
        );
        const cause = safeCause(err, this.redact);
        const timedOut = /TIMEOUT|TimeoutError|AbortError/i.test(code);
        const why = timedOut ? `no answer within ${this.s.timeoutMs} ms` : `the connection failed (${code})`;
        if (!repeatable && kind === 'unknown') {
          throw new JlogError(
            'E_JIRA_UNKNOWN_OUTCOME',
            `${call.what}: ${why}; it may or may not have landed.`,
            {
              cause,
              retryable: true,
            },
          );
        }
        if (kind === 'unknown') uncertain = true;
        const host = new URL(this.creds.baseUrl).host;
        if (CERTIFICATE_REFUSED.includes(code)) {
          // Trying again cannot help: the trust has to change.
          throw new JlogError(
            'E_JIRA_UNAVAILABLE',
            `${call.what}: the TLS certificate of ${host} was refused (${code}).`,
            { cause, retryable: true, hint: `${certificateFix(code, host)}; the worklogs stay pending.` },
          );
        }
        if (attempt < attempts) {
          await this.wait(call, path, attempt, { code }, undefined);
          continue;
        }
        throw new JlogError('E_JIRA_UNAVAILABLE', `${call.what}: ${why}.`, {
          cause,
          retryable: true,
          hint: `Check that ${host} is reachable; the worklogs stay pending.`,
        });
      }

      const { status } = result;
      this.log(`${call.method} ${path} → ${status} in ${this.pacer.now() - started} ms (attempt ${attempt})`);
      if (status >= 200 && status < 300) return { status, body: result.body };
      if (status === 404 && uncertain && call.notFoundAfterUnknownIsDone === true)
        return { status, body: undefined };

      const retryAfterMs = parseRetryAfter(result.retryAfter, Date.now());
      const ctx = {
        what: call.what,
        status,
        body: result.body,
        auth: this.creds.auth,
        deployment: this.creds.deployment,
        redact: this.redact,
        retryAfterMs,
      };
      // Jira rejects a 429 before doing anything, so even a POST may go again; any 5xx on a write
      // may have come after it was stored.
      if (!repeatable && status >= 500) {
        const e = errorForStatus(ctx);
        throw new JlogError('E_JIRA_UNKNOWN_OUTCOME', `${e.message}; it may or may not have landed.`, {
          status,
          retryable: true,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      }
      if (status >= 500 && status !== 501 && status !== 505) uncertain = true;
      const retryable = status === 429 || (repeatable && RETRY_IDEMPOTENT.has(status));
      const tooLong = retryAfterMs !== undefined && retryAfterMs > this.s.retryCapMs;
      if (retryable && attempt < attempts && !tooLong) {
        await this.wait(call, path, attempt, { status }, retryAfterMs);
        continue;
      }
      throw errorForStatus(ctx);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.close();
  }

  private pathOf(call: HttpCall): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) q.set(k, String(v));
    const qs = q.toString();
    return `${this.root}${call.path}${qs === '' ? '' : `?${qs}`}`;
  }

  private async once(
    method: Method,
    path: string,
    body: unknown,
  ): Promise<HttpResult & { retryAfter?: string | undefined }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const res = await poolRequest(this.pool, {
      method,
      path,
      headers: payload === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
      body: payload,
      // The whole attempt, connect to last byte: a server that hangs mid-body cannot hang the run.
      signal: AbortSignal.timeout(this.s.timeoutMs),
      headersTimeout: this.s.timeoutMs,
      bodyTimeout: this.s.timeoutMs,
    });
    const text = await readCapped(res.body, res.headers['content-length']);
    let parsed: unknown;
    if (text.trim() !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    const ra = res.headers['retry-after'];
    return { status: res.statusCode, body: parsed, retryAfter: Array.isArray(ra) ? ra[0] : ra };
  }

  private async wait(
    call: HttpCall,
    path: string,
    attempt: number,
    why: { status?: number; code?: string },
    retryAfterMs: number | undefined,
  ): Promise<void> {
    const delayMs = backoffMs({
      attempt,
      baseMs: this.s.retryBaseMs,
      capMs: this.s.retryCapMs,
      retryAfterMs,
    });
    this.log(`${call.method} ${path}: retry in ${delayMs} ms after ${why.status ?? why.code}`);
    this.opts.onRetry?.({
      method: call.method,
      path: path.split('?')[0] as string,
      attempt,
      delayMs,
      ...why,
    });
    await this.pacer.sleep(delayMs);
  }

  private log(line: string): void {
    this.opts.debug?.(this.redact(`jira: ${line}`));
  }
}

/** What to do about a refused certificate (CERTIFICATE_REFUSED). */
function certificateFix(code: string, host: string): string {
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `The certificate is for another name: check that ${host} is your Jira site's address`;
  if (code === 'CERT_HAS_EXPIRED') return `The certificate of ${host} has expired: tell your Jira admin`;
  return 'If your company uses its own certificate authority, set NODE_EXTRA_CA_CERTS to its certificate file';
}

/** The body as text, refusing (and destroying the stream) past MAX_RESPONSE_BYTES. */
async function readCapped(
  body: Dispatcher.ResponseData['body'],
  contentLength: string | string[] | undefined,
): Promise<string> {
  const declared = Number(Array.isArray(contentLength) ? contentLength[0] : contentLength);
  if (Number.isFinite(declared) && declared > MAX_RESPONSE_BYTES) {
    body.destroy();
    throw new TooLarge();
  }
  // A declared length within the cap bounds the body (undici reads no byte past it): read it whole,
  // without an async iterator's promise per chunk (issue 13: two of these per worklog posted).
  if (Number.isFinite(declared)) return body.text();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      body.destroy();
      throw new TooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
