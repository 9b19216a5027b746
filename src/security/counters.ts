import { RateLimiterMemory, RateLimiterRedis, RLWrapperTimeouts, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { SharedRedis, SharedUse } from '../redis';

/** A counter of points per key over `duration` seconds (rate-limiter-flexible), named by `keyPrefix`. */
export type Counters = (opts: { keyPrefix: string; points: number; duration: number }) => RateLimiterAbstract;

/** Counters in this process's memory: each replica counts alone. */
export const memoryCounters: Counters = (opts) => new RateLimiterMemory(opts);

/** A memory counter that reports every call it serves: the insurance of a Redis one. */
class Fallback extends RateLimiterMemory {
  constructor(
    opts: ConstructorParameters<typeof RateLimiterMemory>[0],
    private readonly used: () => void,
  ) {
    super(opts);
  }
  override consume(...args: Parameters<RateLimiterMemory['consume']>) {
    this.used();
    return super.consume(...args);
  }
  override penalty(...args: Parameters<RateLimiterMemory['penalty']>) {
    this.used();
    return super.penalty(...args);
  }
  override reward(...args: Parameters<RateLimiterMemory['reward']>) {
    this.used();
    return super.reward(...args);
  }
  override get(...args: Parameters<RateLimiterMemory['get']>) {
    this.used();
    return super.get(...args);
  }
}

/**
 * Counters in the replicas' shared Redis (keys `c360:<keyPrefix>:<key>`), each call bounded by
 * REDIS_TIMEOUT_MS; a call that fails or times out is served by an in-memory counter of this replica
 * (the library's insuranceLimiter), counted and logged as a fallback for `use`: the API keeps serving
 * while Redis is away, each replica counting alone meanwhile.
 */
export function sharedCounters(redis: SharedRedis, use: SharedUse): Counters {
  return (opts) =>
    new RLWrapperTimeouts({
      limiter: new RateLimiterRedis({
        ...opts,
        keyPrefix: `c360:${opts.keyPrefix}`,
        storeClient: redis.client,
        useRedisPackage: true,
        rejectIfRedisNotReady: true,
      }),
      timeoutMs: redis.timeoutMs,
      insuranceLimiter: new Fallback(opts, () => redis.fellBack(use)),
    });
}
