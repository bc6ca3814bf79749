// docs/grammar.md through the built CLI, as a user checks a message: every row of the example table and every
// rule Atlassian's reading adds, via `jlog parse --json` outside any repository (no branch, no config).
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runJlog } from './helpers/cli.js';
import { isolatedEnv, makeTempDir } from './helpers/repo.js';

const dir = makeTempDir('jlog-grammar-cli-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Parsed {
  worklogs: { issue: string; seconds: number; comment: string; line: number }[];
  comments: { issue: string; text: string; line: number }[];
  transitions: { issue: string; name: string; args: string; line: number }[];
  diagnostics: { line: number; message: string; issue?: string }[];
}

async function parse(message: string, ...flags: string[]): Promise<{ code: number | null; json: Parsed }> {
  const r = await runJlog(['parse', '--json', ...flags, message], { cwd: dir, env: isolatedEnv(dir) });
  expect(r.stderr).toBe('');
  return { code: r.code, json: JSON.parse(r.stdout) as Parsed };
}

const H = 3600;
const wl = (issue: string, seconds: number, comment = '', line = 1) => ({ issue, seconds, comment, line });

describe('docs/grammar.md example table, through jlog parse --json', () => {
  it('JRA-34 #time 1w 2d 4h 30m Total work logged', async () => {
    const { code, json } = await parse('JRA-34 #time 1w 2d 4h 30m Total work logged');
    expect(code).toBe(0);
    expect(json.worklogs).toEqual([wl('JRA-34', 217_800, 'Total work logged')]);
  });

  it('JRA-123 #time 2d 5h #comment … #resolve: worklog without comment, plus a comment and a transition', async () => {
    const { code, json } = await parse(
      'JRA-123 #time 2d 5h #comment Task completed ahead of schedule #resolve',
    );
    expect(code).toBe(0);
    expect(json).toEqual({
      worklogs: [wl('JRA-123', 21 * H)],
      comments: [{ issue: 'JRA-123', text: 'Task completed ahead of schedule', line: 1 }],
      transitions: [{ issue: 'JRA-123', name: 'resolve', args: '', line: 1 }],
      diagnostics: [],
    });
  });

  it('three keys, then #resolve #time #comment: 2d 5h on each key', async () => {
    const { code, json } = await parse(
      'JRA-123 JRA-234 JRA-345 #resolve #time 2d 5h #comment Task completed ahead of schedule',
    );
    expect(code).toBe(0);
    expect(json.worklogs).toEqual([wl('JRA-123', 21 * H), wl('JRA-234', 21 * H), wl('JRA-345', 21 * H)]);
    expect(json.transitions.map((t) => t.issue)).toEqual(['JRA-123', 'JRA-234', 'JRA-345']);
    expect(json.comments.map((c) => c.issue)).toEqual(['JRA-123', 'JRA-234', 'JRA-345']);
  });

  it('#time 2d 5h on a line of its own below a keyed line: nothing from it, unless the branch has a key', async () => {
    const message = 'JRA-123 #comment long day\n#time 2d 5h';
    const alone = await parse(message);
    expect(alone.code).toBe(1);
    expect(alone.json.worklogs).toEqual([]);
    expect(alone.json.comments).toEqual([{ issue: 'JRA-123', text: 'long day', line: 1 }]);
    expect(alone.json.diagnostics).toEqual([{ line: 2, message: expect.stringMatching(/no issue key/) }]);
    const branch = await parse(message, '--branch', 'feature/JRA-9-login');
    expect(branch.code).toBe(0);
    expect(branch.json.worklogs).toEqual([wl('JRA-9', 21 * H, '', 2)]);
  });

  it('#JRA-123 #time 1h: the # belongs to the key', async () => {
    const { code, json } = await parse('#JRA-123 #time 1h');
    expect(code).toBe(0);
    expect(json.worklogs).toEqual([wl('JRA-123', H)]);
    expect(json.transitions).toEqual([]);
  });

  it('[PROJ-1][PROJ-2] #time 1h: PROJ-2 only', async () => {
    const { code, json } = await parse('[PROJ-1][PROJ-2] #time 1h');
    expect(code).toBe(0);
    expect(json.worklogs).toEqual([wl('PROJ-2', H)]);
  });

  it('PROJ-1, PROJ-2 #time 1h: 1h on each', async () => {
    const { code, json } = await parse('PROJ-1, PROJ-2 #time 1h');
    expect(code).toBe(0);
    expect(json.worklogs).toEqual([wl('PROJ-1', H), wl('PROJ-2', H)]);
  });

  it('Revert "…" and fixup! lines: nothing, and no diagnostic', async () => {
    for (const line of ['Revert "PROJ-7 #time 1h fix login"', 'fixup! PROJ-7 #time 1h fix login']) {
      const { code, json } = await parse(line);
      expect(code).toBe(0);
      expect(json).toEqual({ worklogs: [], comments: [], transitions: [], diagnostics: [] });
    }
  });

  it('PROJ-7 #time 30min: nothing; a diagnostic that names the units', async () => {
    const { code, json } = await parse('PROJ-7 #time 30min');
    expect(code).toBe(1);
    expect(json.worklogs).toEqual([]);
    expect(json.diagnostics).toEqual([
      { line: 1, issue: 'PROJ-7', message: expect.stringContaining('use w, d, h, m') },
    ]);
  });
});

describe('docs/grammar.md rules, through jlog parse --json', () => {
  it('squash! and amend! lines, also as squash-merge bullets, carry nothing', async () => {
    const message = [
      'Login form (#42)',
      '',
      '* squash! PROJ-7 #time 1h form',
      '- amend! PROJ-7 #time 2hrs tests',
      '* Reapply "PROJ-7 #time 1h"',
      '* PROJ-7 #time 20m review',
    ].join('\n');
    const { code, json } = await parse(message);
    expect(code).toBe(0);
    expect(json.worklogs).toEqual([wl('PROJ-7', 20 * 60, 'review', 6)]);
    expect(json.diagnostics).toEqual([]);
  });

  it('2hrs and 1hour are diagnostics too', async () => {
    const { code, json } = await parse('PROJ-7 #time 2hrs\nPROJ-8 #time 1hour');
    expect(code).toBe(1);
    expect(json.worklogs).toEqual([]);
    expect(json.diagnostics.map((d) => [d.line, d.issue])).toEqual([
      [1, 'PROJ-7'],
      [2, 'PROJ-8'],
    ]);
  });

  it('a punctuation-only comment is empty', async () => {
    const { code, json } = await parse('PROJ-7 #time 1h.\nPROJ-8 #time 1h ...\nPROJ-9 #time 1h fixed.');
    expect(code).toBe(0);
    expect(json.worklogs).toEqual([
      wl('PROJ-7', H, '', 1),
      wl('PROJ-8', H, '', 2),
      wl('PROJ-9', H, 'fixed.', 3),
    ]);
  });

  it('keys joined by anything but whitespace and commas are separate groups', async () => {
    const { json } = await parse(
      'PROJ-1: PROJ-2 #time 1h\nPROJ-3 and PROJ-4 #time 2h\nPROJ-5 ,PROJ-6 #time 3h',
    );
    expect(json.worklogs).toEqual([
      wl('PROJ-2', H, '', 1),
      wl('PROJ-4', 2 * H, '', 2),
      wl('PROJ-5', 3 * H, '', 3),
      wl('PROJ-6', 3 * H, '', 3),
    ]);
  });

  it('keys after / = ? & > ^ ! ~ - are not keys; B2B-12 is; lower case is not', async () => {
    const { json } = await parse(
      [
        'see https://acme.atlassian.net/browse/PROJ-7 #time 1h',
        'feature/PROJ-7 x=PROJ-7 ?PROJ-7 &PROJ-7 >PROJ-7 ^PROJ-7 !PROJ-7 ~PROJ-7 -PROJ-7 #time 1h',
        'B2B-12 #time 1h',
        'proj-7 #time 1h',
      ].join('\n'),
    );
    expect(json.worklogs).toEqual([wl('B2B-12', H, '', 3)]);
    expect(json.diagnostics.map((d) => d.line)).toEqual([1, 2, 4]);
  });

  it('CRLF, tabs, decimals, glued parts', async () => {
    const { code, json } = await parse('PROJ-1\t#time\t1.5h\tone\r\nPROJ-2 #time 2h30m two\r\n');
    expect(code).toBe(0);
    expect(json.worklogs).toEqual([wl('PROJ-1', 90 * 60, 'one', 1), wl('PROJ-2', 150 * 60, 'two', 2)]);
  });
});
