/**
 * SQL fragments that make every CRM read see a person as the union of their records: the survivor
 * of a merge and the records merged into it (c360.identity_links of kind customer_id, migration 8).
 * A key names a customer record (a survivor, a merged record or a record never merged); the
 * fragments answer for the person it belongs to. They resolve the merges of a whole batch of keys as
 * sets, joined on the links' indexes, inside the statements of queries.ts and facts.ts: resolving
 * costs no round trip of its own, and no per-key function call. Fragments of sql.ts: column
 * arguments are fragments of code (sql`c.id`), never values.
 */
import { sql, type Param, type Sql } from './sql';

/**
 * `WITH kc AS (key, canon), km AS (key, member)` for the keys `keys` (a text[] value, bound once): each
 * key's survivor, and every record of its person (the survivor first). Statements go on with more
 * CTEs (`, x AS (...)`) or a SELECT.
 */
export const withMembers = (keys: Param) => sql`WITH kc AS MATERIALIZED (
    SELECT u.key, coalesce(l.customer_id, u.key) AS canon
      FROM unnest(${keys}::text[]) AS u(key)
      LEFT JOIN c360.identity_links l ON l.kind = 'customer_id' AND l.value = u.key AND l.removed_at IS NULL
  ), km AS MATERIALIZED (
    SELECT key, canon AS member FROM kc
    UNION ALL
    SELECT kc.key, l.value FROM kc JOIN c360.identity_links l ON l.kind = 'customer_id' AND l.customer_id = kc.canon AND l.removed_at IS NULL
  )`;

/**
 * `col = ${IN_KM}`: col names a record of any key's person, over `km`. Added to a join on a CRM table
 * so the planner probes col's index with the batch's records (an InitPlan array) instead of hashing
 * the whole table.
 */
export const IN_KM = sql`ANY (ARRAY(SELECT member FROM km))`;

/** The records of one key's person as an array, over `km` (for `col = ANY(...)` in a per-key subquery, which uses col's index). */
export const membersArray = (key: Sql) => sql`ARRAY(SELECT km.member FROM km WHERE km.key = ${key})`;

/** The records of a single record's person, without `withMembers` (statements about one customer). */
export const anyMember = (key: Param) => sql`ANY (ARRAY(SELECT m.member FROM c360.members_of(${key}) AS m(member)))`;

/** `col` names a record that is not merged into another (lists show survivors only). */
export const notMerged = (col: Sql) =>
  sql`NOT EXISTS (SELECT 1 FROM c360.identity_links ml WHERE ml.kind = 'customer_id' AND ml.value = ${col} AND ml.removed_at IS NULL)`;

const TABLES = { orders: sql`orders` };
const PURPOSES = { profiling: sql`'profiling'`, marketing: sql`'marketing'`, partner_sharing: sql`'partner_sharing'` };

/**
 * `survivor` (a survivor's id column) or a record merged into it has a row in `table` meeting `cond`
 * (over alias o): the survivor's own rows first, through its index, then the merged records'.
 */
export const personHas = (survivor: Sql, table: 'orders', cond: Sql | null) =>
  sql`(EXISTS (SELECT 1 FROM ${TABLES[table]} o WHERE o.customer_id = ${survivor}${cond ? sql` AND ${cond}` : sql``})
    OR EXISTS (SELECT 1 FROM c360.identity_links ml JOIN ${TABLES[table]} o ON o.customer_id = ml.value
                WHERE ml.kind = 'customer_id' AND ml.customer_id = ${survivor} AND ml.removed_at IS NULL${cond ? sql` AND ${cond}` : sql``}))`;

/**
 * Every record of the person of `survivor` (a survivor's id column) granted `purpose` (a literal
 * from code): the same strict rule as CONSENTS, for one purpose, without `withMembers`.
 */
export const personGranted = (survivor: Sql, purpose: 'profiling' | 'marketing' | 'partner_sharing') =>
  sql`(EXISTS (SELECT 1 FROM consents x WHERE x.customer_id = ${survivor} AND x.purpose = ${PURPOSES[purpose]} AND x.granted)
    AND NOT EXISTS (SELECT 1 FROM c360.identity_links ml
                     WHERE ml.kind = 'customer_id' AND ml.customer_id = ${survivor} AND ml.removed_at IS NULL
                       AND NOT EXISTS (SELECT 1 FROM consents x WHERE x.customer_id = ml.value AND x.purpose = ${PURPOSES[purpose]} AND x.granted)))`;

/**
 * The identities of each key's person, over `kc`/`km`, with customer_id = key: the CRM's
 * customer_identities of every record (source crm), active links made through the API (source api;
 * verified when confidence is 1) and, as kind customer_id, the person's other records (source
 * merge; first seen when merged). record_id names the record an identity belongs to. Columns:
 * customer_id, record_id, kind, value, verified, first_seen_at, source.
 */
export const IDENTITIES = sql`
  SELECT km.key AS customer_id, i.customer_id AS record_id, i.kind, i.value, i.verified, i.first_seen_at, 'crm' AS source
    FROM km JOIN customer_identities i ON i.customer_id = km.member AND i.customer_id = ${IN_KM}
  UNION ALL
  SELECT km.key, l.customer_id, l.kind, l.value, l.confidence = 1, l.created_at, l.source
    FROM km JOIN c360.identity_links l ON l.customer_id = km.member AND l.removed_at IS NULL AND l.kind <> 'customer_id'
  UNION ALL
  SELECT km.key, km.member, 'customer_id', km.member, true, l.created_at, 'merge'
    FROM km JOIN kc ON kc.key = km.key
    JOIN c360.identity_links l ON l.kind = 'customer_id' AND l.removed_at IS NULL
     AND l.value = CASE WHEN km.member = kc.canon THEN km.key ELSE km.member END
   WHERE km.member <> km.key`;

/**
 * The consents of each key's person, over `km`, with customer_id = key: one row per purpose any of
 * its records mentions, the most restrictive answer across its records — granted only when every
 * record granted it (the CRM's contract: no row is not granted). The row shown is the refusal (or,
 * for a record without one, no date and no source), else the latest grant. Columns: customer_id,
 * purpose, granted, updated_at, source.
 */
export const CONSENTS = sql`
  SELECT DISTINCT ON (p.key, p.purpose) p.key AS customer_id, p.purpose, coalesce(x.granted, false) AS granted, x.updated_at, x.source
    FROM (SELECT DISTINCT km.key, c.purpose FROM km JOIN consents c ON c.customer_id = km.member AND c.customer_id = ${IN_KM}) p
    JOIN km ON km.key = p.key
    LEFT JOIN LATERAL (SELECT * FROM consents c WHERE c.customer_id = km.member AND c.purpose = p.purpose LIMIT 1) x ON true
   ORDER BY p.key, p.purpose, coalesce(x.granted, false), x.customer_id IS NULL, x.updated_at DESC`;
