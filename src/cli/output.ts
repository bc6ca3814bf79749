// Terminal output: colour only on a TTY or with FORCE_COLOR, never with NO_COLOR (docs/configuration.md);
// errors as one `jlog:` line with the next step in it.
import pc from 'picocolors';
import { escapeJsonText, escapeOutput, escapeTerminal } from '../core/escape.js';
import { clause, lowerFirst } from '../core/voice.js';
import { hintFor, isJlogError, JlogError } from '../errors.js';

// Every line goes through escapeOutput: text from Jira or a commit message never acts on the
// terminal (docs/configuration.md). Callers escape external text with escapeTerminal where it is embedded.
export { clause, escapeTerminal, lowerFirst };

export function colorEnabled(
  stream: NodeJS.WriteStream = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  // no-color.org: present and not empty disables colour, whatever else is set.
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  // FORCE_COLOR as Node and chalk read it: set and not 0/false means colour even when piped (CI logs).
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

const OUT_COLOUR = colorEnabled();
const ERR_COLOUR = colorEnabled(process.stderr);
export const color = pc.createColors(OUT_COLOUR);
export const errColor = pc.createColors(ERR_COLOUR);

export function printJson(value: unknown): void {
  process.stdout.write(escapeJsonText(JSON.stringify(value, null, 2)) + '\n');
}

export function out(line = ''): void {
  process.stdout.write(escapeOutput(line, OUT_COLOUR) + '\n');
}

/** Many lines in one write (a dry run's plan can be thousands of lines; one write each was slow). */
export function outLines(lines: readonly string[]): void {
  if (lines.length === 0) return;
  process.stdout.write(lines.map((l) => escapeOutput(l, OUT_COLOUR)).join('\n') + '\n');
}

export function warn(line: string): void {
  process.stderr.write(escapeOutput(line, ERR_COLOUR) + '\n');
}

/** Any error as a JlogError: what jlog did not raise itself is a bug (E_INTERNAL). */
export function asJlogError(err: unknown): JlogError {
  if (isJlogError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new JlogError('E_INTERNAL', `internal error: ${message}`, { cause: err });
}

/** The docs/commands.md JSON error: `{"error":{"code","message","hint"}}`. */
export function errorJson(err: unknown): { error: { code: string; message: string; hint: string } } {
  const e = asJlogError(err);
  return { error: { code: e.code, message: lowerFirst(e.message), hint: hintFor(e) } };
}

/**
 * One `jlog:` line with the next step in it; a list of problems (config) one per line under it.
 * With `json`, the error goes to stdout as JSON instead, for the script that asked for JSON.
 */
export function printError(err: unknown, json = false): void {
  if (json) {
    printJson(errorJson(err));
    return;
  }
  const e = asJlogError(err);
  const prefix = errColor.red('jlog:');
  // Each on its line: a newline or an escape sequence in Jira's text must not act (docs/configuration.md).
  const hint = escapeTerminal(hintFor(e));
  const details = (e.details ?? []).map(escapeTerminal);
  const message = escapeTerminal(e.message);
  if (details.length > 1) {
    const joined = details.join('; ');
    const head = message.endsWith(joined) ? message.slice(0, -joined.length) : '';
    const title = head.replace(/[:;\s]+$/, '');
    warn(`${prefix} ${lowerFirst(title === '' ? 'problems' : title)}: ${details.length} problems`);
    for (const d of details) warn(`  ${d}`);
    warn(`  ${hint}`);
    return;
  }
  warn(`${prefix} ${clause(message)}; ${lowerFirst(hint)}`);
}

/** A token's id as the user types it back (`jlog undo`, `--instead-of`): the SHA shortened, `:n` kept. */
export function shortId(id: string): string {
  const m = /^([0-9a-f]{40,64}):(.+)$/.exec(id);
  return m ? `${m[1]!.slice(0, 10)}:${m[2]}` : id;
}

/** A table with aligned columns; the last column is not padded. */
export function table(rows: string[][]): string[] {
  // Plain loops, no array per row: a dry run over 100,000 commits prints 10,000 rows, and the
  // map/join version was a third of what it did after git finished (issue 13).
  const widths: number[] = [];
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) if (!(row[i]!.length <= widths[i]!)) widths[i] = row[i]!.length;
  }
  const lines = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    let line = '';
    for (let i = 0; i < row.length; i++) {
      line += i === row.length - 1 ? row[i]! : `${row[i]!.padEnd(widths[i]!)}  `;
    }
    lines[r] = line.trimEnd();
  }
  return lines;
}
