import type { Db } from './db';
import { notMerged, personGranted } from './members';
import { join, keysetOrder, raw, sql, type Sql } from './sql';

/**
 * Population answers over the current profile snapshot (c360.profile_snapshot of one complete
 * version): a structured segment filter compiled to a WHERE clause whose values are all bound
 * parameters (column names come from this file only), the statistics dashboards ask for, segment
 * members, and the saved segments themselves (c360.segments, versioned).
 */

export interface Range {
  min?: number | null;
  max?: number | null;
}

/** A segment: every condition given must hold (lists: any of their values; tagsAll: every tag). */
export interface SegmentFilter {
  stages?: string[] | null;
  tiers?: string[] | null;
  tagsAll?: string[] | null;
  tagsAny?: string[] | null;
  recency?: Range | null;
  frequency?: Range | null;
  monetary?: Range | null;
  churnLevels?: string[] | null;
  cities?: string[] | null;
  lastActivityAfter?: Date | null;
  lastActivityBefore?: Date | null;
  /** Purposes every member has granted. */
  consents?: string[] | null;
}

/** Whether `f` selects everyone (no condition given): the counts written with the version answer it. */
export const isEveryone = (f: SegmentFilter) =>
  Object.values(f).every(
    (v) =>
      v == null ||
      (Array.isArray(v) && v.length === 0) ||
      (typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && Object.values(v).every((x) => x == null)),
  );

/** The counts written with a complete version (snapshots.ts writeCounts) of one dimension, largest first. */
export const savedCounts = (db: Db, version: number, dimension: string, limit: number) =>
  db<{ key: string | null; count: number; monetary: string }>(
    `SELECT key, count, monetary::text AS monetary FROM c360.snapshot_counts WHERE version = $1 AND dimension = $2 ORDER BY count DESC, key LIMIT $3`,
    [version, dimension, limit],
  );

/** The WHERE conditions of `f` over alias `s`. */
export function segmentWhere(f: SegmentFilter): Sql[] {
  const where: Sql[] = [];
  const range = (col: Sql, r: Range | null | undefined) => {
    if (r?.min != null) where.push(sql`${col} >= ${r.min}`);
    if (r?.max != null) where.push(sql`${col} <= ${r.max}`);
  };
  if (f.stages?.length) where.push(sql`s.lifecycle_stage = ANY(${f.stages}::text[])`);
  if (f.tiers?.length) where.push(sql`s.value_tier = ANY(${f.tiers}::text[])`);
  if (f.tagsAll?.length) where.push(sql`s.tags @> ${f.tagsAll}::text[]`);
  if (f.tagsAny?.length) where.push(sql`s.tags && ${f.tagsAny}::text[]`);
  range(sql`s.rfm_recency`, f.recency);
  range(sql`s.rfm_frequency`, f.frequency);
  range(sql`s.rfm_monetary`, f.monetary);
  if (f.churnLevels?.length) where.push(sql`s.churn_level = ANY(${f.churnLevels}::text[])`);
  if (f.cities?.length) where.push(sql`lower(s.city) = ANY(${f.cities.map((c) => c.trim().toLowerCase())}::text[])`);
  if (f.lastActivityAfter) where.push(sql`s.last_activity_at >= ${f.lastActivityAfter}`);
  if (f.lastActivityBefore) where.push(sql`s.last_activity_at < ${f.lastActivityBefore}`);
  if (f.consents?.length) where.push(sql`s.consents @> ${f.consents}::text[]`);
  return where;
}

/** `FROM c360.profile_snapshot s <joined> WHERE s.version = <version> AND <filter>`. */
function scope(version: number, f: SegmentFilter, joined: Sql = sql``): Sql {
  return sql`FROM c360.profile_snapshot s ${joined} WHERE ${join([sql`s.version = ${version}`, ...segmentWhere(f)], ' AND ')}`;
}

export type Dimension = 'lifecycle_stage' | 'value_tier' | 'city' | 'preferred_channel' | 'churn_level';

/** Members of the segment by one column's values (nulls as null), largest first. */
export async function countsBy(db: Db, version: number, f: SegmentFilter, dimension: Dimension, limit: number) {
  return db<{ key: string | null; count: number }>(
    sql`SELECT s.${raw(dimension)} AS key, count(*)::int AS count ${scope(version, f)} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${limit}`,
  );
}

export async function countMembers(db: Db, version: number, f: SegmentFilter): Promise<number> {
  return (await db<{ n: number }>(sql`SELECT count(*)::int AS n ${scope(version, f)}`))[0]!.n;
}

/** Members by tag (a member counts once per tag it has), largest first. */
export async function countsByTag(db: Db, version: number, f: SegmentFilter, limit: number) {
  const from = scope(version, f, sql`CROSS JOIN unnest(s.tags) t`);
  return db<{ key: string; count: number }>(
    sql`SELECT t AS key, count(*)::int AS count ${from} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${limit}`,
  );
}

/** The RFM grid: members and their 365-day spend per (recency, frequency) score. */
export async function rfmGrid(db: Db, version: number, f: SegmentFilter) {
  return db<{ recency: number; frequency: number; count: number; monetary: string }>(
    sql`SELECT s.rfm_recency AS recency, s.rfm_frequency AS frequency, count(*)::int AS count, sum(s.spend_365d)::numeric(16,2)::text AS monetary
     ${scope(version, f)} GROUP BY 1, 2 ORDER BY 1 DESC, 2 DESC`,
  );
}

/** Lifecycle stage moves of the segment's members (in the current version) from the `previous` version. */
export async function stageTransitions(db: Db, version: number, previous: number, f: SegmentFilter) {
  const from = scope(version, f, sql`LEFT JOIN c360.profile_snapshot p ON p.version = ${previous} AND p.customer_id = s.customer_id`);
  return db<{ from: string | null; to: string; count: number }>(
    sql`SELECT p.lifecycle_stage AS "from", s.lifecycle_stage AS "to", count(*)::int AS count ${from} GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
  );
}

/** Up to `limit` member ids after `after` in id order; `backward`: before it, in reverse order. */
export async function memberIds(db: Db, version: number, f: SegmentFilter, after: string | null, limit: number, backward = false) {
  const { dir, past } = keysetOrder(!backward);
  const cursor = after === null ? sql`` : sql` AND s.customer_id ${past} ${after}`;
  return (
    await db<{ customer_id: string }>(sql`SELECT s.customer_id ${scope(version, f)}${cursor} ORDER BY s.customer_id ${dir} LIMIT ${limit}`)
  ).map((r) => r.customer_id);
}

/** Whether each of `ids` is in the segment (customers(filter) restricted to a segment or a snapshot filter). */
export function inSegmentSql(version: number, f: SegmentFilter, idColumn: Sql): Sql {
  const where = [sql`s.version = ${version}`, sql`s.customer_id = ${idColumn}`, ...segmentWhere(f)];
  return sql`EXISTS (SELECT 1 FROM c360.profile_snapshot s WHERE ${join(where, ' AND ')})`;
}

// ---- the CSV export ----

/**
 * The exported members: survivors still (not merged since the snapshot, not erased) whose person
 * granted marketing consent now, read live; tags and churn level only while profiling consent stands.
 */
const EXPORTED = sql`${notMerged(sql`s.customer_id`)} AND c.status <> 'erased' AND ${personGranted(sql`s.customer_id`, 'marketing')}`;

export interface ExportRow {
  customer_id: string;
  full_name: string;
  email: string | null;
  phone: string | null;
  country: string | null;
  city: string | null;
  lifecycle_stage: string | null;
  value_tier: string | null;
  rfm_score: string | null;
  churn_level: string | null;
  tags: string[];
}

/** The next `limit` exported members after `after`, in id order, with their CRM contact columns as stored. */
export async function exportBatch(db: Db, version: number, f: SegmentFilter, after: string | null, limit: number) {
  const from = scope(version, f, sql`JOIN customers c ON c.id = s.customer_id`);
  const cursor = after === null ? sql`` : sql` AND s.customer_id > ${after}`;
  const profiling = personGranted(sql`s.customer_id`, 'profiling');
  return db<ExportRow>(
    sql`SELECT s.customer_id, c.full_name, c.email, c.phone, c.country, s.city, s.lifecycle_stage, s.value_tier,
            s.rfm_recency::text || s.rfm_frequency::text || s.rfm_monetary::text AS rfm_score,
            CASE WHEN ${profiling} THEN s.churn_level END AS churn_level, CASE WHEN ${profiling} THEN s.tags ELSE '{}' END AS tags
       ${from} AND ${EXPORTED}${cursor} ORDER BY s.customer_id LIMIT ${limit}`,
  );
}

// ---- saved segments ----

export interface SegmentRow {
  id: string;
  version: number;
  name: string;
  description: string | null;
  filter: SegmentFilter;
  /** Who saved this version. */
  created_by: string;
  created_at: Date;
  /** Who created the segment: version 1's created_by (versions are never changed or deleted). */
  owner: string;
}

/** The owner of the segment of row `s`. */
const OWNER = `(SELECT o.created_by FROM c360.segments o WHERE o.id = s.id AND o.version = 1)`;

/** The latest version of segment `id` (every segment when null), by name, at most `limit`. */
export const latestSegments = (db: Db, id: string | null, limit = 1) =>
  db<SegmentRow>(
    `SELECT * FROM (SELECT DISTINCT ON (id) id, version, name, description, filter, created_by, created_at, ${OWNER} AS owner FROM c360.segments s
      WHERE $1::text IS NULL OR id = $1 ORDER BY id, version DESC) latest ORDER BY name, id LIMIT $2`,
    [id, limit],
  );

/** Another segment already answers to the name a save asked for (case-insensitively); null when it let go of it since. */
export class SegmentNameTaken extends Error {
  constructor(readonly holder: SegmentRow | null) {
    super(`segment name taken by ${holder?.id ?? 'a segment renamed since'}`);
  }
}

/**
 * Saves a version of a segment (the next one for `id`, or 1 for a new id) and claims its name in
 * c360.segment_names, in one statement: SegmentNameTaken when another segment holds the name
 * (lower-cased), whoever saved first winning a race.
 */
export async function saveSegment(
  db: Db,
  s: { id: string; name: string; description: string | null; filter: SegmentFilter; actor: string },
): Promise<SegmentRow> {
  try {
    // The statement does not see the row it inserts: a new segment's version 1 is that row, its owner the actor.
    const [row] = await db<SegmentRow>(
      `WITH named AS (
         INSERT INTO c360.segment_names (segment_id, name_key) VALUES ($1, lower($2))
         ON CONFLICT (segment_id) DO UPDATE SET name_key = EXCLUDED.name_key),
       s AS (
         INSERT INTO c360.segments (id, version, name, description, filter, created_by)
         SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4::jsonb, $5 FROM c360.segments WHERE id = $1
         RETURNING id, version, name, description, filter, created_by, created_at)
       SELECT s.*, coalesce(${OWNER}, s.created_by) AS owner FROM s`,
      [s.id, s.name, s.description, JSON.stringify(s.filter), s.actor],
    );
    return row!;
  } catch (e) {
    if ((e as { constraint?: string }).constraint !== 'segment_names_unique') throw e;
    const [holder] = await db<{ segment_id: string }>(`SELECT segment_id FROM c360.segment_names WHERE name_key = lower($1)`, [s.name]);
    throw new SegmentNameTaken(holder ? ((await latestSegments(db, holder.segment_id))[0] ?? null) : null);
  }
}
