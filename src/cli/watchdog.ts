// A run never ends silently with work undone (issue 10). If the event loop empties while the
// command's promise is still pending (a request nothing will ever settle, as when undici's pool
// stalled after refusing a header), Node would just exit: 0 from a hook, 13 elsewhere, and print
// nothing. 'beforeExit' fires exactly then: say so, and exit with a failure (a hook exits 0, so
// that git is never failed by it; its tokens stay pending either way).

/** Resolves like `work`; if the process runs out of things to do before it settles, says so and exits. */
export function guard<T>(work: Promise<T>, opts: { hook: boolean }): Promise<T> {
  const onEmptyLoop = (): void => {
    process.stderr.write(
      'jlog: the run stopped before it finished (a request was left with no answer); nothing was lost, ' +
        'tokens not posted stay pending: run it again, with JLOG_DEBUG=1 to see where it stopped\n',
    );
    process.exit(opts.hook ? 0 : 1);
  };
  process.on('beforeExit', onEmptyLoop);
  return work.finally(() => process.off('beforeExit', onEmptyLoop));
}
