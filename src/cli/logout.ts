// jlog logout: remove the stored credentials (the environment is the user's own).
import { credentialsPath, removeCredentials } from '../config/credentials.js';
import { out } from './output.js';

export async function run(_args: string[], _opts: Record<string, unknown>): Promise<number> {
  const file = credentialsPath(process.env);
  const removed = await removeCredentials(process.env);
  out(removed ? `logged out: removed ${file}` : 'not logged in: no stored credentials');
  if (process.env.JIRA_API_TOKEN) {
    process.stderr.write('jlog: note: JIRA_API_TOKEN is still set in your environment\n');
  }
  return 0;
}
