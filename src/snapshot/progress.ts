import type { Logger } from 'pino';
import type { BuildProgress } from './build';

/** "1m 05s" from milliseconds. */
const duration = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s` : `${s}s`;
};

/**
 * A build's progress for people: on `terminal` (when it is one), one line redrawn in place (a bar,
 * customers done of total, rate, ETA); otherwise a log line at most every `everyMs` and at the end.
 */
export function progressReporter(
  logger: Logger,
  terminal: NodeJS.WriteStream | null,
  everyMs = 5000,
): { report: (p: BuildProgress) => void; end: () => void } {
  const out = terminal?.isTTY ? terminal : null;
  const started = Date.now();
  let lastLog = 0;
  let drawn = false;
  return {
    report(p) {
      const elapsed = Date.now() - started;
      const rate = elapsed > 0 ? (p.done * 1000) / elapsed : 0;
      const eta = rate > 0 ? ((p.total - p.done) / rate) * 1000 : 0;
      if (out) {
        const width = 30;
        const filled = p.total > 0 ? Math.round((p.done / p.total) * width) : width;
        out.write(
          `\r\x1b[Ksnapshot ${p.version} (${p.kind}) [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${p.done}/${p.total} · ${Math.round(rate)}/s · ETA ${duration(eta)}`,
        );
        drawn = true;
      } else if (Date.now() - lastLog >= everyMs || p.done === p.total) {
        lastLog = Date.now();
        logger.info(
          {
            version: p.version,
            kind: p.kind,
            done: p.done,
            total: p.total,
            perSecond: Math.round(rate),
            etaSeconds: Math.round(eta / 1000),
          },
          'snapshot progress',
        );
      }
    },
    end() {
      if (drawn) out?.write('\n');
    },
  };
}
