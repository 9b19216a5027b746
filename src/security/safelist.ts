import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import { sha256 } from '../sha256';

/**
 * The safelisted operations: one `.graphql` file per operation under operations/, identified by the
 * SHA-256 of the file's text (what Apollo's automatic persisted queries call sha256Hash). Partners may
 * only run these; anybody may call them by hash alone.
 */
export interface Safelist {
  /** sha256 hex → operation text */
  byHash: ReadonlyMap<string, string>;
  /** sha256 hex → file name, for logs and `npm run operations` */
  names: ReadonlyMap<string, string>;
}

function operationsDir(): string | null {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'operations');
    if (existsSync(path.join(candidate, 'README.md'))) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

export function loadSafelist(dir = operationsDir()): Safelist {
  const byHash = new Map<string, string>();
  const names = new Map<string, string>();
  for (const file of dir
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.graphql'))
        .sort()
    : []) {
    const text = readFileSync(path.join(dir!, file), 'utf8');
    const hash = sha256(text).toString('hex');
    byHash.set(hash, text);
    names.set(hash, file);
  }
  return { byHash, names };
}

/** Apollo's persisted query list (the manifest its clients and Router read), one entry per safelisted operation. */
export interface PersistedQueryManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: { id: string; name: string; type: 'query' | 'mutation' | 'subscription'; body: string }[];
}

/**
 * The safelist as Apollo's persisted query list: `id` the SHA-256 of `body`, the file's exact text, so
 * a client that sends the id (`extensions.persistedQuery.sha256Hash`, as Apollo Client's persisted
 * queries link does) or the body runs the same operation.
 */
export function persistedQueryManifest(safelist: Safelist): PersistedQueryManifest {
  const operations = [...safelist.byHash].map(([id, body]) => {
    const operation = parse(body).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    if (!operation?.name) throw new Error(`safelisted operation ${safelist.names.get(id)} has no named operation`);
    return { id, name: operation.name.value, type: operation.operation, body };
  });
  return { format: 'apollo-persisted-query-manifest', version: 1, operations };
}

/**
 * Apollo's persisted-query cache: the safelist first (so its operations work by hash on a fresh
 * replica), then what clients registered with this replica, in a bounded LRU, then what they
 * registered with any replica (`shared`: security/registrations.ts, with REDIS_URL). A registration
 * goes to both; one found in `shared` is kept in the LRU (a hash names one text forever).
 */
export function persistedQueryCache(safelist: Safelist, shared: KeyValueCache<string> | null = null, max = 10_000): KeyValueCache<string> {
  const registered = new LRUCache<string, string>({ max });
  const hashOf = (key: string) => key.replace(/^apq:/, '');
  return {
    async get(key) {
      const known = safelist.byHash.get(hashOf(key)) ?? registered.get(key);
      if (known !== undefined || !shared) return known;
      const found = await shared.get(key);
      if (found !== undefined) registered.set(key, found);
      return found;
    },
    async set(key, value, options) {
      registered.set(key, value);
      await shared?.set(key, value, options);
    },
    async delete(key) {
      const [here] = await Promise.all([registered.delete(key), shared?.delete(key)]);
      return here;
    },
  };
}

/**
 * An operation as logs, metrics and the audit log name it. A client's own operation name is free
 * text — unbounded in number, and it may hold anything, a person's e-mail too — so it is kept only
 * when the request ran a safelisted text (its hash is the safelist's, so the name is ours): else
 * `other`, or `anonymous` for an operation without a name (or one that never resolved).
 */
export function operationLabel(safelist: Safelist, queryHash: string | undefined, operationName: string | null | undefined): string {
  if (!operationName) return 'anonymous';
  return queryHash !== undefined && safelist.byHash.has(queryHash) ? operationName : 'other';
}
