import { GraphQLError } from 'graphql';

/**
 * The one error factory. Every error a client sees carries a stable `extensions.code`:
 * - BAD_USER_INPUT: the request is wrong; the message says how to fix it.
 * - SOURCE_UNAVAILABLE: a source failed or timed out; `extensions.source` names it and
 *   `extensions.reason` says how. Only the fields needing that source are null.
 * - FORBIDDEN: the caller may not do this; decided before anything is read.
 * - CONFLICT: the request is valid but the data's current state refuses it (an identifier linked
 *   elsewhere, a record already merged, an unmerge later merges depend on); the message says why.
 * - OVERLOADED: the server refused the request on arrival (HTTP 503, Retry-After) rather than queue it
 *   (overload.ts); `extensions.reason` says why. Nothing of it ran.
 * - INTERNAL_SERVER_ERROR: anything unexpected; masked at the edge (see server.ts).
 */
export type SourceName = 'crm' | 'behaviour' | 'social';

/**
 * Every `extensions.code` a client may receive (docs/schema.md "Errors"), and nothing else: what the
 * server's errors carry, Apollo's request errors, and the HTTP edge's refusals. INTERNAL_SERVER_ERROR
 * is a bug by definition: no input may cause it.
 */
export const ERROR_CODES = [
  // the request
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_HASH_MISMATCH',
  // the caller
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'BUDGET_EXHAUSTED',
  // the data
  'SOURCE_UNAVAILABLE',
  'OVERLOADED',
  'CONSENT_REQUIRED',
  'CONFLICT',
  'NOT_FOUND',
  'AMBIGUOUS',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export const isErrorCode = (code: unknown): code is ErrorCode =>
  typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);

/** An item of a batch that names no one (lookupCustomers); also what a partner gets for a customer it may not see. */
export const notFound = (): GraphQLError => new GraphQLError('No customer has this identifier.', { extensions: { code: 'NOT_FOUND' } });

/** An item of a batch whose identifier belongs to several people (lookupCustomers). */
export const ambiguous = (count: number): GraphQLError =>
  new GraphQLError(`This identifier belongs to ${count} people; customersBy lists them.`, { extensions: { code: 'AMBIGUOUS' } });

export function badUserInput(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'BAD_USER_INPUT', ...(field ? { field } : {}) },
  });
}

/**
 * The reason of a SourceError raised when every connection of this process's pool to the source stayed
 * busy past its wait: the API's load, not the source's failure (circuit breakers do not count it).
 */
export const POOL_EXHAUSTED = 'pool_exhausted';

/** A source call that failed. `cause` is kept for logs only and never serialised. */
export class SourceError extends GraphQLError {
  constructor(
    readonly sourceName: SourceName,
    readonly reason: string,
    cause?: unknown,
  ) {
    const source = sourceName;
    super(`The ${source} source is unavailable (${reason}); fields that need it are null.`, {
      extensions: { code: 'SOURCE_UNAVAILABLE', source, reason },
      originalError: cause instanceof Error ? cause : undefined,
    });
  }
}

/** A derived field about a person who has not granted the consent it needs. */
export function consentRequired(purpose: string): GraphQLError {
  return new GraphQLError(`The customer has not granted ${purpose} consent; this field is withheld.`, {
    extensions: { code: 'CONSENT_REQUIRED', purpose },
  });
}

/**
 * Not allowed for this caller. Refusals decided before execution (access checks, the partner
 * safelist) pass `httpStatus` 403 and may add what was denied in `extensions`.
 */
export function forbidden(message: string, extensions: Record<string, unknown> = {}, httpStatus?: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'FORBIDDEN', ...extensions, ...(httpStatus ? { http: { status: httpStatus } } : {}) },
  });
}

export function conflict(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'CONFLICT', ...extensions } });
}

export const isConflict = (e: unknown): e is GraphQLError => e instanceof GraphQLError && e.extensions?.code === 'CONFLICT';

export function isExpectedError(e: unknown): e is GraphQLError {
  const code = e instanceof GraphQLError ? e.extensions?.code : undefined;
  return (
    code === 'BAD_USER_INPUT' || code === 'SOURCE_UNAVAILABLE' || code === 'CONSENT_REQUIRED' || code === 'FORBIDDEN' || code === 'CONFLICT'
  );
}
