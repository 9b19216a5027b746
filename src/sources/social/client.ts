import {
  bulkhead,
  circuitBreaker,
  ConsecutiveBreaker,
  DelegateBackoff,
  handleWhen,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
  type IRetryBackoffContext,
} from 'cockatiel';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { Config } from '../../config';
import { batchGetResponse, type AccountRef, type SocialAccount } from './contract';
import { breakerStateOf, type BreakerState } from '../breaker';
import { BadResponseError, ProviderHttpError, RateLimitedError } from './errors';

export interface BatchGetResult {
  accounts: SocialAccount[];
  notFound: AccountRef[];
}

export interface CachedAccount {
  account: SocialAccount | null;
  fetchedAt: number;
}

/** One process's connection to the provider: its resilience policies and cache are shared by all requests. */
export interface SocialClient {
  /** One `accounts:batchGet` (at most 100 accounts), within SOCIAL_TIMEOUT_MS, retries included. */
  batchGet(accounts: AccountRef[], postsSince: Date): Promise<BatchGetResult>;
  /** Accounts (null: the provider does not know it) recently fetched, with when (ms, the fetching request's clock); undefined when the cache is off. */
  cache: LRUCache<string, CachedAccount> | undefined;
  /** The circuit as the next call would find it (`half_open`: the next call is the probe). */
  breakerState(): BreakerState;
}

/** First retry waits up to this (full jitter), doubling per attempt, unless a 429 says how long. */
const BACKOFF_BASE_MS = 40;

/** Seconds (or an HTTP date) of a Retry-After header, in ms; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** fetch's own failures (refused, reset, DNS): worth one more try. */
const isNetworkError = (e: Error) => e instanceof TypeError && e.message === 'fetch failed';

/** A 4xx other than 429 says our request was wrong, not that the provider is failing: the breaker ignores it. */
const isProviderFailure = (e: Error) => !(e instanceof ProviderHttpError && e.status >= 400 && e.status < 500 && e.status !== 429);

/**
 * The provider client: Node's fetch under cockatiel policies, outermost first:
 * timeout (SOCIAL_TIMEOUT_MS for the whole call, queueing included; aborts the request in flight) →
 * bulkhead (SOCIAL_MAX_CONCURRENCY in flight, SOCIAL_QUEUE waiting) → circuit breaker (opens after
 * SOCIAL_BREAKER_FAILURES consecutive provider failures, lets a probe through after
 * SOCIAL_BREAKER_HALF_OPEN_MS) → retry (5xx, 429, network; exponential backoff with full jitter, or
 * the 429's Retry-After; a wait that cannot fit the budget fails at once as rate_limited). Answers
 * are validated against the contract.
 */
export function createSocialClient(config: Config, endpoint: { url: string; token: string }, logger: Logger): SocialClient {
  const base = endpoint.url.replace(/\/+$/, '');
  const retryPolicy = retry(
    handleWhen((e) => (e instanceof ProviderHttpError && e.transient) || isNetworkError(e)),
    {
      maxAttempts: config.SOCIAL_RETRIES,
      backoff: new DelegateBackoff((ctx: IRetryBackoffContext<unknown>) => {
        const error = 'error' in ctx.result ? ctx.result.error : undefined;
        if (error instanceof ProviderHttpError && error.retryAfterMs !== null) return error.retryAfterMs;
        return Math.random() * BACKOFF_BASE_MS * 2 ** (ctx.attempt - 1);
      }),
    },
  );
  const breaker = circuitBreaker(handleWhen(isProviderFailure), {
    halfOpenAfter: config.SOCIAL_BREAKER_HALF_OPEN_MS,
    breaker: new ConsecutiveBreaker(config.SOCIAL_BREAKER_FAILURES),
  });
  const breakerState = breakerStateOf(breaker, config.SOCIAL_BREAKER_HALF_OPEN_MS);
  breaker.onStateChange(() => logger.warn({ source: 'social', breaker: breakerState() }, `social provider circuit ${breakerState()}`));
  const policy = wrap(
    timeout(config.SOCIAL_TIMEOUT_MS, TimeoutStrategy.Aggressive),
    bulkhead(config.SOCIAL_MAX_CONCURRENCY, config.SOCIAL_QUEUE),
    breaker,
    retryPolicy,
  );
  const cache =
    config.SOCIAL_CACHE_TTL_MS > 0
      ? new LRUCache<string, CachedAccount>({ max: config.SOCIAL_CACHE_MAX, ttl: config.SOCIAL_CACHE_TTL_MS })
      : undefined;

  async function attempt(body: string, deadline: number, signal: AbortSignal): Promise<BatchGetResult> {
    const res = await fetch(`${base}/v1/accounts:batchGet`, {
      method: 'POST',
      headers: { authorization: `Bearer ${endpoint.token}`, 'content-type': 'application/json', accept: 'application/json' },
      body,
      signal,
    });
    if (!res.ok) {
      await res.body?.cancel();
      const wait = res.status === 429 ? retryAfterMs(res.headers.get('retry-after')) : null;
      if (wait !== null && Date.now() + wait >= deadline) throw new RateLimitedError(`Retry-After ${wait} ms exceeds the budget`);
      throw new ProviderHttpError(res.status, wait);
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch (e) {
      if (signal.aborted) throw e;
      throw new BadResponseError('the provider answered with something that is not JSON');
    }
    const parsed = batchGetResponse.safeParse(json);
    if (!parsed.success) throw new BadResponseError(`the provider's answer breaks the contract: ${parsed.error.issues[0]?.message ?? ''}`);
    return parsed.data;
  }

  return {
    cache,
    breakerState,
    batchGet(accounts, postsSince) {
      const body = JSON.stringify({ accounts, postsSince: postsSince.toISOString() });
      const deadline = Date.now() + config.SOCIAL_TIMEOUT_MS;
      return policy.execute(({ signal }) => attempt(body, deadline, signal));
    },
  };
}
