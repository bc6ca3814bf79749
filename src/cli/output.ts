// Terminal output: colour only on a TTY and never with NO_COLOR (SPEC §7), errors as one line plus a hint.
import pc from 'picocolors';
import { escapeJsonText, escapeOutput, escapeTerminal } from '../core/escape.js';
import { isJlogError } from '../errors.js';

// Every line goes through escapeOutput: text from Jira or a commit message never acts on the
// terminal (SPEC §7). Callers escape external text with escapeTerminal where it is embedded.
export { escapeTerminal };

export function colorEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  return stream.isTTY === true && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
}

export const color = pc.createColors(colorEnabled());
export const errColor = pc.createColors(colorEnabled(process.stderr));

export function printJson(value: unknown): void {
  process.stdout.write(escapeJsonText(JSON.stringify(value, null, 2)) + '\n');
}

export function out(line = ''): void {
  process.stdout.write(escapeOutput(line) + '\n');
}

export function warn(line: string): void {
  process.stderr.write(escapeOutput(line) + '\n');
}

/** One line (plus a hint line) for any error; stack traces only for bugs, and only with JLOG_DEBUG=1. */
export function printError(err: unknown): void {
  if (isJlogError(err)) {
    // One line each: a newline in Jira's text must not start a line of its own.
    warn(`${errColor.red('jlog:')} ${escapeTerminal(err.message)}`);
    if (err.hint) warn(`      ${escapeTerminal(err.hint)}`);
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  warn(`${errColor.red('jlog:')} internal error: ${escapeTerminal(message)}`);
  warn('      this is a bug in jlog; run again with JLOG_DEBUG=1 for details and report it');
}

/** A table with aligned columns; the last column is not padded. */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
