// How a command that threw ends, whichever way it was parsed (commander or the argv fast path): one
// error line (JSON with --json, docs/commands.md), the exit code for its error code, the stack only with
// JLOG_DEBUG=1 and only for what is not a JlogError (a bug).
import { exitCodeFor, isJlogError } from '../errors.js';
import { printError } from './output.js';

export function reportFailure(err: unknown, json: boolean): void {
  printError(err, json);
  process.exitCode = exitCodeFor(err);
  if (!isJlogError(err) && process.env.JLOG_DEBUG === '1') console.error(err);
}
