import type pg from 'pg';
import { inTransaction, type Db } from '../sources/crm/db';
import { noRoundTrips } from '../sources/roundTrips';
import * as q from '../sources/crm/invariants';

/**
 * The invariant checker: what must hold of the stored data whatever ran before (writes in flight,
 * sources killed mid-request, replicas), checked by `npm run invariants` and after every soak run.
 * Each invariant is one read-only statement over the CRM database (sources/crm/invariants.ts).
 */

export interface InvariantResult {
  name: string;
  /** What must hold. */
  holds: string;
  /** How many violations; 0 when it holds. */
  violations: number;
  /** The first violations (at most EXAMPLES), as the statement selected them. */
  examples: Record<string, unknown>[];
}

export interface InvariantReport {
  clean: boolean;
  checkedAt: string;
  /** Request ids of reads of personal data the audit log was matched against (0: only its own structure was checked). */
  requestsMatched: number;
  results: InvariantResult[];
}

const INVARIANTS: { name: string; holds: string; select: (db: Db, requestIds: readonly string[]) => Promise<q.Violation[]> }[] = [
  {
    name: 'orders counted once',
    holds: 'every order belongs to exactly one person (survivor and the records merged into it), once',
    select: (db) => q.ordersNotCountedOnce(db),
  },
  {
    name: 'events counted once',
    holds: 'every record, anonymous id and device id that events name belongs to exactly one person',
    select: (db) => q.eventsNotCountedOnce(db),
  },
  {
    name: 'links to live records',
    holds: 'no active identity link names an erased or missing record; no link of an erased customer keeps its identifier',
    select: (db) => q.linksToDeadRecords(db),
  },
  {
    name: 'merges whole or undone',
    holds: 'every merge has all its links (or they were superseded by a later merge in force) and its history, or is undone entirely',
    select: (db) => q.halfMerges(db),
  },
  {
    name: 'one audit row set per personal-data read',
    holds: 'every request of the request log that read personal data has audit rows, written by one statement, one per customer',
    select: (db, requestIds) => q.auditGaps(db, requestIds),
  },
  {
    name: 'snapshots complete or invisible',
    holds: 'every complete snapshot version has all its rows and counts (less erasures since); building ones stay within their cursor',
    select: (db) => q.partialSnapshots(db),
  },
];

/** Checks every invariant over `db`; `requestIds`: the request log's reads of personal data, matched against the audit log. */
export async function checkInvariants(db: Db, requestIds: readonly string[] = []): Promise<InvariantReport> {
  const results: InvariantResult[] = [];
  for (const invariant of INVARIANTS) {
    const rows = await invariant.select(db, requestIds);
    results.push({
      name: invariant.name,
      holds: invariant.holds,
      violations: rows[0]?.total ?? 0,
      examples: rows.map(({ total: _total, ...row }) => row),
    });
  }
  return {
    clean: results.every((r) => r.violations === 0),
    checkedAt: new Date().toISOString(),
    requestsMatched: requestIds.length,
    results,
  };
}

/** The report as lines for a terminal: one per invariant, then its first violations. */
export function formatReport(report: InvariantReport): string {
  const lines = report.results.flatMap((r) => [
    `${r.violations === 0 ? 'ok  ' : 'FAIL'}  ${r.name}${r.violations ? `: ${r.violations} violation${r.violations === 1 ? '' : 's'}` : ''}`,
    ...r.examples.map((e) => `        ${JSON.stringify(e)}`),
  ]);
  const matched = report.requestsMatched ? `, ${report.requestsMatched} logged reads of personal data matched against the audit log` : '';
  return `${lines.join('\n')}\n${report.clean ? 'clean' : 'VIOLATED'}${matched}\n`;
}

/** checkInvariants in one read-only transaction of `pool`, so every invariant sees the same moment of a live database. */
export const checkInvariantsOf = (pool: pg.Pool, requestIds: readonly string[] = []): Promise<InvariantReport> =>
  inTransaction(pool, noRoundTrips(), async (db) => {
    await db('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return checkInvariants(db, requestIds);
  });
