// What Jira holds for one issue (docs/exactly-once.md "Remote check"): its worklogs with their jlog markers
// around the run's tokens, and, when the run has something to write, the issue's tombstones. One view per
// issue per run: read before the first write, read again when older than 5 s before a POST, read back
// after an unknown outcome, and kept up to date with this run's own writes.
import { fitIssueMarks } from '../core/marker.js';
import type { IssueMarks, Marker } from '../core/types.js';
import type { JiraClient, RemoteWorklog } from '../jira/client.js';
import { isJlogError, JlogError } from '../errors.js';

/** A read older than this is done again before the next POST to the issue. */
export const STALE_READ_MS = 5000;
/** The issue property that holds tombstones and applied transitions (docs/exactly-once.md). */
export const ISSUE_PROPERTY = 'jlog';

export interface Window {
  startedAfter: number;
  startedBefore: number;
}

export type Tombstone = { id: string; fp: string };

export class IssueView {
  readonly issue: string;
  worklogs: RemoteWorklog[] = [];
  /** The issue's tombstones; empty until read (`withMarks`). */
  undone: Tombstone[] = [];
  /** When the view was last read (ms), 0 before the first read. */
  readAt = 0;
  readonly #jira: JiraClient;
  #window: Window;
  readonly #withMarks: boolean;
  readonly #now: () => number;

  constructor(
    jira: JiraClient,
    issue: string,
    window: Window,
    opts: { withMarks: boolean; now?: () => number },
  ) {
    this.#jira = jira;
    this.issue = issue;
    this.#window = window;
    this.#withMarks = opts.withMarks;
    this.#now = opts.now ?? Date.now;
  }

  /** Every page of the issue's worklogs in the window, and its tombstones when it has writes to do. */
  async read(): Promise<void> {
    // Both reads at once (two request slots, one round trip). The worklog read answers whether the
    // issue exists (its 404 fails the tokens), so a 404 of the property only means no tombstones.
    const [list, marks] = await Promise.allSettled([
      this.#jira.listWorklogs(this.issue, this.#window),
      this.#withMarks ? readIssueMarks(this.#jira, this.issue, { issueExists: true }) : null,
    ]);
    // The worklog read's failure first: it says what happened to the issue.
    if (list.status === 'rejected') throw list.reason;
    if (marks.status === 'rejected') throw marks.reason;
    if (marks.value !== null) this.undone = marks.value.undone;
    this.worklogs = list.value;
    this.readAt = this.#now();
  }

  get stale(): boolean {
    return this.#now() - this.readAt > STALE_READ_MS;
  }

  /** Reads again when the last read has grown old (waits may have let another machine post). */
  async refreshIfStale(): Promise<boolean> {
    if (!this.stale) return false;
    await this.read();
    return true;
  }

  isUndone(t: { id: string; fp: string }): boolean {
    return this.undone.some((u) => u.id === t.id || u.fp === t.fp);
  }

  /** This run's own writes, so that later decisions in the run see them. */
  added(w: RemoteWorklog): void {
    this.worklogs.push(w);
  }

  removed(worklogId: string): void {
    this.worklogs = this.worklogs.filter((w) => w.id !== worklogId);
  }

  changed(worklogId: string, change: Partial<RemoteWorklog> & { marker?: Marker }): void {
    this.worklogs = this.worklogs.map((w) => (w.id === worklogId ? { ...w, ...change } : w));
  }

  byId(worklogId: string): RemoteWorklog | undefined {
    return this.worklogs.find((w) => w.id === worklogId);
  }

  /** Adds tombstones to the issue property; false when Jira refused (403). */
  async tombstone(entries: readonly Tombstone[]): Promise<boolean> {
    const ok = await addTombstones(this.#jira, this.issue, entries);
    if (ok) this.undone = [...this.undone, ...entries];
    return ok;
  }
}

/**
 * Appends tombstones to the issue's `jlog` property, read fresh just before (another clone may have
 * written since). false when Jira refused (403: no permission to edit the issue); other errors throw.
 */
export async function addTombstones(
  jira: JiraClient,
  issue: string,
  entries: readonly Tombstone[],
): Promise<boolean> {
  const marks = await readIssueMarks(jira, issue);
  const fresh = entries.filter((e) => !marks.undone.some((u) => u.id === e.id && u.fp === e.fp));
  if (fresh.length === 0) return true;
  const next = fitIssueMarks({ ...marks, undone: [...marks.undone, ...fresh] });
  try {
    await jira.setIssueProperty(issue, ISSUE_PROPERTY, next);
  } catch (err) {
    if (isJlogError(err, 'E_JIRA_FORBIDDEN')) return false;
    throw err;
  }
  return true;
}

/** The issue's `jlog` property as docs/exactly-once.md shapes it; anything else there reads as empty lists. */
export async function readIssueMarks(
  jira: JiraClient,
  issue: string,
  opts?: { issueExists?: boolean },
): Promise<IssueMarks> {
  const value = await jira.getIssueProperty(issue, ISSUE_PROPERTY, opts);
  return issueMarksOf(value);
}

export function issueMarksOf(value: unknown): IssueMarks {
  const list = (v: unknown): Tombstone[] =>
    Array.isArray(v)
      ? (v as unknown[]).flatMap((e) => {
          if (e === null || typeof e !== 'object') return [];
          const { id, fp } = e as { id?: unknown; fp?: unknown };
          return typeof id === 'string' && typeof fp === 'string' ? [{ id, fp }] : [];
        })
      : [];
  const o = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  // Keep what another jlog (a newer one) put there: only the two lists are ours to change.
  return { ...o, v: 1, undone: list(o.undone), transitions: list(o.transitions) } as IssueMarks;
}

/** A read that failed: 404 and 403 fail the tokens as a POST's would; anything else keeps them pending. */
export function readFailure(err: unknown): 'fail' | 'pending' | 'auth' {
  if (isJlogError(err, 'E_JIRA_AUTH')) return 'auth';
  if (isJlogError(err, 'E_JIRA_NOT_FOUND') || isJlogError(err, 'E_JIRA_FORBIDDEN')) return 'fail';
  return 'pending';
}

export function asJlogError(err: unknown): JlogError {
  if (err instanceof JlogError) return err;
  return new JlogError('E_INTERNAL', err instanceof Error ? err.message : String(err), { cause: err });
}
