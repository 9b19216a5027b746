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

/** The dataset's PostgreSQL (on `port`, by default a free one), with the lookup indexes the API expects. */
export async function startPostgres(dataDir: string, port?: number) {
  const postgres = await startEmbeddedPostgres({ dir: path.join(dataDir, 'postgres'), database: 'customer360', persistent: true, port });
  // A dataset seeded before an index the API expects existed gets it (the API only warns on a DATABASE_URL).
  const setup = new pg.Pool({ connectionString: postgres.url, max: 1 });
  await createLookupIndexes(setup).finally(() => setup.end());
  return postgres;
}

/** The dataset's MongoDB-compatible server (on `port`, by default a free one); a large dataset's events take minutes to load. */
export const startMongo = (dataDir: string, port?: number) =>
  spawnEmbeddedMongo({ dbpath: path.join(dataDir, 'mongo'), port, startTimeoutMs: 900_000 });

/** The bundled social provider over the dataset's accounts (on `port`, by default a free one), misbehaving as `flags` say (its CLI's). */
export const startSocial = (
  dataDir: string,
  token: string,
  { port, flags = [] }: { port?: number; flags?: string[] } = {},
): Promise<Service> =>
  startService(
    'social',
    [
      '--require',
      'tsx/cjs',
      'packages/social-provider/src/cli.ts',
      '--data',
      path.join(dataDir, 'social', 'accounts.json'),
      '--token',
      token,
      ...(port ? ['--port', String(port)] : []),
      ...flags,
    ],
    { ...process.env },
    /listening on (http\S+)/,
  );

/** A seeded dataset's stores, each its own process: PostgreSQL, the MongoDB-compatible server, the social provider. */
export async function startStores(dataDir: string) {
  const postgres = await startPostgres(dataDir);
  const mongo = await startMongo(dataDir).catch(async (e: unknown) => {
    await postgres.stop();
    throw e;
  });
  const socialToken = randomBytes(16).toString('hex');
  const social = await startSocial(dataDir, socialToken).catch(async (e: unknown) => {
    await mongo.stop();
    await postgres.stop();
    throw e;
  });
  return {
    pgUrl: postgres.url,
    postgres,
    mongo,
    social,
    socialToken,
    /** Stops the stores this object holds now (chaos replaces them when it restarts one). */
    async stop() {
      await this.social.stop();
      await this.mongo.stop();
      await this.postgres.stop();
    },
  };
}

/**
 * The environment of the API's production build over `stores`, as the benches run it: tokens signed
 * with `secret`, limits and budgets out of the way, background refreshes off; `extra` on top.
 */
export const apiEnvironment = (stores: Awaited<ReturnType<typeof startStores>>, secret: string, extra: NodeJS.ProcessEnv = {}) => ({
  ...process.env,
  NODE_ENV: 'production',
  PORT: '0',
  LOG_LEVEL: 'info',
  DATABASE_URL: stores.pgUrl,
  MONGODB_URI: stores.mongo.uri,
  MONGODB_DB: 'behaviour',
  SOCIAL_API_URL: stores.social.url,
  SOCIAL_API_TOKEN: stores.socialToken,
  JWT_SECRET: secret,
  RATE_LIMIT_PER_MINUTE: '1000000',
  AGENT_CUSTOMERS_PER_HOUR: '10000000',
  SEARCH_REFRESH_SECONDS: '0',
  TAG_REFRESH_SECONDS: '0',
  ...extra,
});
