import type { Db } from './db';
import { sql } from './sql';

/**
 * The statements on c360.experiments and c360.experiment_exposures (migration 16). The running
 * experiments a request ranks with are read inside the recommendation statement (recommendations.ts
 * recoRows); this file holds the admin writes, the exposures' insert and the results' one statement.
 */

export type Placement = 'AGENT' | 'CAMPAIGN' | 'PARTNER';

/** How a variant ranks (insights/experiments.ts strategyWeights). */
export type ExperimentStrategy = 'FULL' | 'POPULAR' | 'CO_PURCHASE' | 'INTERESTS';

/** A variant as c360.experiments.variants holds it. */
export interface Variant {
  name: string;
  strategy: ExperimentStrategy;
  /** The share of customers, in steps of 1 / BUCKETS (insights/experiments.ts); a running experiment's shares sum to 1. */
  share: number;
}

export interface ExperimentRow {
  id: string;
  name: string;
  placement: Placement;
  variants: Variant[];
  window_days: number;
  status: 'running' | 'stopped';
  created_by: string;
  created_at: Date;
  stopped_by: string | null;
  stopped_at: Date | null;
}

const COLUMNS = sql`id, name, placement, variants, window_days, status, created_by, created_at, stopped_by, stopped_at`;

/** Every experiment, newest first. */
export const listExperiments = (db: Db) => db<ExperimentRow>(sql`SELECT ${COLUMNS} FROM c360.experiments ORDER BY created_at DESC, id`);

/**
 * Inside a transaction: the experiment running at `e.placement`, if any (the placement's lock held
 * till commit, so two creations for one placement run one after the other), else `e` inserted.
 */
export async function insertExperiment(
  db: Db,
  e: { id: string; name: string; placement: Placement; variants: Variant[]; windowDays: number; actor: string },
): Promise<{ created: ExperimentRow } | { running: ExperimentRow }> {
  await db(sql`SELECT pg_advisory_xact_lock(hashtext('c360.experiments'), hashtext(${e.placement}))`);
  const [running] = await db<ExperimentRow>(
    sql`SELECT ${COLUMNS} FROM c360.experiments WHERE placement = ${e.placement} AND status = 'running'`,
  );
  if (running) return { running };
  const [created] = await db<ExperimentRow>(
    sql`INSERT INTO c360.experiments (id, name, placement, variants, window_days, status, created_by)
        VALUES (${e.id}, ${e.name}, ${e.placement}, ${JSON.stringify(e.variants)}::jsonb, ${e.windowDays}, 'running', ${e.actor})
        RETURNING ${COLUMNS}`,
  );
  return { created: created! };
}

/** Stops the experiment if it runs (stamped with `actor`); the row as it is now, null when there is none. One statement. */
export async function stopExperiment(db: Db, id: string, actor: string): Promise<ExperimentRow | null> {
  const [row] = await db<ExperimentRow>(sql`WITH u AS (
      UPDATE c360.experiments SET status = 'stopped', stopped_at = now(), stopped_by = ${actor}
       WHERE id = ${id} AND status = 'running' RETURNING ${COLUMNS}
    )
    SELECT * FROM u
    UNION ALL SELECT ${COLUMNS} FROM c360.experiments WHERE id = ${id} AND NOT EXISTS (SELECT 1 FROM u)`);
  return row ?? null;
}

/** One answer of Customer.recommendations under an experiment. */
export interface Exposure {
  experimentId: string;
  customerId: string;
  variant: string;
  productIds: string[];
  exposedAt: Date;
}

/** The exposures of a request level in one INSERT (committed when it resolves: run outside a transaction). */
export const insertExposures = (db: Db, rows: readonly Exposure[]) =>
  db(sql`INSERT INTO c360.experiment_exposures (experiment_id, customer_id, variant, product_ids, exposed_at)
    SELECT x.experiment_id, x.customer_id, x.variant, ARRAY(SELECT jsonb_array_elements_text(x.product_ids)), x.exposed_at
      FROM jsonb_to_recordset(${JSON.stringify(
        rows.map((r) => ({
          experiment_id: r.experimentId,
          customer_id: r.customerId,
          variant: r.variant,
          product_ids: r.productIds,
          exposed_at: r.exposedAt,
        })),
      )}::jsonb) AS x(experiment_id text, customer_id text, variant text, product_ids jsonb, exposed_at timestamptz)`);

/** Per variant of an experiment, in its order: customers exposed and converted (docs/concepts.md "Experiments"). */
export interface VariantCounts {
  experiment: ExperimentRow;
  variant: string;
  strategy: ExperimentStrategy;
  exposed: number;
  converted: number;
}

/**
 * ONE statement: the experiment and, per variant, its distinct exposed customers and, of those, the
 * converted ones: who bought (a completed order of any record of their person, placed after their
 * first exposure and at most window_days after it) a product shown to them in an exposure before that
 * order. [] when there is no such experiment.
 */
export async function experimentCounts(db: Db, id: string): Promise<VariantCounts[]> {
  const rows = await db<
    ExperimentRow & { variant: string; strategy: ExperimentStrategy; exposed: number; converted: number }
  >(sql`WITH e AS (
      SELECT ${COLUMNS} FROM c360.experiments WHERE id = ${id}
    ), x AS (
      SELECT customer_id, variant, min(exposed_at) AS first_at FROM c360.experiment_exposures WHERE experiment_id = ${id} GROUP BY 1, 2
    ), converted AS (
      SELECT x.customer_id, x.variant FROM x CROSS JOIN e
       WHERE EXISTS (
         SELECT 1 FROM orders o JOIN order_items i ON i.order_id = o.id
          -- placed_at > first_at follows from the exposure before the order; stated, it bounds the orders read.
          WHERE o.customer_id = ANY (ARRAY(SELECT m.member FROM c360.members_of(x.customer_id) AS m(member)))
            AND o.status = 'completed' AND o.placed_at > x.first_at AND o.placed_at <= x.first_at + make_interval(days => e.window_days)
            AND EXISTS (SELECT 1 FROM c360.experiment_exposures s
                         WHERE s.experiment_id = ${id} AND s.customer_id = x.customer_id AND s.exposed_at < o.placed_at
                           AND i.product_id = ANY (s.product_ids)))
    )
    SELECT e.*, v.value ->> 'name' AS variant, v.value ->> 'strategy' AS strategy,
           count(x.customer_id)::int AS exposed, count(c.customer_id)::int AS converted
      FROM e CROSS JOIN jsonb_array_elements(e.variants) WITH ORDINALITY AS v(value, n)
      LEFT JOIN x ON x.variant = v.value ->> 'name'
      LEFT JOIN converted c ON c.customer_id = x.customer_id AND c.variant = x.variant
     GROUP BY ${COLUMNS}, v.value, v.n ORDER BY v.n`);
  return rows.map(({ variant, strategy, exposed, converted, ...experiment }) => ({ experiment, variant, strategy, exposed, converted }));
}
