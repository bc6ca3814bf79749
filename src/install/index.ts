// `jlog init` / `jlog uninstall`: which hook system the repo uses, the hooks, and the starter config.
import { rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { exampleConfigJson } from '../config/example.js';
import { findConfigFile, loadConfig } from '../config/load.js';
import { JlogError, isJlogError } from '../errors.js';
import { execGit, hooksDir, readCommits, repoInfo } from '../git/index.js';
import type { Action } from './actions.js';
import { installGitHooks, uninstallGitHooks } from './git-hooks.js';
import { installHusky, uninstallHusky } from './husky.js';
import { checkDirInRepo, readText } from './files.js';
import { findHusky, isHuskyGenerated } from './detect.js';
import { addPrepare, nearestPackageJson, removePrepare } from './prepare.js';
import { projectsFrom } from './projects.js';

/** How far back init looks for the project keys the team uses. */
const RECENT_COMMITS = 300;

export { formatAction, type Action, type Change } from './actions.js';
export { HOOK_NAMES, type HookName } from './hook-names.js';

export type InstallMode = 'husky' | 'git';

export interface InstallOptions {
  /** Forced by --husky / --git; detected when undefined. */
  mode?: InstallMode | undefined;
  /** Replace plain-git hooks that jlog did not write instead of chaining them. */
  force?: boolean | undefined;
  /** Plain git: add `"prepare": "jlog init --quiet"` to package.json (default true; --no-prepare). */
  prepare?: boolean | undefined;
  /** Write a starter .jlogrc.json when there is no config (default true; not from the prepare script). */
  starterConfig?: boolean | undefined;
}

export interface InstallResult {
  mode: InstallMode;
  top: string;
  actions: Action[];
  /** The config in effect: the file written (created true), the one found, or null when unreadable. */
  config: { path: string | null; created: boolean; baseUrl: string | null; problem: string | null };
  /** husky mode only: git does not run `.husky/` yet (core.hooksPath is not `.husky/_`). */
  huskyNotActive: boolean;
  /** Why something init would do was not done (no prepare script: jlog is not a dependency, say). */
  notes: string[];
}

export async function install(cwd: string, opts: InstallOptions = {}): Promise<InstallResult> {
  const repo = await repoInfo(cwd);
  const top = repo.top;
  const husky = await findHusky(top, cwd);
  const mode = opts.mode ?? (husky === null ? 'git' : 'husky');
  let actions: Action[];
  let huskyNotActive = false;
  if (mode === 'husky') {
    const h = husky ?? { dir: join(top, '.husky'), pkg: top, active: false };
    checkDirInRepo(h.dir, top, relative(top, h.dir) || h.dir);
    actions = installHusky(h.dir, relative(top, h.pkg).split(sep).join('/'));
    huskyNotActive = !h.active;
  } else {
    const dir = await hooksDir(top);
    checkDirInRepo(dir, top, relative(top, dir) || dir);
    // husky rewrites its `_` dir on every install: hooks written there vanish with the next npm install.
    if (isHuskyGenerated(dir)) {
      throw new JlogError(
        'E_USAGE',
        `git runs husky's generated hooks (${relative(top, dir)}), which husky rewrites`,
        {
          hint: 'install into husky instead: jlog init --husky',
        },
      );
    }
    actions = installGitHooks(dir, opts.force === true);
  }
  const notes: string[] = [];
  // Teammates get the hooks on npm install: husky repos through husky's prepare, plain git through ours.
  const pkg = mode === 'git' && opts.prepare !== false ? nearestPackageJson(top, cwd) : null;
  if (pkg !== null) {
    const added = addPrepare(pkg);
    if ('skipped' in added) notes.push(added.skipped);
    else actions.push(added);
  }
  const config = await ensureConfig(top, actions, opts.starterConfig !== false);
  return { mode, top, actions, config, huskyNotActive, notes };
}

async function ensureConfig(
  top: string,
  actions: Action[],
  create: boolean,
): Promise<InstallResult['config']> {
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
  if (!create) return { path: null, created: false, baseUrl: null, problem: null };
  const projects = await recentProjects(top);
  writeFileSync(path, exampleConfigJson({ baseUrl: process.env.JIRA_BASE_URL ?? null, projects }), {
    flag: 'wx',
  });
  actions.push({ path, change: 'created' });
  return { path, created: true, baseUrl: process.env.JIRA_BASE_URL ?? null, problem: null };
}

/** Project keys from the last few hundred commits and every branch (local and remote). */
async function recentProjects(top: string): Promise<string[]> {
  const commits = await readCommits(top, { maxCount: RECENT_COMMITS }).catch(() => []);
  const refs = await execGit(['for-each-ref', '--format=%(refname:short)', 'refs/heads', 'refs/remotes'], {
    cwd: top,
  }).catch(() => ({ stdout: '' }));
  return projectsFrom(
    commits.map((c) => c.message),
    refs.stdout.split('\n').filter((r) => r !== ''),
  );
}

/**
 * Removes what `install` added, in either mode: the hooks, and the starter `.jlogrc.json` as long as
 * it is exactly what init wrote and not committed (an edited config is the user's now, a committed one
 * the team's: one developer's uninstall must not delete it from the work tree). The ledger stays.
 */
export async function uninstall(cwd: string): Promise<{ top: string; actions: Action[] }> {
  const repo = await repoInfo(cwd);
  const dirs = new Set([await hooksDir(repo.top), resolve(repo.commonDir, 'hooks')]);
  const husky = await findHusky(repo.top, cwd);
  const huskyDirs = new Set([join(repo.top, '.husky'), ...(husky === null ? [] : [husky.dir])]);
  const actions: Action[] = [];
  for (const dir of huskyDirs) actions.push(...uninstallHusky(dir));
  for (const dir of dirs) if (!isHuskyGenerated(dir)) actions.push(...uninstallGitHooks(dir));
  for (const pkg of new Set([nearestPackageJson(repo.top, cwd), join(repo.top, 'package.json')])) {
    const removed = pkg === null ? null : removePrepare(pkg);
    if (removed !== null) actions.push(removed);
  }
  const config = join(repo.top, '.jlogrc.json');
  const text = readText(config);
  if (text !== null && isStarterConfig(text) && !(await isTracked(repo.top, '.jlogrc.json'))) {
    rmSync(config);
    actions.push({ path: config, change: 'removed' });
  }
  return { top: repo.top, actions };
}

async function isTracked(top: string, file: string): Promise<boolean> {
  const r = await execGit(['ls-files', '--', file], { cwd: top }).catch(() => ({ stdout: '' }));
  return r.stdout.trim() !== '';
}

function isStarterConfig(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as { jira?: { baseUrl?: unknown }; projects?: unknown };
    const baseUrl = parsed.jira?.baseUrl;
    const projects = Array.isArray(parsed.projects) ? parsed.projects.map(String) : null;
    return text === exampleConfigJson({ baseUrl: typeof baseUrl === 'string' ? baseUrl : null, projects });
  } catch {
    return false;
  }
}
