import { monitorEventLoopDelay } from 'node:perf_hooks';
import type pg from 'pg';
import type { Config } from './config';
import { overloadRefusals } from './observability/metrics';

/** Why a request is refused on arrival: too many statements waiting for a CRM connection, or the event loop lagging. */
export type OverloadReason = 'crm_pool' | 'event_loop';

/** What a refused client is told to wait (Retry-After, seconds): a pool queue or a lag drains within about that. */
export const OVERLOAD_RETRY_AFTER_SECONDS = 1;

/** The event loop's delay is judged over windows of this length. */
const WINDOW_MS = 1000;

export interface Backpressure {
  /** Why a new GraphQL request should be refused now (counted in c360_overload_refusals_total), or null to admit it. */
  refusal(): OverloadReason | null;
  /** Stops watching the event loop (the server closed). */
  stop(): void;
}

/**
 * Load shedding at the door, instead of queueing without bound: a new GraphQL request is refused
 * while more than OVERLOAD_CRM_WAITING statements wait for a connection of `pool`, or while the event
 * loop's delay p99 over the last full second (perf_hooks monitorEventLoopDelay) is past
 * OVERLOAD_EVENT_LOOP_MS. Either bound at 0 is off. Requests already admitted run on; /healthz,
 * /readyz and /metrics are never refused.
 */
export function createBackpressure(config: Pick<Config, 'OVERLOAD_CRM_WAITING' | 'OVERLOAD_EVENT_LOOP_MS'>, pool: pg.Pool): Backpressure {
  const lagBound = config.OVERLOAD_EVENT_LOOP_MS;
  const delay = lagBound > 0 ? monitorEventLoopDelay({ resolution: 10 }) : null;
  let lagging = false;
  let timer: NodeJS.Timeout | undefined;
  if (delay) {
    delay.enable();
    timer = setInterval(() => {
      lagging = delay.count > 0 && delay.percentile(99) / 1e6 > lagBound;
      delay.reset();
    }, WINDOW_MS).unref();
  }
  const reason = (): OverloadReason | null => {
    if (config.OVERLOAD_CRM_WAITING > 0 && pool.waitingCount > config.OVERLOAD_CRM_WAITING) return 'crm_pool';
    if (lagging) return 'event_loop';
    return null;
  };
  return {
    refusal() {
      const r = reason();
      if (r) overloadRefusals.inc({ reason: r });
      return r;
    },
    stop() {
      clearInterval(timer);
      delay?.disable();
    },
  };
}
