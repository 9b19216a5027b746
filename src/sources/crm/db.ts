import { createHash } from 'node:crypto';
import type pg from 'pg';
import { POOL_EXHAUSTED, SourceError } from '../../errors';
import type { RoundTrips } from '../roundTrips';
import { timed } from '../../observability/metrics';
import { Sql, toQuery } from './sql';
import { withTransaction } from '../../db/transaction';
import { crmBreaker } from './pool';

/**
 * One SQL round trip to the CRM: a statement with its parameters, or a fragment carrying them (sql.ts).
 * Rows typed by the caller; failures are SourceErrors or bugs.
 */
export interface Db {
  <R>(text: string, values?: unknown[]): Promise<R[]>;
  <R>(fragment: Sql): Promise<R[]>;
}

/** SQLSTATE classes that mean the database is unavailable rather than our SQL being wrong. */
const UNAVAILABLE_CLASSES = ['08', '53', '57', '58'];

function reasonOf(e: unknown): string | null {
  const err = e as { code?: string; message?: string };
  // pg-pool's own: every connection of this pool stayed busy for DB_CONNECT_TIMEOUT_MS (not the CRM's failure).
  if (err.message === 'timeout exceeded when trying to connect') return POOL_EXHAUSTED;
  if (err.code === '57014' || /timeout/i.test(err.message ?? '')) return 'timeout';
  if (typeof err.code === 'string' && UNAVAILABLE_CLASSES.includes(err.code.slice(0, 2))) return 'unavailable';
  if (typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code)) return 'unreachable'; // ECONNREFUSED, ...
  if (/Connection terminated|not queryable|Client has encountered a connection error/i.test(err.message ?? '')) {
    return 'unreachable';
  }
  return null;
}

/** A pg failure as a crm SourceError when the database is unavailable; the error itself otherwise (a bug in our SQL). */
export function crmSourceError(e: unknown): unknown {
  const reason = reasonOf(e);
  return reason ? new SourceError('crm', reason, e) : e;
}

/** At most this many distinct statement texts per process run as named (prepared) statements. */
const PREPARED_MAX = 500;
const preparedNames = new Map<string, string>();

/**
 * The name a statement is prepared under, or undefined to run it unnamed. A named statement is parsed
 * and planned once per connection and its plan may be reused (PostgreSQL's plan cache), which the
 * API's batch statements, with their CTEs, would otherwise pay on every execution (0.5-0.9 ms of
 * PostgreSQL CPU each on the bench's crm-nested statements). Statement texts come from this code's
 * templates, but filters and segment definitions combine them, so only the first PREPARED_MAX
 * distinct texts are named: a connection never holds more prepared statements than that.
 */
function preparedName(text: string): string | undefined {
  let name = preparedNames.get(text);
  if (name === undefined && preparedNames.size < PREPARED_MAX) {
    name = `c360_${createHash('sha1').update(text).digest('base64url')}`;
    preparedNames.set(text, name);
  }
  return name;
}

/** Runs `work` through the CRM breaker of `pool` (pool.ts crmBreaker), or directly when it has none. */
const guarded = <T>(pool: pg.Pool | pg.PoolClient, work: () => Promise<T>): Promise<T> => {
  const breaker = crmBreaker(pool);
  return breaker ? breaker.run(work) : work();
};

/**
 * A Db over `pool` that counts each statement sent in `roundTrips.crm`. Availability failures become
 * SourceError('crm') (and count in the pool's breaker; while it is open, statements fail at once as
 * `circuit_open`, unsent and uncounted); anything else (a bug in our SQL) is rethrown and masked at the edge.
 */
export function createDb(pool: pg.Pool | pg.PoolClient, roundTrips: RoundTrips): Db {
  return async <R>(statement: string | Sql, params?: unknown[]) => {
    const { text, values } = statement instanceof Sql ? toQuery(statement) : { text: statement, values: params };
    return guarded(pool, async () => {
      roundTrips.crm += 1;
      try {
        const result = await timed('crm', () => pool.query({ name: preparedName(text), text, values }));
        return result.rows as R[];
      } catch (e) {
        throw crmSourceError(e);
      }
    });
  };
}

/**
 * Runs `work` in one transaction on one connection of `pool` (db/transaction.ts), through a Db over
 * it; BEGIN and COMMIT are counted and mapped like any other statement. Taking the connection goes
 * through the pool's breaker: while it is open, the transaction fails before it begins.
 */
export function inTransaction<T>(pool: pg.Pool, roundTrips: RoundTrips, work: (db: Db) => Promise<T>): Promise<T> {
  return withTransaction(pool, (client) => work(createDb(client, roundTrips)), {
    control: (client, statement) => createDb(client, roundTrips)(statement),
    connect: () =>
      guarded(pool, async () => {
        try {
          return await pool.connect();
        } catch (e) {
          throw crmSourceError(e);
        }
      }),
  });
}
