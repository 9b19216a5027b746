import type { Logger } from 'pino';
import { pace, progressBar } from '../cli/progress';
import type { BuildProgress } from './build';

/**
 * A build's progress: given a `terminal` stream (the CLI's stderr), the shared progress bar (redrawn
 * on a terminal, plain lines elsewhere); without one (the server's scheduler), a log line at most
 * every `everyMs` and at the end.
 */
export function progressReporter(
  logger: Logger,
  terminal: NodeJS.WriteStream | null,
  everyMs = 5000,
): { report: (p: BuildProgress) => void; end: () => void } {
  if (terminal) {
    const bar = progressBar(terminal, everyMs);
    return { report: (p) => bar.update(`snapshot ${p.version} (${p.kind})`, p.done, p.total), end: bar.end };
  }
  const started = Date.now();
  let lastLog = 0;
  return {
    report(p) {
      if (Date.now() - lastLog < everyMs && p.done !== p.total) return;
      lastLog = Date.now();
      const { perSecond, etaMs } = pace(started, p.done, p.total);
      logger.info(
        {
          version: p.version,
          kind: p.kind,
          done: p.done,
          total: p.total,
          perSecond: Math.round(perSecond),
          etaSeconds: Math.round(etaMs / 1000),
        },
        'snapshot progress',
      );
    },
    end() {},
  };
}
