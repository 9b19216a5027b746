import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Principal } from './principal';

/**
 * Requests per minute per caller: an API key at its own rate, a token subject at
 * RATE_LIMIT_PER_MINUTE. In memory, so each replica counts alone (docs/security.md "Rate limits" says how to
 * share them: rate-limiter-flexible's Redis or PostgreSQL stores take the same calls).
 */
export class RateLimits {
  private readonly limiters = new Map<number, RateLimiterMemory>();

  constructor(private readonly perSubject: number) {}

  /** Counts one request; resolves to null when allowed, else the seconds to wait (Retry-After). */
  async take(principal: Principal): Promise<number | null> {
    const points = principal.auth === 'api_key' ? principal.partner!.ratePerMinute : this.perSubject;
    let limiter = this.limiters.get(points);
    if (!limiter) this.limiters.set(points, (limiter = new RateLimiterMemory({ points, duration: 60 })));
    try {
      await limiter.consume(`${principal.auth}:${principal.subject}`);
      return null;
    } catch (e) {
      if (e instanceof RateLimiterRes) return Math.max(1, Math.ceil(e.msBeforeNext / 1000));
      throw e;
    }
  }
}
