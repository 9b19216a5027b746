import type { Db } from './db';

/**
 * The statements of the identity graph's writes (c360.identity_links, c360.merges,
 * c360.identity_history; migration 8). Run inside one transaction (db.inTransaction); the locks
 * they take are the transaction's.
 */

export interface RecordState {
  id: string;
  status: string;
  /** The survivor the record is merged into, or the record itself. */
  canonical_id: string;
}

export interface LinkRow {
  id: string;
  kind: string;
  value: string;
  customer_id: string;
  source: 'api' | 'merge';
  confidence: number;
  evidence: string | null;
  merge_id: string | null;
  created_by: string;
  created_at: Date;
}

export interface MergeRow {
  id: string;
  survivor_id: string;
  merged_ids: string[];
  reason: string;
  created_by: string;
  created_at: Date;
  undone_by: string | null;
  undone_at: Date | null;
  undo_reason: string | null;
}

export type IdentityAction = 'link' | 'unlink' | 'merge' | 'unmerge';

export interface HistoryRow {
  id: string;
  at: Date;
  actor: string;
  action: IdentityAction;
  customer_ids: string[];
  reason: string | null;
  merge_id: string | null;
  link_id: string | null;
  before: unknown;
  after: unknown;
}

// Ids (int8) are read as text; ORDER BY must name the table's column (an output name would sort text).
const LINK_COLUMNS = 'id::text, kind, value, customer_id, source, confidence, evidence, merge_id::text, created_by, created_at';
const MERGE_COLUMNS = 'id::text, survivor_id, merged_ids, reason, created_by, created_at, undone_by, undone_at, undo_reason';

/**
 * Locks the CRM rows of `ids` (FOR UPDATE, in id order, so two writers never wait on each other in
 * a cycle) and returns their state after the lock: every write to the identity graph locks the
 * records it changes, so writes touching the same records run one after the other.
 */
export async function lockRecords(db: Db, ids: readonly string[]): Promise<RecordState[]> {
  await db(`SELECT 1 FROM customers c WHERE c.id = ANY($1::text[]) ORDER BY c.id FOR UPDATE`, [ids]);
  // A second statement: its snapshot, taken after the locks were granted, sees what the writers we waited for committed.
  return db<RecordState>(
    `SELECT c.id, c.status, c360.canonical_id(c.id) AS canonical_id FROM customers c WHERE c.id = ANY($1::text[]) ORDER BY c.id`,
    [ids],
  );
}

/** Which of `ids` have an erasure not yet complete (a merge must not join a person being erased). */
export const unfinishedErasures = async (db: Db, ids: readonly string[]): Promise<string[]> =>
  (
    await db<{ customer_id: string }>(
      `SELECT DISTINCT customer_id FROM c360.erasures WHERE customer_id = ANY($1::text[]) AND status = 'incomplete' ORDER BY 1`,
      [ids],
    )
  ).map((r) => r.customer_id);

/** Serialises writers of one identifier (the unique index on active links is the last word). */
export const lockIdentifier = (db: Db, kind: string, value: string) =>
  db(`SELECT pg_advisory_xact_lock(hashtext('c360.identity_links'), hashtext($1 || ':' || $2))`, [kind, value]);

/** The active merge links of the people whose survivors are `survivors`: (record → survivor). */
export const mergeLinksOf = (db: Db, survivors: readonly string[]) =>
  db<LinkRow>(
    `SELECT ${LINK_COLUMNS} FROM c360.identity_links
      WHERE kind = 'customer_id' AND removed_at IS NULL AND customer_id = ANY($1::text[]) ORDER BY value`,
    [survivors],
  );

/** The active API link of an identifier, whoever it points at. */
export const activeLink = async (db: Db, kind: string, value: string): Promise<LinkRow | null> =>
  (
    await db<LinkRow>(`SELECT ${LINK_COLUMNS} FROM c360.identity_links WHERE kind = $1 AND value = $2 AND removed_at IS NULL`, [
      kind,
      value,
    ])
  )[0] ?? null;

export async function insertLink(
  db: Db,
  link: { kind: string; value: string; customerId: string; confidence: number; evidence: string; actor: string },
): Promise<LinkRow> {
  const [row] = await db<LinkRow>(
    `INSERT INTO c360.identity_links (kind, value, customer_id, source, confidence, evidence, created_by)
     VALUES ($1, $2, $3, 'api', $4, $5, $6) RETURNING ${LINK_COLUMNS}`,
    [link.kind, link.value, link.customerId, link.confidence, link.evidence, link.actor],
  );
  return row!;
}

export const removeLink = (db: Db, linkId: string, actor: string) =>
  db(`UPDATE c360.identity_links SET removed_at = now(), removed_by = $2 WHERE id = $1::int8 AND removed_at IS NULL`, [linkId, actor]);

export async function insertMerge(
  db: Db,
  m: { survivorId: string; mergedIds: string[]; reason: string; actor: string },
): Promise<MergeRow> {
  const [row] = await db<MergeRow>(
    `INSERT INTO c360.merges (survivor_id, merged_ids, reason, created_by) VALUES ($1, $2, $3, $4) RETURNING ${MERGE_COLUMNS}`,
    [m.survivorId, m.mergedIds, m.reason, m.actor],
  );
  return row!;
}

/**
 * Points every record of the merged people at the survivor (flattened): their active merge links
 * are superseded (kept, with superseded_by = the merge) and replaced by links of this merge, and
 * each merged record gets a link of its own. One statement.
 */
export const linkMerged = (db: Db, mergeId: string, survivorId: string, mergedIds: readonly string[], actor: string) =>
  db(
    `WITH old AS (
       UPDATE c360.identity_links SET removed_at = now(), removed_by = $4, superseded_by = $1::int8
        WHERE kind = 'customer_id' AND removed_at IS NULL AND customer_id = ANY($3::text[])
       RETURNING value
     )
     INSERT INTO c360.identity_links (kind, value, customer_id, source, confidence, merge_id, created_by)
     SELECT 'customer_id', r, $2, 'merge', 1, $1::int8, $4 FROM (SELECT value FROM old UNION SELECT unnest($3::text[])) AS x(r)`,
    [mergeId, survivorId, mergedIds, actor],
  );

export const mergeById = async (db: Db, mergeId: string): Promise<MergeRow | null> =>
  (await db<MergeRow>(`SELECT ${MERGE_COLUMNS} FROM c360.merges WHERE id = $1::int8`, [mergeId]))[0] ?? null;

/** The records a merge linked (its merged records and those they carried along). */
export const recordsLinkedBy = async (db: Db, mergeIds: readonly string[]): Promise<string[]> =>
  (
    await db<{ value: string }>(`SELECT DISTINCT value FROM c360.identity_links WHERE merge_id = ANY($1::int8[]) ORDER BY value`, [
      mergeIds,
    ])
  ).map((r) => r.value);

/** Merges in force made after `mergeId`, oldest first. */
export const laterMerges = (db: Db, mergeId: string) =>
  db<MergeRow>(`SELECT ${MERGE_COLUMNS} FROM c360.merges m WHERE m.id > $1::int8 AND m.undone_at IS NULL ORDER BY m.id`, [mergeId]);

/**
 * Undoes one merge: its links are removed and the links it superseded are restored as they were,
 * so every record resolves as before the merge. Only valid when no later merge depends on it.
 */
export async function undoMerge(db: Db, mergeId: string, actor: string, reason: string): Promise<MergeRow> {
  await db(`UPDATE c360.identity_links SET removed_at = now(), removed_by = $2 WHERE merge_id = $1::int8 AND removed_at IS NULL`, [
    mergeId,
    actor,
  ]);
  await db(`UPDATE c360.identity_links SET removed_at = NULL, removed_by = NULL, superseded_by = NULL WHERE superseded_by = $1::int8`, [
    mergeId,
  ]);
  const [row] = await db<MergeRow>(
    `UPDATE c360.merges SET undone_at = now(), undone_by = $2, undo_reason = $3 WHERE id = $1::int8 RETURNING ${MERGE_COLUMNS}`,
    [mergeId, actor, reason],
  );
  return row!;
}

export const insertHistory = (
  db: Db,
  h: {
    actor: string;
    action: IdentityAction;
    customerIds: string[];
    reason: string | null;
    mergeId?: string | null;
    linkId?: string | null;
    before: unknown;
    after: unknown;
  },
) =>
  db(
    `INSERT INTO c360.identity_history (actor, action, customer_ids, reason, merge_id, link_id, before, after)
     VALUES ($1, $2, $3, $4, $5::int8, $6::int8, $7::jsonb, $8::jsonb)`,
    [
      h.actor,
      h.action,
      [...new Set(h.customerIds)].sort(),
      h.reason,
      h.mergeId ?? null,
      h.linkId ?? null,
      JSON.stringify(h.before),
      JSON.stringify(h.after),
    ],
  );

/**
 * The identity changes that touched any record of `customerId`'s person (its survivor and every
 * record merged into it, now), newest first, keyset-paginated by id; `limit` rows.
 */
export const historyOf = (db: Db, customerId: string, cursorId: string | null, limit: number, backward = false) =>
  db<HistoryRow>(
    `SELECT id::text, at, actor, action, customer_ids, reason, merge_id::text, link_id::text, before, after
       FROM c360.identity_history h
      WHERE h.customer_ids && ARRAY(SELECT c360.members_of($1) UNION SELECT $1)
        AND ($2::int8 IS NULL OR h.id ${backward ? '>' : '<'} $2::int8)
      ORDER BY h.id ${backward ? 'ASC' : 'DESC'} LIMIT $3`,
    [customerId, cursorId, limit],
  );
