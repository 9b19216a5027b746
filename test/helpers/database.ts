import { randomBytes } from 'node:crypto';
import { MongoClient, type Db as MongoDb } from 'mongodb';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config';
import { migrate } from '../../src/db/migrate';
import { type CrmDataset, loadCrmDataset, loadEvents, type SeedEvent } from '@c360/demo-data';
import { createCrmPool } from '../../src/sources/crm/pool';
import { createCrmTables } from '../../src/sources/crm/ddl';
import { refreshSearchIndex } from '../../src/sources/crm/searchIndex';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.C360_TEST_PG_URL;
  if (!url) throw new Error('C360_TEST_PG_URL is not set: run the tests through jest (globalSetup starts PostgreSQL)');
  return url;
}

/** A fresh, empty database on the run's PostgreSQL, for one suite. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `t_${label.replace(/\W/g, '_')}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** The HS256 secret of the test servers' tokens (helpers/tokens.ts mints them). */
export const TEST_JWT_SECRET = 'a-test-secret-of-at-least-thirty-two-characters';

/**
 * Test configuration: the defaults, quiet logs, the test token secret, and the given overrides. No
 * event-loop load shedding: a test process's loop stalls for its own reasons (ts-jest compiling a
 * module, a suite's setup), which would refuse the next request; overload.test.ts turns it on.
 */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SEARCH_REFRESH_SECONDS: '0',
    OVERLOAD_EVENT_LOOP_MS: '0',
    JWT_SECRET: TEST_JWT_SECRET,
    ...overrides,
  });
}

export interface TestStores extends TestDatabase {
  pool: pg.Pool;
  config: Config;
  mongo: MongoClient;
  behaviourDb: MongoDb;
}

function mongoUrl(): string {
  const url = process.env.C360_TEST_MONGO_URL;
  if (!url) throw new Error('C360_TEST_MONGO_URL is not set: run the tests through jest (globalSetup starts MongoDB)');
  return url;
}

/**
 * The suite's stores: a PostgreSQL database with the CRM tables of crm.sql, the c360 migrations and
 * `dataset`, and a MongoDB database of the same name with `events` (and the contract's indexes).
 */
export async function createCrmDatabase(label: string, dataset: CrmDataset, events: SeedEvent[] = []): Promise<TestStores> {
  const db = await createTestDatabase(label);
  const config = testConfig({ DATABASE_URL: db.url, MONGODB_URI: mongoUrl(), MONGODB_DB: db.name });
  const pool = createCrmPool(config, db.url);
  await createCrmTables(pool);
  await migrate(pool);
  const client = await pool.connect();
  try {
    await loadCrmDataset(client, dataset);
  } finally {
    client.release();
  }
  return suiteStores(db, config, pool, events);
}

/**
 * The stores of a database whose CRM is ready (tables, c360 migrations, rows) under `config`: its
 * search index built, and a MongoDB database of the same name with `events`. drop() removes both.
 */
export async function suiteStores(db: TestDatabase, config: Config, pool: pg.Pool, events: SeedEvent[] = []): Promise<TestStores> {
  await refreshSearchIndex(pool);
  const mongo = new MongoClient(mongoUrl(), { serverSelectionTimeoutMS: 2000 });
  const behaviourDb = mongo.db(db.name);
  await loadEvents(behaviourDb, events, { replace: true });
  return {
    ...db,
    pool,
    config,
    mongo,
    behaviourDb,
    async drop() {
      await behaviourDb.dropDatabase().catch(() => undefined);
      await mongo.close();
      await pool.end();
      await db.drop();
    },
  };
}
