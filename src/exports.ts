import type http from 'node:http';
import type { Deps } from './context';
import { AuditTrail } from './security/audit';
import { maskEmail, maskName, maskPhone } from './security/masking';
import { seesRawPii, type Principal } from './security/principal';
import { createDb } from './sources/crm/db';
import { contactEmail, contactPhone } from './services/profile';
import { exportBatch, exportCount, latestSegments } from './sources/crm/segments';
import { completeSnapshots } from './sources/crm/snapshots';
import { noRoundTrips } from './sources/roundTrips';

/**
 * GET /exports/segments/<id>.csv: the members of a saved segment in the current snapshot who granted
 * marketing consent (live, the person's most restrictive answer), for campaign tools. Streamed in
 * batches of BATCH from one read-only REPEATABLE READ transaction, so the X-Row-Count header (taken
 * first) matches the rows. Analysts and admins; contacts cleaned as Contact is (e-mail lower-cased,
 * phone E.164), personal columns masked unless the caller sees them raw, and every exported
 * customer's read is written to the audit log before its row is sent.
 */
export const EXPORT_PATH = /^\/exports\/segments\/(seg_[0-9a-f]{12})\.csv$/;
const BATCH = 1000;
const COLUMNS = ['customer_id', 'full_name', 'email', 'phone', 'city', 'lifecycle_stage', 'value_tier', 'rfm_score', 'churn_level', 'tags'];
const AUDITED = ['CustomerProfile.fullName', 'Contact.email', 'Contact.phone'];

/** A CSV field: quoted when needed; a leading = + - @ is neutralised so spreadsheets never run it as a formula. */
function field(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export async function exportSegment(deps: Deps, principal: Principal, segmentId: string, requestId: string, res: http.ServerResponse): Promise<void> {
  const send = (status: number, message: string, code: string) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
  };
  if (!principal.roles.has('analyst') && !principal.roles.has('admin')) return send(403, 'Segment exports are for analysts and admins.', 'FORBIDDEN');
  const client = await deps.crmPool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const db = createDb(client, noRoundTrips());
    const [segment] = await latestSegments(db, segmentId);
    if (!segment) return send(404, `There is no segment "${segmentId}".`, 'NOT_FOUND');
    const [snapshot] = await completeSnapshots(db, 1);
    if (!snapshot) return send(503, 'No profile snapshot has been built yet: run `npm run snapshot`.', 'SOURCE_UNAVAILABLE');
    const total = await exportCount(db, snapshot.version, segment.filter);
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${segment.id}.csv"`,
      'x-row-count': String(total),
      'x-snapshot-version': String(snapshot.version),
      'x-snapshot-as-of': snapshot.as_of.toISOString(),
    });
    res.write(`${COLUMNS.join(',')}\r\n`);
    const raw = seesRawPii(principal);
    let after: string | null = null;
    for (;;) {
      const rows = await exportBatch(db, snapshot.version, segment.filter, after, BATCH);
      if (rows.length === 0) break;
      const audit = new AuditTrail();
      for (const r of rows) for (const f of AUDITED) audit.record(r.customer_id, f);
      await audit.flush(createDb(deps.crmPool, noRoundTrips()), principal, requestId, `export:${segment.id}`, !raw);
      const lines = rows.map((r) => {
        const email = contactEmail(r);
        const phone = contactPhone(r, deps.config.DEFAULT_PHONE_REGION);
        return [
          r.customer_id, raw ? r.full_name : maskName(r.full_name), email && (raw ? email : maskEmail(email)), phone && (raw ? phone : maskPhone(phone)),
          r.city, r.lifecycle_stage, r.value_tier, r.rfm_score, r.churn_level, r.tags.join(';'),
        ].map(field).join(',');
      });
      if (!res.write(`${lines.join('\r\n')}\r\n`)) await new Promise((resolve) => res.once('drain', resolve));
      after = rows.at(-1)!.customer_id;
    }
    res.end();
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}
