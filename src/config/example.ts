// The starter config `jlog init` writes as .jlogrc.json: the useful subset of .jlogrc.example, valid as
// written. JSON has no comments, so it stays small; .jlogrc.example documents every key.
import { baseUrlProblem, normalizeBaseUrl } from './validate.js';

export interface StarterOptions {
  /** The Jira site when init knows it (JIRA_BASE_URL, jlog login); otherwise null, to be filled in. */
  baseUrl?: string | null;
  projects?: string[] | null;
}

/** The text of a starter `.jlogrc.json` (ends with a newline). Throws nothing: a bad baseUrl is left out. */
export function exampleConfigJson(opts: StarterOptions = {}): string {
  const baseUrl =
    opts.baseUrl && baseUrlProblem(normalizeBaseUrl(opts.baseUrl)) === null
      ? normalizeBaseUrl(opts.baseUrl)
      : null;
  const config: Record<string, unknown> = {
    // null is valid: the site then comes from JIRA_BASE_URL or `jlog login`
    jira: { baseUrl, deployment: 'cloud' },
    ...(opts.projects && opts.projects.length > 0 ? { projects: opts.projects } : {}),
    postOn: 'push',
    authors: 'me',
    maxDuration: '2w',
    strict: false,
  };
  return JSON.stringify(config, null, 2) + '\n';
}
