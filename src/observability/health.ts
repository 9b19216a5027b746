import type { Deps } from '../context';
import type { SourceName } from '../errors';

export interface SourceHealth {
  status: 'up' | 'down' | 'degraded';
  /** Milliseconds the check took. */
  ms: number;
  detail?: string;
}

export interface Readiness {
  /** ready: every source up; degraded: the CRM up, behaviour or social not; unavailable: the CRM down. */
  status: 'ready' | 'degraded' | 'unavailable';
  sources: Record<SourceName, SourceHealth>;
}

const within = <T>(ms: number, work: Promise<T>): Promise<T> =>
  Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

async function check(ms: number, probe: () => Promise<unknown>): Promise<SourceHealth> {
  const started = Date.now();
  try {
    await within(ms, probe());
    return { status: 'up', ms: Date.now() - started };
  } catch (e) {
    return { status: 'down', ms: Date.now() - started, detail: e instanceof Error ? e.message.split('\n')[0]!.slice(0, 200) : 'failed' };
  }
}

/**
 * GET /readyz: the CRM answers `SELECT 1`, the behaviour store a `ping`, each within its budget; the
 * social provider has no health call in its contract, so its circuit breaker speaks for it (open:
 * degraded). HTTP 503 when the CRM is down (nothing can be answered), 200 otherwise.
 */
export async function readiness(deps: Pick<Deps, 'config' | 'crmPool' | 'behaviourDb' | 'social'>): Promise<Readiness> {
  const [crm, behaviour] = await Promise.all([
    check(deps.config.DB_CONNECT_TIMEOUT_MS, () => deps.crmPool.query('SELECT 1')),
    check(deps.config.MONGODB_TIMEOUT_MS, () => deps.behaviourDb.command({ ping: 1 })),
  ]);
  const breaker = deps.social.breakerState();
  const social: SourceHealth = breaker === 'closed' ? { status: 'up', ms: 0 } : { status: 'degraded', ms: 0, detail: `circuit ${breaker}` };
  const status = crm.status !== 'up' ? 'unavailable' : behaviour.status === 'up' && social.status === 'up' ? 'ready' : 'degraded';
  return { status, sources: { crm, behaviour, social } };
}
