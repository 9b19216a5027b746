import type { Db } from 'mongodb';
import type pg from 'pg';
import { generateEvents } from './events';
import { generateCrmDatasetWithPersonas } from './generate';
import { loadCrmDataset } from './load';
import { loadEvents } from './loadEvents';
import { saveSocialAccounts } from '@c360/social-provider';
import { generateSocialAccounts } from './social';

export interface SeedOptions {
  customers: number;
  seed: number;
  /** The dataset's clock: lifecycles are placed relative to it. */
  now: Date;
  /** Where to write the bundled social provider's accounts; null when the provider is not ours. */
  socialFile: string | null;
  /** Share of the customers given a planted duplicate record (GenerateOptions.duplicates); default 0. */
  duplicates?: number;
  onProgress?: (p: { table: string; rows: number; total: number }) => void;
  /** Runs once the CRM rows are in, before the events load (the API passes its search index refresh). */
  afterCrmLoad?: (pool: pg.Pool) => Promise<unknown>;
}

export interface SeedResult {
  /** Rows per CRM table, events, social accounts and posts, and planted duplicate records. */
  rows: Record<string, number>;
  generateMs: number;
  crmLoadMs: number;
  eventsLoadMs: number;
}

/**
 * Replaces the CRM's rows (one transaction) and, given `behaviour`, the behaviour events, and, given
 * `socialFile`, the bundled social provider's accounts, with one generated demo dataset, consistent
 * across all three, then runs `afterCrmLoad` (the API's search index refresh). Only for the
 * embedded stores or ones the operator explicitly named.
 */
export async function seedDemo(pool: pg.Pool, behaviour: Db | null, opts: SeedOptions): Promise<SeedResult> {
  const t0 = Date.now();
  const { dataset, personas, duplicates, tastes } = generateCrmDatasetWithPersonas({
    customers: opts.customers,
    seed: opts.seed,
    now: opts.now,
    duplicates: opts.duplicates,
  });
  const events = behaviour ? generateEvents({ dataset, personas, tastes, seed: opts.seed, now: opts.now }) : [];
  const social = opts.socialFile ? generateSocialAccounts(dataset, { seed: opts.seed, now: opts.now }) : [];
  const t1 = Date.now();
  const client = await pool.connect();
  try {
    await client.query('SET statement_timeout = 0');
    await loadCrmDataset(client, dataset, { onProgress: opts.onProgress, replace: true });
    await client.query('ANALYZE');
  } finally {
    await client.query('RESET statement_timeout').catch(() => undefined);
    client.release();
  }
  await opts.afterCrmLoad?.(pool);
  const t2 = Date.now();
  if (behaviour) await loadEvents(behaviour, events, { replace: true, onProgress: opts.onProgress });
  if (opts.socialFile) saveSocialAccounts(opts.socialFile, social);
  const rows = Object.fromEntries(Object.entries(dataset).map(([table, list]) => [table, (list as unknown[]).length]));
  const posts = social.reduce((n, a) => n + a.posts.length, 0);
  return {
    rows: { ...rows, events: events.length, social_accounts: social.length, social_posts: posts, planted_duplicates: duplicates.length },
    generateMs: t1 - t0,
    crmLoadMs: t2 - t1,
    eventsLoadMs: Date.now() - t2,
  };
}
