import { CommanderError } from 'commander';
import { exitCodeFor, isJlogError } from '../errors.js';
import { createProgram } from './program.js';
import { printError } from './output.js';

/** Runs the CLI on argv and sets process.exitCode; never throws. */
export async function runCli(argv: string[]): Promise<void> {
  const program = createProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message; usage errors exit 2 (SPEC §6)
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    printError(err);
    process.exitCode = exitCodeFor(err);
    if (!isJlogError(err) && process.env.JLOG_DEBUG === '1') console.error(err);
  }
}
