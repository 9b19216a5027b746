import type pg from 'pg';
import { CRM_TABLES } from './ddl';

/** Column types the API can read a contract column as, by family (PostgreSQL's names, typmods stripped). */
const FAMILIES = {
  text: ['text', 'character varying', 'citext'],
  timestamptz: ['timestamp with time zone'],
  date: ['date'],
  numeric: ['numeric'],
  int: ['integer', 'smallint'],
  boolean: ['boolean'],
} as const;
type Family = keyof typeof FAMILIES;

/** How a view casts a column into a family, for the mismatch line. */
const CAST: Record<Family, string> = {
  text: '::text',
  timestamptz: "::timestamptz (or AT TIME ZONE 'UTC' for a timestamp without time zone)",
  date: '::date',
  numeric: '::numeric',
  int: '::int (a bigint would be read as a string)',
  boolean: '::boolean',
};

/**
 * Every column of contracts/crm.sql, with the family of types the API reads it as. The tables may be
 * views (or materialised views, foreign or partitioned tables) in CRM_SCHEMA, with any extra columns.
 */
export const CRM_COLUMNS: Record<(typeof CRM_TABLES)[number], Record<string, Family>> = {
  customers: {
    id: 'text',
    created_at: 'timestamptz',
    full_name: 'text',
    gender: 'text',
    birth_date: 'date',
    city: 'text',
    country: 'text',
    occupation: 'text',
    email: 'text',
    phone: 'text',
    status: 'text',
  },
  customer_identities: { customer_id: 'text', kind: 'text', value: 'text', verified: 'boolean', first_seen_at: 'timestamptz' },
  consents: { customer_id: 'text', purpose: 'text', granted: 'boolean', updated_at: 'timestamptz', source: 'text' },
  products: { id: 'text', name: 'text', category: 'text', brand: 'text', price: 'numeric' },
  orders: {
    id: 'text',
    order_number: 'text',
    customer_id: 'text',
    status: 'text',
    channel: 'text',
    placed_at: 'timestamptz',
    total: 'numeric',
  },
  order_items: { order_id: 'text', line_no: 'int', product_id: 'text', quantity: 'int', unit_price: 'numeric' },
  support_tickets: {
    id: 'text',
    customer_id: 'text',
    subject: 'text',
    status: 'text',
    priority: 'text',
    channel: 'text',
    opened_at: 'timestamptz',
    resolved_at: 'timestamptz',
    satisfaction: 'int',
  },
};

export interface CatalogueCheck {
  /** Contract tables with no table or view of that name in the schema. */
  missingTables: string[];
  /** One line per missing column or column of a type the API cannot read, e.g. `orders.total: bigint, expected numeric …`. */
  mismatches: string[];
}

/**
 * Compares the schema's live catalogue with CRM_COLUMNS: tables and views, their columns and types
 * (a domain counts as its base type). One statement.
 */
export async function checkCrmCatalogue(pool: pg.Pool, schema: string): Promise<CatalogueCheck> {
  const { rows } = await pool.query<{ relation: string; column: string; type: string }>(
    `SELECT c.relname AS relation, a.attname AS column,
            format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END,
                        CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END) AS type
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       JOIN pg_type t ON t.oid = a.atttypid
      WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND c.relkind IN ('r', 'v', 'm', 'p', 'f')`,
    [schema, [...CRM_TABLES]],
  );
  const found = new Map<string, Map<string, string>>();
  for (const r of rows) {
    if (!found.has(r.relation)) found.set(r.relation, new Map());
    found.get(r.relation)!.set(r.column, r.type);
  }
  const missingTables = CRM_TABLES.filter((t) => !found.has(t));
  const mismatches: string[] = [];
  for (const table of CRM_TABLES) {
    const columns = found.get(table);
    if (!columns) continue;
    for (const [column, family] of Object.entries(CRM_COLUMNS[table])) {
      const type = columns.get(column);
      if (type === undefined) mismatches.push(`${table}.${column}: missing (expected ${FAMILIES[family].join(' or ')})`);
      else if (!(FAMILIES[family] as readonly string[]).includes(type.replace(/\(.*\)$/, '')))
        mismatches.push(
          `${table}.${column}: ${type}, expected ${FAMILIES[family].join(' or ')} (cast it in a view: ${column}${CAST[family]})`,
        );
    }
  }
  return { missingTables, mismatches };
}

/** The schema an installed extension lives in, or null when it is not installed. */
export async function extensionSchema(pool: pg.Pool, extension: string): Promise<string | null> {
  const { rows } = await pool.query<{ schema: string }>(
    `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = $1`,
    [extension],
  );
  return rows[0]?.schema ?? null;
}
