import { IdentifierKind } from '../../enums';
import type { Db } from './db';
import { emailOf, orderNumberOf, PHONE_REGIONS, phoneOf, type LookupKey } from './identifiers';
import { CONSENTS, IDENTITIES, IN_KM, membersArray, notMerged, personHas, withMembers } from './members';
import { inSegmentSql, type SegmentFilter } from './segments';
import { join, keysetOrder, param, sql, type Param, type Sql } from './sql';
import type {
  ConsentRow,
  CustomerKeys,
  CustomerRow,
  IdentityRow,
  ItemColumn,
  OrderColumn,
  OrderItemRow,
  OrderRow,
  ProductColumn,
  ProductRow,
  PurchaseSummaryRow,
  TicketRow,
} from './rows';

/**
 * Every SQL statement the API sends to the CRM. Each function is one round trip and takes the keys
 * of a whole batch; rows come back unordered by key (loaders.ts maps them back). A key naming a
 * customer record answers for its person: the survivor's row and the union of the orders, tickets,
 * identities and consents of every record merged into it (members.ts).
 */

const PROFILE_COLUMNS = sql`c.created_at, c.full_name, c.gender, c.birth_date, c.city, c.country, c.occupation, c.email, c.phone, c.status`;
/** For rows of survivors (lists, search), which are their own canonical record. */
const CUSTOMER_COLUMNS = sql`c.id, c.id AS canonical_id, ${PROFILE_COLUMNS}`;
const CUSTOMER_KEYS = sql`c.id, c.id AS canonical_id`;

const ORDER_COLUMNS: Record<OrderColumn, Sql> = {
  order_number: sql`o.order_number`,
  status: sql`o.status`,
  channel: sql`o.channel`,
  placed_at: sql`o.placed_at`,
  total: sql`o.total::text AS total`,
};
/** The same columns unconverted, for the rows an orders statement ranks before it keeps a page of them (placed_at: always there). */
const RANKED_ORDER_COLUMNS: Record<Exclude<OrderColumn, 'placed_at'>, Sql> = {
  order_number: sql`o.order_number`,
  status: sql`o.status`,
  channel: sql`o.channel`,
  total: sql`o.total`,
};
const ITEM_COLUMNS: Record<ItemColumn, Sql> = {
  quantity: sql`i.quantity`,
  unit_price: sql`i.unit_price::text AS unit_price`,
  line_total: sql`(i.quantity * i.unit_price)::numeric(14,2)::text AS line_total`,
};
const PRODUCT_COLUMNS: Record<ProductColumn, Sql> = {
  id: sql`p.id`,
  name: sql`p.name`,
  category: sql`p.category`,
  brand: sql`p.brand`,
  price: sql`p.price::text AS price`,
};
/** `keys` and, after them, the fragments of `columns`: one statement text per set of columns. */
const columnsOf = <K extends string>(keys: Sql, fragments: Record<K, Sql>, columns: readonly K[]) =>
  join([keys, ...columns.map((c) => fragments[c])], ', ');

/** Exact microseconds since the epoch of a timestamptz: keyset cursors must not lose precision. */
const micros = (col: Sql) => sql`(extract(epoch from ${col}) * 1000000)::int8`;
/** `us` a column or a value. */
const fromMicros = (us: unknown) => sql`(timestamptz 'epoch' + ${us}::int8 * interval '1 microsecond')`;

export type Keyed<R> = R & { sort_us: number };

/** The row of each id's person (the survivor's), with id = the id asked for and canonical_id = the survivor's. */
export const customersByIds = (db: Db, ids: readonly string[]) =>
  db<CustomerRow>(
    sql`${withMembers(param(ids))} SELECT kc.key AS id, c.id AS canonical_id, ${PROFILE_COLUMNS} FROM kc JOIN customers c ON c.id = kc.canon`,
  );

export const identitiesByCustomerIds = (db: Db, ids: readonly string[]) =>
  db<IdentityRow>(sql`${withMembers(param(ids))} SELECT * FROM (${IDENTITIES}) x ORDER BY x.customer_id, x.kind, x.first_seen_at, x.value`);

export const consentsByCustomerIds = (db: Db, ids: readonly string[]) => db<ConsentRow>(sql`${withMembers(param(ids))} ${CONSENTS}`);

export const purchaseSummaries = (db: Db, ids: readonly string[]) =>
  db<PurchaseSummaryRow>(
    sql`${withMembers(param(ids))} SELECT m.key AS customer_id, count(*)::int8 AS completed_orders, sum(o.total)::numeric(14,2)::text AS total_spent,
            round(avg(o.total), 2)::numeric(14,2)::text AS average_order_value,
            min(o.placed_at) AS first_order_at, max(o.placed_at) AS last_order_at
       FROM km m JOIN orders o ON o.customer_id = m.member
      WHERE o.status = 'completed' AND o.customer_id = ${IN_KM}
      GROUP BY m.key`,
  );

/**
 * Per key, up to `limit` orders of its person after the key's own cursor, newest first; `backward`:
 * before it, oldest first (the caller restores the list's order). `k` is the key's index. Rows carry
 * id, customer_id, sort_us and `columns` only. One index scan of orders for every record of the batch
 * (IN_KM), hashed to the keys (kk: distinct, as km repeats a key asked twice) and ranked per key in
 * the direction read; values are converted only for the rows kept (half the PostgreSQL CPU of a
 * sorted subquery per key).
 */
export const ordersPages = (
  db: Db,
  keys: { customerId: string; afterUs: number | null; afterId: string | null }[],
  limit: number,
  status: string | null,
  columns: readonly OrderColumn[],
  backward = false,
) => {
  const ids = param(keys.map((k) => k.customerId));
  const st = param(status);
  const { dir, past } = keysetOrder(backward);
  return db<Keyed<OrderRow> & { k: number }>(
    sql`${withMembers(ids)}, kk AS MATERIALIZED (
        SELECT DISTINCT k.ord - 1 AS k, km.member, k.after_us, k.after_id
          FROM unnest(${ids}::text[], ${keys.map((k) => k.afterUs)}::int8[], ${keys.map((k) => k.afterId)}::text[]) WITH ORDINALITY AS k(customer_id, after_us, after_id, ord)
          JOIN km ON km.key = k.customer_id
      )
      SELECT ${columnsOf(sql`o.k, o.id, o.customer_id`, ORDER_COLUMNS, columns)}, ${micros(sql`o.placed_at`)} AS sort_us FROM (
        SELECT kk.k, ${columnsOf(
          sql`o.id, o.customer_id, o.placed_at`,
          RANKED_ORDER_COLUMNS,
          columns.filter((c): c is Exclude<OrderColumn, 'placed_at'> => c !== 'placed_at'),
        )},
               row_number() OVER (PARTITION BY kk.k ORDER BY o.placed_at ${dir}, o.id ${dir}) AS n
          FROM orders o JOIN kk ON kk.member = o.customer_id
         WHERE o.customer_id = ${IN_KM}
           AND (${st}::text IS NULL OR o.status = ${st})
           AND (kk.after_us IS NULL OR (o.placed_at, o.id) ${past} (${fromMicros(sql`kk.after_us`)}, kk.after_id))
      ) o
      WHERE o.n <= ${limit}
      ORDER BY o.k, o.n`,
  );
};

export const orderCounts = (db: Db, ids: readonly string[], status: string | null) => {
  const st = param(status);
  return db<{ customer_id: string; count: number }>(
    sql`${withMembers(param(ids))} SELECT m.key AS customer_id, count(*)::int8 AS count
       FROM km m JOIN orders o ON o.customer_id = m.member
      WHERE (${st}::text IS NULL OR o.status = ${st}) AND o.customer_id = ${IN_KM} GROUP BY m.key`,
  );
};

/** The items of each order in line order, with `columns` and their product's `productColumns` (products not joined when none). */
export const itemsByOrderIds = (
  db: Db,
  orderIds: readonly string[],
  columns: readonly ItemColumn[],
  productColumns: readonly ProductColumn[],
) =>
  db<Omit<OrderItemRow, 'product'> & { product?: ProductRow }>(
    productColumns.length
      ? sql`SELECT ${columnsOf(sql`i.order_id, i.line_no`, ITEM_COLUMNS, columns)}, ${join(
          productColumns.map((c) => PRODUCT_COLUMNS[c]),
          ', ',
        )}
          FROM order_items i JOIN products p ON p.id = i.product_id
         WHERE i.order_id = ANY(${orderIds}::text[]) ORDER BY i.order_id, i.line_no`
      : // The same lines as with the join (a CRM behind views may lack the foreign key), without reading products.
        sql`SELECT ${columnsOf(sql`i.order_id, i.line_no`, ITEM_COLUMNS, columns)}
          FROM order_items i WHERE i.order_id = ANY(${orderIds}::text[]) AND EXISTS (SELECT 1 FROM products p WHERE p.id = i.product_id)
         ORDER BY i.order_id, i.line_no`,
  );

/**
 * Per customer, up to `limit` tickets with one of `statuses` (all when null) after its own cursor,
 * newest first; `backward`: before it, oldest first (the caller restores the order). `k` is the key's index.
 */
export const ticketsFor = (
  db: Db,
  keys: { customerId: string; afterUs: number | null; afterId: string | null }[],
  statuses: string[] | null,
  limit: number,
  backward = false,
) => {
  const ids = param(keys.map((k) => k.customerId));
  const st = param(statuses);
  const { dir, past } = keysetOrder(backward);
  return db<Keyed<TicketRow> & { k: number }>(
    sql`${withMembers(ids)} SELECT k.ord - 1 AS k, t.*
       FROM unnest(${ids}::text[], ${keys.map((k) => k.afterUs)}::int8[], ${keys.map((k) => k.afterId)}::text[]) WITH ORDINALITY AS k(customer_id, after_us, after_id, ord)
      CROSS JOIN LATERAL (
        SELECT id, k.customer_id, subject, status, priority, channel, opened_at, resolved_at, satisfaction, ${micros(sql`s.opened_at`)} AS sort_us
          FROM support_tickets s
         WHERE s.customer_id = ANY(${membersArray(sql`k.customer_id`)}) AND (${st}::text[] IS NULL OR s.status = ANY(${st}::text[]))
           AND (k.after_us IS NULL OR (s.opened_at, s.id) ${past} (${fromMicros(sql`k.after_us`)}, k.after_id))
         ORDER BY s.opened_at ${dir}, s.id ${dir} LIMIT ${limit}
      ) t
      ORDER BY k, t.opened_at ${dir}, t.id ${dir}`,
  );
};

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
  const phones = keys.flatMap((k) => (k.kind === IdentifierKind.PHONE ? k.forms.map((f) => ({ key: k.key, ...f })) : []));
  const exact = keys.filter(
    (k) => ![IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.ORDER_NUMBER, IdentifierKind.SOCIAL].includes(k.kind),
  );
  const branches: Sql[] = [];
  const emails = of(IdentifierKind.EMAIL);
  if (emails.length) {
    const e = param(emails);
    branches.push(
      sql`(${normalisedLookup('email', sql`SELECT e.key, e.key AS form, NULL::text AS region, false AS or_unknown FROM unnest(${e}::text[]) AS e(key)`)})`,
    );
  }
  // A phone key matches on any of its digit forms, the national ones only for customers of the number's country (identifiers.ts).
  if (phones.length)
    branches.push(
      sql`(${normalisedLookup(
        'phone',
        sql`SELECT * FROM unnest(${phones.map((x) => x.key)}::text[], ${phones.map((x) => x.digits)}::text[], ${phones.map((x) => x.region)}::text[], ${phones.map((x) => x.orUnknownCountry)}::bool[]) AS p(key, form, region, or_unknown)`,
      )})`,
    );
  const orders = of(IdentifierKind.ORDER_NUMBER);
  if (orders.length)
    branches.push(
      sql`SELECT 'order_number', ${orderNumberOf(sql`o.order_number`)}, o.customer_id FROM orders o WHERE ${orderNumberOf(sql`o.order_number`)} = ANY(${orders}::text[])`,
    );
  const social = of(IdentifierKind.SOCIAL);
  if (social.length) {
    branches.push(
      sql`SELECT 'social', lower(i.value), i.customer_id FROM customer_identities i WHERE i.kind = 'social' AND lower(i.value) = ANY(${social}::text[])`,
    );
  }
  if (exact.length) {
    branches.push(
      sql`SELECT i.kind, i.value, i.customer_id FROM customer_identities i
         JOIN unnest(${exact.map((k) => k.kind)}::text[], ${exact.map((k) => k.key)}::text[]) AS x(kind, value) ON i.kind = x.kind AND i.value = x.value`,
    );
  }
  const linkable = keys.filter((k) => k.kind !== IdentifierKind.ORDER_NUMBER);
  if (linkable.length) {
    branches.push(
      sql`SELECT l.kind, l.value, l.customer_id FROM c360.identity_links l
         JOIN unnest(${linkable.map((k) => k.kind)}::text[], ${linkable.map((k) => k.key)}::text[]) AS x(kind, value)
           ON l.kind = x.kind AND l.value = x.value AND l.removed_at IS NULL`,
    );
  }
  return db<{ kind: string; key: string; customer_id: string }>(
    sql`WITH m(kind, key, customer_id) AS (${join(branches, ' UNION ')})
      SELECT m.kind, m.key, c.id AS customer_id FROM m JOIN customers c ON c.id = c360.canonical_id(m.customer_id)
       ORDER BY (c.status = 'active') DESC, c.created_at, c.id`,
  );
}

/**
 * The customers whose e-mail or phone (record or identities) normalises to one of the forms of a key
 * (`forms`: a SELECT of (key, form, region, or_unknown) rows; a phone has several digit forms, its
 * national ones held only by customers read in `region`, or by those of no known country when
 * `or_unknown`: identifiers.ts PhoneForm): found in c360.identifier_lookup (indexed, rebuilt with the
 * search index) and checked against the live rows, so a value changed since the last rebuild never
 * matches; the forms of keys with no checked match are looked for by normalising the live rows (a
 * scan, only then: a miss costs what every lookup cost before the index). Contract between rebuilds:
 * a key with a checked hit is not scanned for, so a record that took the same value (or, for a phone,
 * another form of it) since the last rebuild is found only after the next. Rows: (kind, key, customer_id).
 */
function normalisedLookup(kind: 'email' | 'phone', forms: Sql): Sql {
  const { normalise, literal, column } = LOOKUP_KINDS[kind];
  const country = sql`upper(btrim(c.country))`;
  // The customer c (its record, or the record an identity belongs to) may hold the form f.
  const holds = (f: Sql) =>
    sql`(${f}.region IS NULL OR ${country} = ${f}.region OR (${f}.or_unknown AND (c.country IS NULL OR ${country} <> ALL(${REGIONS}::text[]))))`;
  const live = (table: string) =>
    table === 'customers'
      ? sql`SELECT c.id AS customer_id, ${normalise(column)} AS form, c.country FROM customers c`
      : sql`SELECT i.customer_id, ${normalise(sql`i.value`)} AS form, c.country FROM customer_identities i JOIN customers c ON c.id = i.customer_id WHERE i.kind = ${literal}`;
  return sql`WITH f AS MATERIALIZED (${forms}),
    hit AS (
      SELECT f.key, f.form, f.region, f.or_unknown, l.customer_id FROM f JOIN c360.identifier_lookup l ON l.kind = ${literal} AND l.key = f.form
    ), checked AS (
      SELECT h.key, h.customer_id FROM hit h JOIN customers c ON c.id = h.customer_id WHERE ${normalise(column)} = h.form AND ${holds(sql`h`)}
      UNION SELECT h.key, h.customer_id FROM hit h
        JOIN customer_identities i ON i.customer_id = h.customer_id AND i.kind = ${literal} AND ${normalise(sql`i.value`)} = h.form
        JOIN customers c ON c.id = h.customer_id WHERE ${holds(sql`h`)}
    ), missing AS (
      SELECT array_agg(f.form) AS forms FROM f WHERE NOT EXISTS (SELECT 1 FROM checked WHERE checked.key = f.key)
    )
    SELECT ${literal}, key, customer_id FROM checked
    UNION SELECT ${literal}, f.key, c.customer_id FROM missing m,
      LATERAL (SELECT * FROM (${live('customers')} UNION ALL ${live('identities')}) x WHERE m.forms IS NOT NULL AND x.form = ANY(m.forms)) c
      JOIN f ON f.form = c.form WHERE ${holds(sql`f`)}`;
}

/** The countries phoneRegionOf reads phones in, bound once per statement. */
const REGIONS = param(PHONE_REGIONS);

const LOOKUP_KINDS = {
  email: { normalise: emailOf, literal: sql`'email'`, column: sql`c.email` },
  phone: { normalise: phoneOf, literal: sql`'phone'`, column: sql`c.phone` },
};

/** A deterministic sample of `n` customers (survivors, not erased), for previewing a tag. */
export const sampleCustomers = (db: Db, n: number) =>
  db<{ id: string }>(
    sql`SELECT c.id FROM customers c WHERE c.status <> 'erased' AND ${notMerged(sql`c.id`)} ORDER BY md5(c.id) LIMIT ${n}`,
  );

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
function whereOf(f: CustomerListFilter): Sql[] {
  const id = sql`c.id`;
  const where: Sql[] = [notMerged(id)];
  if (f.city != null) where.push(sql`lower(c.city) = lower(${f.city})`);
  if (f.country != null) where.push(sql`c.country = upper(${f.country})`);
  if (f.gender != null) where.push(sql`c.gender = ${f.gender}`);
  if (f.status != null) where.push(sql`c.status = ${f.status}`);
  if (f.createdAfter != null) where.push(sql`c.created_at >= ${f.createdAfter}`);
  if (f.createdBefore != null) where.push(sql`c.created_at < ${f.createdBefore}`);
  const not = (yes: boolean) => (yes ? sql`` : sql`NOT `);
  if (f.hasOrders != null) where.push(sql`${not(f.hasOrders)}${personHas(id, 'orders', null)}`);
  if (f.hasCompletedOrders != null) {
    where.push(sql`${not(f.hasCompletedOrders)}${personHas(id, 'orders', sql`o.status = 'completed'`)}`);
  }
  for (const segment of f.snapshot?.filters ?? []) where.push(inSegmentSql(f.snapshot!.version, segment, id));
  return where;
}

export type CustomerOrderBy = 'id_asc' | 'created_at_asc' | 'created_at_desc';

/**
 * Keyset page: up to `limit` customers after `cursor` (a sort key), or, `backward`, before it in
 * reverse order (the caller restores the list's order). Without `profile`, rows carry only id,
 * canonical_id and sort_us.
 */
export function listCustomers(
  db: Db,
  filter: CustomerListFilter,
  orderBy: CustomerOrderBy,
  limit: number,
  cursor: { us: number; id: string } | { id: string } | null,
  profile = true,
  backward = false,
) {
  const where = whereOf(filter);
  // Ascending in the direction read: the list's own order, or its reverse when backward.
  const asc = (orderBy !== 'created_at_desc') !== backward;
  const { dir, past } = keysetOrder(asc);
  let order = sql`c.id ${dir}`;
  if (orderBy !== 'id_asc') {
    order = sql`c.created_at ${dir}, c.id ${dir}`;
    if (cursor && 'us' in cursor) where.push(sql`(c.created_at, c.id) ${past} (${fromMicros(cursor.us)}, ${cursor.id})`);
  } else if (cursor) {
    where.push(sql`c.id ${past} ${cursor.id}`);
  }
  return db<Keyed<CustomerKeys | CustomerRow>>(
    sql`SELECT ${profile ? CUSTOMER_COLUMNS : CUSTOMER_KEYS}, ${micros(sql`c.created_at`)} AS sort_us FROM customers c
      WHERE ${join(where, ' AND ')} ORDER BY ${order} LIMIT ${limit}`,
  );
}

export async function countCustomers(db: Db, filter: CustomerListFilter): Promise<number> {
  const rows = await db<{ count: number }>(sql`SELECT count(*)::int8 AS count FROM customers c WHERE ${join(whereOf(filter), ' AND ')}`);
  return rows[0]?.count ?? 0;
}

/**
 * The search index rows matching `q` (lower-cased text) or `d` (its digits, '' when it has letters),
 * with their score: exact and prefix matches above trigram word similarity (float8, so a cursor holds
 * it exactly). A customer erased since the index's last refresh is left out all the same.
 */
const searchHits = (q: Param, d: Param) => sql`
        SELECT customer_id,
               word_similarity(${q}, doc)::float8
               + CASE WHEN name = ${q} OR email = ${q} OR (${d} <> '' AND phone_digits = ${d})
                           OR ${q} = ANY(string_to_array(order_numbers, ' ')) THEN 2
                      WHEN starts_with(name, ${q}) OR starts_with(email, ${q}) OR (${d} <> '' AND starts_with(phone_digits, ${d})) THEN 1
                      ELSE 0 END AS score
          FROM c360.customer_search
         WHERE (${q} <% doc OR (${d} <> '' AND ${d} <% doc))
           AND NOT EXISTS (SELECT 1 FROM customers e WHERE e.id = customer_search.customer_id AND e.status = 'erased')`;

/**
 * Customers whose name, e-mail, phone digits or order numbers match `query` (lower-cased), best
 * first (score, then id), served by c360.customer_search: up to `limit` after `cursor` (a score and
 * id), or, `backward`, before it in reverse order. A match on a merged record answers its survivor,
 * once, with the best score of its records.
 */
export const searchCustomers = (
  db: Db,
  query: string,
  digits: string,
  limit: number,
  cursor: { score: number; id: string } | null = null,
  backward = false,
) => {
  const [q, d] = [param(query), param(digits)];
  const [s, id] = [param(cursor?.score ?? null), param(cursor?.id ?? null)];
  const [below, past, order] = backward
    ? [sql`>`, sql`<`, sql`score ASC, customer_id DESC`]
    : [sql`<`, sql`>`, sql`score DESC, customer_id`];
  return db<CustomerRow & { score: number }>(
    sql`SELECT ${CUSTOMER_COLUMNS}, s.score FROM (
        SELECT c360.canonical_id(customer_id) AS customer_id, max(score) AS score FROM (${searchHits(q, d)}) hit GROUP BY 1
        HAVING ${s}::float8 IS NULL OR max(score) ${below} ${s}::float8 OR (max(score) = ${s}::float8 AND c360.canonical_id(customer_id) ${past} ${id}::text)
        ORDER BY ${order} LIMIT ${limit}
      ) s JOIN customers c ON c.id = s.customer_id
      ORDER BY ${backward ? sql`s.score ASC, c.id DESC` : sql`s.score DESC, c.id`}`,
  );
};

/** How many customers (survivors) searchCustomers finds for `query` over all pages. */
export async function countSearch(db: Db, query: string, digits: string): Promise<number> {
  const rows = await db<{ count: number }>(
    sql`SELECT count(DISTINCT c360.canonical_id(customer_id))::int8 AS count FROM (${searchHits(param(query), param(digits))}) hit`,
  );
  return rows[0]?.count ?? 0;
}
