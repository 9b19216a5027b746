import { asError, byGroup, groupRows, loader, oneRow, tupleKey, type LoaderOptions } from '../batch';
import type { Db } from './db';
import { crmFacts, type CrmFactsRow, type FactBounds } from './facts';
import type { LookupKey } from './identifiers';
import * as q from './queries';
import { insertExposures, type Exposure } from './experiments';
import { recoRows, type RecoBounds, type RecoKey, type RecoPurchase, type RecoRows } from './recommendations';
import {
  ALL_CRM_COLUMNS,
  type ConsentRow,
  type CrmColumns,
  type CustomerRow,
  type OrderItemRow,
  type OrderWithItems,
  type PurchaseSummaryRow,
  type TicketRow,
} from './rows';

export interface OrdersKey {
  customerId: string;
  first: number;
  status: string | null;
  /** The page's cursor; `backward`: the orders before it, read oldest first. */
  after: { us: number; id: string } | null;
  backward: boolean;
}
export interface TicketsKey {
  customerId: string;
  first: number;
  statuses: string[] | null;
  /** The page's cursor (null: from the start, or the end when backward); `backward`: the tickets before it, oldest first. */
  after: { us: number; id: string } | null;
  backward: boolean;
}
export type OrdersPageRows = q.Keyed<OrderWithItems>[];
export interface RecoLoadKey extends RecoKey {
  bounds: RecoBounds;
}
/** One customer's view of a level's recommendation rows: its purchases, the shared pairs, popularity and products. */
export type RecoView = Omit<RecoRows, 'purchases'> & { purchases: RecoPurchase[] };

export interface FactsKey {
  customerId: string;
  bounds: FactBounds;
}

/** A bounds object's key, serialised once per object (a request shares one per instant: services/facts.ts, services/recommendations.ts). */
const boundsKeys = new WeakMap<object, string>();
const boundsKey = (b: object) => {
  let key = boundsKeys.get(b);
  if (key === undefined) boundsKeys.set(b, (key = JSON.stringify(b)));
  return key;
};

/** The items of each of `orderIds` (in line order), with the item and product columns of `columns`. */
export async function orderItems(db: Db, orderIds: readonly string[], columns: CrmColumns): Promise<OrderItemRow[][]> {
  const rows = await q.itemsByOrderIds(db, orderIds, columns.item, columns.product);
  for (const r of rows) r.product = r;
  return groupRows(orderIds, rows as OrderItemRow[], (r) => r.order_id);
}

/** Sets each order's `items` from one statement; when it fails, its error is every order's `items` (only those fields fail). */
async function withItems(db: Db, orders: OrderWithItems[], columns: CrmColumns): Promise<void> {
  if (!orders.length) return;
  try {
    const items = await orderItems(
      db,
      orders.map((o) => o.id),
      columns,
    );
    orders.forEach((o, i) => (o.items = items[i]));
  } catch (e) {
    const error = asError(e);
    for (const o of orders) o.items = error;
  }
}

/**
 * The CRM loaders of one request (never shared across requests). Each batch is one SQL round trip
 * per distinct argument group, whatever the number of customers; values follow the key order,
 * `null` or [] for what does not exist. Order and item rows carry the columns `columns()` names
 * when their batch runs (the request's operation is known by then).
 */
export function createCrmLoaders(
  db: Db,
  { batch, columns = () => ALL_CRM_COLUMNS }: LoaderOptions & { columns?: () => CrmColumns } = { batch: true },
) {
  /** The facts statement already asked for each customer in this request: it also returns its row, identities and consents. */
  const pendingFacts = new Map<string, Promise<CrmFactsRow | null>>();

  /**
   * Serves the customers a facts statement covers from it, and queries only the others: a field that
   * needs the row, identities or consents at the same level as a derived field costs no statement.
   */
  async function viaFacts<V>(
    ids: readonly string[],
    pick: (row: CrmFactsRow | null) => V,
    query: (ids: string[]) => Promise<V[]>,
  ): Promise<(V | Error)[]> {
    const out = new Array<V | Error>(ids.length);
    const rest: number[] = [];
    const covered: Promise<void>[] = [];
    ids.forEach((id, i) => {
      const pending = pendingFacts.get(id);
      if (!pending) rest.push(i);
      else
        covered.push(
          pending.then(
            (row) => void (out[i] = pick(row)),
            (e: unknown) => void (out[i] = asError(e)),
          ),
        );
    });
    const queried = rest.length
      ? query(rest.map((i) => ids[i]!)).then((values) => rest.forEach((i, j) => (out[i] = values[j]!)))
      : Promise.resolve();
    await Promise.all([queried, ...covered]);
    return out;
  }

  const customer = loader<string, CustomerRow | null>(
    'customer',
    (ids) =>
      viaFacts(
        ids,
        (r) => r?.customer ?? null,
        async (rest) =>
          oneRow(
            rest,
            await q.customersByIds(db, rest),
            (r) => r.id,
            () => null,
          ),
      ),
    { batch },
  );
  const identities = loader(
    'identities',
    (ids: readonly string[]) =>
      viaFacts(
        ids,
        (r) => r?.identities ?? [],
        async (rest) => groupRows(rest, await q.identitiesByCustomerIds(db, rest), (r) => r.customer_id),
      ),
    { batch },
  );
  /** Recorded consents only; a purpose without a row is not granted. */
  const consents = loader(
    'consents',
    (ids: readonly string[]): Promise<(ConsentRow[] | Error)[]> =>
      viaFacts(
        ids,
        (r) => r?.consents ?? [],
        async (rest) => groupRows(rest, await q.consentsByCustomerIds(db, rest), (r) => r.customer_id),
      ),
    { batch },
  );
  const facts = loader<FactsKey, CrmFactsRow | null, string>(
    'facts',
    (keys) =>
      byGroup(
        keys,
        (k) => boundsKey(k.bounds),
        async (group) => {
          const rows = await crmFacts(
            db,
            group.map((k) => k.customerId),
            group[0]!.bounds,
          );
          return oneRow(
            group.map((k) => k.customerId),
            rows,
            (r) => r.customer.id,
            () => null,
          );
        },
      ),
    { cacheKeyFn: (k) => `${k.customerId}\u0000${boundsKey(k.bounds)}`, batch },
  );
  return {
    customer,
    identities,
    consents,
    /**
     * Everything the derivations read from the CRM, one statement per distinct `bounds`. The first
     * one asked for a customer also answers its row, identities and consents (see viaFacts).
     */
    facts: {
      load(key: FactsKey): Promise<CrmFactsRow | null> {
        const p = facts.load(key);
        if (!pendingFacts.has(key.customerId)) pendingFacts.set(key.customerId, p);
        return p;
      },
    },
    purchaseSummary: loader(
      'purchaseSummary',
      async (ids: readonly string[]) =>
        oneRow(
          ids,
          await q.purchaseSummaries(db, ids),
          (r) => r.customer_id,
          (id): PurchaseSummaryRow => ({
            customer_id: id,
            completed_orders: 0,
            total_spent: '0.00',
            average_order_value: null,
            first_order_at: null,
            last_order_at: null,
          }),
        ),
      { batch },
    ),
    /**
     * Up to first+1 orders per key (the extra one tells whether there is a next page), `first` when no
     * field reads the page info; with their items when a field reads them (one statement for the orders
     * of every group), so a page of orders with items costs two statements, whatever its size.
     */
    ordersPage: loader<OrdersKey, OrdersPageRows, string>(
      'ordersPage',
      async (keys) => {
        const cols = columns();
        const pages = await byGroup(
          keys,
          (k) => tupleKey(k.first, k.status, k.backward),
          async (group) => {
            const rows = await q.ordersPages(
              db,
              group.map((k) => ({ customerId: k.customerId, afterUs: k.after?.us ?? null, afterId: k.after?.id ?? null })),
              group[0]!.first + (cols.orderPageInfo ? 1 : 0),
              group[0]!.status,
              cols.order,
              group[0]!.backward,
            );
            return groupRows(
              group.map((_, i) => i),
              rows,
              (r) => r.k,
            );
          },
        );
        if (cols.orderItems)
          await withItems(
            db,
            pages.flatMap((p) => (p instanceof Error ? [] : p)),
            cols,
          );
        return pages;
      },
      { cacheKeyFn: (k) => tupleKey(k.customerId, k.first, k.status, k.after?.us, k.after?.id, k.backward), batch },
    ),
    orderCount: loader<{ customerId: string; status: string | null }, number, string>(
      'orderCount',
      (keys) =>
        byGroup(
          keys,
          (k) => tupleKey(k.status),
          async (group) => {
            const rows = await q.orderCounts(
              db,
              group.map((k) => k.customerId),
              group[0]!.status,
            );
            return oneRow(
              group.map((k) => k.customerId),
              rows,
              (r) => r.customer_id,
              () => null,
            ).map((r) => r?.count ?? 0);
          },
        ),
      { cacheKeyFn: (k) => tupleKey(k.customerId, k.status), batch },
    ),
    /** Up to `first` tickets per key (callers paging ask for one more: it tells whether there are more). */
    tickets: loader<TicketsKey, q.Keyed<TicketRow>[], string>(
      'tickets',
      (keys) =>
        byGroup(
          keys,
          (k) => tupleKey(k.first, k.statuses, k.backward),
          async (group) => {
            const rows = await q.ticketsFor(
              db,
              group.map((k) => ({ customerId: k.customerId, afterUs: k.after?.us ?? null, afterId: k.after?.id ?? null })),
              group[0]!.statuses,
              group[0]!.first,
              group[0]!.backward,
            );
            return groupRows(
              group.map((_, i) => i),
              rows,
              (r) => r.k,
            );
          },
        ),
      { cacheKeyFn: (k) => tupleKey(k.customerId, k.first, k.statuses, k.after?.us, k.after?.id, k.backward), batch },
    ),
    /** What recommendations read (sources/crm/recommendations.ts recoRows): one statement per distinct bounds, whatever the customers. */
    reco: loader<RecoLoadKey, RecoView, string>(
      'reco',
      (keys) =>
        byGroup(
          keys,
          (k) => boundsKey(k.bounds),
          async (group) => {
            const rows = await recoRows(db, group, group[0]!.bounds);
            return group.map((k) => ({ ...rows, purchases: rows.purchases.get(k.customerId) ?? [] }));
          },
        ),
      { cacheKeyFn: (k) => tupleKey(k.customerId, k.personal, k.segments, boundsKey(k.bounds)), batch },
    ),
    /**
     * Records an exposure (sources/crm/experiments.ts): a level's exposures in one INSERT, each load
     * resolved once it has committed. Never cached: every answer under an experiment is a row.
     */
    exposures: loader<Exposure, true>(
      'exposures',
      async (keys) => {
        await insertExposures(db, keys);
        return keys.map(() => true as const);
      },
      { cache: false, batch },
    ),
    /** Customer ids an identifier belongs to, best first; [] when none. */
    customerIdsByIdentifier: loader<LookupKey, string[], string>(
      'customerIdsByIdentifier',
      async (keys) => {
        const rows = await q.customerIdsByIdentifiers(db, keys);
        return groupRows(
          keys.map((k) => `${k.kind}\u0000${k.key}`),
          rows,
          (r) => `${r.kind}\u0000${r.key}`,
        ).map((matches) => [...new Set(matches.map((m) => m.customer_id))]);
      },
      { cacheKeyFn: (k) => `${k.kind}\u0000${k.key}`, batch },
    ),
  };
}

export type CrmLoaders = ReturnType<typeof createCrmLoaders>;
