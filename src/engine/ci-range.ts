// Which commits a CI run covers: `--range`, else what GitHub Actions or GitLab CI says was pushed.
import { readFileSync } from 'node:fs';
import { JlogError, usageError } from '../errors.js';
import { commitExists } from '../git/index.js';

const ZERO = /^0+$/;

export function rangeFromEnv(
  env: NodeJS.ProcessEnv,
): { before: string | null; after: string; source: string } | null {
  if (env.GITHUB_EVENT_PATH) {
    let event: { before?: unknown; after?: unknown };
    try {
      event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as typeof event;
    } catch (err) {
      throw new JlogError('E_USAGE', `cannot read GITHUB_EVENT_PATH (${env.GITHUB_EVENT_PATH})`, {
        cause: err,
        hint: 'pass --range <a>..<b>',
      });
    }
    if (typeof event.after === 'string' && event.after !== '') {
      const before = typeof event.before === 'string' && !ZERO.test(event.before) ? event.before : null;
      return { before, after: event.after, source: 'GitHub Actions push event' };
    }
  }
  if (env.CI_COMMIT_SHA) {
    const b = env.CI_COMMIT_BEFORE_SHA;
    return { before: b && !ZERO.test(b) ? b : null, after: env.CI_COMMIT_SHA, source: 'GitLab CI' };
  }
  return null;
}

/** The git range to read, checked against what this clone has (a shallow clone may lack it). */
export async function ciRange(
  cwd: string,
  explicit: string | undefined,
  env: NodeJS.ProcessEnv,
  isShallow: boolean,
): Promise<string> {
  let before: string | null;
  let after: string;
  if (explicit !== undefined) {
    const m = /^(.+?)\.\.(.+)$/.exec(explicit);
    if (!m || m[0].includes('...'))
      throw usageError(
        `--range must be <a>..<b>, got '${explicit}'`,
        'e.g. jlog ci --range origin/main~3..origin/main',
      );
    [before, after] = [m[1]!, m[2]!];
  } else {
    const fromEnv = rangeFromEnv(env);
    if (fromEnv === null) {
      throw usageError(
        'no range to log: not a GitHub Actions push or GitLab CI pipeline',
        'pass --range <before>..<after>',
      );
    }
    ({ before, after } = fromEnv);
  }
  for (const rev of [before, after]) {
    if (rev !== null && !(await commitExists(cwd, rev))) {
      throw new JlogError(
        'E_SHALLOW',
        `commit ${rev} is not in this clone${isShallow ? ' (it is shallow)' : ''}`,
        {
          hint: isShallow
            ? 'fetch the whole range: actions/checkout with fetch-depth: 0, GIT_DEPTH: 0 on GitLab, or git fetch --unshallow'
            : 'fetch it first (git fetch origin), or check the --range',
        },
      );
    }
  }
  // A new branch has no "before": log its tip alone rather than the whole history behind it.
  return before === null ? `${after}^!` : `${before}..${after}`;
}
