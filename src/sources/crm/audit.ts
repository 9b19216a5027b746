import type { Db } from './db';
import { withMembers } from './members';
import { param, sql } from './sql';

/** The statements on c360.audit_log (append-only: inserts and reads; security/audit.ts collects what to write). */

export interface AuditRow {
  id: string;
  at: Date;
  request_id: string;
  subject: string;
  roles: string[];
  auth: string;
  partner: string | null;
  customer_id: string;
  fields: string[];
  masked: boolean;
  operation: string | null;
}

/** `id` comes out as text (a bigint may exceed a JS number); ORDER BY names `audit_log.id`, the number, not this text. */
const COLUMNS = 'id::text AS id, at, request_id, subject, roles, auth, partner, customer_id, fields, masked, operation';

/** A page of the customer's entries, newest first, before the entry `before` (exclusive); `limit` rows. */
/** Up to `limit` entries older than the entry `cursor`, newest first; `backward`: newer than it, oldest first. */
export const auditPage = (db: Db, customerId: string, cursor: string | null, limit: number, backward = false) =>
  db<AuditRow>(
    `SELECT ${COLUMNS} FROM c360.audit_log
      WHERE customer_id = $1 AND ($2::bigint IS NULL OR id ${backward ? '>' : '<'} $2::bigint) ORDER BY audit_log.id ${backward ? 'ASC' : 'DESC'} LIMIT $3`,
    [customerId, cursor, limit],
  );

/** Every entry about the customer, oldest first (export). */
export const auditEntriesOf = (db: Db, customerId: string) =>
  db<AuditRow>(`SELECT ${COLUMNS} FROM c360.audit_log WHERE customer_id = $1 ORDER BY audit_log.id`, [customerId]);

/**
 * Writes the reads in one statement: `reads` maps a customer id to the fields read. A merged person
 * is read as a whole (the survivor's row, every record's identities and orders), so the row goes to
 * every record of the person (members.ts): each record's access log shows the read.
 */
export const insertAuditRows = (
  db: Db,
  entry: {
    requestId: string;
    subject: string;
    roles: string[];
    auth: string;
    partner: string | null;
    masked: boolean;
    operation: string | null;
  },
  reads: ReadonlyMap<string, readonly string[]>,
) => {
  const ids = param([...reads.keys()]);
  return db(
    sql`${withMembers(ids)}
     INSERT INTO c360.audit_log (request_id, subject, roles, auth, partner, customer_id, fields, masked, operation)
     SELECT ${entry.requestId}, ${entry.subject}, ${entry.roles}, ${entry.auth}, ${entry.partner}, m.member, array_agg(DISTINCT f ORDER BY f),
            ${entry.masked}, ${entry.operation}
       FROM unnest(${ids}::text[], ${[...reads.values()].map((fields) => fields.join(','))}::text[]) AS r(customer_id, fields)
       JOIN km m ON m.key = r.customer_id
      CROSS JOIN unnest(string_to_array(r.fields, ',')) AS f
      GROUP BY m.member`,
  );
};
