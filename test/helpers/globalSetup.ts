import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/embedded/postgres';

declare global {
  // eslint-disable-next-line no-var
  var __C360_TEST_PG__: EmbeddedPostgresHandle | undefined;
}

/** Starts the run's one throwaway PostgreSQL; suites reach it through C360_TEST_PG_URL. */
export default async function globalSetup(): Promise<void> {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'c360-test-'));
  chmodSync(parent, 0o755); // PostgreSQL runs as its own user when the tests run as root
  const dir = path.join(parent, 'pg');
  const pg = await startEmbeddedPostgres({ dir, database: 'postgres', persistent: false });
  globalThis.__C360_TEST_PG__ = pg;
  process.env.C360_TEST_PG_URL = pg.url;
}
