// The sandbox's data: issues (with their estimates) and worklogs, optionally kept in a JSON file that is
// rewritten atomically (temp file + rename) after every write, so a restart finds what was there.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SandboxIssue, StoredComment, StoredWorklog } from './types.js';
import { INITIAL_STATUS } from './workflow.js';

/** Every new issue starts with this estimate (1w at 8h/5d), so adjustEstimate has something to act on. */
const DEFAULT_ESTIMATE_SECONDS = 144_000;
const ISSUE_KEY = /^[A-Z][A-Z0-9_]*-[1-9]\d*$/;

interface Snapshot {
  version: 1;
  nextWorklogId: number;
  nextIssueId: number;
  issues: SandboxIssue[];
  worklogs: StoredWorklog[];
  /** Absent in data files written before comments. */
  nextCommentId?: number;
  comments?: StoredComment[];
}

export class Store {
  private issues = new Map<string, SandboxIssue>();
  private worklogsById = new Map<string, StoredWorklog>();
  private commentsById = new Map<string, StoredComment>();
  private nextWorklogId = 10_000;
  private nextIssueId = 10_000;
  private nextCommentId = 10_000;
  private readonly allowed: Set<string> | undefined;
  private readonly projects: Set<string> | undefined;

  constructor(
    private readonly file: string | undefined,
    allowedKeys: string[] | undefined,
    projects?: string[],
  ) {
    this.allowed = allowedKeys === undefined ? undefined : new Set(allowedKeys.map((k) => k.toUpperCase()));
    this.projects = projects === undefined ? undefined : new Set(projects.map((k) => k.toUpperCase()));
    if (file !== undefined) this.load(file);
    for (const key of this.allowed ?? []) this.ensureIssue(key);
  }

  /** The issue a path names (key in any case, or a known numeric id), created on first use. */
  findIssue(keyOrId: string): SandboxIssue | undefined {
    if (/^\d+$/.test(keyOrId)) {
      for (const issue of this.issues.values()) if (issue.id === keyOrId) return issue;
      return undefined;
    }
    const key = keyOrId.toUpperCase();
    if (this.allowed !== undefined ? !this.allowed.has(key) : !ISSUE_KEY.test(key)) return undefined;
    if (this.projects !== undefined && !this.projects.has(key.slice(0, key.lastIndexOf('-'))))
      return undefined;
    return this.ensureIssue(key);
  }

  peekIssue(key: string): SandboxIssue | undefined {
    return this.issues.get(key.toUpperCase());
  }

  private ensureIssue(key: string): SandboxIssue {
    let issue = this.issues.get(key);
    if (!issue) {
      issue = {
        key,
        id: String(this.nextIssueId++),
        originalEstimateSeconds: DEFAULT_ESTIMATE_SECONDS,
        remainingEstimateSeconds: DEFAULT_ESTIMATE_SECONDS,
        timeSpentSeconds: 0,
        statusId: INITIAL_STATUS,
        properties: [],
      };
      this.issues.set(key, issue);
    }
    return issue;
  }

  newWorklogId(): string {
    return String(this.nextWorklogId++);
  }

  worklogs(issueKey?: string): StoredWorklog[] {
    const all = [...this.worklogsById.values()];
    return issueKey === undefined ? all : all.filter((w) => w.issue === issueKey.toUpperCase());
  }

  count(issueKey: string): number {
    let n = 0;
    for (const w of this.worklogsById.values()) if (w.issue === issueKey) n++;
    return n;
  }

  get(id: string): StoredWorklog | undefined {
    return this.worklogsById.get(id);
  }

  put(worklog: StoredWorklog): void {
    this.worklogsById.set(worklog.id, worklog);
  }

  delete(id: string): void {
    this.worklogsById.delete(id);
  }

  newCommentId(): string {
    return String(this.nextCommentId++);
  }

  comments(issueKey?: string): StoredComment[] {
    const all = [...this.commentsById.values()];
    return issueKey === undefined ? all : all.filter((c) => c.issue === issueKey.toUpperCase());
  }

  comment(id: string): StoredComment | undefined {
    return this.commentsById.get(id);
  }

  putComment(comment: StoredComment): void {
    this.commentsById.set(comment.id, comment);
  }

  deleteComment(id: string): void {
    this.commentsById.delete(id);
  }

  /** Write the whole state to the data file, if there is one. Called after every write. */
  save(): void {
    if (this.file === undefined) return;
    const snapshot: Snapshot = {
      version: 1,
      nextWorklogId: this.nextWorklogId,
      nextIssueId: this.nextIssueId,
      issues: [...this.issues.values()],
      worklogs: [...this.worklogsById.values()],
      nextCommentId: this.nextCommentId,
      comments: [...this.commentsById.values()],
    };
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(snapshot, null, 2) + '\n');
    renameSync(tmp, this.file);
  }

  private load(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    let snap: Partial<Snapshot>;
    try {
      snap = JSON.parse(text) as Partial<Snapshot>;
    } catch (err) {
      throw new Error(`${file} is not valid JSON (${(err as Error).message})`, { cause: err });
    }
    if (snap === null || snap.version !== 1 || !Array.isArray(snap.issues) || !Array.isArray(snap.worklogs)) {
      throw new Error(`${file} is not a sandbox data file`);
    }
    for (const issue of snap.issues) this.issues.set(issue.key, issue);
    for (const w of snap.worklogs) this.worklogsById.set(w.id, w);
    this.nextWorklogId = snap.nextWorklogId ?? this.nextWorklogId;
    this.nextIssueId = snap.nextIssueId ?? this.nextIssueId;
    for (const c of snap.comments ?? []) this.commentsById.set(c.id, c);
    this.nextCommentId = snap.nextCommentId ?? this.nextCommentId;
  }
}
