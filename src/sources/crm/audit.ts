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

/** One request's reads of personal data: who read, how, and `reads` (a customer id to the fields read). */
export interface AuditEntry {
  requestId: string;
  subject: string;
  /** Role names (principal.ts: a known set, none holding a comma). */
  roles: readonly string[];
  auth: string;
  partner: string | null;
  masked: boolean;
  operation: string | null;
  reads: ReadonlyMap<string, readonly string[]>;
}

/**
 * Writes the entries of one or several requests in one statement: a row per request and customer. A
 * merged person is read as a whole (the survivor's row, every record's identities and orders), so the
 * row goes to every record of the person (members.ts): each record's access log shows the read.
 */
export const insertAuditRows = (db: Db, entries: readonly AuditEntry[]) => {
  const reads = entries.flatMap((e, i) =>
    [...e.reads].map(([customerId, fields]) => ({ entry: i + 1, customerId, fields: fields.join(',') })),
  );
  const ids = param([...new Set(reads.map((r) => r.customerId))]);
  return db(
    sql`${withMembers(ids)}
     INSERT INTO c360.audit_log (request_id, subject, roles, auth, partner, customer_id, fields, masked, operation)
     SELECT e.request_id, e.subject, string_to_array(e.roles, ','), e.auth, e.partner, m.member, array_agg(DISTINCT f ORDER BY f),
            e.masked, e.operation
       FROM unnest(${reads.map((r) => r.entry)}::int[], ${reads.map((r) => r.customerId)}::text[], ${reads.map((r) => r.fields)}::text[])
            AS r(entry, customer_id, fields)
       JOIN unnest(${entries.map((e) => e.requestId)}::text[], ${entries.map((e) => e.subject)}::text[],
                   ${entries.map((e) => e.roles.join(','))}::text[], ${entries.map((e) => e.auth)}::text[],
                   ${entries.map((e) => e.partner)}::text[], ${entries.map((e) => e.masked)}::boolean[],
                   ${entries.map((e) => e.operation)}::text[])
            WITH ORDINALITY AS e(request_id, subject, roles, auth, partner, masked, operation, n) ON e.n = r.entry
       JOIN km m ON m.key = r.customer_id
      CROSS JOIN unnest(string_to_array(r.fields, ',')) AS f
      GROUP BY e.n, e.request_id, e.subject, e.roles, e.auth, e.partner, e.masked, e.operation, m.member`,
  );
};
