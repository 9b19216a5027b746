import { BrokenCircuitError, circuitBreaker, CircuitState, ConsecutiveBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import { POOL_EXHAUSTED, SourceError, type SourceName } from '../errors';
import { breakerRejections } from '../observability/metrics';

export type BreakerState = 'closed' | 'open' | 'half_open' | 'isolated';

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * The state of `breaker` as the next call would find it: cockatiel moves an open circuit to half-open
 * only when a call arrives, so an open one past `halfOpenAfterMs` reads `half_open` (the next call is the probe).
 */
export function breakerStateOf(breaker: CircuitBreakerPolicy, halfOpenAfterMs: number): () => BreakerState {
  let openedAt = 0;
  breaker.onBreak(() => (openedAt = Date.now()));
  return () => (breaker.state === CircuitState.Open && Date.now() >= openedAt + halfOpenAfterMs ? 'half_open' : STATES[breaker.state]);
}

/**
 * The circuit breaker of a source reached through a pool of this process (the CRM's pg pool, the
 * behaviour store's MongoClient): after `failures` consecutive calls failed with a SourceError (the
 * source unreachable, refusing, or past its budget), every call fails at once with
 * SourceError(source, 'circuit_open'), without touching the source, until `halfOpenAfterMs` have
 * passed; then one call is let through as a probe, and closes the circuit when it succeeds (or opens
 * it again). Any other error (a bug, a conflict, bad input, this process's pool exhausted) neither
 * counts nor resets the count.
 */
export interface SourceBreaker {
  /** One call to the source; `work` throws a SourceError for a failure of the source. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /**
   * A readiness check: through the breaker when it would let a call through (a half-open probe then
   * closes it), else straight to the source, leaving the breaker as it is, so /readyz tells whether the
   * source answers even while its fields fail fast.
   */
  probe<T>(work: () => Promise<T>): Promise<T>;
  state(): BreakerState;
  /** Calls `listener` with each new state as the circuit opens, lets a probe through (half_open) or closes. */
  onStateChange(listener: (state: BreakerState) => void): void;
}

export function createSourceBreaker(source: Exclude<SourceName, 'social'>, failures: number, halfOpenAfterMs: number): SourceBreaker {
  const breaker = circuitBreaker(
    // This process's own pool kept busy is load, not the source failing: opening the circuit then
    // would turn a burst of requests into an outage of the source's every field.
    handleWhen((e) => e instanceof SourceError && e.reason !== POOL_EXHAUSTED),
    { halfOpenAfter: halfOpenAfterMs, breaker: new ConsecutiveBreaker(failures) },
  );
  const state = breakerStateOf(breaker, halfOpenAfterMs);
  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await breaker.execute(work);
    } catch (e) {
      if (!(e instanceof BrokenCircuitError)) throw e;
      breakerRejections.inc({ source });
      throw new SourceError(source, 'circuit_open', e);
    }
  };
  return {
    run,
    state,
    onStateChange: (listener) => void breaker.onStateChange((s) => listener(STATES[s])),
    probe: (work) =>
      state() === 'open'
        ? work()
        : breaker.execute(work).catch((e: unknown) => (e instanceof BrokenCircuitError ? work() : Promise.reject(e))),
  };
}
