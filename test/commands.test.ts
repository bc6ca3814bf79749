// Issue 12 end to end: `#comment` and transitions in real repos (a bare remote, clones with hooks,
// CI in fresh clones), the sandbox as Jira. Each test asserts what Jira holds at the end.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, Team, day } from './workflows/team.js';

let team: Team;
afterEach(async () => {
  await team?.close();
});

const ON = { commands: { comment: true, transitions: true } };
const commandRequests = (t: Team) =>
  t.sandbox.requests.filter((r) => /\/comment|\/transitions/.test(r.path) || r.query.fields === 'status');
const jlogComments = (t: Team, issue: string) =>
  t.sandbox.comments(issue).map((c) => ({
    body: c.body,
    marker: c.properties.find((p) => p.key === 'jlog')?.value as { id: string } | undefined,
  }));
const adfText = (body: unknown): string =>
  typeof body === 'string' ? body : (JSON.stringify(body).match(/"text":"([^"]*)"/)?.[1] ?? '');

describe('commands off (the default)', () => {
  it('no comment or transition request is ever sent: hooks, sync, CI', async () => {
    team = await Team.create();
    const alice = await team.developer(ALICE);
    const before = await alice.head();
    await alice.commit('PROJ-7 #time 1h login #comment fixed the login #resolve', { date: day(1) });
    await alice.commit('PROJ-8 #comment only a comment #start-progress', { date: day(1, '11:00:00') });
    await alice.push('origin', 'main');
    expect((await alice.jlog('sync', '--json')).code).toBe(0);
    const ci = await team.ci({ before, after: await alice.head() });
    expect(ci.code).toBe(0);
    expect(team.worklogs()).toHaveLength(1);
    expect(commandRequests(team)).toEqual([]);
    expect(team.sandbox.comments()).toEqual([]);
    expect(team.sandbox.status('PROJ-7')).toBe('To Do');
  });
});

describe('commands on', () => {
  it('worklog, comment and transition once; a second sync, CI in a fresh clone and an amend after push add nothing', async () => {
    team = await Team.create({ config: ON });
    const alice = await team.developer(ALICE);
    const before = await alice.head();
    const sha = await alice.commit('PROJ-7 #time 1h login #comment fixed the login #resolve', {
      date: day(1),
    });
    await alice.push('origin', 'main');

    expect(team.worklogs()).toHaveLength(1);
    const comments = jlogComments(team, 'PROJ-7');
    expect(comments.map((c) => [adfText(c.body), c.marker?.id])).toEqual([['fixed the login', `${sha}:c0`]]);
    expect(team.sandbox.status('PROJ-7')).toBe('Done');
    expect(team.sandbox.issueProperty('PROJ-7', 'jlog')).toMatchObject({
      transitions: [{ id: `${sha}:t0` }],
    });
    const transitionPosts = () =>
      team.sandbox.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/transitions'));
    expect(transitionPosts()).toHaveLength(1);

    const again = await alice.jlog('sync', '--json');
    expect(again.code).toBe(0);
    expect(again.json.posted).toEqual([]);

    // The issue moves on; CI in a fresh clone neither applies the transition again nor fails on it.
    team.sandbox.setStatus('PROJ-7', 'In Progress');
    const ci = await team.ci({ before, after: sha });
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    expect(ci.json.failed).toEqual([]);

    // An amend after push (same message, same author date) and a force-push: nothing new.
    await alice.amend('PROJ-7 #time 1h login #comment fixed the login #resolve');
    await alice.push('-f', 'origin', 'main');
    const ci2 = await team.ci({ before: sha, after: await alice.head() });
    expect(ci2.code).toBe(0);
    expect(ci2.json.posted).toEqual([]);
    expect(team.worklogs()).toHaveLength(1);
    expect(team.sandbox.comments('PROJ-7')).toHaveLength(1);
    expect(transitionPosts()).toHaveLength(1);
    expect(team.sandbox.status('PROJ-7')).toBe('In Progress');
  });

  it('the pre-push hook posts a commit that carries only a #comment and a transition (no #time)', async () => {
    team = await Team.create({ config: ON });
    const alice = await team.developer(ALICE);
    // The hooks start Node only once jlog has a ledger in the repository (a `#time` commit made one).
    await alice.commit('PROJ-1 #time 30m setup', { date: day(2) });
    await alice.push('origin', 'main');
    const sha = await alice.commit('PROJ-7 #comment only a comment #start-progress', { date: day(1) });
    await alice.push('origin', 'main');
    expect(jlogComments(team, 'PROJ-7').map((c) => [adfText(c.body), c.marker?.id])).toEqual([
      ['only a comment', `${sha}:c0`],
    ]);
    expect(team.sandbox.status('PROJ-7')).toBe('In Progress');
    expect(team.worklogs().map((w) => w.issue)).toEqual(['PROJ-1']);
  });

  it('an ambiguous or unknown transition fails with the names Jira offers; nothing is applied', async () => {
    team = await Team.create({ config: ON });
    const alice = await team.developer(ALICE, { hooks: false });
    await alice.commit('PROJ-7 #c\nPROJ-8 #deploy', { date: day(1) });
    const run = await alice.jlog('sync', '--json');
    expect(run.code).toBe(1);
    // Issues are applied side by side: order by issue.
    const failed = ((run.json.failed ?? []) as unknown as { issue: string; error: string }[]).sort((a, b) =>
      a.issue.localeCompare(b.issue),
    );
    expect(failed.map((f) => f.issue)).toEqual(['PROJ-7', 'PROJ-8']);
    expect(failed[0]?.error).toMatch(/matches several transitions \('Cancel Issue', 'Close Issue'\)/);
    expect(failed[1]?.error).toMatch(
      /matches no transition of PROJ-8 .*available: 'Start Progress', 'Resolve Issue', 'Cancel Issue', 'Close Issue'/,
    );
    expect(
      team.sandbox.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/transitions')),
    ).toEqual([]);
    const status = await alice.status();
    expect(status.failed).toBe(2);
  });

  it('Data Center: the comment as a plain string on /rest/api/2, the transition applied', async () => {
    team = await Team.create({
      config: { ...ON, jira: { deployment: 'datacenter' } },
      sandbox: { credentials: { token: 'pat-dc' } },
    });
    const alice = await team.developer(ALICE, { hooks: false });
    await alice.commit('PROJ-7 #comment on data center #start-progress', { date: day(1) });
    const run = await alice.jlog('sync', '--json');
    expect(run.code).toBe(0);
    expect(team.sandbox.comments('PROJ-7').map((c) => c.body)).toEqual(['on data center']);
    expect(team.sandbox.requests.find((r) => r.method === 'POST' && r.path.endsWith('/comment'))?.path).toBe(
      '/rest/api/2/issue/PROJ-7/comment',
    );
    expect(team.sandbox.status('PROJ-7')).toBe('In Progress');
  });

  it('ci.authorInComment: CI names the author of a #comment it posts for someone else, not its own', async () => {
    team = await Team.create({ config: ON });
    const alice = await team.developer(ALICE, { hooks: false });
    const account = { name: 'CI Bot', email: String(team.env.JIRA_USER_EMAIL) };
    const before = await alice.head();
    const hers = await alice.commit('PROJ-7 #time 1h login #comment fixed the login', { date: day(1) });
    await alice.commit('PROJ-8 #comment deployed', { date: day(1, '11:00:00'), author: account });
    await alice.push('origin', 'main');
    const push = { before, after: await alice.head() };
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    const texts = (issue: string) => jlogComments(team, issue).map((c) => [adfText(c.body), c.marker?.id]);
    expect(texts('PROJ-7')).toEqual([['Alice Doe: fixed the login', `${hers}:c0`]]);
    expect(team.worklogs('PROJ-7').map((w) => w.comment)).toEqual(['Alice Doe: login']);
    expect(texts('PROJ-8').map(([text]) => text)).toEqual(['deployed']);
    // The prefix is only what is posted: the marker still stands for the token, so nothing again.
    const again = await team.ci(push);
    expect(again.code).toBe(0);
    expect(again.json.posted).toEqual([]);
    expect(team.sandbox.comments()).toHaveLength(2);
  });

  it('a GitHub squash of a PR whose commit carried the comment: CI posts no second comment', async () => {
    team = await Team.create({ config: ON });
    const alice = await team.developer(ALICE);
    await alice.git(['checkout', '-q', '-b', 'feature/login']);
    await alice.commit('PROJ-7 #time 1h login form #comment form ready for review', { date: day(2) });
    await alice.push('-u', 'origin', 'feature/login');
    expect(team.sandbox.comments('PROJ-7')).toHaveLength(1);
    const push = await team.githubSquash({ branch: 'feature/login', pr: 5, author: ALICE });
    const ci = await team.ci(push);
    expect(ci.code).toBe(0);
    expect(team.worklogs()).toHaveLength(1);
    expect(team.sandbox.comments('PROJ-7')).toHaveLength(1);
  });

  it('status, report and undo know the new kinds: undo deletes the comment, and says a transition cannot be undone', async () => {
    team = await Team.create({ config: ON });
    const alice = await team.developer(ALICE, { hooks: false });
    const sha = await alice.commit('PROJ-7 #time 1h login #comment fixed #start-progress', { date: day(1) });
    expect((await alice.jlog('sync', '--json')).code).toBe(0);

    const status = await alice.status();
    const kinds = (status.entries as unknown as { id: string; kind?: string; state: string }[])
      .map((e) => [e.id.slice(40), e.kind ?? 'worklog', e.state])
      .sort();
    expect(kinds).toEqual([
      [':0', 'worklog', 'posted'],
      [':c0', 'comment', 'posted'],
      [':t0', 'transition', 'posted'],
    ]);
    const report = JSON.parse((await alice.jlog('report', '--json')).stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ total: 3600, comments: 1, transitions: 1 });
    expect(report.groups).toEqual([
      { key: 'PROJ-7', seconds: 3600, worklogs: 1, comments: 1, transitions: 1 },
    ]);

    const undo = await alice.jlog('undo', sha, '--yes', '--json');
    expect(undo.code).toBe(0);
    const result = JSON.parse(undo.stdout) as { deleted: { kind?: string }[]; notices: string[] };
    expect(result.deleted.map((d) => d.kind ?? 'worklog').sort()).toEqual(['comment', 'worklog']);
    expect(result.notices.join('\n')).toMatch(/transition #start-progress on PROJ-7 cannot be undone/);
    expect(team.worklogs()).toEqual([]);
    expect(team.sandbox.comments('PROJ-7')).toEqual([]);
    expect(team.sandbox.status('PROJ-7')).toBe('In Progress');

    // Tombstoned: nothing posts them again, not even CI in a fresh clone.
    const again = await alice.jlog('sync', '--json');
    expect(again.json.posted).toEqual([]);
    expect(team.sandbox.comments('PROJ-7')).toEqual([]);
  });
});

describe('comment rewrites (docs/exactly-once.md, as for worklogs)', () => {
  const marker = (c: { properties: { key: string; value: unknown }[] }) =>
    c.properties.find((p) => p.key === 'jlog')?.value as
      { id: string; also?: { id: string; fp: string }[] } | undefined;
  const transitionPosts = (t: Team) =>
    t.sandbox.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/transitions'));

  it('an amend after push that changes the text updates that comment; no second comment or transition, and CI posts nothing again', async () => {
    team = await Team.create({ config: ON });
    const alice = await team.developer(ALICE);
    const before = await alice.head();
    const sha = await alice.commit('PROJ-7 #time 1h login #comment fixed the login #resolve', {
      date: day(1),
    });
    await alice.push('origin', 'main');
    const [first] = team.sandbox.comments('PROJ-7');
    expect(first).toBeDefined();
    // The issue moves on: the amend must not move it back.
    team.sandbox.setStatus('PROJ-7', 'In Progress');

    const amended = await alice.amend('PROJ-7 #time 1h login #comment fixed the login form #resolve');
    await alice.push('-f', 'origin', 'main');

    const comments = team.sandbox.comments('PROJ-7');
    expect(comments.map((c) => [c.id, adfText(c.body)])).toEqual([[first!.id, 'fixed the login form']]);
    expect(marker(comments[0]!)?.id).toBe(`${sha}:c0`);
    expect(marker(comments[0]!)?.also?.map((a) => a.id)).toEqual([`${amended}:c0`]);
    expect(
      team.sandbox.requests.filter((r) => r.method === 'PUT' && r.path.endsWith(`/comment/${first!.id}`))
        .length,
    ).toBe(1);
    expect(team.worklogs()).toHaveLength(1);
    expect(transitionPosts(team)).toHaveLength(1);
    expect(team.sandbox.status('PROJ-7')).toBe('In Progress');
    const status = await alice.status();
    const entry = (status.entries as unknown as { id: string; state: string }[]).find(
      (e) => e.id === `${amended}:c0`,
    );
    expect(entry?.state).toBe('posted');

    const ci = await team.ci({ before, after: amended });
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    expect(team.sandbox.comments('PROJ-7').map((c) => adfText(c.body))).toEqual(['fixed the login form']);
    expect(transitionPosts(team)).toHaveLength(1);
    expect(team.sandbox.status('PROJ-7')).toBe('In Progress');
  });

  it('an amend moving the comment to another key deletes (and tombstones) the old one and posts the new; one that drops it deletes it', async () => {
    team = await Team.create({ config: ON });
    const alice = await team.developer(ALICE);
    const before = await alice.head();
    const sha = await alice.commit('PROJ-7 #time 1h login\nPROJ-8 #comment fixed the login', {
      date: day(1),
    });
    await alice.push('origin', 'main');
    expect(team.sandbox.comments('PROJ-8')).toHaveLength(1);

    const moved = await alice.amend('PROJ-7 #time 1h login\nPROJ-9 #comment fixed the login');
    await alice.push('-f', 'origin', 'main');
    expect(team.sandbox.comments('PROJ-8')).toEqual([]);
    expect(team.sandbox.comments('PROJ-9').map((c) => [adfText(c.body), marker(c)?.id])).toEqual([
      ['fixed the login', `${moved}:c0`],
    ]);
    expect(((await team.issueProperty('PROJ-8'))?.undone ?? []).map((u) => u.id)).toEqual([`${sha}:c0`]);
    expect(team.worklogs()).toHaveLength(1);

    const ci = await team.ci({ before, after: moved });
    expect(ci.code).toBe(0);
    expect(ci.json.posted).toEqual([]);
    expect(team.sandbox.comments()).toHaveLength(1);

    // Gone from history: deleted like a gone worklog, and nothing posts it again.
    const dropped = await alice.amend('PROJ-7 #time 1h login');
    await alice.push('-f', 'origin', 'main');
    expect(team.sandbox.comments()).toEqual([]);
    const ci2 = await team.ci({ before, after: dropped });
    expect(ci2.code).toBe(0);
    expect(team.sandbox.comments()).toEqual([]);
    expect(team.worklogs()).toHaveLength(1);
  });

  it('a comment that failed on a wrong key and is amended to the right one is posted at the next push', async () => {
    team = await Team.create({ config: ON });
    const alice = await team.developer(ALICE);
    const missing = {
      errorMessages: ['Issue does not exist or you do not have permission to see it.'],
      errors: {},
    };
    team.sandbox.fault({
      fault: { kind: 'status', status: 404, body: missing },
      issue: 'PROJ-8',
      times: Infinity,
    });
    await alice.commit('PROJ-7 #time 1h login\nPROJ-8 #comment fixed the login', { date: day(1) });
    await alice.push('origin', 'main');
    expect(await alice.status()).toMatchObject({ failed: 1 });

    const fixed = await alice.amend('PROJ-7 #time 1h login\nPROJ-9 #comment fixed the login');
    await alice.push('-f', 'origin', 'main');
    expect(team.sandbox.comments('PROJ-9').map((c) => [adfText(c.body), marker(c)?.id])).toEqual([
      ['fixed the login', `${fixed}:c0`],
    ]);
    expect(await alice.status()).toMatchObject({ pending: 0, failed: 0 });
    expect(team.worklogs()).toHaveLength(1);
  });

  it('postOn: "commit": the worker posts the comment at once; an amend of its text ends in one comment with the new text', async () => {
    team = await Team.create({ config: { ...ON, postOn: 'commit' } });
    const alice = await team.developer(ALICE);
    await alice.commit('PROJ-7 #time 1h login #comment first text', { date: day(1) });
    await alice.workersDone();
    expect(team.sandbox.comments('PROJ-7').map((c) => adfText(c.body))).toEqual(['first text']);

    // git runs post-commit (its worker may post the new text as new work) before post-rewrite.
    const amended = await alice.amend('PROJ-7 #time 1h login #comment second text');
    await alice.workersDone();
    expect((await alice.jlog('flush')).code).toBe(0);
    const comments = team.sandbox.comments('PROJ-7');
    expect(comments.map((c) => adfText(c.body))).toEqual(['second text']);
    const m = marker(comments[0]!);
    expect([m?.id, ...(m?.also ?? []).map((a) => a.id)]).toContain(`${amended}:c0`);
    expect(team.worklogs()).toHaveLength(1);
  });

  it('postOn: "commit": an amend while the worker posts the new text as new work (post-rewrite lands mid-POST) still ends in one comment', async () => {
    team = await Team.create({ config: { ...ON, postOn: 'commit' } });
    const alice = await team.developer(ALICE);
    await alice.commit('PROJ-7 #time 1h login #comment first text', { date: day(1) });
    await alice.workersDone();
    // The user's own post-rewrite hook (run before jlog's) waits until the amend's worker has sent its
    // comment POST, which Jira answers slowly: post-rewrite's mapping lands while that POST is in flight.
    const go = join(alice.dir, '..', 'go');
    const slow = join(alice.dir, '.git', 'hooks', 'post-rewrite.pre-jlog');
    writeFileSync(
      slow,
      `#!/bin/sh\ncat >/dev/null\ni=0\nwhile [ ! -f '${go}' ] && [ $i -lt 900 ]; do sleep 0.1; i=$((i+1)); done\n`,
    );
    chmodSync(slow, 0o755);
    team.sandbox.fault({
      fault: { kind: 'latency', ms: 4000 },
      method: 'POST',
      pathIncludes: '/PROJ-7/comment',
    });
    const posts = () =>
      team.sandbox.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/PROJ-7/comment')).length;
    const amending = alice.amend('PROJ-7 #time 1h login #comment second text');
    for (let i = 0; i < 900 && posts() < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(posts()).toBe(2);
    writeFileSync(go, '');
    const amended = await amending;
    await alice.workersDone();
    expect((await alice.jlog('flush')).code).toBe(0);
    const comments = team.sandbox.comments('PROJ-7');
    expect(comments.map((c) => adfText(c.body))).toEqual(['second text']);
    expect(marker(comments[0]!)?.id).toBe(`${amended}:c0`);
  });

  it('rewrites: "report" lists the amended comment and leaves Jira alone until jlog sync --apply-rewrites', async () => {
    team = await Team.create({ config: { ...ON, rewrites: 'report' } });
    const alice = await team.developer(ALICE);
    const sha = await alice.commit('PROJ-7 #time 1h login #comment fixed', { date: day(1) });
    await alice.push('origin', 'main');
    const amended = await alice.amend('PROJ-7 #time 1h login #comment fixed the login');
    await alice.push('-f', 'origin', 'main');
    expect(team.sandbox.comments('PROJ-7').map((c) => adfText(c.body))).toEqual(['fixed']);

    const status = (await alice.status()) as unknown as {
      rewrites: { id: string; kind?: string; action: string; from: { id: string } }[];
    };
    expect(status.rewrites).toEqual([
      expect.objectContaining({
        id: `${amended}:c0`,
        kind: 'comment',
        action: 'update',
        from: expect.objectContaining({ id: `${sha}:c0` }),
      }),
    ]);
    const text = (await alice.jlog('status')).stdout;
    expect(text).toMatch(/PROJ-7\s+comment\s+\S+\s+update to PROJ-7/);

    const apply = await alice.jlog('sync', '--apply-rewrites', '--json');
    expect(apply.code).toBe(0);
    expect(team.sandbox.comments('PROJ-7').map((c) => adfText(c.body))).toEqual(['fixed the login']);
    expect(((await alice.status()) as unknown as { rewrites: unknown[] }).rewrites).toEqual([]);
  });

  it('an amend that changes the author date (a new fingerprint) never applies the transition again, not even CI in a fresh clone', async () => {
    team = await Team.create({ config: ON });
    const alice = await team.developer(ALICE);
    const before = await alice.head();
    await alice.commit('PROJ-7 #time 1h login #resolve', { date: day(2) });
    await alice.push('origin', 'main');
    expect(transitionPosts(team)).toHaveLength(1);
    await alice.git(['commit', '-q', '--amend', '--no-edit', '--date', day(1)]);
    const amended = await alice.head();
    await alice.push('-f', 'origin', 'main');
    expect(team.sandbox.issueProperty('PROJ-7', 'jlog')).toMatchObject({
      transitions: [expect.anything(), expect.objectContaining({ id: `${amended}:t0` })],
    });
    // The issue moved on: Resolve is offered again, and still nothing applies it a second time.
    team.sandbox.setStatus('PROJ-7', 'In Progress');
    const ci = await team.ci({ before, after: amended });
    expect(ci.code).toBe(0);
    expect(transitionPosts(team)).toHaveLength(1);
    expect(team.sandbox.status('PROJ-7')).toBe('In Progress');
  });

  it('a force-push dropping a commit whose comment is on Jira keeps the comment and lists it, as a worklog', async () => {
    team = await Team.create({ config: ON });
    const alice = await team.developer(ALICE);
    const dropped = await alice.commit('PROJ-7 #time 1h login #comment fixed', { date: day(2) });
    await alice.push('origin', 'main');
    // A reset is no rewrite git reports (no post-rewrite): only pre-push sees the commit leave.
    await alice.git(['reset', '-q', '--hard', 'HEAD~1']);
    await alice.commit('PROJ-8 #time 30m other work', { date: day(1) });
    await alice.push('-f', 'origin', 'main');
    expect(team.sandbox.comments('PROJ-7').map((c) => adfText(c.body))).toEqual(['fixed']);
    const status = (await alice.status()) as unknown as { orphans: { id: string; kind?: string }[] };
    expect(status.orphans.map((o) => [o.id, o.kind ?? 'worklog']).sort()).toEqual([
      [`${dropped}:0`, 'worklog'],
      [`${dropped}:c0`, 'comment'],
    ]);
    expect((await alice.jlog('status')).stdout).toMatch(/PROJ-7\s+comment\s+\S+\s+jlog undo/);
  });

  it('Data Center: the amended text replaces the comment as a plain string on /rest/api/2', async () => {
    team = await Team.create({
      config: { ...ON, jira: { deployment: 'datacenter' } },
      sandbox: { credentials: { token: 'pat-dc' } },
    });
    const alice = await team.developer(ALICE);
    await alice.commit('PROJ-7 #time 1h login #comment on data center', { date: day(1) });
    await alice.push('origin', 'main');
    const [first] = team.sandbox.comments('PROJ-7');
    expect(first?.body).toBe('on data center');

    const amended = await alice.amend('PROJ-7 #time 1h login #comment still on data center');
    await alice.push('-f', 'origin', 'main');
    const comments = team.sandbox.comments('PROJ-7');
    expect(comments.map((c) => [c.id, c.body])).toEqual([[first!.id, 'still on data center']]);
    expect(marker(comments[0]!)?.also?.map((a) => a.id)).toEqual([`${amended}:c0`]);
    const put = team.sandbox.requests.find((r) => r.method === 'PUT' && /\/comment\/\d+$/.test(r.path));
    expect(put?.path).toBe(`/rest/api/2/issue/PROJ-7/comment/${first!.id}`);
  });
});
