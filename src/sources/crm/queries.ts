import { IdentifierKind } from '../../enums';
import type { Db } from './db';
import { emailSql, phoneSql, type LookupKey } from './identifiers';
import { CONSENTS, IDENTITIES, IN_KM, membersArray, notMerged, personHas, withMembers } from './members';
import { inSegmentSql, type SegmentFilter } from './segments';
import type {
  ConsentRow, CustomerRow, IdentityRow, OrderItemRow, OrderRow, PurchaseSummaryRow, TicketRow,
} from './rows';

/**
 * Every SQL statement the API sends to the CRM. Each function is one round trip and takes the keys
 * of a whole batch; rows come back unordered by key (loaders.ts maps them back). A key naming a
 * customer record answers for its person: the survivor's row and the union of the orders, tickets,
 * identities and consents of every record merged into it (members.ts).
 */

const PROFILE_COLUMNS = 'c.created_at, c.full_name, c.gender, c.birth_date, c.city, c.country, c.occupation, c.email, c.phone, c.status';
/** For rows of survivors (lists, search), which are their own canonical record. */
const CUSTOMER_COLUMNS = `c.id, c.id AS canonical_id, ${PROFILE_COLUMNS}`;

/** Exact microseconds since the epoch of a timestamptz: keyset cursors must not lose precision. */
const micros = (col: string) => `(extract(epoch from ${col}) * 1000000)::int8`;
const fromMicros = (param: string) => `(timestamptz 'epoch' + ${param}::int8 * interval '1 microsecond')`;

export type Keyed<R> = R & { sort_us: number };

/** The row of each id's person (the survivor's), with id = the id asked for and canonical_id = the survivor's. */
export const customersByIds = (db: Db, ids: readonly string[]) =>
  db<CustomerRow>(
    `${withMembers('$1')} SELECT kc.key AS id, c.id AS canonical_id, ${PROFILE_COLUMNS} FROM kc JOIN customers c ON c.id = kc.canon`,
    [ids],
  );

export const identitiesByCustomerIds = (db: Db, ids: readonly string[]) =>
  db<IdentityRow>(
    `${withMembers('$1')} SELECT * FROM (${IDENTITIES}) x ORDER BY x.customer_id, x.kind, x.first_seen_at, x.value`,
    [ids],
  );

export const consentsByCustomerIds = (db: Db, ids: readonly string[]) =>
  db<ConsentRow>(`${withMembers('$1')} ${CONSENTS}`, [ids]);

export const purchaseSummaries = (db: Db, ids: readonly string[]) =>
  db<PurchaseSummaryRow>(
    `${withMembers('$1')} SELECT m.key AS customer_id, count(*)::int8 AS completed_orders, sum(o.total)::numeric(14,2)::text AS total_spent,
            round(avg(o.total), 2)::numeric(14,2)::text AS average_order_value,
            min(o.placed_at) AS first_order_at, max(o.placed_at) AS last_order_at
       FROM km m JOIN orders o ON o.customer_id = m.member
      WHERE o.status = 'completed' AND o.customer_id = ${IN_KM}
      GROUP BY m.key`,
    [ids],
  );

/** Per customer, up to `limit` orders after its own cursor, newest first. `k` is the key's index. */
export const ordersPages = (
  db: Db,
  keys: { customerId: string; afterUs: number | null; afterId: string | null }[],
  limit: number,
  status: string | null,
) =>
  db<Keyed<OrderRow> & { k: number }>(
    `${withMembers('$1')} SELECT k.ord - 1 AS k, o.*
       FROM unnest($1::text[], $2::int8[], $3::text[]) WITH ORDINALITY AS k(customer_id, after_us, after_id, ord)
      CROSS JOIN LATERAL (
        SELECT o.id, o.order_number, o.customer_id, o.status, o.channel, o.placed_at, o.total::text AS total,
               ${micros('o.placed_at')} AS sort_us
          FROM orders o
         WHERE o.customer_id = ANY(${membersArray('k.customer_id')})
           AND ($5::text IS NULL OR o.status = $5)
           AND (k.after_us IS NULL OR (o.placed_at, o.id) < (${fromMicros('k.after_us')}, k.after_id))
         ORDER BY o.placed_at DESC, o.id DESC
         LIMIT $4
      ) o
      ORDER BY k, o.placed_at DESC, o.id DESC`,
    [keys.map((k) => k.customerId), keys.map((k) => k.afterUs), keys.map((k) => k.afterId), limit, status],
  );

export const orderCounts = (db: Db, ids: readonly string[], status: string | null) =>
  db<{ customer_id: string; count: number }>(
    `${withMembers('$1')} SELECT m.key AS customer_id, count(*)::int8 AS count
       FROM km m JOIN orders o ON o.customer_id = m.member
      WHERE ($2::text IS NULL OR o.status = $2) AND o.customer_id = ${IN_KM} GROUP BY m.key`,
    [ids, status],
  );

export const itemsByOrderIds = (db: Db, orderIds: readonly string[]) =>
  db<Omit<OrderItemRow, 'product'> & { p_id: string; p_name: string; p_category: string; p_brand: string | null; p_price: string }>(
    `SELECT i.order_id, i.line_no, i.quantity, i.unit_price::text AS unit_price,
            (i.quantity * i.unit_price)::numeric(14,2)::text AS line_total,
            p.id AS p_id, p.name AS p_name, p.category AS p_category, p.brand AS p_brand, p.price::text AS p_price
       FROM order_items i JOIN products p ON p.id = i.product_id
      WHERE i.order_id = ANY($1::text[]) ORDER BY i.order_id, i.line_no`,
    [orderIds],
  );

/** Per customer, its newest `limit` tickets with one of `statuses` (all when null). */
export const ticketsFor = (db: Db, ids: readonly string[], statuses: string[] | null, limit: number) =>
  db<TicketRow>(
    `${withMembers('$1')} SELECT t.* FROM unnest($1::text[]) WITH ORDINALITY AS k(customer_id, ord)
      CROSS JOIN LATERAL (
        SELECT id, k.customer_id, subject, status, priority, channel, opened_at, resolved_at, satisfaction
          FROM support_tickets s
         WHERE s.customer_id = ANY(${membersArray('k.customer_id')}) AND ($2::text[] IS NULL OR s.status = ANY($2::text[]))
         ORDER BY s.opened_at DESC, s.id DESC LIMIT $3
      ) t
      ORDER BY k.ord, t.opened_at DESC, t.id DESC`,
    [ids, statuses, limit],
  );

/**
 * Customers each lookup key belongs to, best first (active, then oldest), as their survivors (a key
 * of a merged record answers its survivor). E-mails and phones match the customer record and the
 * identities whatever format they were stored in; other kinds match identities exactly (order
 * numbers: orders); every kind also matches the identity links made through the API (stored
 * normalised, as keys). One statement, with only the branches of the kinds asked for: an
 * order-number lookup does not pay for normalising every e-mail and phone.
 */
export function customerIdsByIdentifiers(db: Db, keys: readonly LookupKey[]) {
  const of = (kind: IdentifierKind) => keys.filter((k) => k.kind === kind).map((k) => k.key);
  const phones = keys.flatMap((k) => (k.kind === IdentifierKind.PHONE ? k.digits.map((d) => [k.key, d] as const) : []));
  const exact = keys.filter(
    (k) => ![IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.ORDER_NUMBER, IdentifierKind.SOCIAL].includes(k.kind),
  );
  const params: unknown[] = [];
  const bind = (v: unknown) => `$${params.push(v)}`;
  const branches: string[] = [];
  const emails = of(IdentifierKind.EMAIL);
  if (emails.length) {
    const e = bind(emails);
    branches.push(`(${normalisedLookup('email', `unnest(${e}::text[], ${e}::text[])`, emailSql)})`);
  }
  // A phone key matches on any of its digit forms (identifiers.ts).
  if (phones.length) branches.push(`(${normalisedLookup('phone', `unnest(${bind(phones.map((x) => x[0]))}::text[], ${bind(phones.map((x) => x[1]))}::text[])`, phoneSql)})`);
  const orders = of(IdentifierKind.ORDER_NUMBER);
  if (orders.length) branches.push(`SELECT 'order_number', o.order_number, o.customer_id FROM orders o WHERE o.order_number = ANY(${bind(orders)}::text[])`);
  const social = of(IdentifierKind.SOCIAL);
  if (social.length) {
    branches.push(`SELECT 'social', lower(i.value), i.customer_id FROM customer_identities i WHERE i.kind = 'social' AND lower(i.value) = ANY(${bind(social)}::text[])`);
  }
  if (exact.length) {
    branches.push(
      `SELECT i.kind, i.value, i.customer_id FROM customer_identities i
         JOIN unnest(${bind(exact.map((k) => k.kind))}::text[], ${bind(exact.map((k) => k.key))}::text[]) AS x(kind, value) ON i.kind = x.kind AND i.value = x.value`,
    );
  }
  const linkable = keys.filter((k) => k.kind !== IdentifierKind.ORDER_NUMBER);
  if (linkable.length) {
    branches.push(
      `SELECT l.kind, l.value, l.customer_id FROM c360.identity_links l
         JOIN unnest(${bind(linkable.map((k) => k.kind))}::text[], ${bind(linkable.map((k) => k.key))}::text[]) AS x(kind, value)
           ON l.kind = x.kind AND l.value = x.value AND l.removed_at IS NULL`,
    );
  }
  return db<{ kind: string; key: string; customer_id: string }>(
    `WITH m(kind, key, customer_id) AS (${branches.join(' UNION ')})
      SELECT m.kind, m.key, c.id AS customer_id FROM m JOIN customers c ON c.id = c360.canonical_id(m.customer_id)
       ORDER BY (c.status = 'active') DESC, c.created_at, c.id`,
    params,
  );
}

/**
 * The customers whose e-mail or phone (record or identities) normalises to one of the forms of a key
 * (`pairs`: a set-returning expression of (key, form) rows; a phone has several digit forms): found in
 * c360.identifier_lookup (indexed, rebuilt with the search index) and checked against the live rows,
 * so a value changed since the last rebuild never matches; the forms of keys with no checked match are
 * looked for by normalising the live rows (a scan, only then: a miss costs what every lookup cost
 * before the index). Contract between rebuilds: a key with a checked hit is not scanned for, so a
 * record that took the same value (or, for a phone, another form of it) since the last rebuild is
 * found only after the next. Rows: (kind, key, customer_id).
 */
function normalisedLookup(kind: 'email' | 'phone', pairs: string, normalise: (col: string) => string): string {
  const live = (table: string) =>
    table === 'customers'
      ? `SELECT c.id AS customer_id, ${normalise(`c.${kind}`)} AS form FROM customers c`
      : `SELECT i.customer_id, ${normalise('i.value')} AS form FROM customer_identities i WHERE i.kind = '${kind}'`;
  return `WITH f AS (SELECT * FROM ${pairs} AS f(key, form)),
    hit AS (
      SELECT f.key, f.form, l.customer_id FROM f JOIN c360.identifier_lookup l ON l.kind = '${kind}' AND l.key = f.form
    ), checked AS (
      SELECT h.key, h.customer_id FROM hit h JOIN customers c ON c.id = h.customer_id WHERE ${normalise(`c.${kind}`)} = h.form
      UNION SELECT h.key, h.customer_id FROM hit h
        JOIN customer_identities i ON i.customer_id = h.customer_id AND i.kind = '${kind}' AND ${normalise('i.value')} = h.form
    ), missing AS (
      SELECT array_agg(f.form) AS forms FROM f WHERE NOT EXISTS (SELECT 1 FROM checked WHERE checked.key = f.key)
    )
    SELECT '${kind}', key, customer_id FROM checked
    UNION SELECT '${kind}', f.key, x.customer_id FROM missing m,
      LATERAL (SELECT * FROM (${live('customers')} UNION ALL ${live('identities')}) x WHERE m.forms IS NOT NULL AND x.form = ANY(m.forms)) x
      JOIN f ON f.form = x.form`;
}

/** A deterministic sample of `n` customers (survivors, not erased), for previewing a tag. */
export const sampleCustomers = (db: Db, n: number) =>
  db<{ id: string }>(`SELECT c.id FROM customers c WHERE c.status <> 'erased' AND ${notMerged('c.id')} ORDER BY md5(c.id) LIMIT $1`, [n]);

export interface CustomerListFilter {
  city?: string | null;
  country?: string | null;
  gender?: string | null;
  status?: string | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
  hasOrders?: boolean | null;
  hasCompletedOrders?: boolean | null;
  /** Members of every one of these segment filters in this snapshot version. */
  snapshot?: { version: number; filters: SegmentFilter[] } | null;
}

/**
 * WHERE clause and parameters for a customer filter; values are always bound, never spliced. Lists
 * show survivors only; order conditions look at the orders of every record of the person.
 */
function whereOf(f: CustomerListFilter, params: unknown[]): string[] {
  const bind = (v: unknown) => `$${params.push(v)}`;
  const where: string[] = [notMerged('c.id')];
  if (f.city != null) where.push(`lower(c.city) = lower(${bind(f.city)})`);
  if (f.country != null) where.push(`c.country = upper(${bind(f.country)})`);
  if (f.gender != null) where.push(`c.gender = ${bind(f.gender)}`);
  if (f.status != null) where.push(`c.status = ${bind(f.status)}`);
  if (f.createdAfter != null) where.push(`c.created_at >= ${bind(f.createdAfter)}`);
  if (f.createdBefore != null) where.push(`c.created_at < ${bind(f.createdBefore)}`);
  if (f.hasOrders != null) {
    where.push(`${f.hasOrders ? '' : 'NOT '}${personHas('c.id', 'orders', '')}`);
  }
  if (f.hasCompletedOrders != null) {
    where.push(
      `${f.hasCompletedOrders ? '' : 'NOT '}${personHas('c.id', 'orders', `o.status = 'completed'`)}`,
    );
  }
  for (const segment of f.snapshot?.filters ?? []) where.push(inSegmentSql(f.snapshot!.version, segment, 'c.id', params));
  return where;
}

export type CustomerOrderBy = 'id_asc' | 'created_at_asc' | 'created_at_desc';

/** Keyset page: up to `limit` customers after `after` (the previous page's last sort key). */
export function listCustomers(
  db: Db,
  filter: CustomerListFilter,
  orderBy: CustomerOrderBy,
  limit: number,
  after: { us: number; id: string } | { id: string } | null,
) {
  const params: unknown[] = [];
  const where = whereOf(filter, params);
  const bind = (v: unknown) => `$${params.push(v)}`;
  let order = 'c.id';
  if (orderBy !== 'id_asc') {
    const dir = orderBy === 'created_at_asc' ? 'ASC' : 'DESC';
    order = `c.created_at ${dir}, c.id ${dir}`;
    if (after && 'us' in after) {
      const op = dir === 'ASC' ? '>' : '<';
      where.push(`(c.created_at, c.id) ${op} (${fromMicros(bind(after.us))}, ${bind(after.id)})`);
    }
  } else if (after) {
    where.push(`c.id > ${bind(after.id)}`);
  }
  return db<Keyed<CustomerRow>>(
    `SELECT ${CUSTOMER_COLUMNS}, ${micros('c.created_at')} AS sort_us FROM customers c
      WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${bind(limit)}`,
    params,
  );
}

export async function countCustomers(db: Db, filter: CustomerListFilter): Promise<number> {
  const params: unknown[] = [];
  const where = whereOf(filter, params);
  const rows = await db<{ count: number }>(
    `SELECT count(*)::int8 AS count FROM customers c WHERE ${where.join(' AND ')}`,
    params,
  );
  return rows[0]?.count ?? 0;
}

/**
 * Customers whose name, e-mail, phone digits or order numbers match `query` (lower-cased), best
 * first: exact and prefix matches above trigram word similarity. Served by c360.customer_search;
 * a customer erased since its last refresh is left out all the same. A match on a merged record
 * answers its survivor, once, with the best score of its records.
 */
export const searchCustomers = (db: Db, query: string, digits: string, limit: number) =>
  db<CustomerRow & { score: number }>(
    `SELECT ${CUSTOMER_COLUMNS}, s.score FROM (
        SELECT c360.canonical_id(customer_id) AS customer_id, max(score) AS score FROM (
        SELECT customer_id,
               word_similarity($1, doc)
               + CASE WHEN name = $1 OR email = $1 OR ($2 <> '' AND phone_digits = $2)
                           OR $1 = ANY(string_to_array(order_numbers, ' ')) THEN 2
                      WHEN starts_with(name, $1) OR starts_with(email, $1) OR ($2 <> '' AND starts_with(phone_digits, $2)) THEN 1
                      ELSE 0 END AS score
          FROM c360.customer_search
         WHERE ($1 <% doc OR ($2 <> '' AND $2 <% doc))
           AND NOT EXISTS (SELECT 1 FROM customers e WHERE e.id = customer_search.customer_id AND e.status = 'erased')
        ) hit GROUP BY 1 ORDER BY score DESC, customer_id LIMIT $3
      ) s JOIN customers c ON c.id = s.customer_id
      ORDER BY s.score DESC, c.id`,
    [query, digits, limit],
  );
