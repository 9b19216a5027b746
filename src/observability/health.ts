import type { Deps } from '../context';
import { SourceError, type SourceName } from '../errors';
import type { BreakerState, SourceBreaker } from '../sources/breaker';
import { behaviourBreaker } from '../sources/behaviour/client';
import { behaviourSourceError } from '../sources/behaviour/errors';
import { crmSourceError } from '../sources/crm/db';
import { crmBreaker } from '../sources/crm/pool';

export interface SourceHealth {
  status: 'up' | 'down' | 'degraded';
  /** Milliseconds the check took. */
  ms: number;
  detail?: string;
  /** The source's circuit breaker as the next call would find it (crm and behaviour: their own; social: its client's). */
  circuit?: BreakerState;
}

export interface Readiness {
  /** ready: every source up; degraded: the CRM up, behaviour or social not; unavailable: the CRM down. */
  status: 'ready' | 'degraded' | 'unavailable';
  sources: Record<SourceName, SourceHealth>;
}

const within = <T>(ms: number, work: Promise<T>): Promise<T> =>
  Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

/**
 * Probes a source within `ms` through its breaker (SourceBreaker.probe: a half-open one is closed by
 * an answer); `mapped` turns the probe's failure into a SourceError, which the breaker counts. Up
 * when it answers and the circuit is closed; degraded when it answers but the circuit is still open
 * (its fields fail fast until the next probe); down when it does not answer.
 */
async function check(ms: number, breaker: SourceBreaker | undefined, probe: () => Promise<unknown>): Promise<SourceHealth> {
  const started = Date.now();
  try {
    await within(ms, breaker ? breaker.probe(probe) : probe());
    const circuit = breaker?.state();
    if (circuit === undefined || circuit === 'closed') return { status: 'up', ms: Date.now() - started, ...(circuit ? { circuit } : {}) };
    return { status: 'degraded', ms: Date.now() - started, detail: `answers, but its circuit is ${circuit}`, circuit };
  } catch (e) {
    const cause = e instanceof SourceError ? (e.originalError ?? e) : e;
    return {
      status: 'down',
      ms: Date.now() - started,
      detail: cause instanceof Error ? cause.message.split('\n')[0]!.slice(0, 200) : 'failed',
      ...(breaker ? { circuit: breaker.state() } : {}),
    };
  }
}

const mapped = (map: (e: unknown) => unknown, probe: () => Promise<unknown>) => async (): Promise<unknown> => {
  try {
    return await probe();
  } catch (e) {
    throw map(e);
  }
};

/**
 * GET /readyz: the CRM answers `SELECT 1`, the behaviour store a `ping`, each within its budget and
 * through its circuit breaker (`circuit`; open: `degraded`, see check); the social provider has no
 * health call in its contract, so its circuit breaker speaks for it (open: degraded). HTTP 503 when
 * the CRM is not up (its fields, hence nearly everything, fail), 200 otherwise.
 */
export async function readiness(deps: Pick<Deps, 'config' | 'crmPool' | 'behaviourDb' | 'social'>): Promise<Readiness> {
  const [crm, behaviour] = await Promise.all([
    check(
      deps.config.DB_CONNECT_TIMEOUT_MS,
      crmBreaker(deps.crmPool),
      mapped(crmSourceError, () => deps.crmPool.query('SELECT 1')),
    ),
    check(
      deps.config.MONGODB_TIMEOUT_MS,
      behaviourBreaker(deps.behaviourDb),
      mapped(
        (e) => behaviourSourceError(e) ?? e,
        () => deps.behaviourDb.command({ ping: 1 }),
      ),
    ),
  ]);
  const breaker = deps.social.breakerState();
  const social: SourceHealth =
    breaker === 'closed'
      ? { status: 'up', ms: 0, circuit: breaker }
      : { status: 'degraded', ms: 0, detail: `circuit ${breaker}`, circuit: breaker };
  const status = crm.status !== 'up' ? 'unavailable' : behaviour.status === 'up' && social.status === 'up' ? 'ready' : 'degraded';
  return { status, sources: { crm, behaviour, social } };
}
