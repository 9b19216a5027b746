import { createClient } from '@redis/client';
import type { Logger } from 'pino';
import type { Config } from './config';
import { sharedStoreFallbacks } from './observability/metrics';

/** What the replicas share through Redis; each use falls back to this replica's memory alone. */
export type SharedUse = 'rate_limit' | 'customer_budget' | 'persisted_queries';

/** Reconnection backoff: 50 ms doubling, at most this. */
const MAX_BACKOFF_MS = 2000;

/** A client whose every command is bounded by `timeoutMs` and fails at once while disconnected (no offline queue). */
const newClient = (url: string, timeoutMs: number) =>
  createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: timeoutMs },
    socket: { connectTimeout: timeoutMs, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, MAX_BACKOFF_MS) },
  });

export type RedisClient = ReturnType<typeof newClient>;

/**
 * The Redis (or Valkey) of REDIS_URL, shared by the replicas: the per-caller rate limits and customer
 * budgets (security/counters.ts) and the APQ registrations (security/safelist.ts). Every command is
 * bounded by REDIS_TIMEOUT_MS, and none waits for a connection: while Redis is down or slow each call
 * fails at once or at its timeout and is served from this replica's memory (fails open, `fellBack`),
 * and the client reconnects in the background. The API never waits for Redis to start.
 */
export interface SharedRedis {
  client: RedisClient;
  /** Bound on each call (REDIS_TIMEOUT_MS). */
  timeoutMs: number;
  /** Counts a call Redis did not answer (in time), served from this replica's memory instead; logged at most every WARN_EVERY_MS. */
  fellBack(use: SharedUse): void;
  /** Closes the connection (closeSources in bootstrap.ts). */
  disconnect(): Promise<void>;
  stopEmbedded(): Promise<void>;
}

const WARN_EVERY_MS = 10_000;

/** The shared Redis when REDIS_URL is set, connecting in the background; null without (each replica counts alone). */
export function openRedis(config: Pick<Config, 'REDIS_URL' | 'REDIS_TIMEOUT_MS'>, logger: Logger): SharedRedis | null {
  if (!config.REDIS_URL) return null;
  const timeoutMs = config.REDIS_TIMEOUT_MS;
  const client = newClient(config.REDIS_URL, timeoutMs);
  let warned = 0;
  const warn = (fields: object, message: string) => {
    if (Date.now() - warned < WARN_EVERY_MS) return;
    warned = Date.now();
    logger.warn(fields, message);
  };
  // Without a listener an 'error' event would end the process; each failed reconnection emits one.
  client.on('error', (err: unknown) =>
    warn({ err }, 'Redis unreachable: rate limits, customer budgets and APQ registrations are per replica until it answers'),
  );
  client.on('ready', () => {
    warned = 0;
    logger.info('Redis ready: rate limits, customer budgets and APQ registrations are shared by the replicas');
  });
  client.connect().catch((err: unknown) => logger.error({ err }, 'Redis client cannot connect'));
  return {
    client,
    timeoutMs,
    fellBack(use) {
      sharedStoreFallbacks.inc({ use });
      warn({ use }, "Redis did not answer in time: served from this replica's memory");
    },
    disconnect: () => (client.isReady ? client.close() : Promise.resolve(client.destroy())),
    stopEmbedded: async () => undefined,
  };
}
