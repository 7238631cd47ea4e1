/** A terminal progress bar on stderr: records, rate and ETA. Silent when stderr is not a terminal. */

export interface ProgressBar {
  update(done: number, total: number, label: string): void;
  finish(): void;
}

export function formatProgress(done: number, total: number, elapsedMs: number, label: string, width = 28): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(fraction * width);
  const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  const eta = rate > 0 && total > done ? Math.ceil((total - done) / rate) : 0;
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(fraction * 100)}% ${n(done)}/${n(total)} · ${n(rate)}/s · ETA ${eta}s`;
}

export function createProgressBar(stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const started = Date.now();
  let last = 0;
  let drawn = false;
  return {
    update(done, total, label) {
      if (!stream.isTTY) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      drawn = true;
      stream.write(`\r${formatProgress(done, total, now - started, label)}\x1b[K`);
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
