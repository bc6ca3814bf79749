// `jlog config`: the configuration that applies here, each value with where it came from (the file,
// the environment, the Jira site's cached answer, or the default). Credentials by source only: the
// token never leaves the credential code.
import { relative } from 'node:path';
import { credentialsPath, resolveCredentials } from '../config/credentials.js';
import { loadConfig, readConfigFile } from '../config/load.js';
import { DEFAULT_CONFIG, type JlogConfig } from '../config/schema.js';
import { hintFor, isJlogError } from '../errors.js';
import { repoInfo } from '../git/index.js';
import { Ledger, ledgerDirFor } from '../ledger/ledger.js';
import { color, out, printJson, table } from './output.js';

interface Value {
  key: string;
  value: unknown;
  source: string;
}

interface CredentialSource {
  source: string;
  type?: 'basic' | 'bearer';
  email?: string;
  site?: string;
  problem?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function has(raw: unknown, path: string[]): boolean {
  let v = raw;
  for (const k of path) {
    if (!isObject(v) || !(k in v)) return false;
    v = v[k];
  }
  return true;
}

/** Every setting as a dotted key, one level into the sections (`jira.baseUrl`, `sync.since`). */
function flatten(config: JlogConfig): [string[], unknown][] {
  const rows: [string[], unknown][] = [];
  const keys = [...new Set([...Object.keys(DEFAULT_CONFIG), ...Object.keys(config)])];
  for (const key of keys) {
    const value = (config as unknown as Record<string, unknown>)[key];
    if (key === 'timeTracking') continue; // listed below with the site's values
    if (isObject(value)) for (const [k, v] of Object.entries(value)) rows.push([[key, k], v]);
    else rows.push([[key], value]);
  }
  return rows;
}

async function siteCache(
  commonDir: string | null,
): Promise<{ hoursPerDay: number; daysPerWeek: number } | null> {
  if (commonDir === null) return null;
  const hit = await Ledger.open(ledgerDirFor(commonDir))
    .folder.readCache<{ hoursPerDay: number; daysPerWeek: number }>('timetracking')
    .catch(() => null);
  return hit?.value ?? null;
}

async function credentialSource(config: JlogConfig, env: NodeJS.ProcessEnv): Promise<CredentialSource> {
  try {
    const creds = await resolveCredentials(config, env);
    const stored = creds.auth.from === 'login';
    const vars = ['JIRA_API_TOKEN', ...(creds.auth.type === 'basic' ? ['JIRA_USER_EMAIL'] : [])];
    return {
      source: stored ? `jlog login ${credentialsPath(env)}` : `environment ${vars.join(' + ')}`,
      type: creds.auth.type,
      ...(creds.auth.type === 'basic' ? { email: creds.auth.email } : {}),
      site: creds.baseUrl,
    };
  } catch (err) {
    if (!isJlogError(err, 'E_CREDENTIALS')) throw err;
    return { source: 'none', problem: `${err.message}; ${hintFor(err)}` };
  }
}

export async function run(_args: string[], opts: Record<string, unknown>): Promise<number> {
  const cwd = process.cwd();
  const env = process.env;
  let top = cwd;
  let commonDir: string | null = null;
  try {
    const repo = await repoInfo(cwd);
    top = repo.top;
    commonDir = repo.commonDir;
  } catch (err) {
    if (!isJlogError(err, 'E_NOT_A_REPO')) throw err;
  }
  const { config, filepath } = await loadConfig(top);
  const shown = filepath === null ? null : relative(cwd, filepath) || filepath;
  const raw = filepath === null ? undefined : await readConfigFile(filepath, shown ?? filepath);

  const values: Value[] = [];
  for (const [path, value] of flatten(config)) {
    const key = path.join('.');
    let source = has(raw, path) ? (shown ?? 'file') : 'default';
    let shownValue = value;
    if (key === 'jira.baseUrl' && (env.JIRA_BASE_URL ?? '').trim() !== '') {
      source = 'environment JIRA_BASE_URL';
      shownValue = env.JIRA_BASE_URL!.trim().replace(/\/+$/, '');
    }
    values.push({ key, value: shownValue, source });
  }
  const site = await siteCache(commonDir);
  for (const k of ['hoursPerDay', 'daysPerWeek'] as const) {
    const fromFile = config.timeTracking?.[k];
    values.push({
      key: `timeTracking.${k}`,
      value: fromFile ?? site?.[k] ?? (k === 'hoursPerDay' ? 8 : 5),
      source: fromFile !== undefined ? (shown ?? 'file') : site !== null ? 'Jira site, cached' : 'default',
    });
  }
  const credentials = await credentialSource(config, env);

  if (opts.json) {
    printJson({ file: filepath, values, credentials });
    return 0;
  }
  out(`config file: ${shown ?? 'none, the defaults apply'}`);
  const text = (v: unknown): string =>
    typeof v === 'string' && /^[\x20-\x7e]*$/.test(v) ? v : JSON.stringify(v);
  const rows = values.map((v) => [v.key, text(v.value), color.dim(v.source)]);
  const creds =
    credentials.source === 'none'
      ? ['credentials', 'none', credentials.problem ?? '']
      : [
          'credentials',
          `${credentials.type === 'basic' ? `basic, ${credentials.email ?? ''}` : 'bearer'}, for ${credentials.site ?? ''}`,
          color.dim(credentials.source),
        ];
  for (const line of table([...rows, creds])) out(`  ${line}`);
  return 0;
}
