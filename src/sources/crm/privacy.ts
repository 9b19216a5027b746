import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { ErasureStatus, Source } from '../../enums';
import type { RoundTrips } from '../roundTrips';
import { inTransaction, type Db } from './db';
import { anyMember } from './members';
import type { OrderRow, TicketRow } from './rows';
import { param, sql } from './sql';

/**
 * The statements of the privacy operations on the CRM's database: one customer's whole record
 * (export), its erasure, and c360's own records of the person (audit log, erasures).
 */

/** Every order of the customer's person (all its records, members.ts), oldest first; amounts as exact decimal strings. */
export const allOrdersOf = (db: Db, customerId: string) =>
  db<OrderRow>(
    sql`SELECT id, order_number, customer_id, status, channel, placed_at, total::text AS total
       FROM orders WHERE customer_id = ${anyMember(param(customerId))} ORDER BY placed_at, id`,
  );

/** Every support ticket of the customer's person, oldest first. */
export const allTicketsOf = (db: Db, customerId: string) =>
  db<TicketRow>(
    sql`SELECT id, customer_id, subject, status, priority, channel, opened_at, resolved_at, satisfaction
       FROM support_tickets WHERE customer_id = ${anyMember(param(customerId))} ORDER BY opened_at, id`,
  );

/**
 * The erasure's writes to the CRM's own relations (docs/own-crm.md "What must be writable"): the
 * personal columns of `customers`, the person's `customer_identities` and `consents`, the subjects
 * of their `support_tickets`.
 */
async function eraseCrmRelations(db: Db, customerId: string): Promise<void> {
  await db(
    `UPDATE customers SET status = 'erased', full_name = $2, gender = NULL, birth_date = NULL, city = NULL,
            country = NULL, occupation = NULL, email = NULL, phone = NULL
      WHERE id = $1`,
    [customerId, ERASED_NAME],
  );
  await db(`DELETE FROM customer_identities WHERE customer_id = $1`, [customerId]);
  await db(`DELETE FROM consents WHERE customer_id = $1`, [customerId]);
  await db(`UPDATE support_tickets SET subject = '' WHERE customer_id = $1 AND subject <> ''`, [customerId]);
}

/**
 * SQLSTATE classes and codes of a CRM that refuses the erasure's writes by its make-up: a view that
 * cannot be updated (55000, 0A000, 42809), a missing right (42501), a trigger or rule that raises (P0001).
 */
const REFUSALS = ['55000', '0A000', '42809', '42501', 'P0001'];

/** PostgreSQL's reason when `e` is the CRM refusing a write by its make-up (REFUSALS), else null. */
export function writeRefusalOf(e: unknown): string | null {
  const err = e as { code?: string; message?: string };
  return typeof err.code === 'string' && REFUSALS.includes(err.code) ? (err.message ?? err.code) : null;
}

/**
 * Whether the CRM takes the erasure's writes: runs them, in a transaction rolled back, for a customer
 * id no row has (so nothing changes and no INSTEAD OF trigger fires), which PostgreSQL still plans and
 * checks rights for. Null when it does; else PostgreSQL's reason, e.g. `cannot update column
 * "full_name" of view "customers"`. A CRM that is down is a SourceError as for any statement.
 */
export async function crmErasureRefusal(pool: pg.Pool, roundTrips: RoundTrips): Promise<string | null> {
  const noOne = `c360-erasure-check-${randomUUID()}`;
  try {
    await inTransaction(pool, roundTrips, async (db) => {
      await eraseCrmRelations(db, noOne);
      throw new DryRun();
    });
    return null;
  } catch (e) {
    if (e instanceof DryRun) return null;
    const refusal = writeRefusalOf(e);
    if (refusal) return refusal;
    throw e;
  }
}

class DryRun extends Error {}

/** The name an erased customer keeps (full_name is NOT NULL in the CRM). */
export const ERASED_NAME = 'Erased customer';

/**
 * Anonymises the customer in the CRM; run in one transaction (db.inTransaction). Idempotent.
 * Personal columns are nulled (the name set to ERASED_NAME) and the status set to 'erased';
 * identities and consents are deleted; tickets keep everything but their free-text subject;
 * orders and their items are kept untouched (accounting). In c360, every free text about the person
 * is blanked: link evidence, identity history reasons, merge and unmerge reasons; the profile
 * snapshot rows and experiment exposures are deleted.
 */
export async function eraseCustomerRows(db: Db, customerId: string): Promise<void> {
  await eraseCrmRelations(db, customerId);
  // c360's copies: the identifiers linked to the person (kept as removed links, values blanked), what
  // the identity history says of them, and the profile snapshot rows.
  await db(
    `UPDATE c360.identity_links SET value = 'erased:' || id, evidence = NULL,
            removed_at = coalesce(removed_at, now()), removed_by = coalesce(removed_by, 'erasure')
      WHERE customer_id = $1 AND kind <> 'customer_id'`,
    [customerId],
  );
  await db(`SELECT set_config('c360.redacting', 'on', true)`);
  const blank = (col: string) =>
    `CASE WHEN jsonb_typeof(${col} -> 'link') = 'object'
          THEN jsonb_set(jsonb_set(${col}, '{link,value}', '"[erased]"'), '{link,evidence}', 'null') ELSE ${col} END`;
  await db(
    `UPDATE c360.identity_history SET reason = '[erased]', before = ${blank('before')}, after = ${blank('after')} WHERE $1 = ANY(customer_ids)`,
    [customerId],
  );
  await db(`SELECT set_config('c360.redacting', 'off', true)`);
  // The merges the person took part in (as survivor, merged or carried along: only undone ones, an
  // erasure refuses a record in a merge) keep who, when and which records, not why.
  await db(
    `UPDATE c360.merges SET reason = '[erased]', undo_reason = CASE WHEN undo_reason IS NOT NULL THEN '[erased]' END
      WHERE survivor_id = $1 OR id IN (SELECT merge_id FROM c360.identity_links WHERE kind = 'customer_id' AND value = $1)`,
    [customerId],
  );
  await db(`DELETE FROM c360.profile_snapshot WHERE customer_id = $1`, [customerId]);
  // What experiments showed the person (their results count them no more).
  await db(`DELETE FROM c360.experiment_exposures WHERE customer_id = $1`, [customerId]);
}

/** A row of c360.erasures: `remaining` holds the sources (Source values) still to be erased. */
export interface ErasureRow {
  id: string;
  customer_id: string;
  requested_by: string;
  reason: string;
  requested_at: Date;
  completed_at: Date | null;
  status: ErasureStatus;
  remaining: Source[];
  last_error: string | null;
  /** Other customers who shared the person's e-mail, phone or an identity when the erasure was opened. */
  possible_duplicates: string[];
  /** Events under the person's anonymous or device ids that name another customer, kept; null until the behaviour step has run. */
  kept_shared_events: number | null;
}

/** `id` comes out as text; ORDER BY names `erasures.id`, the number, not this text. */
const ERASURE_COLUMNS =
  'id::text AS id, customer_id, requested_by, reason, requested_at, completed_at, status, remaining, last_error, possible_duplicates, kept_shared_events';

/** The customer's erasures, newest first. */
export const erasuresOf = (db: Db, customerId: string) =>
  db<ErasureRow>(`SELECT ${ERASURE_COLUMNS} FROM c360.erasures WHERE customer_id = $1 ORDER BY erasures.id DESC`, [customerId]);

/**
 * The customer's unfinished erasure (as it was opened), or a new one with every source remaining and
 * `possibleDuplicates`. In a transaction (db.inTransaction): a lock per customer makes concurrent
 * requests share one erasure.
 */
export async function openErasure(
  db: Db,
  customerId: string,
  requestedBy: string,
  reason: string,
  sources: Source[],
  possibleDuplicates: string[],
): Promise<ErasureRow> {
  await db(`SELECT pg_advisory_xact_lock(hashtext('c360.erasures'), hashtext($1))`, [customerId]);
  const [open] = await db<ErasureRow>(
    `SELECT ${ERASURE_COLUMNS} FROM c360.erasures WHERE customer_id = $1 AND status = 'incomplete' ORDER BY erasures.id DESC LIMIT 1`,
    [customerId],
  );
  if (open) return open;
  const [created] = await db<ErasureRow>(
    `INSERT INTO c360.erasures (customer_id, requested_by, reason, status, remaining, possible_duplicates)
     VALUES ($1, $2, $3, 'incomplete', $4, $5) RETURNING ${ERASURE_COLUMNS}`,
    [customerId, requestedBy, reason, sources, possibleDuplicates],
  );
  return created!;
}

/**
 * Marks a step (a source) done: removes it from `remaining` and clears `last_error`; the erasure is
 * complete, with completed_at, once nothing remains. Concurrent runs of one erasure only ever shrink
 * it. `keptSharedEvents`: what the behaviour step counted (null for the other steps: left as it is).
 */
export async function completeStep(db: Db, id: string, step: Source, keptSharedEvents: number | null): Promise<ErasureRow> {
  const [row] = await db<ErasureRow>(
    `UPDATE c360.erasures
        SET remaining = array_remove(remaining, $2::text), last_error = NULL, kept_shared_events = coalesce($3::int, kept_shared_events),
            status = CASE WHEN cardinality(array_remove(remaining, $2::text)) = 0 THEN 'complete' ELSE 'incomplete' END,
            completed_at = CASE WHEN cardinality(array_remove(remaining, $2::text)) = 0 THEN coalesce(completed_at, now()) END
      WHERE id = $1::bigint RETURNING ${ERASURE_COLUMNS}`,
    [id, step, keptSharedEvents],
  );
  return row!;
}

/** Records why a run stopped, unless another run has completed the erasure meanwhile; the erasure as it now is. */
export async function recordFailure(db: Db, id: string, message: string): Promise<ErasureRow> {
  const [row] = await db<ErasureRow>(
    `UPDATE c360.erasures SET last_error = CASE WHEN status = 'incomplete' THEN $2 ELSE last_error END
      WHERE id = $1::bigint RETURNING ${ERASURE_COLUMNS}`,
    [id, message],
  );
  return row!;
}
