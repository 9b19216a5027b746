import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { ORDER_NUMBER_INDEX, orderNumberOf } from './identifiers';
import { sql, toQuery } from './sql';

/** The CRM's tables, in an order that satisfies their foreign keys. */
export const CRM_TABLES = ['customers', 'customer_identities', 'consents', 'products', 'orders', 'order_items', 'support_tickets'] as const;

/** contracts/crm.sql, the CRM's own DDL, found upwards from this file (works from src/ and dist/). */
export function crmDdl(): string {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const file = path.join(dir, 'contracts', 'crm.sql');
    if (existsSync(file)) return readFileSync(file, 'utf8');
  }
  throw new Error('contracts/crm.sql not found');
}

/** Creates the CRM tables exactly as contracts/crm.sql, and the API's lookup indexes on them (embedded and test databases only). */
export async function createCrmTables(pool: pg.Pool): Promise<void> {
  await pool.query(crmDdl());
  await createLookupIndexes(pool);
}

/** The indexes the API's lookups probe beyond the contract's (idempotent; the embedded CRM only: docs/own-crm.md for others). */
export async function createLookupIndexes(pool: pg.Pool): Promise<void> {
  await pool.query(ORDER_NUMBER_INDEX);
}

/**
 * The lookup indexes a CRM lacks, as the statements that create them: a lookup the planner cannot
 * serve from an index even with sequential scans off (so it works for tables behind views too).
 */
export async function missingLookupIndexes(pool: pg.Pool): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL enable_seqscan = off');
    const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(
      `EXPLAIN (FORMAT JSON) SELECT customer_id FROM orders o WHERE ${toQuery(orderNumberOf(sql`o.order_number`)).text} = ANY($1::text[])`,
      [['SO1']],
    );
    return JSON.stringify(rows[0]?.['QUERY PLAN']).includes('"Seq Scan"') ? [ORDER_NUMBER_INDEX] : [];
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}
