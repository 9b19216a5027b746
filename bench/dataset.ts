import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnEmbeddedMongo } from '@c360/mongo-wire';
import { startEmbeddedPostgres } from '@c360/dev-postgres';
import pg from 'pg';
import { createLookupIndexes } from '../src/sources/crm/ddl';
import { startService, type Service } from './processes';

/** What the benches share: the repository root, the seeded datasets under .bench/, the API's node flags. */
export const ROOT = path.resolve(__dirname, '..');

/** The node flags `npm start` runs the API with (package.json), so the bench measures the same server. */
export function startFlags(): string[] {
  const start = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const m = /node ((?:--\S+ )*)dist\/src\/main\.js/.exec(start);
  if (!m) throw new Error(`package.json's start script does not run dist/src/main.js with node: ${start}`);
  return m[1]!.trim().split(' ').filter(Boolean);
}

/** The dataset under .bench/, seeded once per size with `npm run seed` (same seed, same data). */
export function ensureDataset(customers: number, log: (s: string) => void): string {
  const dir = path.join(ROOT, '.bench', `data-${customers}`);
  const marker = path.join(dir, 'seeded.json');
  if (existsSync(marker)) return dir;
  mkdirSync(dir, { recursive: true });
  log(`seeding ${customers} customers into ${path.relative(ROOT, dir)} (once; later runs reuse it) …`);
  const seeded = spawnSync(
    process.execPath,
    // No planted duplicates (the seed's default has 1 %): the datasets and results stay those of earlier runs.
    ['--require', 'tsx/cjs', 'src/embedded/seedCli.ts', '--customers', String(customers), '--seed', '42', '--duplicates', '0'],
    {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  if (seeded.status !== 0) throw new Error('seeding failed');
  writeFileSync(marker, JSON.stringify({ customers, summary: seeded.stdout.toString().trim(), at: new Date().toISOString() }, null, 2));
  return dir;
}

/** A seeded dataset's stores, each its own process: PostgreSQL, the MongoDB-compatible server, the social provider. */
export async function startStores(dataDir: string) {
  const postgres = await startEmbeddedPostgres({ dir: path.join(dataDir, 'postgres'), database: 'customer360', persistent: true });
  // A dataset seeded before an index the API expects existed gets it (the API only warns on a DATABASE_URL).
  const setup = new pg.Pool({ connectionString: postgres.url, max: 1 });
  await createLookupIndexes(setup).finally(() => setup.end());
  // A large dataset's events take minutes to load into the embedded server.
  const mongo = await spawnEmbeddedMongo({ dbpath: path.join(dataDir, 'mongo'), startTimeoutMs: 900_000 }).catch(async (e: unknown) => {
    await postgres.stop();
    throw e;
  });
  const socialToken = randomBytes(16).toString('hex');
  const social: Service = await startService(
    'social',
    [
      '--require',
      'tsx/cjs',
      'packages/social-provider/src/cli.ts',
      '--data',
      path.join(dataDir, 'social', 'accounts.json'),
      '--token',
      socialToken,
    ],
    { ...process.env },
    /listening on (http\S+)/,
  ).catch(async (e: unknown) => {
    await mongo.stop();
    await postgres.stop();
    throw e;
  });
  return {
    pgUrl: postgres.url,
    mongo,
    social,
    socialToken,
    async stop() {
      await social.stop();
      await mongo.stop();
      await postgres.stop();
    },
  };
}
