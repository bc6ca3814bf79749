// A progress bar on stderr, only on a TTY and only when there is enough to wait for.
// cli-progress is imported only when a bar is shown (a terminal and more than 5 writes): a run in a
// script, a hook or a dry run never loads it (issue 13: load only what a run needs).
import type cliProgressModule from 'cli-progress';

export interface Progress {
  start: (total: number) => void;
  update: (done: number, total: number) => void;
  stop: () => void;
}

export function progressBar(): Progress {
  let bar: cliProgressModule.SingleBar | null = null;
  let stopped = false;
  let done = 0;
  return {
    start(total) {
      if (!process.stderr.isTTY || total <= 5) return;
      void import('cli-progress').then(({ default: cliProgress }) => {
        if (stopped) return;
        bar = new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: 'posting {bar} {value}/{total}',
            hideCursor: true,
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, done);
      });
    },
    update: (n) => {
      done = n;
      bar?.update(n);
    },
    stop: () => {
      stopped = true;
      bar?.stop();
    },
  };
}
