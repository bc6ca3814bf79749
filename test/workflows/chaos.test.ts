// Chaos with the new writes (issue 9 "Must show"): after history is rewritten, posting runs update,
// alias, delete and tombstone worklogs (PUT worklog, DELETE, worklog and issue property writes). Runs
// are SIGKILLed at random points, run four at a time, and meet faults on exactly those writes; the
// end state is still one worklog per token of the final history, with its final values.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FaultRule } from '../../src/sandbox/types.js';
import { JLOG_BIN } from '../helpers/cli.js';
import { ALICE, Team, day, type Clone } from './team.js';

// Real clones, hooks, workers and CI runs on two shared cores: generous, never a reason to fail.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

let team: Team;
afterEach(async () => {
  await team?.close();
});

/**
 * Six commits of two tokens each, posted, then reworded in one `rebase -i`: a duration changed (PUT),
 * a comment changed (PUT), a token moved to another issue (DELETE + tombstone + POST), a token
 * removed (DELETE + tombstone), the rest only new SHAs (alias: property PUT).
 */
async function postedThenRewritten(): Promise<Clone> {
  // timeoutMs 1 s: a write whose answer is lost settles within seconds, not minutes.
  team = await Team.create({ config: { postOn: 'manual', timeoutMs: 1000 } });
  const alice = await team.developer(ALICE);
  await alice.git(['checkout', '-q', '-b', 'feature/chaos']);
  for (let c = 0; c < 6; c++) {
    await alice.commit(
      `Part ${c}\n\nPROJ-${(c % 3) + 1} #time ${c + 1}h part ${c}\nOPS-${(c % 2) + 1} #time 15m review ${c}`,
      {
        date: day(3, `1${c}:00:00`),
      },
    );
  }
  await alice.push('-u', 'origin', 'feature/chaos');
  const sync = await alice.jlog('sync', '--json');
  expect(sync.code).toBe(0);
  expect(team.worklogs()).toHaveLength(12);

  const editor = join(alice.dir, '..', 'reword.mjs');
  writeFileSync(
    editor,
    [
      "import { readFileSync, writeFileSync } from 'node:fs';",
      'const file = process.argv[2];',
      "let text = readFileSync(file, 'utf8');",
      "text = text.replace('#time 1h part 0', '#time 5h part 0');",
      "text = text.replace('#time 3h part 2', '#time 3h part two');",
      "text = text.replace('OPS-2 #time 15m review 1', 'OPS-3 #time 15m review 1');",
      "text = text.replace(/^OPS-1 #time 15m review 4\\n?/m, '');",
      'writeFileSync(file, text);',
    ].join('\n'),
  );
  await alice.rebaseInteractive('origin/main', (todo) => todo.map((l) => l.replace(/^pick/, 'reword')), {
    editor: `node ${editor}`,
  });
  await alice.push('-f', 'origin', 'feature/chaos');
  return alice;
}

/** The tokens of the branch as it is now, read by `jlog parse` from each commit: what Jira must hold. */
async function finalTokens(alice: Clone): Promise<string[]> {
  const shas = (await alice.git(['rev-list', 'origin/main..HEAD'])).split('\n');
  const out: string[] = [];
  for (const sha of shas) {
    const message = await alice.git(['log', '-1', '--format=%B', sha]);
    const parsed = JSON.parse((await alice.jlog('parse', '--json', message)).stdout) as {
      worklogs: { issue: string; seconds: number; comment: string }[];
    };
    out.push(...parsed.worklogs.map((w) => `${w.issue} ${w.seconds} ${w.comment}`));
  }
  return out.sort();
}

function expectJiraHolds(expected: string[]): void {
  const logged = team.worklogs();
  expect(logged.map((w) => `${w.issue} ${w.seconds} ${w.comment}`).sort()).toEqual(expected);
  const ids = logged.map((w) => (w.marker as { id: string }).id);
  expect(new Set(ids).size).toBe(ids.length);
  // Jira's own total per issue agrees: updates and deletes adjusted it, nothing is counted twice.
  const perIssue = new Map<string, number>();
  for (const t of expected) {
    const [issue, seconds] = t.split(' ');
    perIssue.set(issue!, (perIssue.get(issue!) ?? 0) + Number(seconds));
  }
  for (const [issue, seconds] of perIssue) expect(team.sandbox.issue(issue)!.timeSpentSeconds).toBe(seconds);
}

/** Faults on the writes a rewrite needs, queued before anything else so they are met first. */
function rewriteFaults(): FaultRule[] {
  return [
    {
      fault: { kind: 'status', status: 503, retryAfter: 0 },
      method: 'PUT',
      pathIncludes: '/worklog/',
      times: 2,
    },
    { fault: { kind: 'drop-after-store' }, method: 'PUT', pathIncludes: '/properties/jlog', times: 2 },
    { fault: { kind: 'drop-after-store' }, method: 'DELETE', times: 1 },
    { fault: { kind: 'status', status: 500 }, method: 'DELETE', times: 1 },
    { fault: { kind: 'status', status: 429, retryAfter: 0 }, method: 'PUT', times: 2 },
    { fault: { kind: 'drop-before-store' }, method: 'PUT', times: 1 },
  ];
}

/** Posting runs until one ends with nothing pending (bounded): the settle window may need a few. */
async function syncUntilSettled(alice: Clone): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const r = await alice.jlog('sync', '--json');
    if (r.code === 0) return;
    await new Promise((res) => setTimeout(res, 1000));
  }
  throw new Error('jlog sync still leaves tokens pending after 20 runs');
}

describe('chaos with rewrites and the new writes', () => {
  it('SIGKILL at random points while runs update, alias, delete and tombstone, with faults on those writes: one worklog per final token', async () => {
    const alice = await postedThenRewritten();
    const expected = await finalTokens(alice);
    expect(expected).toHaveLength(11);
    for (const rule of rewriteFaults()) team.sandbox.fault(rule);
    team.sandbox.fault({ fault: { kind: 'latency', ms: 150 }, times: Infinity });

    let killed = 0;
    for (let i = 0; i < 8; i++) {
      const seen = team.sandbox.requests.length;
      const child = spawn(process.execPath, [JLOG_BIN, 'sync'], {
        cwd: alice.dir,
        env: alice.env,
        stdio: 'ignore',
      });
      let exited = false;
      const exit = new Promise<void>((resolve) => {
        child.on('exit', (_code, signal) => {
          exited = true;
          if (signal === 'SIGKILL') killed++;
          resolve();
        });
      });
      // The first run dies for sure with its first requests in flight (each answer takes 150 ms); the
      // others at a random moment, which a short run may outlive. Without that, a first run that
      // finished everything before its kill left the later ones nothing to be killed in.
      if (i === 0) {
        for (let t = 0; t < 2_000 && !exited && team.sandbox.requests.length === seen; t++) {
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      const delay = i === 0 ? Math.floor(Math.random() * 100) : 300 + Math.floor(Math.random() * 2000);
      const timer = setTimeout(() => child.kill('SIGKILL'), delay);
      await exit;
      clearTimeout(timer);
    }
    expect(killed).toBeGreaterThan(0);
    team.sandbox.clearFaults();
    await syncUntilSettled(alice);
    expectJiraHolds(expected);

    // And CI on the merge of that branch agrees: nothing left to post.
    const push = await team.githubMerge({
      branch: 'feature/chaos',
      pr: 40,
      owner: 'alice-doe',
      title: 'Chaos',
      merger: ALICE,
    });
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    expectJiraHolds(expected);
  }, 300_000);

  it('four syncs at once bring Jira in line with a rewrite, through faults on PUT, DELETE and property writes', async () => {
    const alice = await postedThenRewritten();
    const expected = await finalTokens(alice);
    for (const rule of rewriteFaults()) team.sandbox.fault(rule);
    const runs = await Promise.all([1, 2, 3, 4].map(() => alice.jlog('sync', '--json')));
    // Each run either finished or left what it could not settle pending (exit 1), never an error.
    expect(runs.map((r) => r.code).filter((c) => c !== 0 && c !== 1)).toEqual([]);
    team.sandbox.clearFaults();
    await syncUntilSettled(alice);
    expectJiraHolds(expected);
  }, 300_000);
});
