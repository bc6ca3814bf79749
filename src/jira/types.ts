// The Jira client's public types. Credentials are the config area's (a type-only import: the
// client does not load credentials, it is handed them).

import type { Credentials } from '../config/credentials.js';
import type { WorklogBody } from '../core/jira-format.js';
import type { Marker } from '../core/types.js';

export type { Credentials, WorklogBody };

export interface RetryInfo {
  method: string;
  /** Path without the query (no credential is ever part of it). */
  path: string;
  /** The attempt that just failed, 1-based. */
  attempt: number;
  /** How long the client waits before the next attempt. */
  delayMs: number;
  /** HTTP status of the failed attempt, or the network error code. */
  status?: number;
  code?: string;
}

export interface JiraClientOptions {
  /** Bounds each attempt end to end (connect, headers, body). Default 30 000. */
  timeoutMs?: number;
  /** Default: min(timeoutMs, 10 000). */
  connectTimeoutMs?: number;
  /** Requests in flight across the client, and keep-alive connections. Default 4. */
  concurrency?: number;
  /** Retries after the first attempt, for what is safe to retry. Default 3 (4 attempts). */
  maxRetries?: number;
  /** Longest single wait between attempts; a longer Retry-After fails at once. Default 30 000. */
  retryCapMs?: number;
  /** First backoff step when Jira gives no Retry-After (doubles each attempt, ×0.7–1.3). Default 1000. */
  retryBaseMs?: number;
  onRetry?: (info: RetryInfo) => void;
  /** One line per request and retry, credentials redacted. */
  debug?: (line: string) => void;
}

export interface WriteQuery {
  adjustEstimate: 'auto' | 'leave';
  notifyUsers: boolean;
}

export interface RemoteWorklog {
  id: string;
  /** As Jira returned it. */
  started: string;
  startedMs: number;
  timeSpentSeconds: number;
  /** The comment flattened to plain text ('' when none). */
  comment: string;
  authorEmail?: string;
  authorAccountId?: string;
  /** The jlog property, when it has the marker's shape. */
  marker?: Marker;
}

/** An issue comment as jlog reads it back (docs/exactly-once.md: the remote check over comments). */
export interface RemoteComment {
  id: string;
  /** Plain text: ADF (Cloud) flattened, or Data Center's string. */
  body: string;
  /** The `jlog` comment property, when it has the marker's shape. */
  marker?: Marker;
  /** As Jira returned it. */
  created: string;
}

export interface IssueStatus {
  id: string;
  name: string;
}

/** A transition available from the issue's current status. */
export interface Transition {
  id: string;
  name: string;
  to: IssueStatus;
}

export interface JiraUser {
  accountId: string;
  displayName: string;
  emailAddress?: string;
}

export interface TimeTrackingInfo {
  timeTrackingEnabled: boolean;
  hoursPerDay: number;
  daysPerWeek: number;
}

export interface JiraClient {
  addWorklog(issue: string, body: WorklogBody, q: WriteQuery): Promise<{ id: string }>;
  /** Every page, with `expand=properties`; bounds in Unix ms. */
  listWorklogs(
    issue: string,
    q?: { startedAfter?: number; startedBefore?: number },
  ): Promise<RemoteWorklog[]>;
  /** `PUT …/worklog/{id}?adjustEstimate=…` with `timeSpentSeconds`, `started` and `comment` only. */
  updateWorklog(issue: string, id: string, body: WorklogBody, q: WriteQuery): Promise<void>;
  deleteWorklog(issue: string, id: string, q: { adjustEstimate: 'auto' | 'leave' }): Promise<void>;
  /** `PUT …/issue/{key}/worklog/{id}/properties/{key}` (the marker update of docs/exactly-once.md). */
  setWorklogProperty(issue: string, worklogId: string, key: string, value: unknown): Promise<void>;
  /**
   * The property's value; undefined when the issue has no such property (a missing issue is
   * E_JIRA_NOT_FOUND). With `issueExists` (another read just found the issue) a 404 means no property:
   * one read instead of three.
   */
  getIssueProperty(issue: string, key: string, opts?: { issueExists?: boolean }): Promise<unknown>;
  setIssueProperty(issue: string, key: string, value: unknown): Promise<void>;
  /** Every comment of the issue (all pages) with its `jlog` marker (`comment/list?expand=properties`). */
  listComments(issue: string): Promise<RemoteComment[]>;
  /** ADF on Cloud, a plain string on Data Center; the marker as the comment property `jlog`. */
  addComment(issue: string, text: string, marker: Marker): Promise<{ id: string }>;
  /** `PUT …/comment/{id}` with the new text only (ADF on Cloud, a string on Data Center); the marker is changed on its own. */
  updateComment(issue: string, id: string, text: string): Promise<void>;
  deleteComment(issue: string, id: string): Promise<void>;
  /** `PUT …/comment/{id}/properties/{key}` (a copy's claim on a comment's marker). */
  setCommentProperty(issue: string, commentId: string, key: string, value: unknown): Promise<void>;
  /** The transitions available from the issue's current status. */
  listTransitions(issue: string): Promise<Transition[]>;
  transitionIssue(issue: string, transitionId: string): Promise<void>;
  getIssueStatus(issue: string): Promise<IssueStatus>;
  myself(): Promise<JiraUser>;
  /** Cached for the client's life. */
  configuration(): Promise<TimeTrackingInfo>;
  close(): Promise<void>;
}
