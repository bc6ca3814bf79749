// `jlog init [--husky|--git] [--force]`: install the hooks, write a starter config, say what is next.
import { formatAction, install } from '../install/index.js';
import { out, warn } from './output.js';

export async function run(_args: string[], opts: Record<string, unknown>): Promise<number> {
  const cwd = process.cwd();
  const mode = opts.husky === true ? 'husky' : opts.git === true ? 'git' : undefined;
  const r = await install(cwd, { mode, force: opts.force === true });
  for (const a of r.actions) out(formatAction(a, cwd));
  if (r.huskyNotActive) {
    warn('jlog: git does not run .husky/ yet: run npx husky (npm install does it via the prepare script)');
  }
  if (r.config.problem !== null) warn(`jlog: ${r.config.problem} (run jlog doctor)`);
  const kept = r.actions.filter((a) => a.change === 'kept');
  for (const a of kept) warn(`jlog: ${a.path}: ${a.note ?? 'kept'}`);
  out('');
  out('next:');
  // Credentials are bound to their site (SPEC §7): a login per site, or an environment token with
  // JIRA_BASE_URL beside it; the repository's jira.baseUrl only picks which login applies.
  const site = r.config.baseUrl ?? process.env.JIRA_BASE_URL ?? 'https://<site>.atlassian.net';
  if (r.config.baseUrl === null) {
    out('  set jira.baseUrl in .jlogrc.json to your Jira site (it picks which of your logins applies)');
  }
  if (!process.env.JIRA_API_TOKEN) {
    out(`  jlog login --base-url ${site}   (stores your token for that site only)`);
  } else if (!process.env.JIRA_BASE_URL) {
    out(`  export JIRA_BASE_URL=${site}   (a token from the environment goes only to JIRA_BASE_URL)`);
  }
  out('  commit with a token, e.g. git commit -m "PROJ-7 #time 1h fixed login"');
  return kept.length > 0 ? 1 : 0;
}
