// `jlog doctor`: one line per check, ✓/✗ on a terminal and ok/FAIL otherwise; exit 1 when one fails.
import { runDoctor, type Check } from '../engine/doctor.js';
import { clause, color, escapeTerminal, out, printJson, table } from './output.js';

function mark(c: Check, tty: boolean): string {
  // Padded before colouring: escape codes differ in length between colours.
  const width = tty ? 1 : 4;
  if (c.ok) return color.green((tty ? '✓' : 'ok').padEnd(width));
  if (c.skipped) return color.dim((tty ? '-' : 'skip').padEnd(width));
  return color.red((tty ? '✗' : 'FAIL').padEnd(width));
}

export async function run(_args: string[], opts: Record<string, unknown>): Promise<number> {
  const checks = await runDoctor(process.cwd(), process.env);
  const code = checks.every((c) => c.ok) ? 0 : 1;
  if (opts.json) {
    printJson({ checks });
    return code;
  }
  const tty = process.stdout.isTTY === true;
  // One voice: the engine's texts may start as Jira's do ("Checking the Jira credentials: ...").
  const lines = table(checks.map((c) => [c.name, escapeTerminal(clause(c.message))]));
  const indent = ' '.repeat((tty ? 1 : 4) + 2);
  checks.forEach((c, i) => {
    out(`${mark(c, tty)}  ${lines[i] ?? ''}`);
    if (!c.ok && c.hint) out(`${indent}${color.dim(`→ ${escapeTerminal(clause(c.hint))}`)}`);
  });
  return code;
}
