import { MongoClient } from 'mongodb';
import type { Config } from '../../config';

/**
 * The behaviour source's client. Every wait is bounded by MONGODB_TIMEOUT_MS (server selection,
 * connect, socket inactivity; operations add maxTimeMS), so a dead MongoDB fails the behaviour
 * fields of a request instead of hanging it. Connects lazily on first use.
 */
export function createBehaviourClient(config: Config, uri: string): MongoClient {
  const t = config.MONGODB_TIMEOUT_MS;
  return new MongoClient(uri, {
    serverSelectionTimeoutMS: t,
    connectTimeoutMS: t,
    socketTimeoutMS: t + 500,
    waitQueueTimeoutMS: t,
    maxPoolSize: 20,
    appName: 'customer-360',
  });
}
