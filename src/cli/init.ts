// `jlog init [--husky|--git] [--force] [--no-prepare] [--quiet]`: install the hooks (rewriting any an
// older jlog left), the prepare script, a starter config; say what is next. `--quiet` is how the
// prepare script runs it on every npm install: silent when nothing changed, and never failing the
// install for a checkout that is not a git work tree (a package tarball, say).
import { relative } from 'node:path';
import { isJlogError } from '../errors.js';
import { formatAction, install } from '../install/index.js';
import { out, printJson, warn } from './output.js';

export async function run(_args: string[], opts: Record<string, unknown>): Promise<number> {
  const cwd = process.cwd();
  const mode = opts.husky === true ? 'husky' : opts.git === true ? 'git' : undefined;
  const quiet = opts.quiet === true;
  let r: Awaited<ReturnType<typeof install>>;
  try {
    r = await install(cwd, {
      mode,
      force: opts.force === true,
      prepare: opts.prepare !== false,
      starterConfig: !quiet,
    });
  } catch (err) {
    if (quiet && isJlogError(err, 'E_NOT_A_REPO')) return 0;
    throw err;
  }
  const kept = r.actions.filter((a) => a.change === 'kept');
  if (opts.json === true) {
    // The install as it happened; the files by path relative to the repository's top.
    printJson({
      mode: r.mode,
      actions: r.actions.map((a) => ({
        path: relative(r.top, a.path),
        change: a.change,
        ...(a.note ? { note: a.note } : {}),
      })),
      config: { ...r.config, path: r.config.path === null ? null : relative(r.top, r.config.path) },
      huskyNotActive: r.huskyNotActive,
      notes: r.notes,
    });
    return kept.length > 0 ? 1 : 0;
  }
  if (quiet) {
    // Only what changed, and what needs the user.
    for (const a of r.actions) if (a.change !== 'unchanged') out(formatAction(a, cwd));
    for (const a of r.actions) if (a.change === 'kept') warn(`jlog: ${a.path}: ${a.note ?? 'kept'}`);
    if (r.config.problem !== null) warn(`jlog: ${r.config.problem} (run jlog doctor)`);
    return 0;
  }
  for (const a of r.actions) out(formatAction(a, cwd));
  for (const note of r.notes) warn(`jlog: ${note}`);
  if (r.huskyNotActive) {
    warn('jlog: git does not run .husky/ yet: run npx husky (npm install does it via the prepare script)');
  }
  if (r.config.problem !== null) warn(`jlog: ${r.config.problem} (run jlog doctor)`);
  for (const a of kept) warn(`jlog: ${a.path}: ${a.note ?? 'kept'}`);
  out('');
  out('next:');
  // Credentials are bound to their site (docs/configuration.md): a login per site, or an environment token
  // with JIRA_BASE_URL beside it; the repository's jira.baseUrl only picks which login applies.
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
