import type { DerivationDeps as Deps } from '../context';
import { completeSnapshots } from '../sources/crm/snapshots';
import { createDb } from '../sources/crm/db';
import { noRoundTrips } from '../sources/roundTrips';
import { anyRecoBuild } from '../sources/crm/recommendations';
import { buildSnapshot, type BuildProgress } from './build';
import { buildRecommendations } from './recommendations';
import { progressReporter } from './progress';

/**
 * The in-process snapshot scheduler: every `minutes` (0: never) an incremental build (a full one
 * while there is no snapshot yet). The first one does not wait an interval: `firstDelayMs` after
 * start, when there is no snapshot at all, one is built if `minutes` is set or `embedded` (the demo
 * and a compose stack get their dashboards in their first minute); then, when no recommendation build
 * is complete, one is built (recommendations.ts; later ones by `npm run recommendations` on the
 * operator's schedule). Builds run in the background in
 * small batches with pauses, so the API's own requests keep the sources; one at a time across
 * replicas (the builder's advisory lock); a failed one is logged and resumed by the next.
 * Returns a stop function: no build starts after it, and one under way ends after its current batch
 * (resumable); it resolves once no build runs.
 */
// A batch's profiles are derived in one run of the event loop once its statements answer: 100 at a
// time held the loop up to ~125 ms on the demo (requests waiting behind it); 25 keep it under ~40 ms,
// at the same pace (a pause in proportion).
const BATCH = 25;
const PAUSE_MS = 60;
const FIRST_DELAY_MS = 15_000;

/** Thrown from a build's progress callback to end it after its current batch (resumable). */
class Stopped extends Error {}

export function scheduleSnapshots(
  deps: Deps,
  minutes: number,
  { embedded, firstDelayMs = FIRST_DELAY_MS }: { embedded: boolean; firstDelayMs?: number },
): () => Promise<void> {
  let running: Promise<void> | null = null;
  let stopped = false;
  const build = async () => {
    const progress = progressReporter(deps.logger, null, 10_000);
    const onProgress = async (p: BuildProgress) => {
      if (stopped) throw new Stopped();
      await progress.report(p);
    };
    try {
      const result = await buildSnapshot(deps, { incremental: true, batchSize: BATCH, pauseMs: PAUSE_MS, onProgress });
      if (result) deps.logger.info({ ...result }, 'profile snapshot built');
      else deps.logger.info('profile snapshot build skipped: another one is running (another replica, or `npm run snapshot`)');
    } catch (err) {
      if (err instanceof Stopped) deps.logger.info('profile snapshot build paused by the stop; the next run resumes it');
      else deps.logger.warn({ err }, 'profile snapshot build failed; the next run resumes it');
    } finally {
      running = null;
    }
  };
  const run = () => {
    if (!running && !stopped) running = build();
    return running;
  };
  const recommendations = async () => {
    try {
      const result = await buildRecommendations(deps);
      if (result) deps.logger.info({ ...result }, 'recommendations built');
    } catch (err) {
      deps.logger.warn({ err }, 'recommendation build failed; `npm run recommendations` resumes it');
    } finally {
      running = null;
    }
  };
  const first = async () => {
    const db = createDb(deps.crmPool, noRoundTrips());
    if ((await completeSnapshots(db, 1)).length === 0) await run();
    if (!stopped && !running && !(await anyRecoBuild(db))) await (running = recommendations());
  };
  const initial =
    embedded || minutes > 0
      ? setTimeout(
          () => void first().catch((err: unknown) => deps.logger.warn({ err }, 'cannot read the snapshots or recommendation builds')),
          firstDelayMs,
        )
      : null;
  initial?.unref();
  const timer = minutes > 0 ? setInterval(() => void run(), minutes * 60_000) : null;
  timer?.unref();
  return async () => {
    stopped = true;
    if (initial) clearTimeout(initial);
    if (timer) clearInterval(timer);
    await running;
  };
}
