/** "1m 05s" from milliseconds. */
export const duration = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s` : `${s}s`;
};

/** Rate (per second) and ETA (ms) of a task started at `started` (epoch ms) that has done `done` of `total`. */
export function pace(started: number, done: number, total: number, now = Date.now()): { perSecond: number; etaMs: number } {
  const elapsed = now - started;
  const perSecond = elapsed > 0 ? (done * 1000) / elapsed : 0;
  return { perSecond, etaMs: perSecond > 0 ? ((total - done) / perSecond) * 1000 : 0 };
}

export interface ProgressBar {
  /** `done` of `total` of the step `label`; a new label ends the previous step's line and starts its own clock. */
  update(label: string, done: number, total: number): void;
  /** Finishes the last line (call once, after the last update). */
  end(): void;
}

const WIDTH = 30;

/**
 * A long task's progress for people, on `out` (a CLI's stderr), one step after another: on a
 * terminal, one line per step redrawn in place (label, bar, done/total, rate, ETA); elsewhere (a pipe,
 * a CI log) the same facts as a plain line every `everyMs` while it lasts and once when done reaches total.
 */
export function progressBar(out: NodeJS.WritableStream & { isTTY?: boolean }, everyMs = 5000): ProgressBar {
  // A step's clock starts at the previous update (the previous step's end): its first chunk counts.
  let lastUpdate = Date.now();
  let step = { label: '', started: lastUpdate, lastLine: lastUpdate, finished: false };
  let drawn = false;
  const end = () => {
    if (drawn) out.write('\n');
    drawn = false;
  };
  return {
    update(label, done, total) {
      if (label !== step.label) {
        end();
        step = { label, started: lastUpdate, lastLine: lastUpdate, finished: false };
      }
      lastUpdate = Date.now();
      const { perSecond, etaMs } = pace(step.started, done, total, lastUpdate);
      const facts = `${done}/${total} · ${Math.round(perSecond)}/s · ETA ${perSecond > 0 ? duration(etaMs) : '?'}`;
      if (out.isTTY) {
        const filled = total > 0 ? Math.min(WIDTH, Math.round((done / total) * WIDTH)) : WIDTH;
        out.write(`\r\x1b[K${label} [${'#'.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${facts}`);
        drawn = true;
      } else if (done >= total ? !step.finished : Date.now() - step.lastLine >= everyMs) {
        step.finished = done >= total;
        step.lastLine = Date.now();
        out.write(`${label}: ${facts}\n`);
      }
    },
    end,
  };
}
