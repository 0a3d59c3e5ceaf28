import cliProgress from 'cli-progress';

/** A progress bar on a terminal; silence when piped (CI logs stay readable). */
export function progressBar(isTTY: boolean, label: string) {
  if (!isTTY) return { update: (_d: number, _t: number) => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total}`, stream: process.stderr, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done: number, total: number) {
      if (!started) {
        bar.start(total || done, 0);
        started = true;
      }
      if (total) bar.setTotal(total);
      bar.update(done);
    },
    stop: () => started && bar.stop(),
  };
}
