import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { freePort, runningEmbeddedPostgresUrl } from '../src';

describe('freePort', () => {
  it('returns a loopback port nothing listens on', async () => {
    const port = await freePort();
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  });
});

/** The cluster globalSetup started with startEmbeddedPostgres (or the API's test run did). */
describe('startEmbeddedPostgres', () => {
  const url = process.env.C360_TEST_PG_URL!;
  const dir = process.env.C360_TEST_PG_DIR!;

  it('serves the database it was asked for on a loopback port, with a password', async () => {
    const parsed = new URL(url);
    expect(parsed.hostname).toBe('127.0.0.1');
    expect(parsed.password.length).toBeGreaterThan(0);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
      expect(rows).toEqual([{ db: decodeURIComponent(parsed.pathname.slice(1)) }]);
    } finally {
      await client.end();
    }
  });

  it('is found running by another process, from its directory alone', () => {
    const database = decodeURIComponent(new URL(url).pathname.slice(1));
    expect(runningEmbeddedPostgresUrl(dir, database)).toBe(url);
    expect(runningEmbeddedPostgresUrl(path.join(dir, 'not-a-cluster'), database)).toBeNull();
  });
});
