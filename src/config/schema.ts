// The configuration's shape and defaults (docs/configuration.md). Pure: loading lives in load.ts.

export interface JlogConfig {
  jira: { baseUrl: string | null; deployment: 'cloud' | 'datacenter' };
  /** Allow-list of project keys; null allows any. */
  projects: string[] | null;
  postOn: 'push' | 'commit' | 'manual';
  authors: 'me' | 'all';
  adjustEstimate: 'auto' | 'leave';
  notifyUsers: boolean;
  started: 'commit' | 'commit-minus-duration';
  /** A duration in the grammar's units (`2w`). */
  maxDuration: string;
  /** Unset (null) so that the Jira site's own values apply (docs/grammar.md). */
  timeTracking: { hoursPerDay?: number; daysPerWeek?: number } | null;
  comment: { fallback: 'subject' | 'none' };
  commands: { comment: boolean; transitions: boolean };
  strict: boolean;
  failPushOnError: boolean;
  concurrency: number;
  timeoutMs: number;
  /** Regular expressions (source text), one or a list, matched against a whole message: a squash merge. */
  squashPattern: string | string[] | null;
  /** A rewrite after push: bring Jira in line at the next posting run, or only list it (docs/exactly-once.md). */
  rewrites: 'apply' | 'report';
  sync: { since: string };
  /** `jlog ci`: the window when a push has no `before`, and whether others' worklogs name their author. */
  ci: { since: string; authorInComment: boolean };
}

export const DEFAULT_CONFIG: JlogConfig = {
  jira: { baseUrl: null, deployment: 'cloud' },
  projects: null,
  postOn: 'push',
  authors: 'me',
  adjustEstimate: 'auto',
  notifyUsers: false,
  started: 'commit',
  maxDuration: '2w',
  timeTracking: null,
  comment: { fallback: 'subject' },
  commands: { comment: false, transitions: false },
  strict: false,
  failPushOnError: false,
  concurrency: 4,
  timeoutMs: 30_000,
  squashPattern: null,
  rewrites: 'apply',
  sync: { since: '30 days ago' },
  ci: { since: '7 days ago', authorInComment: true },
};
