import { BrokenCircuitError, BulkheadRejectedError, TaskCancelledError } from 'cockatiel';
import { SourceError } from '../../errors';

/** A non-2xx answer of the provider. `retryAfterMs` from a 429's Retry-After header. */
export class ProviderHttpError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | null,
  ) {
    super(`social provider answered HTTP ${status}`);
  }

  /** 5xx and 429 may succeed when tried again; other 4xx never will. */
  get transient(): boolean {
    return this.status >= 500 || this.status === 429;
  }
}

/** An answer that is not JSON or not the contract's shape. */
export class BadResponseError extends Error {}

/**
 * A 429 whose Retry-After does not fit in what is left of the call's budget: waiting would only
 * end in a timeout, so the call fails now as rate limited.
 */
export class RateLimitedError extends Error {}

/** The SourceError a failed provider call becomes; `reason` says how it failed. */
export function socialSourceError(e: unknown): SourceError {
  if (e instanceof SourceError) return e;
  if (e instanceof BrokenCircuitError) return new SourceError('social', 'circuit_open', e);
  if (e instanceof TaskCancelledError) return new SourceError('social', 'timeout', e);
  if (e instanceof BulkheadRejectedError) return new SourceError('social', 'overloaded', e);
  if (e instanceof RateLimitedError) return new SourceError('social', 'rate_limited', e);
  if (e instanceof BadResponseError) return new SourceError('social', 'bad_response', e);
  if (e instanceof ProviderHttpError) return new SourceError('social', e.status === 429 ? 'rate_limited' : `http_${e.status}`, e);
  if (e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError')) return new SourceError('social', 'timeout', e);
  return new SourceError('social', 'unreachable', e);
}
