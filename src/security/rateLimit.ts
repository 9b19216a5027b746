import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { memoryCounters, type Counters } from './counters';
import type { Principal } from './principal';

/**
 * Requests per minute per caller: an API key at its own rate, a token subject at
 * RATE_LIMIT_PER_MINUTE. Counted where `counters` keep them: the replicas' shared Redis with
 * REDIS_URL (one count for the service), else this process's memory (each replica counts alone).
 */
export class RateLimits {
  private readonly limiters = new Map<number, RateLimiterAbstract>();

  constructor(
    private readonly perSubject: number,
    private readonly counters: Counters = memoryCounters,
  ) {}

  /** Counts one request; resolves to null when allowed, else the seconds to wait (Retry-After). */
  async take(principal: Principal): Promise<number | null> {
    const points = principal.auth === 'api_key' ? principal.partner!.ratePerMinute : this.perSubject;
    let limiter = this.limiters.get(points);
    if (!limiter) this.limiters.set(points, (limiter = this.counters({ keyPrefix: 'rate', points, duration: 60 })));
    try {
      await limiter.consume(`${principal.auth}:${principal.subject}`);
      return null;
    } catch (e) {
      if (e instanceof RateLimiterRes) return Math.max(1, Math.ceil(e.msBeforeNext / 1000));
      throw e;
    }
  }
}
