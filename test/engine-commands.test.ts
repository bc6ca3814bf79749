// Applying an issue's comments and transitions (docs/exactly-once.md) against the real sandbox: exactly once
// by the comment markers and the issue property, Atlassian's matching, unknown outcomes read back.
import { afterEach, describe, expect, it } from 'vitest';
import { commitCommands, type PlannedCommand } from '../src/core/commands.js';
import { parseMessage } from '../src/core/grammar.js';
import type { Commit, GrammarOptions } from '../src/core/types.js';
import {
  applyIssueCommands,
  emptyCommandResult,
  type CommandApplyOptions,
  type CommandState,
} from '../src/engine/commands.js';
import { createJiraClient, type JiraClient } from '../src/jira/client.js';
import { startSandbox, type Sandbox } from '../src/sandbox/server.js';

const G: GrammarOptions = { projects: null, hoursPerDay: 8, daysPerWeek: 5, maxSeconds: 80 * 3600 };
let open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.reverse()) await o.close();
  open = [];
});

async function setup(
  deployment: 'cloud' | 'datacenter' = 'cloud',
): Promise<{ sandbox: Sandbox; jira: JiraClient }> {
  const dc = deployment === 'datacenter';
  const sandbox = await startSandbox(dc ? { credentials: { token: 'pat' } } : {});
  const jira = createJiraClient(
    {
      baseUrl: sandbox.url,
      deployment,
      auth: dc
        ? { type: 'bearer', token: 'pat' }
        : { type: 'basic', email: 'dev@example.com', token: 'sandbox-token' },
    },
    { retryBaseMs: 10, timeoutMs: 1000 },
  );
  open.push(sandbox, jira);
  return { sandbox, jira };
}

function commands(message: string, over: Partial<Commit> = {}): PlannedCommand[] {
  const c: Commit = {
    sha: 'a'.repeat(40),
    parents: [],
    authorName: 'Dev',
    authorEmail: 'dev@example.com',
    authorDate: '2026-11-27T09:05:00+01:00',
    subject: message,
    message,
    ...over,
  };
  return commitCommands(c, parseMessage(message, G), {
    comments: true,
    transitions: true,
    squash: over.subject?.endsWith(')') ?? false,
  });
}

async function run(jira: JiraClient, cs: PlannedCommand[], over: Partial<CommandApplyOptions> = {}) {
  const records: [string, CommandState][] = [];
  const result = emptyCommandResult();
  const byIssue = new Map<string, PlannedCommand[]>();
  for (const c of cs) byIssue.set(c.issue, [...(byIssue.get(c.issue) ?? []), c]);
  for (const [issue, list] of byIssue) {
    await applyIssueCommands(
      issue,
      list,
      {
        jira,
        dryRun: false,
        record: async (c, state) => void records.push([c.id.slice(40), state]),
        ancestors: async () => new Set(),
        readBackMs: 50,
        ...over,
      },
      result,
    );
  }
  return { result, records };
}

const writes = (s: Sandbox, part: string) =>
  s.requests.filter((r) => r.method !== 'GET' && r.path.includes(part) && !r.path.includes('/comment/list'));

describe('comments', () => {
  it('posted once with the marker; a second run finds it and posts nothing', async () => {
    const { sandbox, jira } = await setup();
    const cs = commands('PROJ-7 #comment fixed the login');
    const first = await run(jira, cs);
    expect(first.result.posted.map((o) => o.command.id)).toEqual([cs[0]?.id]);
    expect(first.records).toEqual([[':c0', 'posted']]);
    const [stored] = sandbox.comments('PROJ-7');
    expect(stored?.properties).toEqual([
      { key: 'jlog', value: { v: 2, id: cs[0]?.id, fp: cs[0]?.fp, a: cs[0]?.author } },
    ]);
    // A rebased copy (new sha, same author and date) is the same comment by fingerprint.
    const again = await run(jira, commands('PROJ-7 #comment fixed the login', { sha: 'b'.repeat(40) }));
    expect(again.result.alreadyLogged.map((o) => o.commentId)).toEqual([stored?.id]);
    expect(writes(sandbox, '/comment')).toHaveLength(1);
  });

  it('Data Center: a plain string', async () => {
    const { sandbox, jira } = await setup('datacenter');
    await run(jira, commands('PROJ-7 #comment plain'));
    expect(sandbox.comments('PROJ-7')[0]?.body).toBe('plain');
    expect(writes(sandbox, '/rest/api/2/issue/PROJ-7/comment')).toHaveLength(1);
  });

  it('an unknown outcome is read back, never re-posted', async () => {
    const { sandbox, jira } = await setup();
    sandbox.fault({
      fault: { kind: 'drop-after-store' },
      method: 'POST',
      pathIncludes: '/issue/PROJ-7/comment',
    });
    const { result, records } = await run(jira, commands('PROJ-7 #comment x'));
    expect(result.posted).toHaveLength(1);
    expect(records).toEqual([
      [':c0', 'pending'],
      [':c0', 'posted'],
    ]);
    expect(sandbox.comments('PROJ-7')).toHaveLength(1);
    sandbox.fault({
      fault: { kind: 'drop-before-store' },
      method: 'POST',
      pathIncludes: '/issue/PROJ-8/comment',
    });
    const lost = await run(jira, commands('PROJ-8 #comment y'));
    expect(lost.result.pending.map((o) => o.code)).toEqual(['E_JIRA_UNKNOWN_OUTCOME']);
    expect(writes(sandbox, '/issue/PROJ-8/comment')).toHaveLength(1);
  });

  it('a squash commit claims the branch commit comment with the same text instead of posting again', async () => {
    const { sandbox, jira } = await setup();
    await run(jira, commands('PROJ-7 #comment fixed'));
    const squash = commands('PROJ-7 #comment fixed', {
      sha: 'c'.repeat(40),
      authorDate: '2026-11-28T10:00:00+01:00',
      subject: 'Fix login (#12)',
    });
    expect(squash[0]?.squash).toBe(true);
    const { result } = await run(jira, squash);
    expect(result.alreadyLogged).toHaveLength(1);
    expect(sandbox.comments('PROJ-7')).toHaveLength(1);
    expect((sandbox.comments('PROJ-7')[0]?.properties[0]?.value as { also?: unknown }).also).toEqual([
      { id: squash[0]?.id, fp: squash[0]?.fp, copy: true },
    ]);
    // Claimed once: a second squash with the same text is a comment of its own.
    const other = commands('PROJ-7 #comment fixed', {
      sha: 'd'.repeat(40),
      authorDate: '2026-11-29T10:00:00+01:00',
      subject: 'Again (#13)',
    });
    expect((await run(jira, other)).result.posted).toHaveLength(1);
  });

  it('a squash commit claims a comment CI posted with the author named first', async () => {
    const { sandbox, jira } = await setup();
    await run(jira, commands('PROJ-7 #comment fixed'), { commentText: (c) => `Dev: ${c.text}` });
    expect(sandbox.comments('PROJ-7').map((c) => c.body)).toHaveLength(1);
    const squash = commands('PROJ-7 #comment fixed', {
      sha: 'c'.repeat(40),
      authorDate: '2026-11-28T10:00:00+01:00',
      subject: 'Fix login (#12)',
    });
    const { result } = await run(jira, squash);
    expect(result.alreadyLogged).toHaveLength(1);
    expect(sandbox.comments('PROJ-7')).toHaveLength(1);
  });
});

describe('comment rewrites', () => {
  const rewrite = (old: PlannedCommand, text: string): PlannedCommand => {
    const [heir] = commands(`PROJ-7 #comment ${text}`, { sha: 'b'.repeat(40) });
    const comment = old.kind === 'comment' ? old.text : '';
    return { ...heir!, replaces: { id: old.id, fp: old.fp, issue: old.issue, seconds: 0, comment } };
  };

  it('same issue: the old comment is updated and its marker gains the new token; a dry run only plans it', async () => {
    const { sandbox, jira } = await setup();
    const [old] = commands('PROJ-7 #comment fixed');
    await run(jira, [old!]);
    const heir = rewrite(old!, 'fixed the login');
    const dry = await run(jira, [heir], { dryRun: true });
    expect(dry.result.updated.map((o) => o.command.id)).toEqual([heir.id]);
    expect(writes(sandbox, '/comment/')).toEqual([]);

    const real = await run(jira, [heir]);
    expect(real.result.updated.map((o) => o.command.id)).toEqual([heir.id]);
    expect(real.records).toEqual([[':c0', 'posted']]);
    const [stored] = sandbox.comments('PROJ-7');
    expect(sandbox.comments('PROJ-7')).toHaveLength(1);
    expect(JSON.stringify(stored?.body)).toContain('"text":"fixed the login"');
    expect(stored?.properties[0]?.value).toMatchObject({ id: old!.id, also: [{ id: heir.id, fp: heir.fp }] });
    // Found by the alias from now on.
    const again = await run(jira, [{ ...heir, replaces: undefined }]);
    expect(again.result.alreadyLogged).toHaveLength(1);
  });

  it('the new token on Jira already (CI in a fresh clone posted it): the old comment is deleted and tombstoned, never updated', async () => {
    const { sandbox, jira } = await setup();
    const [old] = commands('PROJ-7 #comment fixed');
    await run(jira, [old!]);
    const heir = rewrite(old!, 'fixed the login');
    await run(jira, [{ ...heir, replaces: undefined }]);
    expect(sandbox.comments('PROJ-7')).toHaveLength(2);
    const { result } = await run(jira, [heir]);
    expect(result.alreadyLogged.map((o) => o.command.id)).toEqual([heir.id]);
    expect(result.deleted.map((o) => o.command.id)).toEqual([old!.id]);
    expect(sandbox.comments('PROJ-7').map((c) => (c.properties[0]?.value as { id: string }).id)).toEqual([
      heir.id,
    ]);
    expect(sandbox.issueProperty('PROJ-7', 'jlog')).toMatchObject({ undone: [{ id: old!.id, fp: old!.fp }] });
    expect(writes(sandbox, '/comment/').filter((r) => r.method === 'PUT')).toEqual([]);
  });
});

describe('transitions', () => {
  it('applied once and recorded in the issue property; later runs find it whatever the status is', async () => {
    const { sandbox, jira } = await setup();
    const cs = commands('PROJ-7 #start-progress');
    const first = await run(jira, cs);
    expect(first.result.posted.map((o) => o.transition)).toEqual(['Start Progress']);
    expect(sandbox.status('PROJ-7')).toBe('In Progress');
    expect(sandbox.issueProperty('PROJ-7', 'jlog')).toEqual({
      v: 1,
      undone: [],
      transitions: [{ id: cs[0]?.id, fp: cs[0]?.fp }],
    });
    sandbox.setStatus('PROJ-7', 'Done');
    sandbox.requests.length = 0;
    const again = await run(jira, cs);
    expect(again.result.alreadyLogged).toHaveLength(1);
    expect(again.result.failed).toEqual([]);
    expect(sandbox.requests.filter((r) => r.path.includes('/transitions'))).toEqual([]);
  });

  it('skips an issue already in the target status; applies in the order written', async () => {
    const { sandbox, jira } = await setup();
    sandbox.setStatus('PROJ-7', 'Done');
    const skipped = await run(jira, commands('PROJ-7 #close-issue'));
    expect(skipped.result.skipped.map((o) => o.reason)).toEqual(['PROJ-7 is already Done']);
    expect(writes(sandbox, '/transitions')).toEqual([]);
    const ordered = await run(jira, commands('PROJ-8 #start #resolve'));
    expect(ordered.result.posted.map((o) => o.transition)).toEqual(['Start Progress', 'Resolve Issue']);
    expect(sandbox.status('PROJ-8')).toBe('Done');
  });

  it('a command naming the current status, with no transition of that name offered, is skipped and recorded', async () => {
    const { sandbox, jira } = await setup();
    // From Done Jira offers Reopen Issue and Close Issue: `#done` names the status, not a transition.
    sandbox.setStatus('PROJ-7', 'Done');
    sandbox.setStatus('PROJ-8', 'In Progress');
    const cs = commands('PROJ-7 #done\nPROJ-8 #In-Prog');
    const first = await run(jira, cs);
    expect(first.result.failed).toEqual([]);
    expect(first.result.skipped.map((o) => [o.reason, o.code, o.transition])).toEqual([
      ['PROJ-7 is already Done', 'E_ALREADY_IN_STATUS', 'Done'],
      ['PROJ-8 is already In Progress', 'E_ALREADY_IN_STATUS', 'In Progress'],
    ]);
    expect(writes(sandbox, '/transitions')).toEqual([]);
    expect(sandbox.status('PROJ-7')).toBe('Done');
    // Recorded like an applied one: after someone reopens the issue, a later run (CI in a fresh
    // clone) neither moves it nor fails on a name the new status does not offer.
    expect(sandbox.issueProperty('PROJ-7', 'jlog')).toMatchObject({
      transitions: [{ id: cs[0]?.id, fp: cs[0]?.fp }],
    });
    sandbox.setStatus('PROJ-7', 'To Do');
    const later = await run(jira, [cs[0]!]);
    expect(later.result.alreadyLogged).toHaveLength(1);
    expect(later.result.failed).toEqual([]);
    expect(sandbox.status('PROJ-7')).toBe('To Do');
    // Only the current status counts: `#in-progress` on a To Do issue is no transition there.
    const todo = await run(jira, commands('PROJ-9 #in-progress'));
    expect(todo.result.failed.map((o) => o.error)).toEqual([
      "#in-progress matches no transition of PROJ-9 from its current status (available: 'Start Progress', 'Resolve Issue', 'Cancel Issue', 'Close Issue')",
    ]);
  });

  it('an ambiguous or unknown name fails with the names Jira offers, and nothing is sent', async () => {
    const { sandbox, jira } = await setup();
    const { result } = await run(jira, commands('PROJ-7 #c\nPROJ-8 #deploy'));
    expect(result.failed.map((o) => o.error)).toEqual([
      "#c on PROJ-7 matches several transitions ('Cancel Issue', 'Close Issue'); write more of the name (available: 'Start Progress', 'Resolve Issue', 'Cancel Issue', 'Close Issue')",
      "#deploy matches no transition of PROJ-8 from its current status (available: 'Start Progress', 'Resolve Issue', 'Cancel Issue', 'Close Issue')",
    ]);
    expect(writes(sandbox, '/transitions')).toEqual([]);
  });

  it('an unknown outcome is read back from the status: applied once, then recorded', async () => {
    const { sandbox, jira } = await setup();
    sandbox.fault({ fault: { kind: 'drop-after-store' }, method: 'POST', pathIncludes: '/transitions' });
    const cs = commands('PROJ-7 #resolve');
    const { result, records } = await run(jira, cs);
    expect(result.posted).toHaveLength(1);
    expect(records).toEqual([
      [':t0', 'pending'],
      [':t0', 'posted'],
    ]);
    expect(writes(sandbox, '/transitions')).toHaveLength(1);
    expect((sandbox.issueProperty('PROJ-7', 'jlog') as { transitions: unknown[] }).transitions).toHaveLength(
      1,
    );
  });

  it('a 403 on the record still counts the transition as applied and says what it means', async () => {
    const { sandbox, jira } = await setup();
    sandbox.fault({
      fault: { kind: 'status', status: 403 },
      method: 'PUT',
      pathIncludes: '/properties/jlog',
    });
    const { result } = await run(jira, commands('PROJ-7 #start'));
    expect(result.posted).toHaveLength(1);
    expect(result.notices[0]).toMatch(
      /no permission to edit PROJ-7: the transition Start Progress is applied but not recorded/,
    );
  });
});

describe('tombstones, dry runs, failures', () => {
  it('a tombstoned command is skipped; a dry run writes nothing and plans what a run would do', async () => {
    const { sandbox, jira } = await setup();
    const cs = commands('PROJ-7 #comment x #start');
    await jira.setIssueProperty('PROJ-7', 'jlog', {
      v: 1,
      undone: [{ id: cs[0]!.id, fp: cs[0]!.fp }],
      transitions: [],
    });
    sandbox.requests.length = 0;
    const dry = await run(jira, cs, { dryRun: true });
    expect(dry.result.skipped.map((o) => o.command.kind)).toEqual(['comment']);
    expect(dry.result.planned.map((o) => o.transition)).toEqual(['Start Progress']);
    expect(dry.records).toEqual([]);
    expect(sandbox.requests.filter((r) => r.method !== 'GET' && !r.path.includes('/comment/list'))).toEqual(
      [],
    );
  });

  it('a read that fails keeps every command of the issue pending (fail closed); a missing issue fails them', async () => {
    const { sandbox, jira } = await setup();
    sandbox.fault({
      fault: { kind: 'status', status: 503 },
      pathIncludes: '/properties/jlog',
      times: Infinity,
    });
    const down = await run(jira, commands('PROJ-7 #comment x #start'));
    expect(down.result.pending.map((o) => o.code)).toEqual(['E_JIRA_UNAVAILABLE', 'E_JIRA_UNAVAILABLE']);
    sandbox.clearFaults();
    const gone = await run(jira, commands('NOPE-0 #comment x'));
    expect(gone.result.failed).toHaveLength(1);
  });
});
