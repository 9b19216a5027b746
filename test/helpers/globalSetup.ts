import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// By path, not by package name: jest runs globalSetup outside its module mapping, where '@c360/…'
// would resolve to the packages' dist/ (not built on a fresh clone).
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../packages/dev-postgres/src';
import { spawnEmbeddedMongo } from '../../packages/mongo-wire/src';

declare global {
  var __C360_TEST_PG__: EmbeddedPostgresHandle | undefined;

  var __C360_TEST_MONGO__: { stop(): Promise<void> } | undefined;
}

/**
 * Starts the run's one throwaway PostgreSQL and embedded MongoDB (in memory); suites reach them
 * through C360_TEST_PG_URL and C360_TEST_MONGO_URL and create their own databases on them.
 */
export default async function globalSetup(): Promise<void> {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'c360-test-'));
  chmodSync(parent, 0o755); // PostgreSQL runs as its own user when the tests run as root
  const dir = path.join(parent, 'pg');
  const pg = await startEmbeddedPostgres({ dir, database: 'postgres', persistent: false });
  globalThis.__C360_TEST_PG__ = pg;
  process.env.C360_TEST_PG_URL = pg.url;
  process.env.C360_TEST_PG_DIR = dir;
  const mongo = process.env.MONGODB_URI_TEST ? null : await spawnEmbeddedMongo({});
  globalThis.__C360_TEST_MONGO__ = mongo ?? undefined;
  process.env.C360_TEST_MONGO_URL = process.env.MONGODB_URI_TEST ?? mongo!.uri;
}
