import { MongoClient, type Db } from 'mongodb';
import type { Config } from '../../config';
import { createSourceBreaker, type SourceBreaker } from '../breaker';
import { behaviourSourceError } from './errors';

/** The circuit breaker of each client of createBehaviourClient. */
const breakers = new WeakMap<MongoClient, SourceBreaker>();

/**
 * The behaviour source's client. Every wait is bounded by MONGODB_TIMEOUT_MS (server selection,
 * connect, socket inactivity; operations add maxTimeMS), so a dead MongoDB fails the behaviour
 * fields of a request instead of hanging it; once it has failed BEHAVIOUR_BREAKER_FAILURES times in a
 * row, its circuit breaker (behaviourCall) fails them at once until a probe finds it back. Connects
 * lazily on first use.
 */
export function createBehaviourClient(config: Config, uri: string): MongoClient {
  const t = config.MONGODB_TIMEOUT_MS;
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: t,
    connectTimeoutMS: t,
    socketTimeoutMS: t + 500,
    waitQueueTimeoutMS: t,
    maxPoolSize: 20,
    appName: 'customer-360',
  });
  breakers.set(client, createSourceBreaker('behaviour', config.BEHAVIOUR_BREAKER_FAILURES, config.BEHAVIOUR_BREAKER_HALF_OPEN_MS));
  return client;
}

/** The behaviour store's breaker for `db` (its client's, when made by createBehaviourClient). */
export const behaviourBreaker = (db: Db): SourceBreaker | undefined => breakers.get(db.client);

/**
 * One call to the behaviour store on `db`, through its breaker when it has one: driver failures of
 * the store become SourceError('behaviour') (behaviourSourceError) and count; while the breaker is
 * open the call fails at once as `circuit_open`, without reaching the store. Anything else is rethrown.
 */
export function behaviourCall<T>(db: Db, work: () => Promise<T>): Promise<T> {
  const mapped = async () => {
    try {
      return await work();
    } catch (e) {
      throw behaviourSourceError(e) ?? e;
    }
  };
  const breaker = behaviourBreaker(db);
  return breaker ? breaker.run(mapped) : mapped();
}
