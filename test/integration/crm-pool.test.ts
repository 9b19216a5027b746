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

describe('a connection lost while checked out', () => {
  let db: TestDatabase;
  afterAll(async () => db?.drop());

  it('is reported, not left to end the process, and the next statement on it fails on its own', async () => {
    db = await createTestDatabase('pool_lost');
    const lost: Error[] = [];
    const pool = createCrmPool(testConfig({ DATABASE_URL: db.url }), db.url, (e) => lost.push(e));
    const held = await pool.connect(); // as the snapshot builder holds its lock's connection
    const pid = (await held.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const killer = new pg.Client({ connectionString: db.url });
    await killer.connect();
    try {
      await killer.query('SELECT pg_terminate_backend($1)', [pid]);
      // Without a listener of its own, the client's 'error' would be an uncaught exception here.
      while (lost.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(lost[0]!.message).toMatch(/terminat/i);
      await expect(held.query('SELECT 1')).rejects.toThrow();
    } finally {
      held.release(true);
      await killer.end();
      await endCrmPool(pool);
    }
  });
});
