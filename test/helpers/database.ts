import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config';
import { migrate } from '../../src/db/migrate';
import { loadCrmDataset } from '../../src/seed/load';
import type { CrmDataset } from '../../src/seed/generate';
import { createCrmPool } from '../../src/sources/crm/pool';
import { createCrmTables } from '../../src/sources/crm/schema';
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

/** Test configuration: the defaults, quiet logs, and the given overrides. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', SEARCH_REFRESH_SECONDS: '0', ...overrides });
}

/** A database with the CRM tables of crm.sql, the c360 migrations and `dataset` loaded. */
export async function createCrmDatabase(label: string, dataset: CrmDataset): Promise<TestDatabase & { pool: pg.Pool; config: Config }> {
  const db = await createTestDatabase(label);
  const config = testConfig({ DATABASE_URL: db.url });
  const pool = createCrmPool(config, db.url);
  await createCrmTables(pool);
  await migrate(pool);
  const client = await pool.connect();
  try {
    await loadCrmDataset(client, dataset);
  } finally {
    client.release();
  }
  await refreshSearchIndex(pool);
  return {
    ...db,
    pool,
    config,
    async drop() {
      await pool.end();
      await db.drop();
    },
  };
}
