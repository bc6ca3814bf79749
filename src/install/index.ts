// `jlog init` / `jlog uninstall`: which hook system the repo uses, the hooks, and the starter config.
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { exampleConfigJson } from '../config/example.js';
import { findConfigFile, loadConfig } from '../config/load.js';
import { isJlogError } from '../errors.js';
import { getConfig, hooksDir, repoInfo } from '../git/index.js';
import type { Action } from './actions.js';
import { installGitHooks, uninstallGitHooks } from './git-hooks.js';
import { installHusky, uninstallHusky } from './husky.js';
import { checkDirInRepo, readText } from './files.js';

export { formatAction, type Action, type Change } from './actions.js';
export { HOOK_NAMES, type HookName } from './shims.js';

export type InstallMode = 'husky' | 'git';

export interface InstallOptions {
  /** Forced by --husky / --git; detected when undefined. */
  mode?: InstallMode | undefined;
  /** Replace plain-git hooks that jlog did not write instead of chaining them. */
  force?: boolean | undefined;
}

export interface InstallResult {
  mode: InstallMode;
  top: string;
  actions: Action[];
  /** The config in effect: the file written (created true), the one found, or null when unreadable. */
  config: { path: string | null; created: boolean; baseUrl: string | null; problem: string | null };
  /** husky mode only: git does not run `.husky/` yet (core.hooksPath is not `.husky/_`). */
  huskyNotActive: boolean;
}

function isHuskyHooksPath(value: string | null): boolean {
  if (value === null) return false;
  const v = value.replace(/\/+$/, '');
  return v === '.husky/_' || v === '.husky';
}

/** husky when the repo has `.husky/` or git's core.hooksPath points into it. */
export async function detectMode(top: string): Promise<InstallMode> {
  const huskyDir = join(top, '.husky');
  if (existsSync(huskyDir) && statSync(huskyDir).isDirectory()) return 'husky';
  return isHuskyHooksPath(await getConfig(top, 'core.hooksPath')) ? 'husky' : 'git';
}

export async function install(cwd: string, opts: InstallOptions = {}): Promise<InstallResult> {
  const repo = await repoInfo(cwd);
  const top = repo.top;
  const mode = opts.mode ?? (await detectMode(top));
  let actions: Action[];
  let huskyNotActive = false;
  if (mode === 'husky') {
    checkDirInRepo(join(top, '.husky'), top, '.husky');
    actions = installHusky(join(top, '.husky'));
    huskyNotActive = !isHuskyHooksPath(await getConfig(top, 'core.hooksPath'));
  } else {
    const dir = await hooksDir(top);
    checkDirInRepo(dir, top, relative(top, dir) || dir);
    actions = installGitHooks(dir, opts.force === true);
  }
  const config = await ensureConfig(top, actions);
  return { mode, top, actions, config, huskyNotActive };
}

async function ensureConfig(top: string, actions: Action[]): Promise<InstallResult['config']> {
  try {
    const loaded = await loadConfig(top);
    if (loaded.filepath !== null) {
      return { path: loaded.filepath, created: false, baseUrl: loaded.config.jira.baseUrl, problem: null };
    }
  } catch (err) {
    // A config that does not load is still the user's config: keep it, say so.
    const path = findConfigFile(top);
    if (path === null) throw err;
    const problem = isJlogError(err) ? err.message : `${path} cannot be read (${String(err)})`;
    return { path, created: false, baseUrl: null, problem };
  }
  const path = join(top, '.jlogrc.json');
  writeFileSync(path, exampleConfigJson({ baseUrl: process.env.JIRA_BASE_URL ?? null }), { flag: 'wx' });
  actions.push({ path, change: 'created' });
  return { path, created: true, baseUrl: process.env.JIRA_BASE_URL ?? null, problem: null };
}

/**
 * Removes what `install` added, in either mode: the hooks, and the starter `.jlogrc.json` as long as
 * it is exactly what init wrote (an edited config is the user's now). The ledger stays.
 */
export async function uninstall(cwd: string): Promise<{ top: string; actions: Action[] }> {
  const repo = await repoInfo(cwd);
  const dirs = new Set([await hooksDir(repo.top), resolve(repo.commonDir, 'hooks')]);
  const actions = uninstallHusky(join(repo.top, '.husky'));
  for (const dir of dirs) actions.push(...uninstallGitHooks(dir));
  const config = join(repo.top, '.jlogrc.json');
  const text = readText(config);
  if (text !== null && isStarterConfig(text)) {
    rmSync(config);
    actions.push({ path: config, change: 'removed' });
  }
  return { top: repo.top, actions };
}

function isStarterConfig(text: string): boolean {
  try {
    const baseUrl = (JSON.parse(text) as { jira?: { baseUrl?: unknown } }).jira?.baseUrl;
    return text === exampleConfigJson({ baseUrl: typeof baseUrl === 'string' ? baseUrl : null });
  } catch {
    return false;
  }
}
