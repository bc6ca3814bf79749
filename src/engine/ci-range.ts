// Which commits a CI run covers (docs/commands.md, `jlog ci`): `--range`, else what the provider says was
// pushed. Only push events log: a pull-request event runs a fork's commits with the CI account's
// token, so GitHub `pull_request`/`pull_request_target`, GitLab merge-request pipelines and Bitbucket
// pull-request pipelines are refused (exit 2) unless the user names a range.
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { JlogError, usageError } from '../errors.js';
import { commitExists } from '../git/index.js';
import { escapeTerminal } from '../core/escape.js';

const ZERO = /^0+$/;
/** GitHub's push payloads are a few MB at most (2,048 commits); anything bigger is not one. */
const MAX_EVENT_BYTES = 64 * 1024 * 1024;
/** A commit id as providers give it: hex only, so it can never be read as a git option. */
const SHA = /^[0-9a-f]{7,64}$/i;

export interface CiPush {
  /** null: no `before` (a new branch, or Bitbucket, which does not say). */
  before: string | null;
  after: string;
  source: string;
}

/** What to read: a git range, and for a push without `before` the `ci.since` window. */
export interface CiRange {
  range: string;
  /** The range is everything reachable from the pushed commit: only commits within `ci.since`. */
  window: boolean;
  source: string;
}

function notPush(provider: string, event: string, hint: string): JlogError {
  return usageError(
    `${provider} event '${escapeTerminal(event)}' is not a push: jlog ci logs pushes only (pull-request events never log)`,
    hint,
  );
}

function sha(value: unknown, what: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || !SHA.test(value)) {
    throw usageError(`${what} is not a commit id`, 'pass --range <before>..<after>');
  }
  return ZERO.test(value) ? null : value;
}

/** The push this CI job is for, from the provider's environment; null when none is detected. */
export function pushFromEnv(env: NodeJS.ProcessEnv): CiPush | null {
  if (env.GITHUB_ACTIONS === 'true' || env.GITHUB_EVENT_PATH) {
    const name = env.GITHUB_EVENT_NAME ?? '';
    if (name !== 'push') {
      throw notPush(
        'GitHub Actions',
        name || '(GITHUB_EVENT_NAME unset)',
        'run jlog ci in a workflow "on: push" (e.g. to main), or pass --range <before>..<after>',
      );
    }
    if (!env.GITHUB_EVENT_PATH) throw usageError('GITHUB_EVENT_PATH is not set', 'pass --range <a>..<b>');
    let event: { before?: unknown; after?: unknown };
    try {
      event = JSON.parse(readEvent(env.GITHUB_EVENT_PATH)) as typeof event;
    } catch (err) {
      throw new JlogError('E_USAGE', 'cannot read the GitHub event (GITHUB_EVENT_PATH)', {
        cause: err,
        hint: 'pass --range <a>..<b>',
      });
    }
    const after = sha(event?.after, "the push event's after");
    if (after === null) throw usageError('the push deleted a branch: nothing to log', 'nothing to do');
    return { before: sha(event.before, "the push event's before"), after, source: 'GitHub Actions push' };
  }
  if (env.GITLAB_CI === 'true' || env.CI_COMMIT_SHA) {
    const source = env.CI_PIPELINE_SOURCE ?? '';
    if (source !== 'push') {
      throw notPush(
        'GitLab CI',
        source || '(CI_PIPELINE_SOURCE unset)',
        'run the job only for push pipelines (rules: if: $CI_PIPELINE_SOURCE == "push"), or pass --range <before>..<after>',
      );
    }
    const after = sha(env.CI_COMMIT_SHA, 'CI_COMMIT_SHA');
    if (after === null) throw usageError('CI_COMMIT_SHA is not set', 'pass --range <a>..<b>');
    return { before: sha(env.CI_COMMIT_BEFORE_SHA, 'CI_COMMIT_BEFORE_SHA'), after, source: 'GitLab CI push' };
  }
  if (env.BITBUCKET_COMMIT || env.BITBUCKET_BUILD_NUMBER) {
    if (env.BITBUCKET_PR_ID) {
      throw notPush(
        'Bitbucket Pipelines',
        'pull-request',
        'run jlog ci in a branch pipeline (pipelines: branches: main:), or pass --range <before>..<after>',
      );
    }
    const after = sha(env.BITBUCKET_COMMIT, 'BITBUCKET_COMMIT');
    if (after === null) throw usageError('BITBUCKET_COMMIT is not set', 'pass --range <a>..<b>');
    // Bitbucket does not say what the push replaced: the `ci.since` window decides.
    return { before: null, after, source: 'Bitbucket Pipelines' };
  }
  return null;
}

/** The git range to read, checked against what this clone has (a shallow clone may lack it). */
export async function ciRange(
  cwd: string,
  explicit: string | undefined,
  env: NodeJS.ProcessEnv,
  isShallow: boolean,
): Promise<CiRange> {
  let push: CiPush;
  if (explicit !== undefined) {
    const m = /^(.+?)\.\.(.+)$/.exec(explicit);
    if (!m || m[0].includes('...') || m[1]!.startsWith('-') || m[2]!.startsWith('-'))
      throw usageError(
        `--range must be <a>..<b>, got '${escapeTerminal(explicit)}'`,
        'e.g. jlog ci --range origin/main~3..origin/main',
      );
    push = { before: m[1]!, after: m[2]!, source: '--range' };
  } else {
    const fromEnv = pushFromEnv(env);
    if (fromEnv === null) {
      throw usageError(
        'no range to log: not a GitHub Actions, GitLab CI or Bitbucket Pipelines push',
        'pass --range <before>..<after>',
      );
    }
    push = fromEnv;
  }
  for (const rev of [push.before, push.after]) {
    if (rev !== null && !(await commitExists(cwd, rev))) {
      throw new JlogError(
        'E_SHALLOW',
        `commit ${escapeTerminal(rev)} is not in this clone${isShallow ? ' (it is shallow)' : ''}`,
        {
          hint: isShallow
            ? 'fetch the whole range: actions/checkout with fetch-depth: 0, GIT_DEPTH: 0 on GitLab, clone: depth: full on Bitbucket, or git fetch --unshallow'
            : 'fetch it first (git fetch origin), or check the --range',
        },
      );
    }
  }
  // No "before" (a new branch, Bitbucket): the commits reachable from the pushed one, only recent
  // ones (`ci.since`): the remote check keeps what was logged before from being logged again.
  if (push.before === null) return { range: push.after, window: true, source: push.source };
  return { range: `${push.before}..${push.after}`, window: false, source: push.source };
}

/**
 * The event file, refused unless it is a regular file of at most MAX_EVENT_BYTES: not /dev/zero, not
 * a pipe that never ends (opened without waiting for a writer).
 */
function readEvent(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_EVENT_BYTES) throw new Error('not a file of at most 64 MB');
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
