import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { Config } from '../config';
import type { Deps } from '../context';
import { sendJson } from '../replies';
import { sha256 } from '../sha256';
import { behaviourBreaker } from '../sources/behaviour/client';
import { crmBreaker } from '../sources/crm/pool';
import { breakerState, crmPoolConnections, registry } from './metrics';

const BREAKER_STATES = ['closed', 'half_open', 'open', 'isolated'];

/** Whether GET /metrics is served at all: with METRICS_TOKEN always, without it everywhere but production. */
export const metricsServed = (config: Config) => config.METRICS_TOKEN !== undefined || config.NODE_ENV !== 'production';

/**
 * GET /metrics (Prometheus text). With METRICS_TOKEN, only to `Authorization: Bearer <METRICS_TOKEN>`
 * (compared in constant time; 401 otherwise); without it, to anybody — call only when metricsServed.
 */
export async function serveMetrics(
  { config, social, crmPool, behaviourDb }: Pick<Deps, 'config' | 'social' | 'crmPool' | 'behaviourDb'>,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  if (config.METRICS_TOKEN !== undefined) {
    const given = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (!timingSafeEqual(sha256(given), sha256(config.METRICS_TOKEN))) {
      return sendJson(
        res,
        401,
        { error: 'GET /metrics needs the bearer token METRICS_TOKEN' },
        { 'www-authenticate': 'Bearer realm="metrics"' },
      );
    }
  }
  breakerState.set({ source: 'social' }, BREAKER_STATES.indexOf(social.breakerState()));
  crmPoolConnections.set({ state: 'in_use' }, crmPool.totalCount - crmPool.idleCount);
  crmPoolConnections.set({ state: 'idle' }, crmPool.idleCount);
  crmPoolConnections.set({ state: 'waiting' }, crmPool.waitingCount);
  for (const [source, breaker] of [
    ['crm', crmBreaker(crmPool)],
    ['behaviour', behaviourBreaker(behaviourDb)],
  ] as const)
    if (breaker) breakerState.set({ source }, BREAKER_STATES.indexOf(breaker.state()));
  res.writeHead(200, { 'content-type': registry.contentType });
  res.end(await registry.metrics());
}
