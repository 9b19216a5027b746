import type http from 'node:http';
import type { Deps } from './context';
import { sendError } from './replies';
import { AuditTrail, AuditWriter } from './security/audit';
import { maskEmail, maskName, maskPhone } from './security/masking';
import { seesRawPii, type Principal, type Role } from './security/principal';
import { createDb } from './sources/crm/db';
import { contactEmail, contactPhone } from './services/profile';
import { exportBatch, latestSegments } from './sources/crm/segments';
import { completeSnapshots } from './sources/crm/snapshots';
import { noRoundTrips } from './sources/roundTrips';

/**
 * GET /exports/segments/<id>.csv: the members of a saved segment in the current snapshot who granted
 * marketing consent now (read live, every record of the person), for campaign tools. Streamed in
 * keyset batches of BATCH, each its own short statement (no connection or transaction is held while a
 * slow client reads); the number of rows sent is in the X-Row-Count trailer, and a stream that could
 * not finish is cut (never a complete-looking file). At most MAX_CONCURRENT exports per replica.
 * Analysts, marketers and admins; contacts cleaned as Contact is (e-mail lower-cased, phone E.164),
 * personal columns masked unless the caller sees them raw (admins, marketers), tags and churn level only for people whose
 * profiling consent stands now, and every exported customer's read is written to the audit log
 * before its row is sent.
 */
/** Who may export: analysts (masked), marketers (the campaign role: unmasked, and nothing else in the API) and admins. */
const EXPORTERS: readonly Role[] = ['analyst', 'marketer', 'admin'];

export const EXPORT_PATH = /^\/exports\/segments\/(seg_[0-9a-f]{12})\.csv$/;
const BATCH = 1000;
const MAX_CONCURRENT = 4;
const COLUMNS = ['customer_id', 'full_name', 'email', 'phone', 'city', 'lifecycle_stage', 'value_tier', 'rfm_score', 'churn_level', 'tags'];
const AUDITED = ['CustomerProfile.fullName', 'Contact.email', 'Contact.phone'];

/**
 * A CSV field: quoted when needed; a leading = + - @ is neutralised so spreadsheets never run it as a
 * formula, except a phone (+, digits, spaces, the mask's *), which cannot call anything.
 */
function field(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) && !/^\+[\d *]+$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Resolves when the response can take more, false when the client has gone. */
const writable = (res: http.ServerResponse, chunk: string): Promise<boolean> =>
  new Promise((resolve) => {
    if (res.destroyed) return resolve(false);
    if (res.write(chunk)) return resolve(true);
    const done = (ok: boolean) => () => {
      res.off('drain', onDrain).off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.once('drain', onDrain).once('close', onClose);
  });

let running = 0;

export async function exportSegment(
  deps: Deps,
  principal: Principal,
  segmentId: string,
  requestId: string,
  res: http.ServerResponse,
): Promise<void> {
  const send = (status: number, message: string, code: string, headers: Record<string, string> = {}) =>
    sendError(res, status, message, { code }, headers);
  if (!EXPORTERS.some((r) => principal.roles.has(r)))
    return send(403, 'Segment exports are for analysts, marketers and admins.', 'FORBIDDEN');
  if (running >= MAX_CONCURRENT) return send(429, 'Too many exports at once; retry shortly.', 'RATE_LIMITED', { 'retry-after': '10' });
  running += 1;
  try {
    const db = createDb(deps.crmPool, noRoundTrips());
    const writer = new AuditWriter(db);
    const [segment] = await latestSegments(db, segmentId);
    if (!segment) return send(404, `There is no segment "${segmentId}".`, 'NOT_FOUND');
    const [snapshot] = await completeSnapshots(db, 1);
    if (!snapshot) return send(503, 'No profile snapshot has been built yet: run `npm run snapshot`.', 'SOURCE_UNAVAILABLE');
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${segment.id}.csv"`,
      'cache-control': 'no-store',
      'x-snapshot-version': String(snapshot.version),
      'x-snapshot-as-of': snapshot.as_of.toISOString(),
      trailer: 'X-Row-Count',
    });
    const raw = seesRawPii(principal) || principal.roles.has('marketer');
    let sent = 0;
    let after: string | null = null;
    try {
      if (!(await writable(res, `${COLUMNS.join(',')}\r\n`))) return;
      for (;;) {
        const rows = await exportBatch(db, snapshot.version, segment.filter, after, BATCH);
        if (rows.length === 0) break;
        const audit = new AuditTrail();
        for (const r of rows) for (const f of AUDITED) audit.record(r.customer_id, f);
        await audit.flush(writer, principal, requestId, `export:${segment.id}`, !raw);
        const lines = rows.map((r) => {
          const email = contactEmail(r);
          const phone = contactPhone(r, deps.config.DEFAULT_PHONE_REGION);
          return [
            r.customer_id,
            raw ? r.full_name : maskName(r.full_name),
            email && (raw ? email : maskEmail(email)),
            phone && (raw ? phone : maskPhone(phone)),
            r.city,
            r.lifecycle_stage,
            r.value_tier,
            r.rfm_score,
            r.churn_level,
            r.tags.join(';'),
          ]
            .map(field)
            .join(',');
        });
        if (!(await writable(res, `${lines.join('\r\n')}\r\n`))) return; // the client went away
        sent += rows.length;
        after = rows.at(-1)!.customer_id;
      }
      // The version was read batch by batch: had it been pruned meanwhile, the file would be short.
      if (!(await completeSnapshots(db, 3)).some((v) => v.version === snapshot.version))
        throw new Error(`snapshot ${snapshot.version} was pruned during the export`);
      res.addTrailers({ 'X-Row-Count': String(sent) });
      res.end();
    } catch (err) {
      deps.logger.error({ err, requestId, segmentId, sent }, 'segment export failed mid-stream; the response is cut');
      res.destroy();
    }
  } finally {
    running -= 1;
  }
}
