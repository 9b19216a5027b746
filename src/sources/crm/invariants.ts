import type { Db } from './db';

/**
 * The statements of the invariant checker (src/invariants): each selects the violations of one
 * invariant of the CRM database and c360's tables, at most EXAMPLES of them with `total`, the count
 * of all. Read-only; none relies on the constraints that normally keep the invariant (the unique
 * index on active links, the transactions of the writes): they are what is being checked.
 */

/** Violations shown per invariant; `total` counts them all. */
export const EXAMPLES = 20;

export type Violation = Record<string, unknown> & { total: number };

/** Runs `select` (its first column orders it) and keeps EXAMPLES rows, each with the count of all. */
const violations = (db: Db, select: string, values: unknown[] = []) =>
  db<Violation>(`SELECT v.*, count(*) OVER ()::int AS total FROM (${select}) v ORDER BY 1 LIMIT ${EXAMPLES}`, values);

/**
 * Every person as the reads see one (members.ts): each survivor (a record no active merge link names)
 * with itself and every record an active merge link points at it. UNION ALL, as the reads' `km`: a
 * record listed twice under one person is counted twice by them.
 */
const PEOPLE = `survivors AS (
    SELECT c.id FROM customers c
     WHERE NOT EXISTS (SELECT 1 FROM c360.identity_links l WHERE l.kind = 'customer_id' AND l.value = c.id AND l.removed_at IS NULL)
  ), members AS (
    SELECT s.id AS person, s.id AS member FROM survivors s
    UNION ALL
    SELECT s.id, l.value FROM survivors s
      JOIN c360.identity_links l ON l.kind = 'customer_id' AND l.customer_id = s.id AND l.removed_at IS NULL
  )`;

/** Orders not counted exactly once: under no person (lost by a broken merge chain) or under several, or twice under one. */
export const ordersNotCountedOnce = (db: Db) =>
  violations(
    db,
    `WITH ${PEOPLE}
     SELECT o.id AS order_id, o.customer_id AS record, count(m.person)::int AS counted, coalesce(array_agg(m.person ORDER BY m.person) FILTER (WHERE m.person IS NOT NULL), '{}') AS people
       FROM orders o LEFT JOIN members m ON m.member = o.customer_id
      GROUP BY o.id, o.customer_id HAVING count(m.person) <> 1`,
  );

/**
 * Events not counted exactly once: an event is its person's by its customerId (a record, which must
 * belong to exactly one person) or by an anonymous or device id (which must belong to one person
 * only, through the CRM's identities or active API links of any of its records).
 */
export const eventsNotCountedOnce = (db: Db) =>
  violations(
    db,
    `WITH ${PEOPLE},
     held AS (
       SELECT i.kind, i.value, i.customer_id AS record FROM customer_identities i WHERE i.kind IN ('anonymous_id', 'device_id')
       UNION ALL
       SELECT l.kind, l.value, l.customer_id FROM c360.identity_links l WHERE l.kind IN ('anonymous_id', 'device_id') AND l.removed_at IS NULL
     )
     SELECT 'customer_id' AS kind, c.id AS value, count(m.person)::int AS counted, coalesce(array_agg(m.person ORDER BY m.person) FILTER (WHERE m.person IS NOT NULL), '{}') AS people
       FROM customers c LEFT JOIN members m ON m.member = c.id
      GROUP BY c.id HAVING count(m.person) <> 1
     UNION ALL
     SELECT h.kind, h.value, count(DISTINCT m.person)::int, array_agg(DISTINCT m.person ORDER BY m.person)
       FROM held h JOIN members m ON m.member = h.record
      GROUP BY h.kind, h.value HAVING count(DISTINCT m.person) > 1`,
  );

/**
 * Identity links pointing at an erased or missing record: an active link whose customer (or, for a
 * merge link, whose merged record) is gone or erased, and any link of an erased customer still
 * holding its identifier (an erasure blanks them to `erased:<id>`).
 */
export const linksToDeadRecords = (db: Db) =>
  violations(
    db,
    `SELECT l.id AS link_id, l.kind, l.customer_id AS record, CASE WHEN c.id IS NULL THEN 'missing' ELSE 'erased' END AS problem
       FROM c360.identity_links l LEFT JOIN customers c ON c.id = l.customer_id
      WHERE l.removed_at IS NULL AND (c.id IS NULL OR c.status = 'erased')
     UNION ALL
     SELECT l.id, l.kind, l.value, CASE WHEN c.id IS NULL THEN 'merged record missing' ELSE 'merged record erased' END
       FROM c360.identity_links l LEFT JOIN customers c ON c.id = l.value
      WHERE l.removed_at IS NULL AND l.kind = 'customer_id' AND (c.id IS NULL OR c.status = 'erased')
     UNION ALL
     SELECT l.id, l.kind, l.customer_id, 'identifier of an erased customer kept'
       FROM c360.identity_links l JOIN customers c ON c.id = l.customer_id
      WHERE c.status = 'erased' AND l.kind <> 'customer_id' AND l.value <> 'erased:' || l.id`,
  );

/**
 * Merges neither whole nor undone. In force: every merged record has a link of the merge, every link
 * points at the survivor and is active or superseded by a later merge in force, and the history has
 * the merge. Undone: none of its links is active, none it superseded is still superseded by it, and
 * the history has the unmerge.
 */
export const halfMerges = (db: Db) =>
  violations(
    db,
    `SELECT m.id AS merge_id, 'merged record ' || r || ' has no link of the merge' AS problem
       FROM c360.merges m CROSS JOIN unnest(m.merged_ids) AS r
      WHERE m.undone_at IS NULL AND NOT EXISTS (SELECT 1 FROM c360.identity_links l WHERE l.merge_id = m.id AND l.value = r)
     UNION ALL
     SELECT m.id, 'link ' || l.id || ' points at ' || l.customer_id || ', not at the survivor ' || m.survivor_id
       FROM c360.merges m JOIN c360.identity_links l ON l.merge_id = m.id
      WHERE m.undone_at IS NULL AND l.customer_id <> m.survivor_id
     UNION ALL
     SELECT m.id, 'link ' || l.id || ' is removed but no later merge in force supersedes it'
       FROM c360.merges m JOIN c360.identity_links l ON l.merge_id = m.id LEFT JOIN c360.merges later ON later.id = l.superseded_by
      WHERE m.undone_at IS NULL AND l.removed_at IS NOT NULL AND (later.id IS NULL OR later.undone_at IS NOT NULL OR later.id <= m.id)
     UNION ALL
     SELECT m.id, 'undone, but its link ' || l.id || ' is active'
       FROM c360.merges m JOIN c360.identity_links l ON l.merge_id = m.id
      WHERE m.undone_at IS NOT NULL AND l.removed_at IS NULL
     UNION ALL
     SELECT m.id, 'undone, but link ' || l.id || ' is still superseded by it'
       FROM c360.merges m JOIN c360.identity_links l ON l.superseded_by = m.id
      WHERE m.undone_at IS NOT NULL
     UNION ALL
     SELECT m.id, 'no ' || a.action || ' in the identity history'
       FROM c360.merges m CROSS JOIN (VALUES ('merge'), ('unmerge')) AS a(action)
      WHERE (a.action = 'merge' OR m.undone_at IS NOT NULL)
        AND NOT EXISTS (SELECT 1 FROM c360.identity_history h WHERE h.merge_id = m.id AND h.action = a.action)`,
  );

/**
 * Requests that read personal data without exactly one audit row set: of `requestIds` (a request
 * log), those with no row; of every request in the audit log, those whose rows were not written by one
 * statement (several `at`) or name a customer twice.
 */
export const auditGaps = (db: Db, requestIds: readonly string[]) =>
  violations(
    db,
    `SELECT r.request_id, 'no audit row' AS problem
       FROM unnest($1::text[]) AS r(request_id)
      WHERE NOT EXISTS (SELECT 1 FROM c360.audit_log a WHERE a.request_id = r.request_id)
     UNION ALL
     SELECT a.request_id, CASE WHEN count(DISTINCT a.at) > 1 THEN count(DISTINCT a.at) || ' row sets' ELSE 'a customer twice' END
       FROM c360.audit_log a
      GROUP BY a.request_id HAVING count(DISTINCT a.at) > 1 OR count(*) > count(DISTINCT a.customer_id)`,
    [requestIds],
  );

/**
 * Snapshot versions neither complete nor invisible. A complete version: its written counts match its
 * customers (both written by the completing transaction), and its rows are all there but those of
 * customers erased since (an erasure removes them); a building one: no more rows than its cursor has
 * counted, and at most one is building. No version's rows are orphans, none names an erased customer.
 */
export const partialSnapshots = (db: Db) =>
  violations(
    db,
    `SELECT s.version, 'complete, written counts ' || coalesce(n.count::text, 'missing') || ' for ' || s.customers || ' customers' AS problem
       FROM c360.snapshots s LEFT JOIN c360.snapshot_counts n ON n.version = s.version AND n.dimension = 'total'
      WHERE s.status = 'complete' AND n.count IS DISTINCT FROM s.customers
     UNION ALL
     SELECT s.version, 'complete, ' || r.n || ' rows of ' || s.customers || ' customers (' || e.n || ' erased since)'
       FROM c360.snapshots s
      CROSS JOIN LATERAL (SELECT count(*)::int AS n FROM c360.profile_snapshot p WHERE p.version = s.version) r
      CROSS JOIN LATERAL (
        SELECT count(DISTINCT x.customer_id)::int AS n FROM c360.erasures x JOIN customers c ON c.id = x.customer_id AND c.status = 'erased'
         WHERE x.completed_at IS NULL OR x.completed_at >= s.completed_at) e
      WHERE s.status = 'complete' AND (r.n > s.customers OR r.n + e.n < s.customers)
     UNION ALL
     SELECT s.version, 'building, ' || r.n || ' rows but its cursor counted ' || s.customers
       FROM c360.snapshots s CROSS JOIN LATERAL (SELECT count(*)::int AS n FROM c360.profile_snapshot p WHERE p.version = s.version) r
      WHERE s.status = 'building' AND s.kind = 'full' AND r.n > s.customers
     UNION ALL
     SELECT max(s.version), count(*) || ' versions building at once'
       FROM c360.snapshots s WHERE s.status = 'building' HAVING count(*) > 1
     UNION ALL
     SELECT p.version, count(*) || ' rows of a version that does not exist'
       FROM c360.profile_snapshot p WHERE NOT EXISTS (SELECT 1 FROM c360.snapshots s WHERE s.version = p.version)
      GROUP BY p.version
     UNION ALL
     SELECT p.version, 'a row of the erased customer ' || p.customer_id
       FROM c360.profile_snapshot p JOIN customers c ON c.id = p.customer_id AND c.status = 'erased'`,
  );
