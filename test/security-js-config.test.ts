// A repository's jlog.config.js runs code: jlog loads it only with JLOG_ALLOW_JS_CONFIG=1
// (docs/configuration.md, issue 10). A config that writes a marker file must not run in any command, hooks
// included.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JLOG_BIN, runCommand, runJlog } from './helpers/cli.js';
import { makeRepo, type TempRepo } from './helpers/repo.js';

const SLOW = { timeout: 90_000 };
let repo: TempRepo | undefined;
afterEach(() => {
  repo?.cleanup();
  repo = undefined;
});

describe('JavaScript configs', () => {
  for (const name of ['jlog.config.js', 'jlog.config.mjs', 'jlog.config.cjs']) {
    it(`${name} never runs without JLOG_ALLOW_JS_CONFIG=1, in any command or hook`, SLOW, async () => {
      repo = makeRepo();
      const marker = join(repo.dir, '..', 'config-ran');
      const write = `require('node:fs').writeFileSync(${JSON.stringify(marker)}, process.env.JIRA_API_TOKEN ?? 'ran')`;
      writeFileSync(
        join(repo.dir, name),
        name === 'jlog.config.cjs'
          ? `${write};\nmodule.exports = {};\n`
          : `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n${write};\nexport default {};\n`,
      );
      if (name === 'jlog.config.js') writeFileSync(join(repo.dir, 'package.json'), '{"type":"module"}');
      const base = repo.commit('base');
      const tip = repo.commit('PROJ-1 #time 1h x');
      const env = {
        ...repo.env,
        JLOG_BIN,
        JIRA_BASE_URL: 'http://127.0.0.1:9',
        JIRA_USER_EMAIL: 'a@b.c',
        JIRA_API_TOKEN: 'tok',
      };
      const expected = `${name} is JavaScript, which runs code: jlog loads it only with JLOG_ALLOW_JS_CONFIG=1`;
      for (const args of [
        ['parse', 'PROJ-1 #time 1h'],
        ['ci', '--range', `${base}..${tip}`],
        ['sync', '--dry-run'],
        ['doctor'],
        ['flush'],
      ]) {
        const r = await runJlog(args, { cwd: repo.dir, env });
        expect(r.code, args[0]).not.toBe(0);
        expect(r.stdout + r.stderr, args[0]).toContain(expected);
        expect(existsSync(marker), args[0]).toBe(false);
      }
      await runJlog(['status'], { cwd: repo.dir, env }); // reads the ledger only
      expect(existsSync(marker)).toBe(false);
      // The hooks: installed, then a commit and its hooks run, without running the config.
      await runJlog(['init', '--git'], { cwd: repo.dir, env });
      const commit = await runCommand('git', ['commit', '-q', '--allow-empty', '-m', 'PROJ-2 #time 30m y'], {
        cwd: repo.dir,
        env,
      });
      expect(commit.code).toBe(0); // a hook never breaks git
      expect(commit.stderr).toContain('JLOG_ALLOW_JS_CONFIG=1');
      expect(existsSync(marker)).toBe(false);

      // Allowed by the user: it runs.
      const allowed = await runJlog(['parse', 'PROJ-1 #time 1h'], {
        cwd: repo.dir,
        env: { ...env, JLOG_ALLOW_JS_CONFIG: '1' },
      });
      expect(allowed.code).toBe(0);
      expect(existsSync(marker)).toBe(true);
    });
  }
});
