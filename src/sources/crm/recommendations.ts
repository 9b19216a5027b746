import type { Db } from './db';
import type { Placement, Variant } from './experiments';
import type { ProductRow } from './rows';
import { IN_KM, withMembers } from './members';
import { param, sql, type Param, type Sql } from './sql';

/**
 * The recommendation tables (migration 15): the build's statements (snapshot/recommendations.ts runs
 * them in order, resumably) and the one statement a request level reads them with.
 */

/** A segment pattern of the build: the key of a customer's segment from its row `c` as of `asOf`, null when unknown. */
export type SegmentPattern = 'all' | 'city_age_gender' | 'city_age' | 'city' | 'age_gender';
export const SEGMENT_PATTERNS: readonly SegmentPattern[] = ['all', 'city_age_gender', 'city_age', 'city', 'age_gender'];

/** Age bands as keys: the lower bounds of each band (under 18 is its own). Must match insights/recommendations.ts ageBand. */
const AGE_BAND = (asOf: Param) => sql`(SELECT CASE WHEN y < 18 THEN 'under 18' WHEN y < 25 THEN '18-24' WHEN y < 35 THEN '25-34'
    WHEN y < 45 THEN '35-44' WHEN y < 55 THEN '45-54' WHEN y < 65 THEN '55-64' ELSE '65+' END
    FROM (SELECT date_part('year', age((${asOf}::timestamptz AT TIME ZONE 'UTC')::date, c.birth_date))::int AS y) a WHERE c.birth_date IS NOT NULL)`;

function segmentKey(pattern: SegmentPattern, asOf: Param): Sql {
  const city = sql`'city=' || c.city`;
  const age = sql`'age=' || ${AGE_BAND(asOf)}`;
  const gender = sql`'gender=' || (CASE WHEN c.gender IN ('female', 'male') THEN c.gender END)`;
  switch (pattern) {
    case 'all':
      return sql`'all'`;
    case 'city_age_gender':
      return sql`${city} || '|' || ${age} || '|' || ${gender}`;
    case 'city_age':
      return sql`${city} || '|' || ${age}`;
    case 'city':
      return city;
    case 'age_gender':
      return sql`${age} || '|' || ${gender}`;
  }
}

/** Step 1: the distinct buyers of each product in the completed orders of (from, asOf]; replaces the build's. Returns the products. */
export async function fillBuyers(db: Db, build: number, from: Date, asOf: Date): Promise<number> {
  await db(sql`DELETE FROM c360.reco_buyers WHERE build = ${build}`);
  const rows = await db<{ products: number }>(sql`WITH ins AS (
      INSERT INTO c360.reco_buyers (build, product_id, customer_id)
      SELECT DISTINCT ${build}::int, i.product_id, o.customer_id
        FROM orders o JOIN order_items i ON i.order_id = o.id
       WHERE o.status = 'completed' AND o.placed_at > ${from} AND o.placed_at <= ${asOf}
      RETURNING product_id)
    SELECT count(DISTINCT product_id)::int AS products FROM ins`);
  return rows[0]!.products;
}

/**
 * Step 2, one batch: the pairs of the next `batch` products after `after` (by id), scored by cosine over
 * distinct buyers, the best `neighbours` of each kept; the build's cursor moves in the same statement.
 * Returns the last product done and how many, null when none was left.
 */
export async function fillPairs(
  db: Db,
  build: number,
  after: string,
  opts: { batch: number; neighbours: number; minCustomers: number },
): Promise<{ last: string; done: number } | null> {
  const rows = await db<{ last: string | null; done: number }>(sql`WITH n AS (
      SELECT product_id, count(*)::int AS n FROM c360.reco_buyers WHERE build = ${build} GROUP BY product_id
    ), batch AS (
      SELECT product_id FROM n WHERE product_id > ${after} ORDER BY product_id LIMIT ${opts.batch}
    ), p AS (
      SELECT a.product_id, b.product_id AS other_id, count(*)::int AS customers
        FROM c360.reco_buyers a
        JOIN c360.reco_buyers b ON b.build = a.build AND b.customer_id = a.customer_id AND b.product_id <> a.product_id
       WHERE a.build = ${build} AND a.product_id IN (SELECT product_id FROM batch)
       GROUP BY a.product_id, b.product_id HAVING count(*) >= ${opts.minCustomers}
    ), s AS (
      SELECT p.*, p.customers / sqrt(na.n::float8 * nb.n) AS score
        FROM p JOIN n na ON na.product_id = p.product_id JOIN n nb ON nb.product_id = p.other_id
    ), ranked AS (
      SELECT s.*, row_number() OVER (PARTITION BY product_id ORDER BY score DESC, other_id) AS r FROM s
    ), ins AS (
      INSERT INTO c360.reco_pairs (build, product_id, other_id, customers, score)
      SELECT ${build}, product_id, other_id, customers, score FROM ranked WHERE r <= ${opts.neighbours}
    ), cur AS (
      UPDATE c360.reco_builds SET cursor = (SELECT max(product_id) FROM batch) WHERE id = ${build} AND EXISTS (SELECT 1 FROM batch)
    )
    SELECT max(product_id) AS last, count(*)::int AS done FROM batch`);
  const r = rows[0]!;
  return r.last === null ? null : { last: r.last, done: r.done };
}

/**
 * Step 3, one pattern: each segment's distinct buyers per product in the completed orders of (from, asOf],
 * the `perSegment` most bought kept (every product for 'all'), scored against the segment's most bought.
 */
export async function fillPopularity(
  db: Db,
  build: number,
  pattern: SegmentPattern,
  from: Date,
  asOf: Date,
  perSegment: number,
): Promise<void> {
  const at = param(asOf);
  await db(sql`DELETE FROM c360.reco_popularity WHERE build = ${build} AND pattern = ${pattern}`);
  await db(sql`WITH b AS (
      SELECT DISTINCT ${segmentKey(pattern, at)} AS segment, o.customer_id, i.product_id
        FROM orders o JOIN order_items i ON i.order_id = o.id JOIN customers c ON c.id = o.customer_id
       WHERE o.status = 'completed' AND o.placed_at > ${from} AND o.placed_at <= ${at}
    ), totals AS (
      SELECT segment, count(DISTINCT customer_id)::int AS customers FROM b WHERE segment IS NOT NULL GROUP BY segment
    ), counts AS (
      SELECT segment, product_id, count(*)::int AS customers,
             row_number() OVER (PARTITION BY segment ORDER BY count(*) DESC, product_id) AS r,
             max(count(*)) OVER (PARTITION BY segment) AS top
        FROM b WHERE segment IS NOT NULL GROUP BY segment, product_id
    )
    INSERT INTO c360.reco_popularity (build, pattern, segment, product_id, customers, score, segment_customers)
    SELECT ${build}, ${pattern}, c.segment, c.product_id, c.customers, c.customers::real / c.top, t.customers
      FROM counts c JOIN totals t USING (segment)
     WHERE ${pattern === 'all' ? sql`true` : sql`c.r <= ${perSegment}`}`);
}

// ---- reading ----

/** The latest complete build as of an instant, the windows a request level reads with, and the segments asked for. */
export interface RecoBounds {
  asOf: Date;
  /** Purchases after this are the co-purchase seeds. */
  historyStart: Date;
  /** Products bought after this are excluded. */
  boughtStart: Date;
  /** Products of orders refunded after this (placed after it) are excluded. */
  refundedStart: Date;
}

export interface RecoKey {
  customerId: string;
  /** With profiling consent: its purchases and segments are read; without, only overall popularity. */
  personal: boolean;
  /** Its segment keys, most specific first (insights/recommendations.ts segmentKeys); [] without consent. */
  segments: string[];
}

export interface RecoPurchase {
  product_id: string;
  /** The last completed order with it since historyStart; null when it was only in refunded orders. */
  last_at: Date | null;
  /** Bought (completed) since boughtStart, or in an order refunded since refundedStart. */
  excluded: boolean;
}
export interface RecoPair {
  product_id: string;
  other_id: string;
  customers: number;
  score: number;
}
export interface RecoPopular {
  segment: string;
  product_id: string;
  customers: number;
  score: number;
  segment_customers: number;
}
export type RecoProduct = ProductRow;

/** A running experiment as a request ranks with it (experiments.ts). */
export interface RunningExperiment {
  id: string;
  variants: Variant[];
}

/** What one statement answers for a batch of customers: the build, per customer its purchases, and the shared rows. */
export interface RecoRows {
  build: { id: number; as_of: Date } | null;
  /** The experiments running now, by placement (at most one each: migration 16). */
  experiments: Map<Placement, RunningExperiment>;
  purchases: Map<string, RecoPurchase[]>;
  /** Neighbours by seed product. */
  pairs: Map<string, RecoPair[]>;
  /** By segment key ('all': every product, for the interests signal too). */
  popular: Map<string, RecoPopular[]>;
  products: Map<string, RecoProduct>;
}

type Raw = {
  kind: 'build' | 'purchase' | 'pair' | 'popular' | 'product' | 'experiment';
  key: string | null;
  product_id: string | null;
  other_id: string | null;
  at: Date | null;
  flag: boolean | null;
  customers: number | null;
  score: number | null;
  total: number | null;
  name: string | null;
  category: string | null;
  brand: string | null;
  price: string | null;
};

/** Whether any recommendation build is complete (the in-process scheduler builds one at first start when none is). */
export async function anyRecoBuild(db: Db): Promise<boolean> {
  return (await db<{ id: number }>(sql`SELECT id FROM c360.reco_builds WHERE status = 'complete' LIMIT 1`)).length > 0;
}

/**
 * ONE statement for a batch of customers as of one instant: the latest complete build at or before
 * asOf; for each customer with `personal`, the products of its person's completed orders since
 * historyStart (last bought, excluded or not) and those of its refunded orders since refundedStart;
 * the build's neighbours of those products; the popularity of the segments asked for and overall;
 * the catalogue rows of every product named; and the experiments running now (a few rows, read here
 * so that experiments cost a request no statement of their own). Customers without `personal` read
 * nothing of theirs.
 */
export async function recoRows(db: Db, keys: readonly RecoKey[], b: RecoBounds): Promise<RecoRows> {
  const personal = keys.filter((k) => k.personal).map((k) => k.customerId);
  const segments = [...new Set(keys.flatMap((k) => k.segments))];
  const asOf = param(b.asOf);
  const rows = await db<Raw>(sql`${withMembers(param(personal))}, build AS (
      SELECT id, as_of FROM c360.reco_builds WHERE status = 'complete' AND as_of <= ${asOf} ORDER BY as_of DESC, id DESC LIMIT 1
    ), bought AS (
      SELECT k.key, i.product_id,
             max(o.placed_at) FILTER (WHERE o.status = 'completed') AS last_at,
             bool_or((o.status = 'completed' AND o.placed_at > ${b.boughtStart}) OR (o.status = 'refunded' AND o.placed_at > ${b.refundedStart})) AS excluded
        FROM km k JOIN orders o ON o.customer_id = k.member JOIN order_items i ON i.order_id = o.id
       WHERE o.customer_id = ${IN_KM} AND o.placed_at <= ${asOf}
         AND ((o.status = 'completed' AND o.placed_at > ${b.historyStart}) OR (o.status = 'refunded' AND o.placed_at > ${b.refundedStart}))
       GROUP BY k.key, i.product_id
    ), pairs AS (
      SELECT p.product_id, p.other_id, p.customers, p.score FROM build JOIN c360.reco_pairs p ON p.build = build.id
       WHERE p.product_id IN (SELECT product_id FROM bought WHERE last_at IS NOT NULL)
    ), popular AS (
      SELECT p.segment, p.product_id, p.customers, p.score, p.segment_customers FROM build JOIN c360.reco_popularity p ON p.build = build.id
       WHERE p.segment = 'all' OR p.segment = ANY (${segments}::text[])
    ), named AS (
      SELECT product_id FROM bought UNION SELECT other_id FROM pairs UNION SELECT product_id FROM popular
    )
    SELECT 'build' AS kind, NULL AS key, NULL AS product_id, NULL AS other_id, as_of AS at, NULL::boolean AS flag,
           id AS customers, NULL::real AS score, NULL::int AS total, NULL AS name, NULL AS category, NULL AS brand, NULL AS price FROM build
    UNION ALL SELECT 'purchase', key, product_id, NULL, last_at, excluded, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM bought
    UNION ALL SELECT 'pair', NULL, product_id, other_id, NULL, NULL, customers, score, NULL, NULL, NULL, NULL, NULL FROM pairs
    UNION ALL SELECT 'popular', segment, product_id, NULL, NULL, NULL, customers, score, segment_customers, NULL, NULL, NULL, NULL FROM popular
    UNION ALL SELECT 'product', NULL, p.id, NULL, NULL, NULL, NULL, NULL, NULL, p.name, p.category, p.brand, p.price::text
      FROM products p WHERE p.id IN (SELECT product_id FROM named)
    UNION ALL SELECT 'experiment', id, placement, NULL, NULL, NULL, NULL, NULL, NULL, variants::text, NULL, NULL, NULL
      FROM c360.experiments WHERE status = 'running'`);
  const out: RecoRows = {
    build: null,
    experiments: new Map(),
    purchases: new Map(),
    pairs: new Map(),
    popular: new Map(),
    products: new Map(),
  };
  const push = <V>(m: Map<string, V[]>, k: string, v: V) => {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  };
  for (const r of rows) {
    switch (r.kind) {
      case 'build':
        out.build = { id: r.customers!, as_of: r.at! };
        break;
      case 'purchase':
        push(out.purchases, r.key!, { product_id: r.product_id!, last_at: r.at, excluded: r.flag! });
        break;
      case 'pair':
        push(out.pairs, r.product_id!, { product_id: r.product_id!, other_id: r.other_id!, customers: r.customers!, score: r.score! });
        break;
      case 'popular':
        push(out.popular, r.key!, {
          segment: r.key!,
          product_id: r.product_id!,
          customers: r.customers!,
          score: r.score!,
          segment_customers: r.total!,
        });
        break;
      case 'product':
        out.products.set(r.product_id!, { id: r.product_id!, name: r.name!, category: r.category!, brand: r.brand, price: r.price! });
        break;
      case 'experiment':
        out.experiments.set(r.product_id as Placement, { id: r.key!, variants: JSON.parse(r.name!) as Variant[] });
        break;
    }
  }
  return out;
}
