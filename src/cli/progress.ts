// A progress bar on stderr, only on a TTY and only when there is enough to wait for.
import cliProgress from 'cli-progress';

export interface Progress {
  start: (total: number) => void;
  update: (done: number, total: number) => void;
  stop: () => void;
}

export function progressBar(): Progress {
  let bar: cliProgress.SingleBar | null = null;
  return {
    start(total) {
      if (!process.stderr.isTTY || total <= 5) return;
      bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: 'posting {bar} {value}/{total}',
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    update: (done) => bar?.update(done),
    stop: () => bar?.stop(),
  };
}
