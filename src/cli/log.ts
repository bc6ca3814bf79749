// `jlog log <key> <duration> [comment…]`: a worklog by hand, posted like any token (docs/commands.md).
import { formatDuration } from '../core/duration.js';
import { logManually } from '../engine/manual.js';
import { clause, color, out, printJson, shortId, warn } from './output.js';
import { runUi } from './run-ui.js';

interface LogFlags {
  date?: string;
  insteadOf?: string;
  json?: boolean;
}

/** `jlog log PROJ-7 1h 30m fixed login`: duration parts right after the duration belong to it. */
export function splitDuration(duration: string, rest: string[]): { duration: string; comment: string[] } {
  const parts = [duration];
  let i = 0;
  while (i < rest.length && /^\d+(\.\d+)?[wdhm]$/i.test(rest[i]!)) parts.push(rest[i++]!);
  return { duration: parts.join(' '), comment: rest.slice(i) };
}

export async function run(args: string[], raw: Record<string, unknown>): Promise<number> {
  const flags = raw as LogFlags;
  const [issue = '', first = '', ...rest] = args;
  const { duration, comment } = splitDuration(first, rest);
  const ui = runUi(null, { json: flags.json === true });
  const r = await logManually({
    cwd: process.cwd(),
    issue,
    duration,
    comment: comment.join(' '),
    date: flags.date,
    insteadOf: flags.insteadOf,
    ...(ui.onWait ? { onWait: ui.onWait } : {}),
  }).finally(() => ui.close());
  const w = r.worklog;
  if (flags.json) {
    printJson({
      id: w.id,
      issue: w.issue,
      seconds: w.seconds,
      started: w.started,
      comment: w.postComment,
      state: r.state,
      ...(r.worklogId ? { worklogId: r.worklogId } : {}),
      ...(r.error ? { error: r.error, code: r.code } : {}),
      ...(r.moved ? { insteadOf: r.moved } : {}),
    });
    return r.state === 'posted' ? 0 : 1;
  }
  const what = `${w.issue} ${formatDuration(w.seconds)} from ${w.started.slice(0, 16).replace('T', ' ')}`;
  if (r.state === 'posted') {
    out(`${color.green('logged')} ${what}, worklog ${r.worklogId ?? '?'}, id ${w.id}`);
    if (r.moved) out(`${shortId(r.moved)} is recorded as moved to it; jlog will not post it`);
    return 0;
  }
  if (r.state === 'failed') {
    warn(`jlog: not logged: ${w.issue}: ${clause(r.error ?? '')}; check the key, then run jlog log again`);
    return 1;
  }
  warn(
    r.code === 'E_JIRA_UNKNOWN_OUTCOME'
      ? `jlog: ${what}: ${clause(r.error ?? '')}; look at ${w.issue} on Jira before logging again, jlog undo ${w.id} removes it`
      : `jlog: not logged: ${clause(r.error ?? '')}; nothing was posted, run the same jlog log again later`,
  );
  return 1;
}
