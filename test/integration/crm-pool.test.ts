import pg from 'pg';
import { createCrmPool, endCrmPool } from '../../src/sources/crm/pool';
import { createTestDatabase, testConfig, type TestDatabase } from '../helpers/database';

describe('endCrmPool', () => {
  let db: TestDatabase;
  afterAll(async () => db?.drop());

  it('resolves once PostgreSQL has seen every connection of the pool go, so a server stopped next ends none of them', async () => {
    db = await createTestDatabase('pool_end');
    const lost: Error[] = [];
    const pool = createCrmPool(testConfig({ DATABASE_URL: db.url }), db.url, (e) => lost.push(e));
    // Ten connections (the pool's default size), idle in the pool.
    await Promise.all(Array.from({ length: 10 }, () => pool.query('SELECT pg_sleep(0.05)')));
    expect(pool.totalCount).toBe(10);
    const observer = new pg.Client({ connectionString: db.url });
    await observer.connect();
    try {
      await endCrmPool(pool);
      const { rows } = await observer.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'customer-360'`,
      );
      expect(rows[0]!.n).toBe(0);
    } finally {
      await observer.end();
    }
    expect(lost).toEqual([]);
  });
});
