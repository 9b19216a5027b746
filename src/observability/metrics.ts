import { constants, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SourceName } from '../errors';

/**
 * The process's Prometheus metrics (GET /metrics). One registry per process, shared by every server
 * the process runs (tests run several). Every label value comes from a bounded set the server owns,
 * never from the client: `operation` is a safelisted operation's name, `other` or `anonymous`
 * (operationLabel); `code` an error code the API knows, else OTHER; `source` and `loader` are names in
 * the code.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const requestDuration = new Histogram({
  name: 'c360_graphql_request_duration_seconds',
  help: 'GraphQL requests, from the start of Apollo to the response, by safelisted operation (other, anonymous).',
  labelNames: ['operation'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const errorsByCode = new Counter({
  name: 'c360_graphql_errors_total',
  help: 'Errors in GraphQL responses, by extensions.code.',
  labelNames: ['code'] as const,
  registers: [registry],
});

export const sourceRoundTrips = new Counter({
  name: 'c360_source_round_trips_total',
  help: 'Round trips to each source (CRM statements, behaviour aggregations, social provider calls).',
  labelNames: ['source'] as const,
  registers: [registry],
});

export const sourceLatency = new Histogram({
  name: 'c360_source_latency_seconds',
  help: 'Duration of one round trip to a source, failures included.',
  labelNames: ['source'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const loaderBatchSize = new Histogram({
  name: 'c360_dataloader_batch_size',
  help: 'Keys per DataLoader batch, by loader.',
  labelNames: ['loader'] as const,
  buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
  registers: [registry],
});

export const customerBudgetRefusals = new Counter({
  name: 'c360_customer_budget_refusals_total',
  help: 'Reads refused because the caller had read its distinct customers per hour (BUDGET_EXHAUSTED), by role (agent, partner).',
  labelNames: ['role'] as const,
  registers: [registry],
});

export const sharedStoreFallbacks = new Counter({
  name: 'c360_shared_store_fallbacks_total',
  help: "Calls to the replicas' shared Redis that failed or timed out and were served from this replica's memory instead, by use (rate_limit, customer_budget, persisted_queries).",
  labelNames: ['use'] as const,
  registers: [registry],
});

/** 0 closed, 1 half-open, 2 open, 3 isolated; set from each source's breaker when scraped. */
export const breakerState = new Gauge({
  name: 'c360_circuit_breaker_state',
  help: 'Circuit breaker of a source: 0 closed, 1 half-open, 2 open, 3 isolated.',
  labelNames: ['source'] as const,
  registers: [registry],
});

/**
 * The heap in use right after the latest full (mark-compact) garbage collection: what survives, the
 * series a leak makes grow. After a scavenge the old space still holds what died since the last full
 * collection, so that reading rises and falls with the load, not with what is kept.
 */
export const heapUsedAfterGc = new Gauge({
  name: 'c360_heap_used_after_gc_bytes',
  help: 'V8 heap in use as measured right after the latest full (mark-compact) garbage collection.',
  registers: [registry],
});
new PerformanceObserver((list) => {
  if (list.getEntries().some((e) => (e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR))
    heapUsedAfterGc.set(v8.getHeapStatistics().used_heap_size);
}).observe({ entryTypes: ['gc'] });

export const requestsInFlight = new Gauge({
  name: 'c360_http_requests_in_flight',
  help: 'HTTP requests received and not yet answered (every path).',
  registers: [registry],
});

/** Set from the CRM pool when scraped. */
export const crmPoolConnections = new Gauge({
  name: 'c360_crm_pool_connections',
  help: 'CRM pool: connections in use (checked out), idle, and requests waiting for one.',
  labelNames: ['state'] as const,
  registers: [registry],
});

export const breakerRejections = new Counter({
  name: 'c360_circuit_breaker_rejections_total',
  help: 'Calls to a source failed at once (SOURCE_UNAVAILABLE, reason circuit_open) because its circuit breaker was open, by source (crm, behaviour).',
  labelNames: ['source'] as const,
  registers: [registry],
});

export const overloadRefusals = new Counter({
  name: 'c360_overload_refusals_total',
  help: 'GraphQL requests refused on arrival (HTTP 503, OVERLOADED), by reason: crm_pool (too many waiting for a CRM connection), event_loop (lagging).',
  labelNames: ['reason'] as const,
  registers: [registry],
});

/** Times one round trip of `source`, success or failure. */
export async function timed<T>(source: SourceName, work: () => Promise<T>): Promise<T> {
  const end = sourceLatency.startTimer({ source });
  try {
    return await work();
  } finally {
    end();
  }
}
