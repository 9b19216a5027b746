import {
  MongoClientClosedError,
  MongoError,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerClosedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoStalePrimaryError,
  MongoSystemError,
  MongoTopologyClosedError,
  MongoUnexpectedServerResponseError,
} from 'mongodb';
import { POOL_EXHAUSTED, SourceError } from '../../errors';

/** Server codes of a store past an operation's budget: MaxTimeMSExpired, ExceededTimeLimit, NetworkTimeout. */
const TIMEOUT_CODES = new Set([50, 262, 89]);

/**
 * Server codes of a store that cannot answer now: going down (InterruptedAtShutdown, ShutdownInProgress,
 * what a MongoDB stopping answers the operations in flight), changing primary or unreachable behind it
 * (HostUnreachable, HostNotFound, SocketException, the "not primary" and "recovering" codes the driver retries reads on).
 */
const UNAVAILABLE_CODES = new Set([6, 7, 91, 134, 189, 9001, 10058, 10107, 11600, 11602, 13435, 13436]);

/** Errors of the driver that are not exported by name (cmap/errors.ts): a closed pool, no connection free within waitQueueTimeoutMS. */
const unexported = (e: Error) => e.name === 'MongoPoolClosedError' || e.name === 'MongoWaitQueueTimeoutError';

function reasonOf(e: unknown): string | null {
  if (!(e instanceof Error)) return null;
  // This process's pool: no connection came free within waitQueueTimeoutMS (not the store's failure).
  if (e.name === 'MongoWaitQueueTimeoutError') return POOL_EXHAUSTED;
  const code = (e as { code?: unknown }).code;
  if (
    e instanceof MongoNetworkTimeoutError ||
    e instanceof MongoOperationTimeoutError ||
    (e instanceof MongoServerError && TIMEOUT_CODES.has(Number(code))) ||
    (e instanceof MongoError && /timed out/i.test(e.message))
  )
    return 'timeout';
  if (e instanceof MongoServerError && e.hasErrorLabel('SystemOverloadedError')) return 'overloaded';
  if (e instanceof MongoUnexpectedServerResponseError) return 'bad_response';
  if (
    e instanceof MongoNetworkError || // every socket failure, a pool cleared after one included
    e instanceof MongoServerSelectionError ||
    e instanceof MongoServerClosedError ||
    e instanceof MongoTopologyClosedError ||
    e instanceof MongoNotConnectedError ||
    e instanceof MongoClientClosedError ||
    e instanceof MongoStalePrimaryError ||
    e instanceof MongoSystemError ||
    unexported(e) ||
    (e instanceof MongoServerError && (UNAVAILABLE_CODES.has(Number(code)) || e.hasErrorLabel('ResetPool')))
  )
    return 'unreachable';
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return 'unreachable'; // a socket's own (ECONNRESET, ...), unwrapped
  return null;
}

/**
 * A driver failure as a behaviour SourceError when the store is unreachable, going down, or slow
 * (reason `unreachable`, `timeout`, `overloaded`, `bad_response`, or `pool_exhausted` when this process's pool had no connection free in time); null for anything else (a bug in
 * our pipeline, which the edge masks as INTERNAL_SERVER_ERROR). A SourceError is returned as it is.
 */
export function behaviourSourceError(e: unknown): SourceError | null {
  if (e instanceof SourceError) return e;
  const reason = reasonOf(e);
  return reason ? new SourceError('behaviour', reason, e) : null;
}
