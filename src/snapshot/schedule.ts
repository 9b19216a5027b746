import type { Deps } from '../context';
import { completeSnapshots } from '../sources/crm/snapshots';
import { createDb } from '../sources/crm/db';
import { noRoundTrips } from '../sources/roundTrips';
import { buildSnapshot } from './build';
import { progressReporter } from './progress';

/**
 * The in-process snapshot scheduler: every `minutes` (0: never) an incremental build (a full one
 * while there is no snapshot yet); with `initial`, one at once when there is no snapshot at all (the
 * embedded demo gets its dashboards on first start). Builds run in the background, one at a time
 * across replicas (the builder's advisory lock); a failed one is logged and resumed by the next.
 * Returns a stop function (a build under way goes on until the process ends; it is resumable).
 */
export function scheduleSnapshots(deps: Deps, minutes: number, opts: { initial: boolean }): () => void {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      const progress = progressReporter(deps.logger, null, 10_000);
      const result = await buildSnapshot(deps, { incremental: true, onProgress: progress.report });
      if (result) deps.logger.info({ ...result }, 'profile snapshot built');
    } catch (err) {
      deps.logger.warn({ err }, 'profile snapshot build failed; the next run resumes it');
    } finally {
      running = false;
    }
  };
  if (opts.initial) {
    void completeSnapshots(createDb(deps.crmPool, noRoundTrips()), 1).then((s) => (s.length === 0 ? run() : undefined), (err: unknown) => deps.logger.warn({ err }, 'cannot read the snapshots'));
  }
  if (minutes <= 0) return () => undefined;
  const timer = setInterval(() => void run(), minutes * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
