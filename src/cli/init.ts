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
  if (r.config.baseUrl === null && !process.env.JIRA_BASE_URL) {
    out('  set jira.baseUrl in .jlogrc.json (or export JIRA_BASE_URL=https://<site>.atlassian.net)');
  }
  if (!process.env.JIRA_API_TOKEN) {
    out('  export JIRA_USER_EMAIL=you@example.com JIRA_API_TOKEN=<token>   (or: jlog login)');
  }
  out('  commit with a token, e.g. git commit -m "PROJ-7 #time 1h fixed login"');
  return kept.length > 0 ? 1 : 0;
}
