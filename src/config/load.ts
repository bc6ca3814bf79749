// Finding and loading the config (SPEC §7). This runs in every git hook, so the common cases stay cheap:
// the search is a few existsSync calls, JSON is parsed directly, and cosmiconfig (YAML, JS) and zod are
// imported only when a file needs them.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { cosmiconfig as cosmiconfigFn } from 'cosmiconfig';
import { JlogError } from '../errors.js';
import { DEFAULT_CONFIG, type JlogConfig } from './schema.js';

/** cosmiconfig's places for module `jlog`, in its order (package.json counts only with a `jlog` key). */
export const CONFIG_FILES = [
  'package.json',
  '.jlogrc',
  '.jlogrc.json',
  '.jlogrc.yaml',
  '.jlogrc.yml',
  'jlog.config.js',
  'jlog.config.mjs',
  'jlog.config.cjs',
] as const;

type CosmiconfigModule = { cosmiconfig: typeof cosmiconfigFn };

export interface LoadedConfig {
  config: JlogConfig;
  /** The file it came from (absolute), or null when none was found and the defaults apply. */
  filepath: string | null;
}

/** The work tree's top without running git: the nearest directory up from `cwd` holding `.git`. */
export function findRepoTop(cwd: string): string | null {
  let dir = resolve(cwd);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The config file that applies in `cwd`: nearest first, up to the repository's top (just cwd outside one). */
export function findConfigFile(cwd: string): string | null {
  const start = resolve(cwd);
  const top = findRepoTop(start);
  let dir = start;
  for (;;) {
    for (const name of CONFIG_FILES) {
      const file = join(dir, name);
      if (!existsSync(file)) continue;
      if (name !== 'package.json' || packageHasJlog(file)) return file;
    }
    if (top === null || dir === top) return null;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function packageHasJlog(file: string): boolean {
  try {
    const pkg: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return pkg !== null && typeof pkg === 'object' && 'jlog' in pkg;
  } catch {
    return false; // a broken package.json is npm's problem, not a jlog config
  }
}

/**
 * Where a caller keeps configs it validated before (the hooks keep one beside the ledger): the key
 * covers the file, its content and jlog's defaults, so an edit or an upgrade validates again.
 */
export interface ConfigMemo {
  get(key: string): Promise<JlogConfig | null>;
  set(key: string, config: JlogConfig): Promise<void>;
}

/** Finds, reads and validates the config that applies in `cwd`; the defaults when there is none. */
export async function loadConfig(cwd: string, memo?: ConfigMemo): Promise<LoadedConfig> {
  const filepath = findConfigFile(cwd);
  if (filepath === null) return { config: structuredClone(DEFAULT_CONFIG), filepath: null };
  const shown = displayName(cwd, filepath);
  const raw = await readConfigFile(filepath, shown);
  // Validation loads zod, a good part of a hook's start-up: skip it for a config seen valid before.
  const key =
    memo &&
    createHash('sha256')
      .update(JSON.stringify([shown, raw, DEFAULT_CONFIG]))
      .digest('hex');
  const known = key ? await memo!.get(key).catch(() => null) : null;
  if (known !== null) return { config: known, filepath };
  const { validateConfig } = await import('./validate.js');
  const config = validateConfig(raw, shown);
  if (key) await memo!.set(key, config).catch(() => undefined);
  return { config, filepath };
}

function displayName(cwd: string, file: string): string {
  const rel = relative(resolve(cwd), file);
  return rel.startsWith('..' + sep) && rel.split(sep).length > 4 ? file : rel;
}

export async function readConfigFile(file: string, shown: string): Promise<unknown> {
  const base = file.slice(file.lastIndexOf(sep) + 1);
  if (base === 'package.json' || base === '.jlogrc.json') {
    const text = readFileSync(file, 'utf8');
    if (text.trim() === '') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw unreadable(shown, jsonProblem(text, err));
    }
    return base === 'package.json' ? (parsed as { jlog?: unknown }).jlog : parsed;
  }
  // cosmiconfig is CommonJS: in the esbuild bundle its exports arrive under `default`.
  const mod: CosmiconfigModule & { default?: CosmiconfigModule } = await import('cosmiconfig');
  const cosmiconfig = mod.default?.cosmiconfig ?? mod.cosmiconfig;
  const explorer = cosmiconfig('jlog', { cache: false, searchStrategy: 'none' });
  try {
    const result = await explorer.load(file);
    return result === null || result.isEmpty ? undefined : (result.config as unknown);
  } catch (err) {
    // Only the first line: YAML errors go on to quote the file, which may hold a token.
    const lines = (err instanceof Error ? err.message : String(err)).split('\n');
    const first = lines.find((l) => l.trim() !== '' && !/^\w+ Error in /.test(l))?.trim() ?? 'syntax error';
    throw unreadable(shown, first.slice(0, 200));
  }
}

// V8's JSON errors quote the text around the mistake, which may be a token: report the position only.
function jsonProblem(text: string, err: unknown): string {
  const m = /position (\d+)/.exec(err instanceof Error ? err.message : '');
  if (!m) return 'is not valid JSON';
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `is not valid JSON (line ${line}, column ${column})`;
}

// No `cause`: parser errors quote the file's text, and a cause ends up in debug logs.
function unreadable(shown: string, problem: string): JlogError {
  return new JlogError('E_CONFIG', `${shown}: cannot be read: ${problem.replace(/^is not/, 'it is not')}`, {
    hint: `fix the syntax of ${shown}, or delete it to use the defaults`,
  });
}
