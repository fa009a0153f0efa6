// What the file-loading commands (npm run ingest, npm run metrics) print on a terminal: a progress
// line redrawn in place on stderr, and counts in words.

export interface ProgressState {
  bytesRead: number;
  totalBytes: number;
  /** Rows or samples so far, and what they are called ('rows', 'samples'). */
  done: number;
  unit: string;
  /** Shown instead of the count and rate while a later phase runs (e.g. 'replacing billing periods…'). */
  phase?: string;
}

/** A progress bar on stderr when `enabled` (a TTY and not --json), redrawn at most every 100 ms. */
export function progressBar(file: string, enabled: boolean) {
  let last = 0;
  const started = Date.now();
  return {
    update: (p: ProgressState) => {
      if (!enabled) return;
      const now = Date.now();
      if (now - last < 100 && !p.phase) return;
      last = now;
      const frac = p.totalBytes ? Math.min(1, p.bytesRead / p.totalBytes) : 0;
      const width = 30;
      const filled = Math.round(frac * width);
      const rate = Math.round(p.done / Math.max((now - started) / 1000, 0.001));
      const label = p.phase ?? `${p.done.toLocaleString('en-US')} ${p.unit}, ${rate.toLocaleString('en-US')} ${p.unit}/s`;
      process.stderr.write(
        `\r\x1b[2K${file.slice(-40)} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${(frac * 100).toFixed(0)}% ${label}`,
      );
    },
    done: () => {
      if (enabled) process.stderr.write('\r\x1b[2K');
    },
  };
}

/** "1 row", "2,000 rows". */
export function count(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}
