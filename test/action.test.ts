// action.yml: its shell step, run with bash as the Actions runner would run it (GitHub's environment, a
// push event payload, the inputs expanded), posts the pushed commits' tokens to the sandbox.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../src/sandbox/server.js';
import { startSandbox } from '../src/sandbox/server.js';
import { runCommand } from './helpers/cli.js';
import { makeRepo, type TempRepo } from './helpers/repo.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Step {
  uses?: string;
  name?: string;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}
interface Action {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  runs: { using: string; steps: Step[] };
}

// js-yaml comes with cosmiconfig; it reads the action file as GitHub does.
const jsYaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const action = jsYaml.load(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Action;

let repo: TempRepo;
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  repo?.cleanup();
});

/** `${{ inputs.x }}` and `${{ github.action_path }}` as the runner expands them. */
function expand(text: string, inputs: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, expr: string) => {
    if (expr === 'github.action_path') return ROOT;
    const name = expr.replace(/^inputs\./, '');
    return inputs[name] ?? action.inputs[name]?.default ?? '';
  });
}

/** Runs the action's bash step the way a GitHub runner does (`bash --noprofile --norc -eo pipefail`). */
async function runStep(event: string, payload: object, given: Record<string, string>) {
  const step = action.runs.steps.find((s) => s.run !== undefined)!;
  const eventPath = join(repo.home, 'event.json');
  writeFileSync(eventPath, JSON.stringify(payload));
  const script = join(repo.home, 'step.sh');
  writeFileSync(script, expand(step.run!, given));
  const env: NodeJS.ProcessEnv = {
    ...repo.env,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_WORKSPACE: repo.dir,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: (payload as { after?: string }).after ?? '',
    GITHUB_REPOSITORY: 'acme/app',
    ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(v, given)])),
  };
  const cwd = join(repo.dir, expand(step['working-directory'] ?? '.', given));
  // Async: the sandbox answers from this process while the step runs.
  const r = await runCommand(
    step.shell === 'bash' ? 'bash' : 'sh',
    ['--noprofile', '--norc', '-eo', 'pipefail', script],
    {
      cwd,
      env,
      timeoutMs: 60_000,
    },
  );
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

function pushed(): { before: string; after: string } {
  const before = repo.commit('PROJ-1 #time 1h before the push', { date: '2026-11-20T09:00:00+01:00' });
  repo.commit('PROJ-2 #time 1h by Ann', {
    date: '2026-11-21T09:00:00+01:00',
    email: 'ann@example.com',
    name: 'Ann Lee',
  });
  const after = repo.commit('PROJ-3 #time 30m mine', { date: '2026-11-21T10:00:00+01:00' });
  return { before, after };
}

describe('action.yml', () => {
  it('is a composite action that documents its inputs and runs jlog ci in bash', () => {
    expect(action.runs.using).toBe('composite');
    for (const name of ['base-url', 'user-email', 'api-token']) {
      expect(action.inputs[name]?.description.length, name).toBeGreaterThan(20);
    }
    expect(action.inputs['base-url']!.required).toBe(true);
    expect(action.inputs['api-token']!.required).toBe(true);
    const step = action.runs.steps.find((s) => s.run !== undefined)!;
    expect(step.shell).toBe('bash');
    expect(step.run).toMatch(/ ci \$JLOG_ARGS/);
    expect(readFileSync(join(ROOT, 'action.yml'), 'utf8')).toContain('fetch-depth: 0');
  });

  it("posts the push's commits, every author's, and nothing from before it", async () => {
    repo = makeRepo();
    sandbox = await startSandbox();
    const { before, after } = pushed();
    const r = await runStep(
      'push',
      { ref: 'refs/heads/main', before, after, repository: { full_name: 'acme/app' } },
      {
        'base-url': sandbox.env.JIRA_BASE_URL!,
        'user-email': sandbox.env.JIRA_USER_EMAIL!,
        'api-token': sandbox.env.JIRA_API_TOKEN!,
      },
    );
    expect(r.stderr).not.toContain(sandbox.env.JIRA_API_TOKEN!);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/logged 2 worklogs/);
    expect(
      sandbox
        .worklogs()
        .map((w) => w.issue)
        .sort(),
    ).toEqual(['PROJ-2', 'PROJ-3']);
    // The same push again (a re-run of the job) posts nothing new.
    const again = await runStep(
      'push',
      { ref: 'refs/heads/main', before, after },
      {
        'base-url': sandbox.env.JIRA_BASE_URL!,
        'user-email': sandbox.env.JIRA_USER_EMAIL!,
        'api-token': sandbox.env.JIRA_API_TOKEN!,
      },
    );
    expect(again.status, again.stderr).toBe(0);
    expect(sandbox.worklogs()).toHaveLength(2);
  });

  it('posts nothing for a pull_request event and fails the step with exit 2', async () => {
    repo = makeRepo();
    sandbox = await startSandbox();
    const { after } = pushed();
    const r = await runStep(
      'pull_request',
      { action: 'opened', pull_request: { head: { sha: after } } },
      {
        'base-url': sandbox.env.JIRA_BASE_URL!,
        'user-email': sandbox.env.JIRA_USER_EMAIL!,
        'api-token': sandbox.env.JIRA_API_TOKEN!,
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^jlog: /m);
    expect(sandbox.worklogs()).toHaveLength(0);
  });

  it('takes an api-token without user-email as a bearer token', async () => {
    repo = makeRepo();
    // This sandbox accepts the token only as Bearer: a post proves how it was sent.
    sandbox = await startSandbox({ credentials: { token: 'pat-123' } });
    const { before, after } = pushed();
    const r = await runStep(
      'push',
      { ref: 'refs/heads/main', before, after },
      {
        'base-url': sandbox.env.JIRA_BASE_URL!,
        'api-token': 'pat-123',
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(sandbox.worklogs()).toHaveLength(2);
  });
});
