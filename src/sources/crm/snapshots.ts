import type { SnapshotKind } from '../../enums';
import type { Db } from './db';
import { notMerged } from './members';
import { param, sql } from './sql';

/** One customer's row of a profile snapshot (c360.profile_snapshot), as the API would derive it at `as_of` (snapshot/profile.ts). */
export interface ProfileRow {
  customer_id: string;
  as_of: Date;
  lifecycle_stage: string;
  value_tier: string;
  rfm_recency: number;
  rfm_frequency: number;
  rfm_monetary: number;
  rfm_segment: string;
  spend_365d: string;
  /** Null without profiling consent, like the API's churnRisk, interests and tags. */
  churn_level: string | null;
  churn_score: number | null;
  interests: string[];
  tags: string[];
  last_activity_at: Date | null;
  last_order_at: Date | null;
  city: string | null;
  preferred_channel: string | null;
  /** The purposes granted (the person's, most restrictive across merged records). */
  consents: string[];
}

/**
 * The statements of the profile snapshots (c360.snapshots, c360.profile_snapshot; migration 9).
 * Readers only ever see complete versions; a version being built is invisible until completeSnapshot
 * flips its status in one statement.
 */

export interface SnapshotVersion {
  version: number;
  kind: SnapshotKind;
  base_version: number | null;
  as_of: Date;
  status: 'building' | 'complete';
  /** The last customer id written (a resumed build continues after it). */
  cursor: string | null;
  customers: number;
  total: number;
  /** What the rows were computed with (rules, enabled tag definitions); see build.ts. */
  fingerprint: string;
  /** When the full build this version descends from ran (itself, for a full one). */
  full_as_of: Date | null;
  started_at: Date;
  completed_at: Date | null;
}

/** Complete versions kept: the current one, the one before (transitions) and one more, so a reader that started just before a switch still finds its versions. */
export const KEPT_VERSIONS = 3;

/** The latest complete versions, newest first. */
export const completeSnapshots = (db: Db, limit = 2) =>
  db<SnapshotVersion>(`SELECT * FROM c360.snapshots WHERE status = 'complete' ORDER BY version DESC LIMIT $1`, [limit]);

export const snapshotByVersion = async (db: Db, version: number): Promise<SnapshotVersion | null> =>
  (await db<SnapshotVersion>(`SELECT * FROM c360.snapshots WHERE version = $1`, [version]))[0] ?? null;

/** A build that did not finish (the process died), to resume. */
export const unfinishedSnapshot = async (db: Db): Promise<SnapshotVersion | null> =>
  (await db<SnapshotVersion>(`SELECT * FROM c360.snapshots WHERE status = 'building' ORDER BY version DESC LIMIT 1`))[0] ?? null;

/** Customers a snapshot covers: survivors (not merged into another) that are not erased. */
const SURVIVOR = sql`c.status <> 'erased' AND ${notMerged(sql`c.id`)}`;

export async function countSurvivors(db: Db, only: readonly string[] | null): Promise<number> {
  const ids = param(only);
  const [row] = await db<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM customers c WHERE ${SURVIVOR} AND (${ids}::text[] IS NULL OR c.id = ANY(${ids}::text[]))`,
  );
  return row!.n;
}

/** The next `limit` survivor ids after `cursor` in id order (of `only`, when given). */
export async function survivorsAfter(db: Db, cursor: string | null, limit: number, only: readonly string[] | null): Promise<string[]> {
  const [after, ids] = [param(cursor), param(only)];
  return (
    await db<{ id: string }>(
      sql`SELECT c.id FROM customers c WHERE ${SURVIVOR} AND (${after}::text IS NULL OR c.id > ${after}) AND (${ids}::text[] IS NULL OR c.id = ANY(${ids}::text[]))
      ORDER BY c.id LIMIT ${limit}`,
    )
  ).map((r) => r.id);
}

export async function startSnapshot(
  db: Db,
  s: { kind: SnapshotKind; base: number | null; asOf: Date; total: number; fingerprint: string; fullAsOf: Date },
): Promise<SnapshotVersion> {
  const [row] = await db<SnapshotVersion>(
    `INSERT INTO c360.snapshots (version, kind, base_version, as_of, status, total, fingerprint, full_as_of)
     SELECT coalesce(max(version), 0) + 1, $1, $2, $3, 'building', $4, $5, $6 FROM c360.snapshots RETURNING *`,
    [s.kind, s.base, s.asOf, s.total, s.fingerprint, s.fullAsOf],
  );
  return row!;
}

/** Drops an unfinished build (to start afresh instead of resuming it). */
export async function abandonSnapshot(db: Db, version: number): Promise<void> {
  await db(`DELETE FROM c360.profile_snapshot WHERE version = $1`, [version]);
  await db(`DELETE FROM c360.snapshots WHERE version = $1 AND status = 'building'`, [version]);
}

/**
 * Copies into `version` the rows of `base` of the customers not in `changed` that are still
 * survivors (an incremental build recomputes only the others). Returns how many.
 */
export async function copyUnchanged(db: Db, version: number, base: number, changed: readonly string[]): Promise<number> {
  const rows = await db<{ n: number }>(
    sql`WITH copied AS (
       INSERT INTO c360.profile_snapshot
       SELECT ${version}, p.customer_id, p.as_of, p.lifecycle_stage, p.value_tier, p.rfm_recency, p.rfm_frequency, p.rfm_monetary, p.rfm_segment,
              p.spend_365d, p.churn_level, p.churn_score, p.interests, p.tags, p.last_activity_at, p.last_order_at, p.city,
              p.preferred_channel, p.consents
         FROM c360.profile_snapshot p JOIN customers c ON c.id = p.customer_id
        WHERE p.version = ${base} AND NOT EXISTS (SELECT 1 FROM unnest(${changed}::text[]) AS x(id) WHERE x.id = p.customer_id) AND ${SURVIVOR}
       RETURNING 1
     ) SELECT count(*)::int AS n FROM copied`,
  );
  return rows[0]!.n;
}

/**
 * Writes a batch of rows and moves the build's cursor past them: run both in one transaction. Only
 * customers that are survivors now get a row (read under FOR SHARE: an erasure or merge of one of them
 * waits for this batch, and then removes or supersedes its row). The cursor moves only from where
 * this builder left it (`from`): a second builder on the same version fails instead of interleaving.
 */
export async function writeProfiles(
  db: Db,
  version: number,
  batch: readonly ProfileRow[],
  from: string | null,
  cursor: string,
): Promise<void> {
  const survivors = new Set(
    (
      await db<{ id: string }>(
        sql`SELECT c.id FROM customers c WHERE c.id = ANY(${batch.map((r) => r.customer_id)}::text[]) AND ${SURVIVOR} ORDER BY c.id FOR SHARE`,
      )
    ).map((r) => r.id),
  );
  const rows = batch.filter((r) => survivors.has(r.customer_id));
  const col = <K extends keyof ProfileRow>(k: K) => rows.map((r) => r[k]);
  await db(
    `INSERT INTO c360.profile_snapshot (version, customer_id, as_of, lifecycle_stage, value_tier, rfm_recency, rfm_frequency, rfm_monetary,
            rfm_segment, spend_365d, churn_level, churn_score, interests, tags, last_activity_at, last_order_at, city, preferred_channel, consents)
     SELECT $1, x.customer_id, x.as_of, x.lifecycle_stage, x.value_tier, x.rfm_recency, x.rfm_frequency, x.rfm_monetary, x.rfm_segment,
            x.spend_365d, x.churn_level, x.churn_score, ARRAY(SELECT json_array_elements_text(x.interests)),
            ARRAY(SELECT json_array_elements_text(x.tags)), x.last_activity_at, x.last_order_at, x.city,
            x.preferred_channel, ARRAY(SELECT json_array_elements_text(x.consents))
       FROM unnest($2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::int2[], $7::int2[], $8::int2[], $9::text[], $10::numeric[],
                   $11::text[], $12::real[], $13::json[], $14::json[], $15::timestamptz[], $16::timestamptz[], $17::text[], $18::text[], $19::json[])
         AS x(customer_id, as_of, lifecycle_stage, value_tier, rfm_recency, rfm_frequency, rfm_monetary, rfm_segment, spend_365d, churn_level,
              churn_score, interests, tags, last_activity_at, last_order_at, city, preferred_channel, consents)
     ON CONFLICT (version, customer_id) DO NOTHING`,
    [
      version,
      col('customer_id'),
      col('as_of'),
      col('lifecycle_stage'),
      col('value_tier'),
      col('rfm_recency'),
      col('rfm_frequency'),
      col('rfm_monetary'),
      col('rfm_segment'),
      col('spend_365d'),
      col('churn_level'),
      col('churn_score'),
      rows.map((r) => JSON.stringify(r.interests)),
      rows.map((r) => JSON.stringify(r.tags)),
      col('last_activity_at'),
      col('last_order_at'),
      col('city'),
      col('preferred_channel'),
      rows.map((r) => JSON.stringify(r.consents)),
    ],
  );
  const moved = await db(
    `UPDATE c360.snapshots SET cursor = $2, customers = customers + $3
      WHERE version = $1 AND status = 'building' AND cursor IS NOT DISTINCT FROM $4 RETURNING 1`,
    [version, cursor, rows.length, from],
  );
  if (moved.length !== 1) throw new Error(`snapshot ${version} is being built by someone else (its cursor moved)`);
}

/**
 * Makes `version` the one readers see (one statement: the switch is atomic), after dropping the rows
 * of customers merged or erased while it was built, and drops all but the KEPT_VERSIONS latest.
 */
export async function completeSnapshot(db: Db, version: number): Promise<void> {
  await db(
    sql`DELETE FROM c360.profile_snapshot p WHERE p.version = ${version}
        AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = p.customer_id AND ${SURVIVOR})`,
  );
  await writeCounts(db, version);
  const done = await db(
    `UPDATE c360.snapshots SET status = 'complete', completed_at = now(), customers = (SELECT count(*) FROM c360.profile_snapshot WHERE version = $1)
      WHERE version = $1 AND status = 'building' RETURNING 1`,
    [version],
  );
  if (done.length !== 1) throw new Error(`snapshot ${version} is no longer being built here`);
  await db(
    `WITH keep AS (SELECT version FROM c360.snapshots WHERE status = 'complete' ORDER BY version DESC LIMIT ${KEPT_VERSIONS}),
          gone AS (DELETE FROM c360.snapshots s WHERE s.status = 'complete' AND s.version NOT IN (SELECT version FROM keep) RETURNING s.version),
          counts AS (DELETE FROM c360.snapshot_counts n USING gone WHERE n.version = gone.version)
     DELETE FROM c360.profile_snapshot p USING gone WHERE p.version = gone.version`,
  );
}

/**
 * The unfiltered counts of `version` (segments.ts reads them for a filter-less customerStats): one
 * row per dimension and key with the members and their 365-day spend; `rfm` keys are
 * "recency:frequency", `transition` keys "from>to" against the latest complete version before it
 * ("" from: not in it), `total` has a null key.
 */
async function writeCounts(db: Db, version: number): Promise<void> {
  await db(`DELETE FROM c360.snapshot_counts WHERE version = $1`, [version]);
  await db(
    `INSERT INTO c360.snapshot_counts (version, dimension, key, count, monetary)
     SELECT $1, x.dimension, x.key, count(*)::int, coalesce(sum(x.spend), 0)
       FROM (
         SELECT 'total' AS dimension, NULL::text AS key, s.spend_365d AS spend FROM c360.profile_snapshot s WHERE s.version = $1
         UNION ALL SELECT 'lifecycle_stage', s.lifecycle_stage, s.spend_365d FROM c360.profile_snapshot s WHERE s.version = $1
         UNION ALL SELECT 'value_tier', s.value_tier, s.spend_365d FROM c360.profile_snapshot s WHERE s.version = $1
         UNION ALL SELECT 'city', s.city, s.spend_365d FROM c360.profile_snapshot s WHERE s.version = $1
         UNION ALL SELECT 'preferred_channel', s.preferred_channel, s.spend_365d FROM c360.profile_snapshot s WHERE s.version = $1
         UNION ALL SELECT 'churn_level', s.churn_level, s.spend_365d FROM c360.profile_snapshot s WHERE s.version = $1
         UNION ALL SELECT 'tag', t, s.spend_365d FROM c360.profile_snapshot s CROSS JOIN unnest(s.tags) t WHERE s.version = $1
         UNION ALL SELECT 'rfm', s.rfm_recency || ':' || s.rfm_frequency, s.spend_365d FROM c360.profile_snapshot s WHERE s.version = $1
         UNION ALL SELECT 'transition', coalesce(p.lifecycle_stage, '') || '>' || s.lifecycle_stage, s.spend_365d
           FROM c360.profile_snapshot s
           LEFT JOIN c360.profile_snapshot p ON p.customer_id = s.customer_id
            AND p.version = (SELECT max(version) FROM c360.snapshots WHERE status = 'complete' AND version < $1)
          WHERE s.version = $1
       ) x
      GROUP BY x.dimension, x.key`,
    [version],
  );
}

/**
 * Customers (survivors) whose snapshot row may have changed since `since`: new customers; orders
 * placed since `since` − `orderLookbackDays` (the CRM has no update time: a recent order's status
 * may have changed); orders that left a window (`orderWindows`, days: RFM, order trends) in between;
 * new tickets, consents, identity links and merges; the customers owning the
 * behaviour identifiers seen since (`events`); those whose last activity or order crossed a day
 * boundary (`boundaries`: "days since ≤ d" turned false between `since` and `now`) in the base
 * version; and those NEW or REACTIVATED there (stages that end with time).
 */
export async function changedSince(
  db: Db,
  p: {
    since: Date;
    now: Date;
    base: number;
    boundaries: number[];
    orderWindows: number[];
    orderLookbackDays: number;
    events: { customerIds: string[]; anonymousIds: string[]; deviceIds: string[] };
  },
): Promise<string[]> {
  const rows = await db<{ id: string }>(
    `WITH touched(id) AS (
       SELECT id FROM customers WHERE created_at > $1::timestamptz
       UNION SELECT customer_id FROM orders WHERE placed_at > $1::timestamptz - make_interval(days => $9)
       UNION SELECT o.customer_id FROM orders o, unnest($8::int[]) AS w(days)
              WHERE o.placed_at > $1::timestamptz - make_interval(days => w.days + 1) AND o.placed_at <= $2::timestamptz - make_interval(days => w.days + 1)
       UNION SELECT customer_id FROM support_tickets WHERE opened_at > $1 OR resolved_at > $1
       UNION SELECT customer_id FROM consents WHERE updated_at > $1
       UNION SELECT customer_id FROM c360.identity_links WHERE created_at > $1 OR removed_at > $1
       UNION SELECT value FROM c360.identity_links WHERE kind = 'customer_id' AND (created_at > $1 OR removed_at > $1)
       UNION SELECT unnest($4::text[])
       UNION SELECT i.customer_id FROM customer_identities i
              WHERE (i.kind = 'anonymous_id' AND i.value = ANY($5::text[])) OR (i.kind = 'device_id' AND i.value = ANY($6::text[]))
       UNION SELECT l.customer_id FROM c360.identity_links l
              WHERE l.removed_at IS NULL AND ((l.kind = 'anonymous_id' AND l.value = ANY($5::text[])) OR (l.kind = 'device_id' AND l.value = ANY($6::text[])))
       UNION SELECT s.customer_id FROM c360.profile_snapshot s, unnest($7::int[]) AS d(days)
              WHERE s.version = $3 AND (
                (s.last_activity_at > $1::timestamptz - make_interval(days => d.days + 1) AND s.last_activity_at <= $2::timestamptz - make_interval(days => d.days + 1))
                OR (s.last_order_at > $1::timestamptz - make_interval(days => d.days + 1) AND s.last_order_at <= $2::timestamptz - make_interval(days => d.days + 1)))
       UNION SELECT s.customer_id FROM c360.profile_snapshot s WHERE s.version = $3 AND s.lifecycle_stage IN ('NEW', 'REACTIVATED')
     )
     SELECT DISTINCT c360.canonical_id(id) AS id FROM touched WHERE id IS NOT NULL`,
    [
      p.since,
      p.now,
      p.base,
      p.events.customerIds,
      p.events.anonymousIds,
      p.events.deviceIds,
      p.boundaries,
      p.orderWindows,
      p.orderLookbackDays,
    ],
  );
  return rows.map((r) => r.id);
}
