// The argv fast path (issue 13): `jlog sync …` and `jlog status` are the commands people and benches
// run most, and commander costs them ~15 ms of loading and wiring before any work starts. This reads
// only the plain shapes of those two commands, exactly as commander would hand them to the command's
// `run`; anything else (help, `--`, `--flag=value`, an unknown or repeated flag, a value that looks
// like a flag, a second positional) returns null and goes through commander, so every message and
// exit code stays commander's. test/cli-fast-path.test.ts checks the two agree.
import type { CommandRun } from './program.js';

export interface FastCommand {
  name: 'sync' | 'status';
  /** Positional arguments, as commander's `this.args`. */
  args: string[];
  /** Parsed options, as commander's `this.opts()`: only the flags given. */
  opts: Record<string, string | true>;
}

interface Shape {
  /** Flag → option key (commander's camelCase of the long name). */
  booleans: Record<string, string>;
  values: Record<string, string>;
  /** How many positional arguments the command takes. */
  positionals: number;
}

const SHAPES: Record<FastCommand['name'], Shape> = {
  status: { booleans: { '--json': 'json' }, values: {}, positionals: 0 },
  sync: {
    booleans: {
      '--all-authors': 'allAuthors',
      '--retry-failed': 'retryFailed',
      '--apply-rewrites': 'applyRewrites',
      '--dry-run': 'dryRun',
      '--offline': 'offline',
      '--json': 'json',
    },
    // --author is left to commander: it conflicts with --all-authors, and commander words that error.
    values: { '--since': 'since', '--until': 'until' },
    positionals: 1,
  },
};

/** The command argv names in one of the shapes above, or null for commander to parse. */
export function fastCommand(argv: readonly string[]): FastCommand | null {
  const [name, ...rest] = argv;
  if (name !== 'sync' && name !== 'status') return null;
  const shape = SHAPES[name];
  const args: string[] = [];
  const opts: Record<string, string | true> = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a.startsWith('-')) {
      const boolKey = shape.booleans[a];
      const valueKey = shape.values[a];
      const key = boolKey ?? valueKey;
      if (key === undefined || key in opts) return null;
      if (boolKey !== undefined) {
        opts[boolKey] = true;
        continue;
      }
      const value = rest[i + 1];
      if (value === undefined || value.startsWith('-')) return null;
      opts[key] = value;
      i++;
    } else {
      if (args.length >= shape.positionals) return null;
      args.push(a);
    }
  }
  return { name, args, opts };
}

const LOADERS: Record<FastCommand['name'], () => Promise<{ run: CommandRun }>> = {
  sync: () => import('./sync.js'),
  status: () => import('./status.js'),
};

/** Runs a fast-path command as runCli would (same exit code, same error output); never throws. */
export async function runFast(cmd: FastCommand): Promise<void> {
  try {
    if (cmd.name === 'sync') (await import('./sync-prefetch.js')).prefetchSync(cmd);
    const { run } = await LOADERS[cmd.name]();
    process.exitCode = await run(cmd.args, cmd.opts);
  } catch (err) {
    const { reportFailure } = await import('./fail.js');
    reportFailure(err, cmd.opts.json === true);
  }
}
