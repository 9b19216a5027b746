import type { Db } from 'mongodb';
import type pg from 'pg';
import { refreshSearchIndex } from '../sources/crm/searchIndex';
import { generateEvents } from './events';
import { generateCrmDatasetWithPersonas } from './generate';
import { loadCrmDataset } from './load';
import { loadEvents } from './loadEvents';

export interface SeedOptions {
  customers: number;
  seed: number;
  /** The dataset's clock: lifecycles are placed relative to it. */
  now: Date;
  onProgress?: (p: { table: string; rows: number; total: number }) => void;
}

export interface SeedResult {
  rows: Record<string, number>;
  generateMs: number;
  crmLoadMs: number;
  eventsLoadMs: number;
}

/**
 * Replaces the CRM's rows (one transaction) and, given `behaviour`, the behaviour events with one
 * generated demo dataset, consistent across both, then refreshes the search index. Only for the
 * embedded stores or ones the operator explicitly named.
 */
export async function seedDemo(pool: pg.Pool, behaviour: Db | null, opts: SeedOptions): Promise<SeedResult> {
  const t0 = Date.now();
  const { dataset, personas } = generateCrmDatasetWithPersonas({ customers: opts.customers, seed: opts.seed, now: opts.now });
  const events = behaviour ? generateEvents({ dataset, personas, seed: opts.seed, now: opts.now }) : [];
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
  await refreshSearchIndex(pool);
  const t2 = Date.now();
  if (behaviour) await loadEvents(behaviour, events, { replace: true, onProgress: opts.onProgress });
  const rows = Object.fromEntries(Object.entries(dataset).map(([table, list]) => [table, (list as unknown[]).length]));
  return { rows: { ...rows, events: events.length }, generateMs: t1 - t0, crmLoadMs: t2 - t1, eventsLoadMs: Date.now() - t2 };
}
