// The user documentation ships with the repository and must keep up with the code: every config key the
// schema accepts is described in docs/configuration.md, every command is in the README's table and in
// docs/commands.md, relative links between the docs resolve, and nothing tracked points outside the repo.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createProgram } from '../src/cli/program.js';
import { configSchema } from '../src/config/validate.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

interface Def {
  type: string;
  shape?: Record<string, { _zod: { def: Def } }>;
  innerType?: { _zod: { def: Def } };
  options?: { _zod: { def: Def } }[];
  in?: { _zod: { def: Def } };
}

/**
 * Every key path of a zod (mini) object schema that a user sets a value at: the leaves (`jira.baseUrl`),
 * and a key that holds an object only when it can also be set whole (`timeTracking: null`).
 */
function keyPaths(def: Def, prefix = ''): string[] {
  switch (def.type) {
    case 'object':
      return Object.entries(def.shape ?? {}).flatMap(([key, schema]) => {
        const path = prefix === '' ? key : `${prefix}.${key}`;
        const inner = keyPaths(schema._zod.def, path);
        const settableWhole = inner.length === 0 || nullable(schema._zod.def);
        return settableWhole ? [path, ...inner] : inner;
      });
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return def.innerType ? keyPaths(def.innerType._zod.def, prefix) : [];
    case 'pipe':
      return def.in ? keyPaths(def.in._zod.def, prefix) : [];
    case 'union':
      return [...new Set((def.options ?? []).flatMap((o) => keyPaths(o._zod.def, prefix)))];
    default:
      return [];
  }
}

function nullable(def: Def): boolean {
  if (def.type === 'nullable') return true;
  return def.innerType !== undefined && nullable(def.innerType._zod.def);
}

function commandNames(): string[] {
  return createProgram()
    .commands.map((c) => c.name())
    .filter((name) => name !== 'help');
}

/** The files a clone carries: git's list when this is a work tree, else every file but the build's. */
function trackedFiles(): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
    return out.split('\0').filter((f) => f !== '' && existsSync(join(root, f)));
  } catch {
    const skip = new Set(['node_modules', 'dist', '.git', 'coverage']);
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        if (skip.has(name)) return [];
        const full = join(dir, name);
        return statSync(full).isDirectory() ? walk(full) : [relative(root, full)];
      });
    return walk(root);
  }
}

describe('the configuration reference', () => {
  const reference = read('docs/configuration.md');
  const keys = keyPaths(configSchema._zod.def as unknown as Def);

  it('walks the schema (a walk that finds nothing would check nothing)', () => {
    expect(keys).toEqual(expect.arrayContaining(['jira.baseUrl', 'postOn', 'sync.since', 'timeTracking']));
  });

  it.each(keys)('describes %s', (key) => {
    expect(reference).toContain(`### \`${key}\``);
  });
});

describe('the command reference', () => {
  const readme = read('README.md');
  const commands = read('docs/commands.md');
  const names = commandNames();

  it('finds the commands of the program', () => {
    expect(names).toEqual(expect.arrayContaining(['init', 'sync', 'ci', 'parse']));
  });

  it.each(names)('lists jlog %s in the README table and in docs/commands.md', (name) => {
    const row = new RegExp(`^\\| \`jlog ${name}[\` ]`, 'm');
    expect(readme).toMatch(row);
    expect(commands).toMatch(new RegExp(`^## (.*, )?jlog ${name}\\b`, 'm'));
  });
});

describe('the docs', () => {
  const pages = trackedFiles().filter(
    (f) => f === 'README.md' || (f.startsWith('docs/') && f.endsWith('.md')),
  );

  it('include the pages the README links', () => {
    expect(pages).toEqual(expect.arrayContaining(['README.md', 'docs/configuration.md', 'docs/grammar.md']));
  });

  it.each(pages)('%s links only to files and headings that exist in the repository', (page) => {
    const text = read(page);
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (target === undefined || /^[a-z]+:/i.test(target)) continue;
      const [path = '', anchor] = target.split('#');
      const file = path === '' ? join(root, page) : resolve(root, dirname(page), path);
      if (!file.startsWith(root + '/') || !existsSync(file)) broken.push(target);
      else if (
        anchor !== undefined &&
        file.endsWith('.md') &&
        !anchors(readFileSync(file, 'utf8')).has(anchor)
      )
        broken.push(target);
    }
    expect(broken).toEqual([]);
  });
});

/** The anchors GitHub gives a page's headings: lowercase, punctuation dropped, spaces to dashes. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} (.+)$/gm)) {
    const base = heading!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

describe('the repository stands on its own', () => {
  // Built from parts so that this file does not match itself.
  const outside = ['..', 'shared'].join('/');

  it(`no tracked file mentions ${outside}`, () => {
    const files = trackedFiles();
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.filter((f) => {
      const buf = readFileSync(join(root, f));
      return !buf.includes(0) && buf.toString('utf8').includes(outside);
    });
    expect(offenders).toEqual([]);
  });
});
