/**
 * Bulk loading of a generated CRM dataset. Values travel only as query parameters: one array per
 * column, expanded by `unnest`, one INSERT per chunk of rows.
 */
import type { ClientBase } from 'pg';
import { CRM_TABLE_TYPES, CRM_TABLES } from './generate';
import type { CrmDataset } from './rows';

const CHUNK_ROWS = 5000;

export type LoadProgress = (p: { table: string; rows: number; total: number }) => void;

export interface LoadOptions {
  /** Called after each chunk with the rows of the table inserted so far. */
  onProgress?: LoadProgress;
  /** Empty the CRM tables first, in the same transaction: a failed load leaves the old rows. */
  replace?: boolean;
}

/**
 * Inserts every table of `ds` in one transaction (foreign-key order; ROLLBACK and rethrow on any error).
 * Without `replace` the tables are expected to be empty.
 */
export async function loadCrmDataset(client: ClientBase, ds: CrmDataset, { onProgress, replace = false }: LoadOptions = {}): Promise<void> {
  await client.query('BEGIN');
  try {
    if (replace) await truncateCrm(client);
    for (const table of CRM_TABLES) {
      await insertTable(client, table, ds[table], onProgress);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}

/**
 * Empties the seven CRM tables in one statement. No CASCADE: a table of another schema that
 * references them makes this fail rather than be emptied too.
 */
async function truncateCrm(client: ClientBase): Promise<void> {
  await client.query(`TRUNCATE ${CRM_TABLES.join(', ')}`);
}

async function insertTable<T extends keyof CrmDataset>(
  client: ClientBase,
  table: T,
  rows: readonly CrmDataset[T][number][],
  onProgress?: LoadProgress,
): Promise<void> {
  const types = CRM_TABLE_TYPES[table];
  const columns = Object.keys(types) as (keyof CrmDataset[T][number] & string)[];
  const casts = columns.map((c, i) => `$${i + 1}::${types[c]}[]`);
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${casts.join(', ')})`;
  for (let start = 0; start < rows.length; start += CHUNK_ROWS) {
    const chunk = rows.slice(start, start + CHUNK_ROWS);
    await client.query(
      sql,
      columns.map((c) => chunk.map((row) => row[c])),
    );
    onProgress?.({ table, rows: start + chunk.length, total: rows.length });
  }
}
