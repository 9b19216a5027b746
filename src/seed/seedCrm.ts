import type pg from 'pg';
import { refreshSearchIndex } from '../sources/crm/searchIndex';
import { generateCrmDataset } from './generate';
import { loadCrmDataset } from './load';

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
  loadMs: number;
}

/**
 * Replaces the CRM's rows with a generated demo dataset (one transaction), then refreshes the
 * search index. Only for the embedded database or one the operator explicitly named.
 */
export async function seedCrm(pool: pg.Pool, opts: SeedOptions): Promise<SeedResult> {
  const t0 = Date.now();
  const dataset = generateCrmDataset({ customers: opts.customers, seed: opts.seed, now: opts.now });
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
  const rows = Object.fromEntries(Object.entries(dataset).map(([table, list]) => [table, (list as unknown[]).length]));
  return { rows, generateMs: t1 - t0, loadMs: Date.now() - t1 };
}
