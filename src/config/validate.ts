// Validating a loaded config (docs/configuration.md). Pure: the raw object is `unknown` until every key has
// been checked; every problem is reported at once, and a credential is never echoed.
import * as z from 'zod/mini';
import { JlogError } from '../errors.js';
import { DEFAULT_CONFIG, type JlogConfig } from './schema.js';
import { parseDuration } from '../core/duration.js';
import { parseDateBound } from '../core/report.js';

// ---- small checks shared with credentials.ts ----

const LOOPBACK_V4 = /^127(\.\d{1,3}){3}$/;
// Whitespace, C0, DEL, C1, line separators and bidi controls: nothing a site's address holds.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\s\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const NON_ASCII = /[^\x20-\x7e]/;

/** A problem with a Jira base URL, or null when it is usable (https, or http on loopback). */
export function baseUrlProblem(text: string): string | null {
  // The URL parser drops tabs and line breaks and percent-encodes other controls, so a URL with
  // `\r\x1b[2K…` in it still parses, yet printed as written it redraws the terminal: a repository's
  // jira.baseUrl could then show `jlog login` a site other than the one the token goes to.
  if (UNPRINTABLE.test(text)) return 'must not contain spaces or control characters';
  // `acme.atlassiаn.net` with a Cyrillic `а` reads as the real site, but the parser sends the token to
  // `acme.xn--atlassin-76g.net`, a domain anyone may own: the address must be written as it is sent.
  if (NON_ASCII.test(text)) return 'must be plain ASCII (an international domain name in its xn-- form)';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be a URL like https://your-site.atlassian.net';
  }
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password';
  if (url.search !== '' || url.hash !== '') return 'must not have a query or a fragment';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must start with https://';
  if (url.protocol === 'http:' && !isLoopback(url.hostname))
    return 'must use https:// (http:// is allowed only on loopback)';
  if (isPagePath(url))
    return "must be the site's address without a path (e.g. https://acme.atlassian.net, not …/browse/PROJ-7)";
  return null;
}

// A Jira page pasted as the site (`…/browse/PROJ-7`, `…/jira/software/projects/…`) would make every
// request 404 and look like a wrong issue key. A Cloud site has no path of its own; Data Center may
// have a context path (`/jira`), and scoped tokens use `api.atlassian.com/ex/jira/<cloudId>`.
const PAGE_PATH =
  /\/(browse|rest|secure|projects|issues|plugins|servicedesk|jira\/(software|core|servicemanagement|your-work|dashboards|projects))(\/|$)/i;

function isPagePath(url: URL): boolean {
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '') return false;
  if (url.hostname.toLowerCase().endsWith('.atlassian.net')) return true;
  return PAGE_PATH.test(path);
}

/** The next step for a base URL that has a problem: the site alone, when the URL has one. */
export function baseUrlFix(text: string): string {
  try {
    const url = new URL(text);
    if (url.protocol === 'https:' || url.protocol === 'http:') {
      if (isPagePath(url))
        return `use ${url.protocol === 'http:' && !isLoopback(url.hostname) ? 'https:' : url.protocol}//${url.host} (the site, without a path)`;
      if (url.protocol === 'http:') return `use https://${url.host}`;
    }
  } catch {
    // not a URL at all: the example below
  }
  return 'use your site, e.g. https://acme.atlassian.net';
}

export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h === '[::1]' || h === '::1' || LOOPBACK_V4.test(h);
}

/** The base URL as jlog uses it: no trailing slash. */
export function normalizeBaseUrl(text: string): string {
  return text.trim().replace(/\/+$/, '');
}

// One or more <number><unit> parts, units w d h m in any case (docs/grammar.md). Local so that config does
// not wait on core/duration.ts; it only decides whether the text is a duration.
/** One definition of a duration: the grammar's own (8 h days and 5 d weeks are enough to validate). */
export function isDurationText(text: string): boolean {
  const r = parseDuration(text);
  return r.ok && r.seconds >= 60;
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

/**
 * A repository's pattern runs on every commit message jlog reads: one that repeats a repetition
 * (`(a+)+`, `(\w*\s?)*`) can take exponential time on a crafted message and hang a sync or a hook.
 * Refused, as are backreferences and patterns over 500 characters. Heuristic, on the source text:
 * a group that holds a quantifier may not be quantified itself by `*`, `+`, `{n,}` or `{n,m}`.
 */
function isSafePattern(pattern: string): boolean {
  if (pattern.length > 500 || /\\[1-9k]/.test(pattern)) return false;
  const quantifiedInside: boolean[] = [false];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') {
      // A character class: skip to its end (a `]` right after `[` or `[^` is a literal).
      i += pattern[i + 1] === '^' ? 2 : 1;
      if (pattern[i] === ']') i++;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      continue;
    }
    if (c === '(') {
      quantifiedInside.push(false);
      // A group's own syntax is no quantifier: (?: (?= (?! (?<= (?<! (?<name>
      const head = /^\?(<[A-Za-z_$][\w$]*>|<=|<!|[:=!])/.exec(pattern.slice(i + 1));
      if (head) i += head[0].length;
      continue;
    }
    const quantifier =
      c === '*' || c === '+' || c === '?' || (c === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(i)));
    if (c === ')') {
      const inner = quantifiedInside.pop() ?? false;
      const next = pattern.slice(i + 1);
      const repeated = /^(\*|\+|\{\d+,\d*\})/.test(next) && !/^\{(\d+),\1\}/.test(next);
      if (inner && repeated) return false;
      if (quantifiedInside.length === 0) quantifiedInside.push(false);
      quantifiedInside[quantifiedInside.length - 1] ||= inner || repeated;
      continue;
    }
    if (quantifier) quantifiedInside[quantifiedInside.length - 1] = true;
  }
  return true;
}

const squashPatternText = z.string().check(
  z.refine(compiles, { error: 'must be a valid regular expression' }),
  z.refine((p: string) => !compiles(p) || isSafePattern(p), {
    error:
      'must not repeat a repetition like (a+)+, nor use backreferences (it could hang on a crafted message)',
  }),
);

// ---- the schema: strict objects, no coercion, every key optional (defaults fill in) ----
// zod/mini, not classic zod: the same checks at a fraction of the bundle (it is loaded in git hooks).

const bool = z.boolean();
const dateText = z.string().check(
  z.refine((s: string) => parseDateBound(s, '2000-01-01') !== null, {
    error: 'must be a date like 2026-11-20, "yesterday" or "30 days ago"',
  }),
);
const shapes = {
  jira: {
    baseUrl: z.nullable(
      z.string().check(
        z.refine((s: string) => baseUrlProblem(normalizeBaseUrl(s)) === null, {
          error: (iss) => baseUrlProblem(normalizeBaseUrl(String(iss.input))) ?? 'invalid URL',
        }),
      ),
    ),
    deployment: z.enum(['cloud', 'datacenter']),
  },
  timeTracking: {
    hoursPerDay: z.number().check(z.gt(0), z.lte(24)),
    daysPerWeek: z.number().check(z.gt(0), z.lte(7)),
  },
  comment: { fallback: z.enum(['subject', 'none']) },
  commands: { comment: bool, transitions: bool },
  sync: { since: dateText },
  ci: {
    since: dateText,
    authorInComment: bool,
  },
};

const partial = <T extends z.core.$ZodLooseShape>(shape: T) => z.partial(z.strictObject(shape));

/** Exported for test/docs.test.ts, which checks that docs/configuration.md describes every key. */
export const configSchema = z.partial(
  z.strictObject({
    $schema: z.string(),
    jira: partial(shapes.jira),
    projects: z.nullable(
      z
        .array(
          z
            .string()
            .check(z.regex(/^[A-Z][A-Z0-9]+$/, { error: 'must be an uppercase project key like PROJ' })),
        )
        .check(z.minLength(1, { error: 'must list at least one project key, or be null for any' })),
    ),
    postOn: z.enum(['push', 'commit', 'manual']),
    authors: z.enum(['me', 'all']),
    adjustEstimate: z.enum(['auto', 'leave']),
    notifyUsers: bool,
    started: z.enum(['commit', 'commit-minus-duration']),
    maxDuration: z
      .string()
      .check(z.refine(isDurationText, { error: 'must be a duration like 2w or 1d 4h (units w d h m)' })),
    timeTracking: z.nullable(partial(shapes.timeTracking)),
    comment: partial(shapes.comment),
    commands: partial(shapes.commands),
    strict: bool,
    failPushOnError: bool,
    concurrency: z.int().check(z.gte(1), z.lte(16)),
    // Bounded both ways (docs/exactly-once.md): a request never hangs a hook's worker longer than 2 minutes.
    timeoutMs: z.int().check(z.gte(1_000), z.lte(120_000)),
    squashPattern: z.nullable(z.union([squashPatternText, z.array(squashPatternText)])),
    rewrites: z.enum(['apply', 'report']),
    sync: partial(shapes.sync),
    ci: partial(shapes.ci),
  }),
);

type RawConfig = z.infer<typeof configSchema>;

const KNOWN_KEYS: Record<string, string[]> = {
  '': Object.keys(DEFAULT_CONFIG),
  ...Object.fromEntries(Object.entries(shapes).map(([k, v]) => [k, Object.keys(v)])),
};

// ---- credentials in a repo config ----

const SECRET_KEY = /token|passw(or)?d|passwd|secret|credential|apikey|privatekey|bearer|authorization|cookie/;

function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.toLowerCase().replace(/[^a-z]/g, ''));
}

/** Key paths whose name looks like a credential, anywhere in the object (values are never read). */
export function findSecretKeys(raw: unknown, path: string[] = []): string[][] {
  if (raw === null || typeof raw !== 'object') return [];
  const found: string[][] = [];
  for (const [key, value] of Object.entries(raw)) {
    const p = [...path, key];
    if (isSecretKey(key)) found.push(p);
    else found.push(...findSecretKeys(value, p));
  }
  return found;
}

// ---- messages ----

// Never a value (docs/configuration.md): a config file may be a symlink to a secret, or hold a token by
// mistake. Numbers, booleans and null are shown (they are what the user needs to see and cannot be a token).
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a ${typeof value}`;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const k of path)
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`))
    .join('');
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
}

/** The known key closest to `key`, when it is close enough to be a typo. */
export function didYouMean(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best !== null && bestDistance <= Math.max(1, Math.floor(key.length / 3)) ? best : null;
}

const EXPECTED: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
};

const NULLABLE = new Set(['jira.baseUrl', 'projects', 'timeTracking', 'squashPattern']);

function issueMessages(issue: z.core.$ZodIssue, raw: unknown): string[] {
  const at = pathText(issue.path);
  const prefix = at === '' ? '' : `${at}: `;
  const got = `, got ${describe(valueAt(raw, issue.path))}`;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = KNOWN_KEYS[at] ?? [];
      return issue.keys.map((key) => {
        const near = didYouMean(key, known);
        return `${pathText([...issue.path, key])}: unknown key${near ? ` (did you mean ${near}?)` : ''}`;
      });
    }
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return [`${prefix}expected ${expected}${NULLABLE.has(at) ? ' or null' : ''}${got}`];
    }
    case 'invalid_value':
      return [`${prefix}must be one of ${issue.values.join(', ')}${got}`];
    case 'too_small':
    case 'too_big': {
      if (issue.origin === 'array') return [`${prefix}${issue.message}`];
      const small = issue.code === 'too_small';
      const bound = small
        ? (issue as z.core.$ZodIssueTooSmall).minimum
        : (issue as z.core.$ZodIssueTooBig).maximum;
      const word = small
        ? issue.inclusive
          ? 'at least'
          : 'more than'
        : issue.inclusive
          ? 'at most'
          : 'less than';
      return [`${prefix}must be ${word} ${bound}${got}`];
    }
    default:
      return [`${prefix}${issue.message}${got}`];
  }
}

/** Applies the defaults under a validated raw config: nested objects merge key by key. */
export function mergeConfig(raw: RawConfig): JlogConfig {
  const { $schema: _schema, ...r } = raw;
  const d = DEFAULT_CONFIG;
  return {
    ...d,
    ...r,
    jira: { ...d.jira, ...r.jira },
    timeTracking:
      r.timeTracking === undefined || r.timeTracking === null ? d.timeTracking : { ...r.timeTracking },
    comment: { ...d.comment, ...r.comment },
    commands: { ...d.commands, ...r.commands },
    sync: { ...d.sync, ...r.sync },
    ci: { ...d.ci, ...r.ci },
    projects: r.projects === undefined ? d.projects : r.projects,
  } as JlogConfig;
}

/**
 * Validates a loaded config whole and merges it over the defaults. `file` names the file in messages.
 * Throws one JlogError('E_CONFIG') listing every problem.
 */
export function validateConfig(raw: unknown, file: string): JlogConfig {
  if (raw === undefined || raw === null) return mergeConfig({});
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new JlogError('E_CONFIG', `${file}: expected an object of settings, got ${describe(raw)}`, {
      hint: 'a jlog config is an object like {"postOn": "push"}; see .jlogrc.example',
    });
  }
  const secrets = findSecretKeys(raw);
  if (secrets.length > 0) {
    // Refused before anything else; the value is never read into a message.
    throw new JlogError(
      'E_CONFIG',
      `${file}: ${secrets.map((p) => pathText(p)).join(', ')}: credentials do not belong in a repository's config`,
      {
        hint: 'remove the key (and rotate the token if it was committed); set JIRA_API_TOKEN in the environment or run jlog login',
      },
    );
  }
  const result = configSchema.safeParse(raw);
  if (result.success) {
    if (result.data.jira?.baseUrl) result.data.jira.baseUrl = normalizeBaseUrl(result.data.jira.baseUrl);
    return mergeConfig(result.data);
  }
  const problems = result.error.issues.flatMap((issue) => issueMessages(issue, raw));
  throw new JlogError('E_CONFIG', `${file}: ${problems.join('; ')}`, {
    hint: `fix ${problems.length === 1 ? 'this key' : 'these keys'} in ${file} (every key is described in jlog's .jlogrc.example)`,
    details: problems,
  });
}
