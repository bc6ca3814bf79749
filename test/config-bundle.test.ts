// Config files of every kind load through the bundled CLI (cosmiconfig is bundled: its CommonJS
// interop and its loaders must work from dist/, not only from the sources).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runJlog } from './helpers/cli.js';
import { makeRepo, type TempRepo } from './helpers/repo.js';

let repo: TempRepo;
afterEach(() => repo?.cleanup());

describe('config through the bundle', () => {
  it.each([
    ['.jlogrc.yaml', 'projects: [PROJ]\ntimeTracking:\n  hoursPerDay: 6\n'],
    ['.jlogrc', 'projects:\n  - PROJ\ntimeTracking: { hoursPerDay: 6 }\n'],
    ['jlog.config.mjs', 'export default { projects: ["PROJ"], timeTracking: { hoursPerDay: 6 } };\n'],
    ['jlog.config.cjs', 'module.exports = { projects: ["PROJ"], timeTracking: { hoursPerDay: 6 } };\n'],
    ['package.json', '{"name":"x","jlog":{"projects":["PROJ"],"timeTracking":{"hoursPerDay":6}}}'],
  ])('%s', async (file, text) => {
    repo = makeRepo();
    writeFileSync(join(repo.dir, file), text);
    // JavaScript runs only when the user allows it (docs/configuration.md).
    const env = /\.[mc]?js$/.test(file) ? { ...repo.env, JLOG_ALLOW_JS_CONFIG: '1' } : repo.env;
    const r = await runJlog(['parse', '--json', 'PROJ-1 #time 1d x\nOPS-1 #time 1h y'], {
      cwd: repo.dir,
      env,
    });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { worklogs: { issue: string; seconds: number }[] };
    expect(out.worklogs).toEqual([expect.objectContaining({ issue: 'PROJ-1', seconds: 6 * 3600 })]);
  });

  it('reports a broken YAML file with its name, exit 2', async () => {
    repo = makeRepo();
    writeFileSync(join(repo.dir, '.jlogrc.yaml'), 'projects: [PROJ\n');
    const r = await runJlog(['parse', 'PROJ-1 #time 1h'], { cwd: repo.dir, env: repo.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('.jlogrc.yaml');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
