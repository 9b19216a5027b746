import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { DerivationRules } from '../insights/rules';
import { withinDaysStart } from '../insights/time';
import { createDb } from '../sources/crm/db';
import { fillBuyers, fillPairs, fillPopularity, SEGMENT_PATTERNS, type SegmentPattern } from '../sources/crm/recommendations';
import { noRoundTrips } from '../sources/roundTrips';
import { withTransaction } from '../db/transaction';

/**
 * The recommendation build (c360.reco_*, migration 15): as of one instant, (1) the distinct buyers of
 * each product in the co-purchase window, (2) the co-purchase pairs, a batch of products per
 * statement, (3) the popularity of each segment pattern, then the switch to 'complete' (one
 * transaction, which also drops the working set and all but the two latest complete builds). Each
 * step records where it got to in c360.reco_builds, so a build that stopped resumes there; one build
 * at a time (advisory lock): a second caller gets null.
 */

const LOCK = 0x7265636f; // 'reco'

export interface RecoBuildOptions {
  /** The instant it describes; now by default. A resumed build keeps its own. */
  asOf?: Date;
  /** Drops a build that stopped instead of resuming it. */
  restart?: boolean;
  /** Products per pairs statement (default 50). */
  batch?: number;
  onProgress?: (p: { build: number; step: string; done: number; total: number }) => void;
}

export interface RecoBuildResult {
  build: number;
  asOf: Date;
  resumed: boolean;
  products: number;
  pairs: number;
  ms: number;
}

/** What the build's rows depend on: a stopped build computed with other settings is started afresh. */
const fingerprintOf = (r: DerivationRules['recommendations']) =>
  createHash('sha256')
    .update(JSON.stringify([r.coPurchaseDays, r.neighbours, r.minPairCustomers, r.popularityDays, r.perSegment]))
    .digest('hex')
    .slice(0, 16);

interface BuildRow {
  id: number;
  as_of: Date;
  step: string;
  cursor: string | null;
  fingerprint: string;
  products: number;
}

export async function buildRecommendations(
  deps: { crmPool: pg.Pool; rules: DerivationRules },
  opts: RecoBuildOptions = {},
): Promise<RecoBuildResult | null> {
  const lock = await deps.crmPool.connect();
  try {
    const { rows } = await lock.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LOCK}) AS ok`);
    if (!rows[0]!.ok) return null;
    try {
      return await build(deps, opts);
    } finally {
      await lock.query(`SELECT pg_advisory_unlock(${LOCK})`);
    }
  } finally {
    lock.release();
  }
}

async function build(deps: { crmPool: pg.Pool; rules: DerivationRules }, opts: RecoBuildOptions): Promise<RecoBuildResult> {
  const started = Date.now();
  const r = deps.rules.recommendations;
  const db = createDb(deps.crmPool, noRoundTrips());
  const fingerprint = fingerprintOf(r);
  const [stopped] = await db<BuildRow>(
    `SELECT id, as_of, step, cursor, fingerprint, products FROM c360.reco_builds WHERE status = 'building' ORDER BY id DESC LIMIT 1`,
  );
  const resumable = stopped && !opts.restart && stopped.fingerprint === fingerprint && (!opts.asOf || +opts.asOf === +stopped.as_of);
  if (stopped && !resumable) await drop(deps.crmPool, stopped.id);
  let b: BuildRow;
  if (resumable) b = stopped;
  else {
    const [created] = await db<BuildRow>(
      `INSERT INTO c360.reco_builds (id, as_of, status, step, cursor, fingerprint)
       SELECT coalesce(max(id), 0) + 1, $1, 'building', 'buyers', NULL, $2 FROM c360.reco_builds
       RETURNING id, as_of, step, cursor, fingerprint, products`,
      [opts.asOf ?? new Date(), fingerprint],
    );
    b = created!;
  }
  const setStep = (step: string, cursor: string | null) =>
    db(`UPDATE c360.reco_builds SET step = $2, cursor = $3 WHERE id = $1`, [b.id, step, cursor]);

  if (b.step === 'buyers') {
    opts.onProgress?.({ build: b.id, step: 'buyers', done: 0, total: 1 });
    const products = await fillBuyers(db, b.id, withinDaysStart(b.as_of, r.coPurchaseDays), b.as_of);
    await db(`UPDATE c360.reco_builds SET step = 'pairs', cursor = '', products = $2 WHERE id = $1`, [b.id, products]);
    Object.assign(b, { step: 'pairs', cursor: '', products });
    opts.onProgress?.({ build: b.id, step: 'buyers', done: 1, total: 1 });
  }
  if (b.step === 'pairs') {
    let after = b.cursor ?? '';
    const [{ done: before } = { done: 0 }] = await db<{ done: number }>(
      `SELECT count(DISTINCT product_id)::int AS done FROM c360.reco_buyers WHERE build = $1 AND product_id <= $2`,
      [b.id, after],
    );
    let done = before;
    for (;;) {
      const got = await fillPairs(db, b.id, after, { batch: opts.batch ?? 50, neighbours: r.neighbours, minCustomers: r.minPairCustomers });
      if (!got) break;
      after = got.last;
      done += got.done;
      opts.onProgress?.({ build: b.id, step: 'pairs', done, total: b.products });
    }
    await setStep('popularity', null);
    Object.assign(b, { step: 'popularity', cursor: null });
  }
  const from = SEGMENT_PATTERNS.indexOf(b.cursor as SegmentPattern) + 1;
  for (let i = from; i < SEGMENT_PATTERNS.length; i++) {
    const pattern = SEGMENT_PATTERNS[i]!;
    await fillPopularity(db, b.id, pattern, withinDaysStart(b.as_of, r.popularityDays), b.as_of, r.perSegment);
    await setStep('popularity', pattern);
    opts.onProgress?.({ build: b.id, step: 'popularity', done: i + 1, total: SEGMENT_PATTERNS.length });
  }
  const pairs = await withTransaction(deps.crmPool, async (client) => {
    await client.query(`DELETE FROM c360.reco_buyers WHERE build = $1`, [b.id]);
    await client.query(
      `UPDATE c360.reco_builds SET status = 'complete', step = 'done', cursor = NULL, completed_at = now() WHERE id = $1`,
      [b.id],
    );
    const old = await client.query<{ id: number }>(
      `SELECT id FROM c360.reco_builds WHERE status = 'complete' ORDER BY as_of DESC, id DESC OFFSET 2`,
    );
    for (const { id } of old.rows) await dropRows(client, id);
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM c360.reco_pairs WHERE build = $1`, [b.id]);
    return rows[0]!.n;
  });
  return { build: b.id, asOf: b.as_of, resumed: !!resumable, products: b.products, pairs, ms: Date.now() - started };
}

async function dropRows(client: pg.PoolClient, id: number): Promise<void> {
  for (const table of ['reco_buyers', 'reco_pairs', 'reco_popularity'])
    await client.query(`DELETE FROM c360.${table} WHERE build = $1`, [id]);
  await client.query(`DELETE FROM c360.reco_builds WHERE id = $1`, [id]);
}

const drop = (pool: pg.Pool, id: number) => withTransaction(pool, (client) => dropRows(client, id));
