// The package ships its LICENSE and the notices of everything dist/ bundles (issue 10).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a build script in plain JavaScript, without types
import { thirdPartyNotices } from '../scripts/notices.mjs';
import { makeTempDir } from './helpers/repo.js';

const ROOT = join(import.meta.dirname, '..');
const notices = (meta: unknown) => (thirdPartyNotices as (m: unknown) => string)(meta);

describe('license and notices', () => {
  it('npm pack ships LICENSE and dist/THIRD-PARTY-NOTICES', { timeout: 60_000 }, () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toContain('LICENSE');
    expect(files).toContain('dist/THIRD-PARTY-NOTICES');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toContain('MIT License');
  });

  it('the notices name every runtime dependency the bundle carries, each with its license text', () => {
    const text = readFileSync(join(ROOT, 'dist', 'THIRD-PARTY-NOTICES'), 'utf8');
    for (const name of [
      'undici',
      'commander',
      'zod',
      'cosmiconfig',
      'js-yaml',
      'picocolors',
      'proper-lockfile',
      'simple-git',
    ]) {
      const version = (
        JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
          version: string;
        }
      ).version;
      expect(text, name).toContain(`\n${name} ${version}\nLicense: `);
    }
    expect(text).toContain('Permission is hereby granted');
  });

  it('refuses to build notices for a bundled package that states no license', () => {
    const dir = makeTempDir('jlog-notices-');
    const pkg = join(dir, 'node_modules', 'nolicense');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), '{"name":"nolicense","version":"1.0.0"}');
    const input = join(pkg, 'index.js');
    expect(() => notices({ inputs: { [input]: {} } })).toThrow(
      'bundled packages without a license: nolicense',
    );
    writeFileSync(join(pkg, 'LICENSE'), 'ISC License text');
    expect(notices({ inputs: { [input]: {} } })).toContain(
      'nolicense 1.0.0\nLicense: see below\n\nISC License text',
    );
  });
});
