import type { Db } from './db';
import { CONSENTS, IDENTITIES, IN_KM, withMembers } from './members';
import type { ConsentRow, CustomerRow, IdentityRow } from './rows';
import { param, sql } from './sql';

/**
 * The CRM facts the derivations need, for a batch of customers as of one instant, in ONE statement:
 * the customer row, aggregates of its completed orders and of its tickets (computed in SQL, never
 * shipping the orders), its consents and its identities; for a merged person, over all its records
 * (members.ts), keyed by the id asked for. Boundaries are instants computed by the
 * caller from the rules ("days since ≤ N" is `t > asOf − (N + 1) days`), so SQL does no calendar maths.
 */
export interface FactBounds {
  asOf: Date;
  /** Orders after this count for F, M (the RFM window). */
  rfmWindowStart: Date;
  /** Orders after this are "recent" for the frequency trend; after `priorStart` up to it, "prior". */
  recentStart: Date;
  priorStart: Date;
  /** The reactivation window of the lifecycle: activity after this is "recent". */
  reactivationStart: Date;
  /** Ratings ≤ badRating after this are bad ratings. */
  badRatingStart: Date;
  badRating: number;
}

export interface CrmFactsRow {
  customer: CustomerRow;
  completed_orders: number;
  first_order_at: Date | null;
  last_order_at: Date | null;
  orders_in_window: number;
  /** Decimal string, 2 places. */
  spend_in_window: string;
  orders_recent: number;
  orders_prior: number;
  /** Mean days between consecutive completed orders; null with fewer than two. */
  mean_interval_days: number | null;
  earliest_recent_order_at: Date | null;
  latest_order_before_window_at: Date | null;
  /** Share of the window's purchased items bought below the product's list price; null without items. */
  discounted_item_share: number | null;
  unresolved_tickets: number;
  bad_ratings: number;
  consents: ConsentRow[];
  identities: IdentityRow[];
}

type Raw = Omit<CrmFactsRow, 'customer' | 'consents' | 'identities'> &
  CustomerRow & {
    consents: (Omit<ConsentRow, 'updated_at'> & { updated_at: string | null })[];
    identities: (Omit<IdentityRow, 'first_seen_at'> & { first_seen_at: string })[];
  };

export async function crmFacts(db: Db, ids: readonly string[], b: FactBounds): Promise<CrmFactsRow[]> {
  const [asOf, windowStart] = [param(b.asOf), param(b.rfmWindowStart)];
  const [recentStart, priorStart, reactivationStart] = [param(b.recentStart), param(b.priorStart), param(b.reactivationStart)];
  const rows = await db<Raw>(
    sql`${withMembers(param(ids))}, ids AS (${IDENTITIES}), cons AS (${CONSENTS}), o AS (
       SELECT k.key AS customer_id, placed_at, total, placed_at - lag(placed_at) OVER (PARTITION BY k.key ORDER BY placed_at) AS gap
         FROM km k JOIN orders ON orders.customer_id = k.member WHERE orders.customer_id = ${IN_KM} AND status = 'completed' AND placed_at <= ${asOf}
     ), orders_agg AS (
       SELECT customer_id,
              count(*)::int AS completed_orders, min(placed_at) AS first_order_at, max(placed_at) AS last_order_at,
              count(*) FILTER (WHERE placed_at > ${windowStart})::int AS orders_in_window,
              coalesce(sum(total) FILTER (WHERE placed_at > ${windowStart}), 0)::numeric(14,2)::text AS spend_in_window,
              count(*) FILTER (WHERE placed_at > ${recentStart})::int AS orders_recent,
              count(*) FILTER (WHERE placed_at > ${priorStart} AND placed_at <= ${recentStart})::int AS orders_prior,
              (extract(epoch FROM avg(gap)) / 86400)::float8 AS mean_interval_days,
              min(placed_at) FILTER (WHERE placed_at > ${reactivationStart}) AS earliest_recent_order_at,
              max(placed_at) FILTER (WHERE placed_at <= ${reactivationStart}) AS latest_order_before_window_at
         FROM o GROUP BY customer_id
     ), items_agg AS (
       SELECT k.key AS customer_id, avg((i.unit_price < p.price)::int)::float8 AS discounted_item_share
         FROM km k JOIN orders o ON o.customer_id = k.member JOIN order_items i ON i.order_id = o.id JOIN products p ON p.id = i.product_id
        WHERE o.customer_id = ${IN_KM} AND o.status = 'completed' AND o.placed_at <= ${asOf} AND o.placed_at > ${windowStart}
        GROUP BY k.key
     ), tickets_agg AS (
       SELECT k.key AS customer_id,
              count(*) FILTER (WHERE status IN ('open', 'pending') OR resolved_at > ${asOf})::int AS unresolved_tickets,
              count(*) FILTER (WHERE satisfaction <= ${b.badRating} AND coalesce(resolved_at, opened_at) > ${b.badRatingStart}
                                 AND coalesce(resolved_at, opened_at) <= ${asOf})::int AS bad_ratings
         FROM km k JOIN support_tickets t ON t.customer_id = k.member WHERE t.customer_id = ${IN_KM} AND opened_at <= ${asOf}
        GROUP BY k.key
     )
     SELECT u.key AS id, c.id AS canonical_id, c.created_at, c.full_name, c.gender, c.birth_date, c.city, c.country, c.occupation, c.email, c.phone, c.status,
            coalesce(oa.completed_orders, 0) AS completed_orders, oa.first_order_at, oa.last_order_at,
            coalesce(oa.orders_in_window, 0) AS orders_in_window, coalesce(oa.spend_in_window, '0.00') AS spend_in_window,
            coalesce(oa.orders_recent, 0) AS orders_recent, coalesce(oa.orders_prior, 0) AS orders_prior,
            oa.mean_interval_days, oa.earliest_recent_order_at, oa.latest_order_before_window_at,
            ia.discounted_item_share,
            coalesce(ta.unresolved_tickets, 0) AS unresolved_tickets, coalesce(ta.bad_ratings, 0) AS bad_ratings,
            coalesce(ca.consents, '[]') AS consents, coalesce(ia2.identities, '[]') AS identities
       FROM kc u
       JOIN customers c ON c.id = u.canon
       LEFT JOIN (SELECT customer_id, json_agg(x) AS consents FROM cons x GROUP BY customer_id) ca ON ca.customer_id = u.key
       LEFT JOIN (SELECT customer_id, json_agg(x ORDER BY x.kind, x.first_seen_at, x.value) AS identities FROM ids x GROUP BY customer_id) ia2 ON ia2.customer_id = u.key
       LEFT JOIN orders_agg oa ON oa.customer_id = u.key
       LEFT JOIN items_agg ia ON ia.customer_id = u.key
       LEFT JOIN tickets_agg ta ON ta.customer_id = u.key`,
  );
  return rows.map(
    ({
      id,
      canonical_id,
      created_at,
      full_name,
      gender,
      birth_date,
      city,
      country,
      occupation,
      email,
      phone,
      status,
      consents,
      identities,
      ...facts
    }) => ({
      ...facts,
      customer: { id, canonical_id, created_at, full_name, gender, birth_date, city, country, occupation, email, phone, status },
      consents: consents.map((x) => ({ ...x, updated_at: x.updated_at === null ? null : new Date(x.updated_at) })),
      identities: identities.map((x) => ({ ...x, first_seen_at: new Date(x.first_seen_at) })),
    }),
  );
}
