/**
 * The product's own schema, c360, as ordered migrations. Applied once each, in order, recorded in
 * c360.schema_migrations with a checksum; an applied migration is never edited (add a new one).
 * They may read the CRM tables (search path: CRM schema, then c360) but never change them.
 * Their SQL is literal text, never built from code that may change later.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'trigram extension',
    // pg_trgm is a trusted extension: the database owner may create it. Kept where it already is.
    sql: `CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA c360;`,
  },
  {
    version: 2,
    name: 'customer search index',
    sql: `
      CREATE MATERIALIZED VIEW c360.customer_search AS
      SELECT c.id AS customer_id,
             lower(c.full_name) AS name,
             coalesce(lower(btrim(c.email, E' \\t\\n\\r' || chr(160) || chr(12288))), '') AS email,
             coalesce(regexp_replace(replace(c.phone, '(0)', ''), '\\D', '', 'g'), '') AS phone_digits,
             coalesce(o.numbers, '') AS order_numbers,
             concat_ws(' ', lower(c.full_name), lower(btrim(c.email, E' \\t\\n\\r' || chr(160) || chr(12288))),
                       regexp_replace(replace(c.phone, '(0)', ''), '\\D', '', 'g'), o.numbers) AS doc
        FROM customers c
        LEFT JOIN LATERAL (
          SELECT string_agg(lower(order_number), ' ' ORDER BY order_number) AS numbers FROM orders WHERE customer_id = c.id
        ) o ON true
       WHERE c.status <> 'erased';
      CREATE UNIQUE INDEX customer_search_pk ON c360.customer_search (customer_id);
      CREATE INDEX customer_search_doc_trgm ON c360.customer_search USING gin (doc gin_trgm_ops);`,
  },
];
