import { KeyvAdapter } from '@apollo/utils.keyvadapter';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import KeyvRedis from '@keyv/redis';
import { Keyv } from 'keyv';
import type { SharedRedis } from '../redis';

/**
 * The APQ registrations of every replica, in the shared Redis under `c360:apq:<sha256>` (Apollo's
 * Keyv adapter over @keyv/redis, on the API's one Redis client, so every call has its timeout). A
 * call that fails or times out reads as a miss and is counted as a fallback: the replica answers from
 * its own registrations, else PERSISTED_QUERY_NOT_FOUND, and the client sends the text again (the APQ protocol).
 */
export function sharedRegistrations(redis: SharedRedis): KeyValueCache<string> {
  const store = new KeyvRedis(redis.client, { keyPrefixSeparator: ':', throwOnConnectError: false, throwOnErrors: false });
  // The store prefixes the namespace (Keyv's own prefix would repeat it): c360:apq:<sha256>.
  const keyv = new Keyv<string>(store, { namespace: 'c360', useKeyPrefix: false });
  keyv.on('error', () => redis.fellBack('persisted_queries'));
  return new KeyvAdapter<string>(keyv, { disableBatchReads: true });
}
