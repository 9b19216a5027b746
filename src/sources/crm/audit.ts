import type { Db } from './db';

/** Reads of c360.audit_log (written by security/audit.ts; append-only). */

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

const COLUMNS = 'id::text, at, request_id, subject, roles, auth, partner, customer_id, fields, masked, operation';

/** A page of the customer's entries, newest first, before the entry `before` (exclusive); `limit` rows. */
export const auditPage = (db: Db, customerId: string, before: string | null, limit: number) =>
  db<AuditRow>(
    `SELECT ${COLUMNS} FROM c360.audit_log
      WHERE customer_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint) ORDER BY id DESC LIMIT $3`,
    [customerId, before, limit],
  );

/** Every entry about the customer, oldest first (export). */
export const auditEntriesOf = (db: Db, customerId: string) =>
  db<AuditRow>(`SELECT ${COLUMNS} FROM c360.audit_log WHERE customer_id = $1 ORDER BY id`, [customerId]);
