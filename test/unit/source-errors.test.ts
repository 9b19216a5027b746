import {
  MongoClientClosedError,
  MongoInvalidArgumentError,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoServerClosedError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  MongoUnexpectedServerResponseError,
} from 'mongodb';
import pg from 'pg';
import { behaviourSourceError } from '../../src/sources/behaviour/errors';
import { crmSourceError } from '../../src/sources/crm/db';

/** The driver's connection-pool errors, which its package does not export by name (lib/cmap/errors). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the driver's own classes, from where it keeps them
const cmap = require('mongodb/lib/cmap/errors') as Record<
  'PoolClearedError' | 'PoolClosedError' | 'WaitQueueTimeoutError',
  new (...args: unknown[]) => Error
>;
const pool = { address: '127.0.0.1:27017', serverAddress: '127.0.0.1:27017' };
const serverError = (code: number, codeName: string, errmsg: string) =>
  new MongoServerError({ ok: 0, code, codeName, errmsg, message: errmsg });
const socket = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });

describe('behaviourSourceError: what the mongodb driver raises when the store is cut, stopped or slow', () => {
  it.each([
    ['a socket closed under an operation', new MongoNetworkError('connection 4 to 127.0.0.1:27017 closed'), 'unreachable'],
    ['a reset socket', new MongoNetworkError('read ECONNRESET'), 'unreachable'],
    ['a pool cleared after a network error', new cmap.PoolClearedError(pool), 'unreachable'],
    ['a closed pool', new cmap.PoolClosedError(pool), 'unreachable'],
    ['a closed server', new MongoServerClosedError(), 'unreachable'],
    ['a closed topology', new MongoTopologyClosedError(), 'unreachable'],
    ['a client closed while a request ran (the API stopping)', new MongoClientClosedError(), 'unreachable'],
    ['no server to select', new MongoServerSelectionError('connect ECONNREFUSED 127.0.0.1:27017', {} as never), 'unreachable'],
    ['a MongoDB stopping: InterruptedAtShutdown', serverError(11600, 'InterruptedAtShutdown', 'interrupted at shutdown'), 'unreachable'],
    ['a MongoDB stopping: ShutdownInProgress', serverError(91, 'ShutdownInProgress', 'The server is in quiesce mode'), 'unreachable'],
    ['a primary stepping down', serverError(189, 'PrimarySteppedDown', 'primary stepped down'), 'unreachable'],
    ['a node no longer primary', serverError(10107, 'NotWritablePrimary', 'not primary'), 'unreachable'],
    ['a socket error the driver did not wrap', socket('ECONNRESET'), 'unreachable'],
    ['a reply torn by a cut', new MongoUnexpectedServerResponseError('Unexpected response'), 'bad_response'],
    ['selection past its budget', new MongoServerSelectionError('Server selection timed out after 500 ms', {} as never), 'timeout'],
    ['a silent socket', new MongoNetworkTimeoutError('connection 2 to 127.0.0.1:27017 timed out'), 'timeout'],
    [
      'no connection free in time',
      new cmap.WaitQueueTimeoutError('Timed out while checking out a connection from connection pool', pool.address),
      'pool_exhausted',
    ],
    ['maxTimeMS', serverError(50, 'MaxTimeMSExpired', 'operation exceeded time limit'), 'timeout'],
  ])('%s is SOURCE_UNAVAILABLE', (_, error, reason) => {
    const e = behaviourSourceError(error);
    expect(e?.extensions).toEqual({ code: 'SOURCE_UNAVAILABLE', source: 'behaviour', reason });
    expect(e?.originalError).toBe(error);
  });

  it.each([
    ['a pipeline the server rejects (our bug)', serverError(40324, 'Location40324', 'Unrecognized pipeline stage name')],
    ['a bad argument (our bug)', new MongoInvalidArgumentError('Argument "filter" must be an object')],
    ['anything else', new TypeError("Cannot read properties of undefined (reading 'x')")],
  ])('%s is not a source failure', (_, error) => {
    expect(behaviourSourceError(error)).toBeNull();
  });
});

describe('crmSourceError: what pg raises when PostgreSQL is cut, stopped, full or slow', () => {
  const dbError = (code: string, message: string) => Object.assign(new pg.DatabaseError(message, 0, 'error'), { code });
  it.each([
    ['a refused connection', socket('ECONNREFUSED'), 'unreachable'],
    ['a reset connection', socket('ECONNRESET'), 'unreachable'],
    ['a connection dropped under a query', new Error('Connection terminated unexpectedly'), 'unreachable'],
    ['a pool client that lost its connection', new Error('Client has encountered a connection error and is not queryable'), 'unreachable'],
    [
      'a backend ended by an administrator (failover, restart)',
      dbError('57P01', 'terminating connection due to administrator command'),
      'unavailable',
    ],
    ['a server shutting down', dbError('57P03', 'the database system is shutting down'), 'unavailable'],
    ['too many connections', dbError('53300', 'sorry, too many clients already'), 'unavailable'],
    ['a statement past statement_timeout', dbError('57014', 'canceling statement due to statement timeout'), 'timeout'],
    ['no pooled connection in time (this pool busy)', new Error('timeout exceeded when trying to connect'), 'pool_exhausted'],
  ])('%s is SOURCE_UNAVAILABLE', (_, error, reason) => {
    const e = crmSourceError(error) as { extensions?: unknown };
    expect(e.extensions).toEqual({ code: 'SOURCE_UNAVAILABLE', source: 'crm', reason });
  });

  it.each([
    ['a syntax error (our bug)', dbError('42601', 'syntax error at or near "SELEC"')],
    ['a unique violation', dbError('23505', 'duplicate key value violates unique constraint')],
  ])('%s is not a source failure', (_, error) => {
    expect(crmSourceError(error)).toBe(error);
  });
});
