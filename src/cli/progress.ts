import type { SingleBar } from 'cli-progress';

/** Progress of long work. Counts may be updated before the total is known (streams). */
export interface Progress {
  start(total: number): void;
  increment(n?: number): void;
  setTotal(total: number): void;
  stop(): void;
}

const silent: Progress = { start() {}, increment() {}, setTotal() {}, stop() {} };

/**
 * A bar on an interactive stderr; nothing under --json, in CI (CI=true) or when piped, so machine
 * output and logs stay clean.
 */
export function createProgress(label: string, opts: { quiet?: boolean; unit?: string } = {}): Progress {
  const unit = opts.unit ?? '行';
  if (opts.quiet || process.env.CI || !process.stderr.isTTY) return silent;
  // Loaded lazily: most commands never draw a bar.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SingleBar: Bar, Presets } = require('cli-progress') as typeof import('cli-progress');
  let bar: SingleBar | undefined;
  return {
    start(total) {
      // a stream's length is often unknown: then a running count instead of a bar
      const format = total > 0 ? `${label} [{bar}] {value}/{total} ${unit}` : `${label} {value} ${unit}`;
      bar = new Bar(
        { format, stream: process.stderr, hideCursor: true, clearOnComplete: true },
        Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    increment(n = 1) {
      bar?.increment(n);
    },
    setTotal(total) {
      bar?.setTotal(total);
    },
    stop() {
      bar?.stop();
    },
  };
}
