import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';

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

/** The CRM tables missing from the database's CRM schema (empty when all are there). */
export async function missingCrmTables(pool: pg.Pool, schema: string): Promise<string[]> {
  const { rows } = await pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name = ANY($2::text[])`,
    [schema, [...CRM_TABLES]],
  );
  const present = new Set(rows.map((r) => r.table_name));
  return CRM_TABLES.filter((t) => !present.has(t));
}

/** Creates the CRM tables exactly as contracts/crm.sql (embedded and test databases only). */
export async function createCrmTables(pool: pg.Pool): Promise<void> {
  await pool.query(crmDdl());
}
