// What to fix when Jira answers 404 to its own API (GET /myself): no issue is involved, so the usual
// 404 hint (check the issue key) is wrong. Jira Data Center and Server have no REST API v3, so a
// site used with the default deployment answers every call so.

export function apiRootHint(baseUrl: string, deployment: 'cloud' | 'datacenter'): string {
  return deployment === 'cloud'
    ? `for Jira Data Center or Server, set "jira": { "deployment": "datacenter" } in the repository's config; else check that ${baseUrl} is your Jira site's address`
    : `check that ${baseUrl} is your Jira site's address, with its context path if it has one (https://jira.acme.com/jira)`;
}

/** The API root a deployment speaks, for messages: `/rest/api/3`. */
export function apiRoot(deployment: 'cloud' | 'datacenter'): string {
  return `/rest/api/${deployment === 'cloud' ? 3 : 2}`;
}
