import type { CustomerRef, CustomerConnectionParent } from '../parents';
import type { CustomerFilter, CustomerOrderBy, IdentifierInput } from '../__generated__/resolvers-types';
import type { Context } from '../context';
import { GraphQLError } from 'graphql';
import { sha256 } from '../sha256';
import { ambiguous, badUserInput, notFound } from '../errors';
import { checkFirst, encodeCursor, mapCursor, sliceOf, toPage, type ConnectionArgs } from '../pagination';
import { toLookupKey, type LookupKey } from '../sources/crm/identifiers';
import * as q from '../sources/crm/queries';
import type { CustomerKeys, CustomerRow } from '../sources/crm/rows';
import type { SegmentFilter } from '../sources/crm/segments';
import { currentSnapshot, segmentById, snapshotInfo } from './dashboards';

/** Customer use cases behind Query; each returns references whose fields load lazily. */

export const MAX_PAGE = 100;
export const MAX_SEARCH = 50;

const ref = (row: { id: string }): CustomerRef => ({ id: row.id });

/** Whole rows fetched by a list are handed to the request's loader, so their fields cost no second trip. */
function prime(ctx: Context, rows: (CustomerKeys | CustomerRow)[]): void {
  for (const row of rows) if ('status' in row) ctx.crm.loaders.customer.prime(row.id, row);
}

/** The row of a customer; null when unknown (every Customer field reads through this). */
export const customerRow = (ctx: Context, id: string) => ctx.crm.loaders.customer.load(id);

/** Customer.identities: the person's identifiers (its other records are in mergedFrom). */
export const identitiesOf = async (ctx: Context, id: string) =>
  (await ctx.crm.loaders.identities.load(id)).filter((i) => i.kind !== 'customer_id');

/** Customer.mergedFrom: the person's records other than its survivor, sorted. */
export async function mergedFrom(ctx: Context, id: string): Promise<string[]> {
  const [row, identities] = await Promise.all([customerRow(ctx, id), ctx.crm.loaders.identities.load(id)]);
  const records = new Set([id, ...identities.filter((i) => i.kind === 'customer_id').map((i) => i.value)]);
  records.delete(row?.canonical_id ?? id);
  return [...records].sort();
}

export async function customerById(ctx: Context, id: string): Promise<CustomerRef | null> {
  const row = await customerRow(ctx, id);
  return row && ref(row);
}

/** The most records customersBy answers for one identifier (its @listSize; the query cost counts that many). */
export const MAX_SHARING = 20;

export async function customersByIdentifier(ctx: Context, identifier: IdentifierInput): Promise<CustomerRef[]> {
  const key = toLookupKey(identifier.kind, identifier.value, ctx.config.DEFAULT_PHONE_REGION);
  const ids = await ctx.crm.loaders.customerIdsByIdentifier.load(key);
  return ids.slice(0, MAX_SHARING).map((id) => ({ id }));
}

export async function customerByIdentifier(ctx: Context, identifier: IdentifierInput): Promise<CustomerRef | null> {
  return (await customersByIdentifier(ctx, identifier))[0] ?? null;
}

/**
 * Query.lookupCustomers: per identifier, in order, its one customer or the error of that item
 * (NOT_FOUND, AMBIGUOUS, BAD_USER_INPUT), through the same batched loader as customerBy: one CRM
 * round trip for the whole batch. A partner's items it may not see become NOT_FOUND in the guard.
 */
export function lookupCustomers(ctx: Context, identifiers: IdentifierInput[]): Promise<(CustomerRef | GraphQLError)[]> {
  return Promise.all(
    identifiers.map(async (identifier) => {
      let key: LookupKey;
      try {
        key = toLookupKey(identifier.kind, identifier.value, ctx.config.DEFAULT_PHONE_REGION);
      } catch (e) {
        if (e instanceof GraphQLError) return e;
        throw e;
      }
      const ids = await ctx.crm.loaders.customerIdsByIdentifier.load(key);
      if (ids.length === 0) return notFound();
      return ids.length > 1 ? ambiguous(ids.length) : { id: ids[0]! };
    }),
  );
}

function checkFilter(filter: CustomerFilter): void {
  if (filter.country != null && !/^[A-Za-z]{2}$/.test(filter.country)) {
    throw badUserInput(`\`filter.country\` must be an ISO 3166-1 alpha-2 code such as CN (got "${filter.country}").`, 'filter.country');
  }
  if (filter.createdAfter && filter.createdBefore && filter.createdAfter >= filter.createdBefore) {
    throw badUserInput('`filter.createdAfter` must be before `filter.createdBefore`.', 'filter.createdAfter');
  }
}

/**
 * The snapshot conditions of a customers filter (stage, tier, tag, segment), answered from the
 * current snapshot; null without any. An unknown segment is BAD_USER_INPUT.
 */
async function snapshotFilter(
  ctx: Context,
  f: { stage?: string | null; tier?: string | null; tag?: string | null; segment?: string | null },
) {
  if (f.stage == null && f.tier == null && f.tag == null && f.segment == null) return null;
  const version = await currentSnapshot(ctx);
  const filters: SegmentFilter[] = [
    { stages: f.stage ? [f.stage] : null, tiers: f.tier ? [f.tier] : null, tagsAll: f.tag ? [f.tag] : null },
  ];
  if (f.segment != null) {
    const segment = await segmentById(ctx, f.segment);
    if (!segment) throw badUserInput(`There is no segment "${f.segment}".`, 'filter.segment');
    filters.push(segment.filter);
  }
  return { version, filters };
}

export async function listCustomers(
  ctx: Context,
  args: ConnectionArgs & { filter?: CustomerFilter | null; orderBy?: CustomerOrderBy | null },
): Promise<CustomerConnectionParent> {
  const orderBy = args.orderBy ?? 'id_asc';
  const tag = `customers:${orderBy}`;
  const bounds = { max: MAX_PAGE, defaultSize: 20 };
  // id_asc cursors hold the id; the creation orders' hold (microseconds, id).
  const slice =
    orderBy === 'id_asc'
      ? mapCursor(sliceOf(args, tag, ['string'], bounds), ([id]) => ({ id }))
      : mapCursor(sliceOf(args, tag, ['int', 'string'], bounds), ([us, id]) => ({ us, id }));
  const { stage, tier, tag: tagKey, segment, ...crmFilter } = args.filter ?? {};
  checkFilter(crmFilter);
  const snapshot = await snapshotFilter(ctx, { stage, tier, tag: tagKey, segment });
  const filter = { ...crmFilter, snapshot: snapshot && { version: snapshot.version.version, filters: snapshot.filters } };
  const { customerProfile } = ctx.selection.crm;
  const rows = await q.listCustomers(ctx.crm.db, filter, orderBy, slice.size + 1, slice.cursor, customerProfile, slice.backward);
  prime(ctx, rows);
  const cursorOf = (r: q.Keyed<CustomerKeys>) => (orderBy === 'id_asc' ? encodeCursor(tag, [r.id]) : encodeCursor(tag, [r.sort_us, r.id]));
  return {
    ...toPage(rows, slice, cursorOf, ref),
    count: () => q.countCustomers(ctx.crm.db, filter),
    snapshot: snapshot && snapshotInfo(ctx, snapshot.version),
  };
}

/** A search's text as the index compares it (trimmed, lower-cased) and its digits when it is a phone number; BAD_USER_INPUT when too short or long. */
function searchText(query: string): { text: string; digits: string } {
  const text = query.trim().toLowerCase();
  if (text.length < 2 || text.length > 100) {
    throw badUserInput('`query` must have 2 to 100 characters.', 'query');
  }
  return { text, digits: /^[\d\s()+-]+$/.test(text) ? text.replace(/\D/g, '') : '' };
}

/** Query.searchCustomers (deprecated): the first `first` hits. */
export async function searchCustomers(ctx: Context, query: string, first: number | null | undefined): Promise<CustomerRef[]> {
  const limit = checkFirst(first ?? 10, MAX_SEARCH);
  const { text, digits } = searchText(query);
  const rows = await q.searchCustomers(ctx.crm.db, text, digits, limit);
  prime(ctx, rows);
  return rows.map(ref);
}

/**
 * Query.customerSearch: the hits as a Relay connection, best first, keyset on (score, id). A cursor
 * belongs to its search text (a digest of it is the cursor's tag: the text itself never travels in it).
 */
export async function customerSearch(ctx: Context, args: ConnectionArgs & { query: string }): Promise<CustomerConnectionParent> {
  const { text, digits } = searchText(args.query);
  const tag = `customerSearch:${sha256(text).toString('hex').slice(0, 16)}`;
  const slice = sliceOf(args, tag, ['string', 'string'], { max: MAX_SEARCH, defaultSize: 10 });
  const cursor = slice.cursor && { score: Number(slice.cursor[0]), id: slice.cursor[1] };
  if (cursor && !Number.isFinite(cursor.score)) throw badUserInput(`\`${slice.cursorArg}\` is not a cursor of this list.`, slice.cursorArg);
  const rows = await q.searchCustomers(ctx.crm.db, text, digits, slice.size + 1, cursor, slice.backward);
  prime(ctx, rows);
  return {
    ...toPage(rows, slice, (r) => encodeCursor(tag, [String(r.score), r.id]), ref),
    count: () => q.countSearch(ctx.crm.db, text, digits),
    snapshot: null,
  };
}
