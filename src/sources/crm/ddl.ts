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

/** Creates the CRM tables exactly as contracts/crm.sql (embedded and test databases only). */
export async function createCrmTables(pool: pg.Pool): Promise<void> {
  await pool.query(crmDdl());
}
