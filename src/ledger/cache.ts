// Small JSON caches beside the ledger (the site's time-tracking settings, the "failures already
// reported" watermark). Written atomically; a missing or unreadable cache is simply a miss.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JlogError } from '../errors.js';
import { ensureDir, errCode, ioError, writeAtomic } from './files.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function cachePath(dir: string, name: string): string {
  if (!NAME.test(name) || name.includes('..')) {
    throw new JlogError('E_INTERNAL', `invalid ledger cache name ${JSON.stringify(name)}`);
  }
  return join(dir, `cache-${name}.json`);
}

// Read at once, not through libuv's threads: a post-commit hook reads four or five of these, mostly
// missing, and each async read was a few round trips (issue 13). They are a few hundred bytes.
export async function readCache<T>(dir: string, name: string): Promise<{ value: T; at: number } | null> {
  const path = cachePath(dir, name);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (errCode(err) === 'ENOENT' || errCode(err) === 'ENOTDIR') return null;
    throw ioError('read', path, err);
  }
  try {
    const parsed = JSON.parse(text) as { at?: unknown; value?: unknown };
    if (typeof parsed.at !== 'number' || !('value' in parsed)) return null;
    return { value: parsed.value as T, at: parsed.at };
  } catch {
    return null;
  }
}

export async function writeCache(dir: string, name: string, value: unknown): Promise<void> {
  const path = cachePath(dir, name);
  await ensureDir(dir);
  await writeAtomic(path, JSON.stringify({ at: Date.now(), value }) + '\n');
}
