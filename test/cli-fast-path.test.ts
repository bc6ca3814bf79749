// The argv fast path for `sync` and `status` (src/cli/fast-path.ts) hands a command exactly what
// commander would, and leaves every other shape to commander. Commander is the reference: each argv is
// parsed by both, the command's action swapped for one that records its arguments and options.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastCommand } from '../src/cli/fast-path.js';
import { createProgram } from '../src/cli/program.js';
import { runJlog } from './helpers/cli.js';
import { makeRepo } from './helpers/repo.js';

type Parsed = { name: string; args: string[]; opts: Record<string, unknown> } | { error: string };

/** What commander hands the command's run for argv, or its error code. */
async function viaCommander(argv: string[]): Promise<Parsed> {
  const program = createProgram();
  let got: Parsed = { error: 'no action ran' };
  for (const c of program.commands) {
    c.action(function (this: typeof c) {
      got = { name: c.name(), args: [...this.args], opts: { ...this.opts() } };
    });
  }
  program.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    return { error: (err as { code?: string }).code ?? String(err) };
  }
  return got;
}

const TAKEN = [
  ['sync'],
  ['status'],
  ['status', '--json'],
  ['sync', '--dry-run', '--offline', '--all-authors', '--since', '2020-01-01'],
  ['sync', 'main..HEAD', '--json', '--until', 'yesterday'],
  ['sync', '--retry-failed', 'HEAD~5..', '--apply-rewrites', '--since', ''],
  ['sync', '--since', '30 days ago', '--until', '2026-01-01T10:00', '--dry-run'],
];

const LEFT_TO_COMMANDER = [
  ['status', '--help'],
  ['sync', '-h'],
  ['status', 'extra'],
  ['sync', 'a', 'b'],
  ['sync', '--since'],
  ['sync', '--since', '--json'],
  ['sync', '--since=2020-01-01'],
  ['sync', '--json', '--json'],
  ['sync', '--author', 'a@example.com'],
  ['sync', '--all-authors', '--author', 'a@example.com'],
  ['sync', '--dry-runx'],
  ['sync', '--', 'HEAD'],
  ['sync', '-'],
  ['status', '--version'],
  ['log', 'PROJ-1', '1h'],
  ['--json', 'status'],
  [],
];

describe('the sync/status argv fast path', () => {
  it.each(TAKEN)('takes %j and hands run what commander would', async (...argv) => {
    const fast = fastCommand(argv);
    expect(fast).not.toBeNull();
    expect(fast).toEqual(await viaCommander(argv));
  });

  it.each(LEFT_TO_COMMANDER)('leaves %j to commander', (...argv) => {
    expect(fastCommand(argv)).toBeNull();
  });

  it('agrees with commander on any mix of the two commands’ flags it takes', async () => {
    const word = fc.constantFrom(
      '--json',
      '--dry-run',
      '--offline',
      '--all-authors',
      '--retry-failed',
      '--apply-rewrites',
      '--since',
      '--until',
      '--author',
      '--help',
      '--',
      '-x',
      'HEAD',
      'main..HEAD',
      '2020-01-01',
      '',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('sync', 'status'),
        fc.array(word, { maxLength: 6 }),
        async (cmd, rest) => {
          const argv = [cmd, ...rest];
          const fast = fastCommand(argv);
          // Whatever the fast path takes, commander parses the same way; the rest is commander's alone.
          if (fast !== null) expect(fast).toEqual(await viaCommander(argv));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the built CLI on either path', () => {
  // A trailing `--` is commander's alone (the fast path leaves it), and adds no argument here: the
  // same command, parsed both ways, must print the same and exit the same.
  it.each([
    [['sync', '--offline']],
    [['sync', '--offline', '--json']],
    [['sync', '--since', 'last tuesday', '--dry-run', '--offline', '--all-authors']],
    [['sync', '--dry-run', '--offline', '--all-authors', '--json']],
    [['status']],
    [['status', '--json']],
  ])('%j prints and exits as through commander', async (argv) => {
    const repo = makeRepo();
    try {
      repo.commit('PROJ-7 #time 1h fixed login');
      const run = (args: string[]) => runJlog(args, { cwd: repo.dir, env: repo.env });
      const fast = await run(argv);
      const viaCommanderToo = await run([...argv, '--']);
      expect(fastCommand(argv)).not.toBeNull();
      expect(fastCommand([...argv, '--'])).toBeNull();
      expect(fast).toEqual(viaCommanderToo);
    } finally {
      repo.cleanup();
    }
  });
});
