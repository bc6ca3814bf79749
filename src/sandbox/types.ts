// The sandbox's public types, re-exported by server.ts (the module tests and the demo import).

export interface TimeTrackingSettings {
  enabled?: boolean;
  hoursPerDay?: number;
  daysPerWeek?: number;
}

export interface SandboxOptions {
  /** Default 0: any free port. */
  port?: number;
  /** JSON file to load from and save to, so the data survives restarts. */
  data?: string;
  /** Default { email: 'dev@example.com', token: 'sandbox-token' } (Basic); { token } alone means Bearer. */
  credentials?: { email: string; token: string } | { token: string };
  /** When set, only these issue keys exist (others 404); by default any well-formed key exists. */
  issues?: string[];
  /** When set, only issues of these projects exist (`jlog sandbox --projects`); others 404 as in Jira. */
  projects?: string[];
  /** Default: enabled, 8 hours a day, 5 days a week. */
  timeTracking?: TimeTrackingSettings;
  /** The server's page cap for GET worklogs (Jira's is 5000). */
  maxResults?: number;
  /** Enforce Jira Cloud's per-issue write limit (20 per 2 s, 100 per 30 s) with 429s; default true. */
  perIssueWriteLimit?: boolean;
  /** 413 once an issue holds this many worklogs; default 10000, like Jira Cloud. */
  worklogLimitPerIssue?: number;
}

export type Fault =
  | { kind: 'status'; status: number; retryAfter?: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'latency'; ms: number }
  /** Do the write, then destroy the socket without answering. */
  | { kind: 'drop-after-store' }
  /** Destroy the socket, do nothing. */
  | { kind: 'drop-before-store' }
  /** Never answer (until the server closes). */
  | { kind: 'hang' };

export interface FaultRule {
  fault: Fault;
  method?: string;
  issue?: string;
  pathIncludes?: string;
  /** Default 1; Infinity allowed. */
  times?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  /** The status answered; 0 while pending and for dropped or hung requests. */
  status: number;
  at: number;
}

export interface StoredWorklog {
  id: string;
  issue: string;
  issueId: string;
  /** As the client sent it (responses render it in the user's time zone, as Jira does). */
  started: string;
  timeSpentSeconds: number;
  /** ADF (sent to v3) or a string (sent to v2); absent when none. */
  comment?: unknown;
  properties: { key: string; value: unknown }[];
  author: { accountId: string; emailAddress?: string; displayName: string };
  created: string;
  updated: string;
}

export interface SandboxIssue {
  key: string;
  id: string;
  originalEstimateSeconds: number | null;
  remainingEstimateSeconds: number | null;
  timeSpentSeconds: number;
  /** The workflow status id (workflow.ts); absent in data files from before statuses: To Do. */
  statusId?: string;
  /** Issue entity properties (`/issue/{key}/properties/{key}`). */
  properties?: { key: string; value: unknown }[];
}

export interface StoredComment {
  id: string;
  issue: string;
  issueId: string;
  /** ADF (sent to v3) or a string (sent to v2). */
  body: unknown;
  properties: { key: string; value: unknown }[];
  author: { accountId: string; emailAddress?: string; displayName: string };
  created: string;
  updated: string;
}

export interface Sandbox {
  url: string;
  port: number;
  /** JIRA_BASE_URL, JIRA_USER_EMAIL, JIRA_API_TOKEN (or JIRA_AUTH_TYPE=bearer) for these credentials. */
  env: Record<string, string>;
  worklogs(issue?: string): StoredWorklog[];
  comments(issue?: string): StoredComment[];
  /** The issue's status name (`To Do`, `In Progress`, `Done`), or undefined when it does not exist. */
  status(key: string): string | undefined;
  /** Put an issue in a status by name, as a person would in Jira's UI (tests). */
  setStatus(key: string, name: string): void;
  /** The issue's entity property, or undefined. */
  issueProperty(key: string, propertyKey: string): unknown;
  /** The issue's time tracking, or undefined when it does not exist. */
  issue(key: string): SandboxIssue | undefined;
  requests: RecordedRequest[];
  /** Queue a fault; matching requests consume it. */
  fault(rule: FaultRule): void;
  clearFaults(): void;
  setTimeTracking(tt: TimeTrackingSettings): void;
  /** Also ends hung requests; idempotent. */
  close(): Promise<void>;
}
