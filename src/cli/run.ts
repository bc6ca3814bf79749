import { CommanderError } from 'commander';
import { usageError } from '../errors.js';
import { createProgram } from './program.js';
import { printError } from './output.js';
import { reportFailure } from './fail.js';

/**
 * commander's own message (`error: unknown option '--x'\n(Did you mean --y?)`) in jlog's voice: no
 * second `error:` prefix next to `jlog:`, one line, the suggestion kept.
 */
export function commanderMessage(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim().replace(/^error:\s*/i, ''))
    .filter((l) => l !== '')
    .map((l) => l.replace(/\.$/, ''))
    .map((l) => l.replace(/^\((did you mean [^)]*)\)$/i, (_, s: string) => s.toLowerCase()))
    .join('; ');
}

/** Which command argv names (for the hint), or null for the program itself. */
function commandOf(argv: string[]): string | null {
  return argv.find((a) => !a.startsWith('-')) ?? null;
}

/** Runs the CLI on argv and sets process.exitCode; never throws. */
export async function runCli(argv: string[]): Promise<void> {
  // With --json, errors too are JSON on stdout (docs/commands.md); anything after `--` is an argument.
  const dashdash = argv.indexOf('--');
  const json = (dashdash === -1 ? argv : argv.slice(0, dashdash)).includes('--json');
  let commanderText = '';
  const program = createProgram((text) => (commanderText += text));
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0 || err.code === 'commander.help') {
        // Help asked for, or shown because no command was given (a usage error, but said already).
        process.exitCode = err.exitCode === 0 ? 0 : 2;
        return;
      }
      const message = commanderMessage(commanderText || err.message);
      const cmd = commandOf(argv);
      const known = cmd !== null && program.commands.some((c) => c.name() === cmd);
      printError(
        usageError(message, `run jlog ${known ? `${cmd} ` : ''}--help for the commands and flags`),
        json,
      );
      // usage errors exit 2 (docs/commands.md)
      process.exitCode = 2;
      return;
    }
    reportFailure(err, json);
  }
}
