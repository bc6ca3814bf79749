import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findRepoTop, loadConfig } from '../src/config/load.js';
import { exampleConfigJson } from '../src/config/example.js';
import { DEFAULT_CONFIG } from '../src/config/schema.js';
import { didYouMean, validateConfig } from '../src/config/validate.js';
import { JlogError, isJlogError } from '../src/errors.js';
import { makeTempDir } from './helpers/repo.js';

const EXAMPLE = new URL('../.jlogrc.example', import.meta.url);

const dirs: string[] = [];
/** A directory that looks like a repository's top (`.git` present), nested in a parent dir. */
function tempRepo(files: Record<string, string> = {}): string {
  const root = makeTempDir('jlog-config-');
  const top = join(root, 'repo');
  mkdirSync(join(top, '.git'), { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(top, name, '..'), { recursive: true });
    writeFileSync(join(top, name), text);
  }
  dirs.push(root);
  return top;
}
afterEach(() => {
  dirs.length = 0; // temp dirs are tiny; the OS temp dir is cleaned by the system
});

async function configError(p: Promise<unknown>): Promise<JlogError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof JlogError) return err;
    throw err;
  }
  throw new Error('expected E_CONFIG');
}

describe('loadConfig', () => {
  it('gives the defaults, and no file, when there is no config', async () => {
    const top = tempRepo();
    const r = await loadConfig(top);
    expect(r).toEqual({ config: DEFAULT_CONFIG, filepath: null });
    r.config.jira.deployment = 'datacenter';
    expect(DEFAULT_CONFIG.jira.deployment).toBe('cloud'); // callers cannot corrupt the defaults
  });

  it('refuses a YAML config whose aliases stand for more values than a config has, without expanding them', async () => {
    // 300 bytes for 9^5 = 59,049 strings; each level more multiplies by 9 (a "billion laughs"), and
    // copying, hashing or validating them would hang every hook. Counting stops at the limit.
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [i, name] of ['b', 'c', 'd', 'e'].entries()) {
      const prev = i === 0 ? 'a' : ['b', 'c', 'd', 'e'][i - 1]!;
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const top = tempRepo({ '.jlogrc.yaml': `${levels.join('\n')}\nsquashPattern: *e\n` });
    const err = await configError(loadConfig(top));
    expect(err.code).toBe('E_CONFIG');
    expect(err.message).toBe(
      '.jlogrc.yaml holds more than 10,000 values (YAML aliases count once per use); jlog does not read it',
    );
  });

  it('reads each file kind, merging nested objects over the defaults', async () => {
    const cases: Record<string, string> = {
      '.jlogrc': 'postOn: commit\njira:\n  baseUrl: https://acme.atlassian.net/\n',
      '.jlogrc.json': '{"postOn":"commit","jira":{"baseUrl":"https://acme.atlassian.net/"}}',
      '.jlogrc.yaml': 'postOn: commit\njira: { baseUrl: "https://acme.atlassian.net/" }\n',
      '.jlogrc.yml': 'postOn: commit\njira: { baseUrl: "https://acme.atlassian.net/" }\n',
      'jlog.config.mjs':
        'export default { postOn: "commit", jira: { baseUrl: "https://acme.atlassian.net/" } };\n',
      'jlog.config.cjs':
        'module.exports = { postOn: "commit", jira: { baseUrl: "https://acme.atlassian.net/" } };\n',
      'jlog.config.js':
        'export default { postOn: "commit", jira: { baseUrl: "https://acme.atlassian.net/" } };\n',
      'package.json':
        '{"name":"x","type":"module","jlog":{"postOn":"commit","jira":{"baseUrl":"https://acme.atlassian.net/"}}}',
    };
    for (const [name, text] of Object.entries(cases)) {
      const top = tempRepo(
        name === 'jlog.config.js' ? { [name]: text, 'package.json': '{"type":"module"}' } : { [name]: text },
      );
      const { config, filepath } = await loadConfig(top, undefined, { JLOG_ALLOW_JS_CONFIG: '1' });
      expect(filepath, name).toBe(join(top, name));
      expect(config.postOn, name).toBe('commit');
      expect(config.jira, name).toEqual({ baseUrl: 'https://acme.atlassian.net', deployment: 'cloud' });
      expect(config.commands, name).toEqual(DEFAULT_CONFIG.commands);
    }
  });

  it('never runs a JavaScript config without JLOG_ALLOW_JS_CONFIG=1, and says so', async () => {
    for (const name of ['jlog.config.js', 'jlog.config.mjs', 'jlog.config.cjs']) {
      const top = tempRepo();
      const marker = join(top, '..', 'ran');
      const code = `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x')`;
      writeFileSync(
        join(top, name),
        name.endsWith('.cjs')
          ? `${code};\nmodule.exports = {};\n`
          : `import fs from 'node:fs';\nfs.writeFileSync(${JSON.stringify(marker)}, 'x');\nexport default {};\n`,
      );
      if (name.endsWith('.js')) writeFileSync(join(top, 'package.json'), '{"type":"module"}');
      for (const env of [{}, { JLOG_ALLOW_JS_CONFIG: 'true' }, { JLOG_ALLOW_JS_CONFIG: '0' }]) {
        const err = await configError(loadConfig(top, undefined, env));
        expect(err.code, name).toBe('E_CONFIG');
        expect(err.message, name).toBe(
          `${name} is JavaScript, which runs code: jlog loads it only with JLOG_ALLOW_JS_CONFIG=1`,
        );
        expect(existsSync(marker), name).toBe(false);
      }
      await loadConfig(top, undefined, { JLOG_ALLOW_JS_CONFIG: '1' });
      expect(existsSync(marker), name).toBe(true);
    }
  });

  it('refuses a config that is a symlink to outside the repository, and never quotes it', async () => {
    const top = tempRepo();
    const secret = join(top, '..', 'secret.txt');
    writeFileSync(secret, 'ghp_S3CR3TS3CR3TS3CR3T\n');
    for (const name of ['.jlogrc.yaml', '.jlogrc', '.jlogrc.json']) {
      const link = join(top, name);
      symlinkSync(secret, link);
      const err = await configError(loadConfig(top));
      expect(err.message, name).toBe(
        `${name} is a symlink to a file outside the repository; jlog does not read it`,
      );
      expect(`${err.message} ${err.hint}`).not.toContain('S3CR3T');
      (await import('node:fs')).unlinkSync(link);
    }
    // a symlink within the repository is fine
    writeFileSync(join(top, 'shared.yml'), 'postOn: manual\n');
    symlinkSync(join(top, 'shared.yml'), join(top, '.jlogrc.yml'));
    expect((await loadConfig(top)).config.postOn).toBe('manual');
  });

  it('never echoes a value in a config error (a secret file inside the repo parses as a string)', async () => {
    for (const [name, text] of [
      ['.jlogrc.yaml', 'ghp_S3CR3TS3CR3TS3CR3T\n'],
      ['.jlogrc.yaml', 'jira: ghp_S3CR3TS3CR3TS3CR3T\n'],
      ['.jlogrc.yaml', 'postOn: [ghp_S3CR3TS3CR3TS3CR3T\n'],
      ['.jlogrc.yaml', '!<tag:ghp_S3CR3TS3CR3TS3CR3T> x\n'],
      ['.jlogrc.json', '{"postOn": "ghp_S3CR3TS3CR3TS3CR3T"'],
      ['.jlogrc.json', '{"postOn": "ghp_S3CR3TS3CR3TS3CR3T"}'],
      ['.jlogrc.json', '{"jira": {"baseUrl": "ghp_S3CR3TS3CR3TS3CR3T"}}'],
    ] as const) {
      const top = tempRepo({ [name]: text });
      const err = await configError(loadConfig(top));
      expect(err.code, text).toBe('E_CONFIG');
      expect(`${err.message} ${err.hint}`, text).not.toContain('S3CR3T');
    }
  });

  it('searches from cwd up to the repository top, nearest first, and no further', async () => {
    const top = tempRepo({ '.jlogrc.json': '{"postOn":"manual"}', 'pkg/a/.keep': '' });
    writeFileSync(join(top, '..', '.jlogrc.json'), '{"postOn":"commit"}'); // outside the repo: never read
    expect((await loadConfig(join(top, 'pkg', 'a'))).config.postOn).toBe('manual');
    writeFileSync(join(top, 'pkg', '.jlogrc.yml'), 'postOn: commit\n');
    expect(await loadConfig(join(top, 'pkg', 'a'))).toMatchObject({
      config: { postOn: 'commit' },
      filepath: join(top, 'pkg', '.jlogrc.yml'),
    });
    const inner = tempRepo();
    expect((await loadConfig(inner)).filepath).toBeNull();
    expect(findRepoTop(join(top, 'pkg', 'a'))).toBe(top);
  });

  it('ignores a package.json without a jlog key and keeps looking', async () => {
    const top = tempRepo({ '.jlogrc.json': '{"strict":true}', 'sub/package.json': '{"name":"sub"}' });
    expect((await loadConfig(join(top, 'sub'))).config.strict).toBe(true);
  });

  it('treats an empty file as the defaults', async () => {
    const top = tempRepo({ '.jlogrc': '' });
    expect(await loadConfig(top)).toEqual({ config: DEFAULT_CONFIG, filepath: join(top, '.jlogrc') });
  });

  it('reports every problem at once, with the file and each key path', async () => {
    const top = tempRepo({
      '.jlogrc.json': JSON.stringify({
        concurrency: '8',
        postOn: 'always',
        jira: { baseUrl: 'http://acme.atlassian.net', deploymnt: 'cloud' },
        timeTracking: { hoursPerDay: 25 },
        squashPattern: '(',
        maxDuration: 'two weeks',
        projects: ['proj'],
        concurrancy: 3,
        timeoutMs: 1.5,
      }),
    });
    const err = await configError(loadConfig(top));
    expect(err.code).toBe('E_CONFIG');
    expect(err.message.startsWith('.jlogrc.json: ')).toBe(true);
    for (const part of [
      'concurrency: expected a number, got a string',
      'postOn: must be one of push, commit, manual, got a string',
      'jira.baseUrl: must use https://',
      'jira.deploymnt: unknown key (did you mean deployment?)',
      'timeTracking.hoursPerDay: must be at most 24, got 25',
      'squashPattern: must be a valid regular expression',
      'maxDuration: must be a duration like 2w',
      'projects[0]: must be an uppercase project key',
      'concurrancy: unknown key (did you mean concurrency?)',
      'timeoutMs: expected an integer, got 1.5',
    ]) {
      expect(err.message).toContain(part);
    }
    expect(err.message.split('; ')).toHaveLength(10);
    expect(err.hint).toContain('.jlogrc.json');
  });

  it('refuses credentials in a repository config and never echoes them', async () => {
    for (const text of [
      '{"jira":{"baseUrl":"https://acme.atlassian.net","apiToken":"s3cr3t-value"}}',
      '{"JIRA_API_TOKEN":"s3cr3t-value"}',
      'password: s3cr3t-value\n',
      '{"jira":{"auth":{"Secret":"s3cr3t-value"}}}',
    ]) {
      const top = tempRepo({ [text.startsWith('{') ? '.jlogrc.json' : '.jlogrc.yml']: text });
      const err = await configError(loadConfig(top));
      expect(err.code, text).toBe('E_CONFIG');
      expect(err.message, text).toContain("credentials do not belong in a repository's config");
      expect(`${err.message} ${err.hint} ${String(err.cause)}`, text).not.toContain('s3cr3t');
      expect(err.hint, text).toMatch(/JIRA_API_TOKEN|jlog login/);
    }
  });

  it('names the file and the place of a syntax error without quoting its text', async () => {
    const top = tempRepo({ '.jlogrc.json': '{\n  "token": s3cr3t-value\n}' });
    const err = await configError(loadConfig(top));
    expect(err.code).toBe('E_CONFIG');
    expect(err.message).toMatch(/^\.jlogrc\.json: cannot be read: it is not valid JSON/);
    expect(`${err.message} ${err.hint} ${String(err.cause)}`).not.toContain('s3cr3t');
    const yaml = tempRepo({ '.jlogrc.yml': 'postOn: [push\npassword: s3cr3t-value\n' });
    const yerr = await configError(loadConfig(yaml));
    expect(yerr.message).toMatch(/^\.jlogrc\.yml: cannot be read: /);
    expect(`${yerr.message} ${yerr.hint}`).not.toContain('s3cr3t');
  });

  it('refuses a config that is not an object', async () => {
    const err = await configError(loadConfig(tempRepo({ '.jlogrc.json': '["push"]' })));
    expect(err.message).toContain('expected an object');
  });

  it('loads .jlogrc.example and finds it valid, every documented key set', async () => {
    const top = tempRepo();
    copyFileSync(EXAMPLE, join(top, '.jlogrc'));
    const { config } = await loadConfig(top);
    expect(config).toEqual({
      ...DEFAULT_CONFIG,
      jira: { baseUrl: 'https://acme.atlassian.net', deployment: 'cloud' },
      projects: ['PROJ', 'OPS'],
      timeTracking: { hoursPerDay: 8, daysPerWeek: 5 },
    });
  });
});

describe('validateConfig', () => {
  const bad = (raw: unknown) => {
    try {
      validateConfig(raw, 'f');
    } catch (err) {
      if (isJlogError(err, 'E_CONFIG')) return err.message;
      throw err;
    }
    return null;
  };

  it('accepts the edges of every range and refuses just past them', () => {
    expect(
      bad({ concurrency: 1, timeoutMs: 1_000, timeTracking: { hoursPerDay: 24, daysPerWeek: 7 } }),
    ).toBeNull();
    expect(bad({ concurrency: 16, timeTracking: { hoursPerDay: 0.5, daysPerWeek: 0.5 } })).toBeNull();
    expect(bad({ concurrency: 0 })).toContain('concurrency: must be at least 1');
    expect(bad({ concurrency: 17 })).toContain('concurrency: must be at most 16');
    expect(bad({ timeoutMs: 0 })).toContain('timeoutMs: must be at least 1000');
    expect(bad({ timeoutMs: 999 })).toContain('timeoutMs: must be at least 1000');
    expect(bad({ timeoutMs: 120_001 })).toContain('timeoutMs: must be at most 120000');
    expect(bad({ timeoutMs: 1_000 })).toBeNull();
    expect(bad({ timeoutMs: 120_000 })).toBeNull();
    expect(bad({ timeTracking: { hoursPerDay: 0 } })).toContain(
      'timeTracking.hoursPerDay: must be more than 0',
    );
    expect(bad({ timeTracking: { daysPerWeek: 7.5 } })).toContain(
      'timeTracking.daysPerWeek: must be at most 7',
    );
    expect(bad({ notifyUsers: 'false' })).toBe('f: notifyUsers: expected true or false, got a string');
    expect(bad({ projects: [] })).toContain('projects: must list at least one project key');
  });

  it('accepts loopback http and an API gateway path, refuses other http and credentials in the URL', () => {
    for (const url of [
      'http://127.0.0.1:8080',
      'http://localhost:3000/',
      'http://[::1]:9',
      'https://api.atlassian.com/ex/jira/abc-123',
    ]) {
      expect(bad({ jira: { baseUrl: url } }), url).toBeNull();
    }
    expect(bad({ jira: { baseUrl: 'http://10.0.0.1' } })).toContain('must use https://');
    expect(bad({ jira: { baseUrl: 'ftp://x.org' } })).toContain('must start with https://');
    expect(bad({ jira: { baseUrl: 'acme.atlassian.net' } })).toContain('must be a URL');
    const withUser = bad({ jira: { baseUrl: 'https://me:hunter2@acme.atlassian.net' } });
    expect(withUser).toContain('must not contain a user name or password');
    expect(withUser).not.toContain('hunter2');
  });

  it('refuses a base URL with control characters or spaces, which the URL parser would silently drop or encode', () => {
    // Printed as written, `\r\x1b[2K…` would redraw jlog login's "the token goes to …" line.
    for (const url of [
      'https://evil.example/x\r\u001b[2Kjlog: the token goes to https://acme.atlassian.net',
      'https://evil.example/x\u001b[8m',
      'https://evil.example/x\u202e',
      'https://evil.example/x\ty',
      'https://evil.example/a b',
    ]) {
      const problem = bad({ jira: { baseUrl: url } });
      expect(problem, JSON.stringify(url)).toContain(
        'jira.baseUrl: must not contain spaces or control characters',
      );
      expect(problem).not.toContain('acme');
    }
    // A homograph: the Cyrillic а makes it acme.xn--atlassin-76g.net, not Atlassian's domain.
    expect(bad({ jira: { baseUrl: 'https://acme.atlassi\u0430n.net' } })).toContain(
      'jira.baseUrl: must be plain ASCII (an international domain name in its xn-- form)',
    );
    expect(bad({ jira: { baseUrl: 'https://acme.xn--atlassin-76g.net' } })).toBeNull();
  });

  it('accepts every duration form of the grammar for maxDuration', () => {
    for (const d of ['2w', '1d 4h', '1w2d4h30m', '1.5H', '90m', ' 3d '])
      expect(bad({ maxDuration: d }), d).toBeNull();
    for (const d of ['', '2', 'w', '2x', '0m', '1h and more', '3 d', '30s'])
      expect(bad({ maxDuration: d }), d).toContain('maxDuration');
  });

  it('allows null where the spec has no default, and $schema', () => {
    expect(
      bad({ jira: { baseUrl: null }, projects: null, timeTracking: null, squashPattern: null, $schema: 'x' }),
    ).toBeNull();
    expect(bad({ comment: null })).toContain('comment: expected an object, got null');
  });

  it('suggests the closest key only when it is close', () => {
    expect(didYouMean('postOm', ['postOn', 'authors'])).toBe('postOn');
    expect(didYouMean('POSTON', ['postOn'])).toBe('postOn');
    expect(didYouMean('banana', ['postOn', 'authors'])).toBeNull();
  });
});

describe('exampleConfigJson', () => {
  it('is a starter config that validates as written, with or without a site', () => {
    const cases: { baseUrl?: string; projects?: string[] }[] = [
      {},
      { baseUrl: 'https://acme.atlassian.net/' },
      { baseUrl: 'http://evil.example' },
      { projects: ['PROJ'] },
    ];
    for (const opts of cases) {
      const text = exampleConfigJson(opts);
      expect(text.endsWith('\n')).toBe(true);
      const config = validateConfig(JSON.parse(text), '.jlogrc.json');
      expect(config.postOn).toBe('push');
      expect(config.projects).toEqual(opts.projects ?? null);
      if (opts.baseUrl?.startsWith('https')) expect(config.jira.baseUrl).toBe('https://acme.atlassian.net');
      else expect(config.jira.baseUrl).toBeNull();
    }
  });
});

describe('loadConfig with a memo of validated configs', () => {
  it('reuses a config validated before, and validates again once the file changes', async () => {
    const dir = makeTempDir();
    mkdirSync(join(dir, '.git'));
    const store = new Map<string, unknown>();
    const memo = {
      get: async (key: string) => (store.get(key) as typeof DEFAULT_CONFIG | undefined) ?? null,
      set: async (key: string, config: typeof DEFAULT_CONFIG) => void store.set(key, config),
    };
    writeFileSync(join(dir, '.jlogrc.json'), '{"concurrency": 2}');
    const first = await loadConfig(dir, memo);
    expect(first.config.concurrency).toBe(2);
    expect(store.size).toBe(1);
    // The memo answers for the same content: what it holds is what comes back.
    const [key] = [...store.keys()];
    store.set(key!, { ...first.config, concurrency: 3 });
    expect((await loadConfig(dir, memo)).config.concurrency).toBe(3);
    // A changed file is a new key: validated again, and its mistakes reported.
    writeFileSync(join(dir, '.jlogrc.json'), '{"concurrency": "8"}');
    await expect(loadConfig(dir, memo)).rejects.toThrow(/concurrency/);
  });
});
