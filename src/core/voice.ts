// One voice for every message (docs/commands.md): lowercase unless it starts with a name, one sentence.
// Pure, so the engine's notices and the CLI's lines read the same.

/** Words that keep their capital at the start of a message (names, not sentence case): issue keys and
 * variables such as CI_COMMIT_SHA or BITBUCKET_COMMIT. */
const PROPER = /^(Jira|Atlassian|Node|GitHub|GitLab|Bitbucket|[A-Z][A-Z0-9_]+(-\d+)?)\b/;

/** A message starts lowercase unless it starts with a name. */
export function lowerFirst(text: string): string {
  return PROPER.test(text) ? text : text.charAt(0).toLowerCase() + text.slice(1);
}

/** A message as the first half of `message; next step`: lowercase start, no period before the `;`. */
export function clause(text: string): string {
  return lowerFirst(text.trimEnd().replace(/\.+$/, ''));
}
