/**
 * The development-only entry: the API reaches its dev tools (packages/: @c360/dev-postgres,
 * @c360/mongo-wire, @c360/social-provider, @c360/demo-data) through this module only, and loads it
 * with a dynamic import (`loadEmbedded` in bootstrap.ts) only when a source is not configured (no
 * DATABASE_URL, MONGODB_URI or SOCIAL_API_URL). A production install (`npm ci --omit=dev`) has none
 * of the packages; with every source configured it never loads this module.
 */
import { existsSync } from 'node:fs';
import { seedDemo as seedDemoData, type SeedOptions, type SeedResult } from '@c360/demo-data';
import type { Logger } from 'pino';
import type pg from 'pg';
import type { Db } from 'mongodb';
import type { Config } from '../config';
import { refreshSearchIndex } from '../sources/crm/searchIndex';

export { runningEmbeddedPostgresUrl, startEmbeddedPostgres } from '@c360/dev-postgres';
export { spawnEmbeddedMongo } from '@c360/mongo-wire';
export { loadSocialAccounts, startSocialProvider } from '@c360/social-provider';

/**
 * Replaces the CRM's rows and, given `behaviour`, the events and, given `opts.socialFile`, the bundled
 * provider's accounts with one demo dataset (@c360/demo-data), then refreshes the API's search index.
 */
export function seedDemo(pool: pg.Pool, behaviour: Db | null, opts: Omit<SeedOptions, 'afterCrmLoad'>): Promise<SeedResult> {
  return seedDemoData(pool, behaviour, { ...opts, afterCrmLoad: refreshSearchIndex });
}

/**
 * `npm start` on the embedded CRM: loads the demo dataset when the CRM has no customer or the embedded
 * behaviour store no event. Demo data goes only into embedded stores, and into all of them at once so
 * they stay consistent.
 */
export async function loadDemoIfEmpty(
  config: Config,
  crm: { pool: pg.Pool },
  behaviour: { embedded: boolean; db: Db; isEmpty(): Promise<boolean> },
  socialFile: string | null,
  logger: Logger,
): Promise<void> {
  const { rows } = await crm.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM customers');
  if (rows[0]?.n === 0 || (behaviour.embedded && (await behaviour.isEmpty()))) {
    logger.info({ customers: config.DEMO_CUSTOMERS, seed: config.DEMO_SEED }, 'loading the demo dataset into the embedded stores');
    const result = await seedDemo(crm.pool, behaviour.embedded ? behaviour.db : null, {
      customers: config.DEMO_CUSTOMERS,
      seed: config.DEMO_SEED,
      duplicates: config.DEMO_DUPLICATES,
      now: new Date(),
      socialFile,
    });
    logger.info(result, 'demo dataset loaded');
  } else if (socialFile && !existsSync(socialFile)) {
    // Data seeded before the bundled provider had accounts: keep it, and say how to get social data.
    logger.warn(
      { file: socialFile },
      'the bundled social provider has no accounts; run `npm run seed` (stop the API first) to generate them',
    );
  }
}
