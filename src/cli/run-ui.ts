// What a posting run (sync, flush, ci) shows while it works (docs/commands.md): a progress bar on a terminal,
// a line per issue as it completes without one, a line as soon as it waits (another jlog's lock,
// Jira's Retry-After), and on Ctrl-C the terminal restored, what was done, exit 130.
import type { PlannedWorklog } from '../core/types.js';
import type { ApplyResult, Outcome } from '../engine/apply.js';
import type { RunOptions, RunWait } from '../engine/run.js';
import { printJson, warn } from './output.js';
import { progressBar } from './progress.js';

/** Runs with more worklogs than this get a bar (terminal) or per-issue lines (no terminal). */
const LONG_RUN = 5;
/** Waits shorter than this are not worth a line. */
const SAY_WAIT_MS = 1000;

interface IssueCount {
  total: number;
  done: number;
  counts: Partial<Record<Kind, number>>;
}

type Kind = keyof Omit<ApplyResult, 'notices'>;

const LABEL: Record<Kind, string> = {
  posted: 'posted',
  updated: 'updated',
  deleted: 'deleted',
  skipped: 'skipped',
  alreadyLogged: 'already logged',
  failed: 'failed',
  pending: 'still pending',
  planned: 'planned',
};

export type RunUi = Pick<RunOptions, 'onStart' | 'onProgress' | 'onOutcome' | 'onWait'> & {
  /** Stops the bar and the Ctrl-C handler; call when the run ends, however it ends. */
  close(): void;
};

/**
 * `command` is what the user runs to carry on after an interrupt (null: nothing carries on by itself). `quiet`: no output at all (the
 * hooks' background worker, whose output goes to a log); `json`: no bar, stdout stays JSON.
 */
export function runUi(command: string | null, opts: { json?: boolean; quiet?: boolean } = {}): RunUi {
  const quiet = opts.quiet === true;
  const tty = process.stderr.isTTY === true;
  const bar = progressBar();
  const issues = new Map<string, IssueCount>();
  let total = 0;
  let done = 0;
  let posted = 0;
  let started = false;
  let barOn = false;
  const quietUntil = new Map<string, number>();

  const say = (line: string): void => {
    if (quiet) return;
    // A line in the middle of the bar would be overdrawn: start it on a line of its own.
    warn(barOn ? `\n${line}` : line);
  };

  const onInterrupt = (): void => {
    bar.stop();
    if (tty) process.stderr.write('\x1b[?25h\x1b[?7h'); // cursor shown, line wrap back on, whatever drew last
    const what = started ? `${posted} of ${total} posted` : 'nothing posted yet';
    const next = command === null ? 'jlog status shows what was logged' : `${command} continues`;
    warn(`${tty ? '\n' : ''}jlog: interrupted: ${what}; ${next}`);
    // A script that asked for JSON reads stdout: the interrupt is an error there too (docs/commands.md).
    // Every outcome so far is in the ledger; a POST in flight is found by the next run's remote check.
    if (opts.json) {
      printJson({ error: { code: 'E_INTERRUPTED', message: `interrupted: ${what}`, hint: next } });
      process.stdout.write('', () => process.exit(130)); // after the JSON is out, on any kind of stdout
      return;
    }
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);

  return {
    onStart(n: number, worklogs: readonly PlannedWorklog[]) {
      started = true;
      total = n;
      for (const w of worklogs) {
        const c = issues.get(w.issue) ?? { total: 0, done: 0, counts: {} };
        c.total++;
        issues.set(w.issue, c);
      }
      if (!quiet && !opts.json && tty) {
        bar.start(n);
        barOn = n > LONG_RUN;
      }
    },
    onProgress(d: number, t: number) {
      if (barOn) bar.update(d, t);
    },
    onOutcome(kind: Kind, o: Outcome) {
      done++;
      if (kind === 'posted') posted++;
      const c = issues.get(o.worklog.issue);
      if (c === undefined) return;
      c.done++;
      c.counts[kind] = (c.counts[kind] ?? 0) + 1;
      if (c.done < c.total || tty || total <= LONG_RUN) return;
      const parts = (Object.keys(LABEL) as Kind[])
        .filter((k) => (c.counts[k] ?? 0) > 0)
        .map((k) => `${c.counts[k]} ${LABEL[k]}`);
      say(`${o.worklog.issue}: ${parts.join(', ')} (${done} of ${total} done)`);
    },
    onWait(w: RunWait) {
      if (w.kind === 'lock') {
        say(
          `jlog: waiting for another jlog${w.holderPid === null ? '' : ` (pid ${w.holderPid})`} to finish posting…`,
        );
        return;
      }
      if (w.delayMs < SAY_WAIT_MS) return;
      const why =
        w.status === 429
          ? 'Jira asked to slow down'
          : w.status !== undefined
            ? `Jira answered ${w.status}`
            : `Jira could not be reached, ${w.code ?? 'no answer'}`;
      // Every request in flight meets the same outage at once: one line for the wait they share, then
      // quiet about that reason until the wait it announced is over.
      const now = Date.now();
      if ((quietUntil.get(why) ?? 0) > now) return;
      quietUntil.set(why, now + w.delayMs);
      say(`jlog: ${why}: waiting ${Math.ceil(w.delayMs / 1000)} s before trying again…`);
    },
    close() {
      process.removeListener('SIGINT', onInterrupt);
      bar.stop();
      barOn = false;
    },
  };
}
