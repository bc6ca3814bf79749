// Finding and loading the config (docs/configuration.md). This runs in every git hook, so the common cases
// stay cheap: the search is a few existsSync calls, JSON is parsed directly, and cosmiconfig (YAML, JS) and
// zod are imported only when a file needs them.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
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
    const st = statSync(file);
    if (!st.isFile() || st.size > MAX_CONFIG_BYTES) return false;
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
export async function loadConfig(
  cwd: string,
  memo?: ConfigMemo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedConfig> {
  const filepath = findConfigFile(cwd);
  if (filepath === null) return { config: structuredClone(DEFAULT_CONFIG), filepath: null };
  const shown = displayName(cwd, filepath);
  checkSafeToRead(filepath, shown, findRepoTop(cwd) ?? resolve(cwd), env);
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

/** JavaScript configs run code: only when the user says so (docs/configuration.md). */
export const JS_CONFIG = /\.(js|mjs|cjs)$/;
/** A config is a few hundred bytes; anything near this is not one (and is not read). */
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * A repository is not trusted (a clone of someone else's project, a fork's push in CI): its config
 * must not run code, and must not be a way to read a file outside it (a symlink to a secret, whose
 * content a parser error would quote). Nothing here echoes the file's content.
 */
function checkSafeToRead(file: string, shown: string, top: string, env: NodeJS.ProcessEnv): void {
  if (JS_CONFIG.test(file) && env.JLOG_ALLOW_JS_CONFIG !== '1') {
    throw new JlogError(
      'E_CONFIG',
      `${shown} is JavaScript, which runs code: jlog loads it only with JLOG_ALLOW_JS_CONFIG=1`,
      {
        hint: `set JLOG_ALLOW_JS_CONFIG=1 if you trust this repository, or use .jlogrc.json instead of ${shown}`,
      },
    );
  }
  let real: string;
  let realTop: string;
  try {
    real = realpathSync(file);
    realTop = realpathSync(top);
  } catch {
    throw new JlogError('E_CONFIG', `${shown} cannot be read (a dangling symlink?)`, {
      hint: `replace ${shown} with a regular file, or delete it to use the defaults`,
    });
  }
  if (lstatSync(file).isSymbolicLink() || real !== file) {
    const rel = relative(realTop, real);
    if (rel === '' || rel.startsWith('..' + sep) || rel === '..' || isAbsolute(rel)) {
      throw new JlogError(
        'E_CONFIG',
        `${shown} is a symlink to a file outside the repository; jlog does not read it`,
        { hint: `replace ${shown} with a regular file in the repository, or delete it` },
      );
    }
  }
  const st = statSync(real);
  if (!st.isFile() || st.size > MAX_CONFIG_BYTES) {
    throw new JlogError('E_CONFIG', `${shown} is not a regular file of settings; jlog does not read it`, {
      hint: `replace ${shown} with a regular file, or delete it to use the defaults`,
    });
  }
}

function displayName(cwd: string, file: string): string {
  const rel = relative(resolve(cwd), file);
  return rel.startsWith('..' + sep) && rel.split(sep).length > 4 ? file : rel;
}

export async function readConfigFile(file: string, shown: string): Promise<unknown> {
  const raw = await readRaw(file, shown);
  if (!withinValues(raw, MAX_CONFIG_VALUES)) {
    throw new JlogError(
      'E_CONFIG',
      `${shown} holds more than ${MAX_CONFIG_VALUES.toLocaleString('en-US')} values (YAML aliases count once per use); jlog does not read it`,
      { hint: `a jlog config is a few keys: replace ${shown} with a .jlogrc.json` },
    );
  }
  return raw;
}

/**
 * A config has a few dozen values. YAML aliases make a few hundred bytes stand for billions of them
 * (`b: [*a, *a, …]` nested): copying, hashing or validating that would hang every hook and command, so
 * the values are counted first, each alias as often as it is used, and the count stops at the limit.
 */
const MAX_CONFIG_VALUES = 10_000;

function withinValues(value: unknown, limit: number): boolean {
  let left = limit;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    if (--left < 0) return false;
    const v = stack.pop();
    if (v !== null && typeof v === 'object') {
      for (const child of Object.values(v)) stack.push(child);
    }
  }
  return true;
}

async function readRaw(file: string, shown: string): Promise<unknown> {
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
    // Only where: parser messages quote the file (a tag, a key, the line itself), which may hold a token.
    const text = err instanceof Error ? err.message : String(err);
    const at = /\((\d+):(\d+)\)/.exec(text) ?? /line (\d+),? column (\d+)/i.exec(text);
    throw unreadable(
      shown,
      `is not valid ${JS_CONFIG.test(file) ? 'JavaScript' : 'YAML'}${at ? ` (line ${at[1]}, column ${at[2]})` : ''}`,
    );
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
