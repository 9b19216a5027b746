import { once } from 'node:events';
import pg from 'pg';
import type { Config } from '../../config';
import { createSourceBreaker, type SourceBreaker } from '../breaker';

const { types } = pg;

/** Type parsing for CRM connections: numeric stays an exact string, date a 'YYYY-MM-DD' string, int8 a number. */
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === types.builtins.DATE) return (v: string) => v;
    if (oid === types.builtins.INT8) return (v: string) => Number(v);
    return types.getTypeParser(oid, format);
  },
};

/**
 * The schemas the API's connections search: the CRM's, c360 (the API's own), and public, where
 * databases usually keep extensions such as pg_trgm.
 */
export const crmSearchPath = (config: Pick<Config, 'CRM_SCHEMA'>): string[] => [...new Set([config.CRM_SCHEMA, 'c360', 'public'])];

/** The connections each pool of createCrmPool holds open: a client leaves when its socket has closed. */
const openConnections = new WeakMap<pg.Pool, Set<pg.PoolClient>>();

/** The circuit breaker of each pool of createCrmPool (the CRM as this pool reaches it). */
const breakers = new WeakMap<pg.Pool, SourceBreaker>();

/**
 * The CRM's circuit breaker for statements on `pool` (CRM_BREAKER_*): every pool of createCrmPool has
 * one; none for a connection taken out of a pool (a transaction's statements: taking it went through
 * its pool's) or a pool made otherwise.
 */
export const crmBreaker = (pool: pg.Pool | pg.PoolClient): SourceBreaker | undefined =>
  pool instanceof pg.Pool ? breakers.get(pool) : undefined;

/**
 * The CRM connection pool. Every statement is bounded server-side (statement_timeout) and client-side
 * (query_timeout), and waiting for a connection is bounded too, so a dead or slow CRM fails a request
 * instead of hanging it; once the CRM has failed CRM_BREAKER_FAILURES times in a row, its circuit
 * breaker (crmBreaker) fails statements at once until a probe finds it back. The search path is crmSearchPath.
 */
export function createCrmPool(config: Config, connectionString: string, onConnectionLost: (e: Error) => void = () => undefined): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: config.DB_POOL_MAX,
    connectionTimeoutMillis: config.DB_CONNECT_TIMEOUT_MS,
    statement_timeout: config.DB_STATEMENT_TIMEOUT_MS,
    query_timeout: config.DB_STATEMENT_TIMEOUT_MS + 1000,
    idleTimeoutMillis: 30_000,
    options: `-c search_path=${crmSearchPath(config).join(',')}`,
    application_name: 'customer-360',
    types: typeParsers,
  });
  // A connection lost must not end the process; it is reported, and the next statement on it fails on its own.
  pool.on('error', onConnectionLost);
  breakers.set(pool, createSourceBreaker('crm', config.CRM_BREAKER_FAILURES, config.CRM_BREAKER_HALF_OPEN_MS));
  const open = new Set<pg.PoolClient>();
  openConnections.set(pool, open);
  pool.on('connect', (client) => {
    open.add(client);
    // The pool listens for a client's 'error' only while the client is idle in it. One lost while
    // checked out and between statements (a transaction's, the snapshot builder's held lock) would
    // emit an 'error' nobody hears, which ends the process: a PostgreSQL killed mid-build did.
    client.on('error', onConnectionLost);
    client.once('end', () => open.delete(client));
  });
  return pool;
}

/**
 * Ends a pool of createCrmPool and resolves once every one of its connections is closed. pool.end()
 * alone resolves as soon as it has asked them to close: a PostgreSQL stopped right after would still
 * see them and end them itself, and the pool would report them lost.
 */
export async function endCrmPool(pool: pg.Pool): Promise<void> {
  const open = [...(openConnections.get(pool) ?? [])];
  await Promise.all([pool.end(), ...open.map((client) => once(client, 'end'))]);
}
