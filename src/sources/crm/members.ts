/**
 * SQL fragments that make every CRM read see a person as the union of their records: the survivor
 * of a merge and the records merged into it (c360.identity_links of kind customer_id, migration 8).
 * `key` is an SQL expression naming a customer record (a survivor, a merged record or a record never
 * merged); the fragments answer for the person that record belongs to. They are embedded in the
 * statements of queries.ts and facts.ts, so resolving merges costs no round trip of its own.
 */

/** The records of `key`'s person: rows (member). */
export const membersOf = (key: string) => `SELECT m.member FROM c360.members_of(${key}) AS m(member)`;

/** (key, member) for each key of the text[] parameter `param`: join a CRM table on customer_id = member, group by key. */
export const keyMembers = (param: string) => `SELECT k.key, m.member FROM unnest(${param}::text[]) AS k(key), LATERAL (${membersOf('k.key')}) m`;

/**
 * `col = ${anyMember(key)}`: col names one of the records of `key`'s person. An array, so that an
 * index on col is used per key (an IN over the correlated function is planned as a filter).
 */
export const anyMember = (key: string) => `ANY (ARRAY(${membersOf(key)}))`;

/** `col` names a record that is not merged into another (lists show survivors only). */
export const notMerged = (col: string) =>
  `NOT EXISTS (SELECT 1 FROM c360.identity_links ml WHERE ml.kind = 'customer_id' AND ml.value = ${col} AND ml.removed_at IS NULL)`;

/**
 * The identities of `key`'s person, with customer_id = key: the CRM's customer_identities of every
 * record (source crm), active links made through the API (source api; verified when confidence is 1)
 * and, as kind customer_id, the person's other records (source merge; first seen when merged).
 * record_id names the record an identity belongs to. Columns: customer_id, record_id, kind, value, verified, first_seen_at, source.
 */
export const identitiesOf = (key: string) => `
  SELECT ${key} AS customer_id, i.customer_id AS record_id, i.kind, i.value, i.verified, i.first_seen_at, 'crm' AS source
    FROM c360.members_of(${key}) AS m(member) JOIN customer_identities i ON i.customer_id = m.member
  UNION ALL
  SELECT ${key}, l.customer_id, l.kind, l.value, l.confidence = 1, l.created_at, l.source
    FROM c360.members_of(${key}) AS m(member)
    JOIN c360.identity_links l ON l.customer_id = m.member AND l.removed_at IS NULL AND l.kind <> 'customer_id'
  UNION ALL
  SELECT ${key}, m.member, 'customer_id', m.member, true, l.created_at, 'merge'
    FROM c360.members_of(${key}) AS m(member)
    JOIN c360.identity_links l ON l.kind = 'customer_id' AND l.removed_at IS NULL
     AND l.value = CASE WHEN m.member = c360.canonical_id(${key}) THEN ${key} ELSE m.member END
   WHERE m.member <> ${key}`;

/**
 * The consents of `key`'s person, one row per purpose recorded on any of its records, with
 * customer_id = key: the most restrictive wins (a refusal on any record over a grant on another;
 * among equals, the latest). A purpose no record mentions has no row (not granted).
 */
export const consentsOf = (key: string) => `
  SELECT DISTINCT ON (x.purpose) ${key} AS customer_id, x.purpose, x.granted, x.updated_at, x.source
    FROM c360.members_of(${key}) AS m(member) JOIN consents x ON x.customer_id = m.member
   ORDER BY x.purpose, x.granted, x.updated_at DESC`;
