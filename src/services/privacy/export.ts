import { responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import type { Context } from '../../context';
import { ConsentPurpose, Source } from '../../enums';
import { SourceError } from '../../errors';
import type { ChurnRisk } from '../../insights/churn';
import { interests } from '../../insights/interests';
import type { Lifecycle } from '../../insights/lifecycle';
import type { Rfm } from '../../insights/rfm';
import type { ValueTier } from '../../insights/valueTier';
import { behaviourCall } from '../../sources/behaviour/client';
import { addOwner, ownedEvents } from '../../sources/behaviour/queries';
import type { EventDoc } from '../../sources/behaviour/rows';
import { auditEntriesOf, type AuditRow } from '../../sources/crm/audit';
import { allOrdersOf, allTicketsOf, erasuresOf, type ErasureRow } from '../../sources/crm/privacy';
import { orderItems } from '../../sources/crm/loaders';
import {
  ALL_CRM_COLUMNS,
  type ConsentRow,
  type CustomerRow,
  type IdentityRow,
  type OrderItemRow,
  type OrderRow,
  type ProductRow,
  type TicketRow,
} from '../../sources/crm/rows';
import type { SocialAccount } from '../../sources/social/contract';
import { factsOf, failureOf, hasConsent, type SourceFailure } from '../facts';
import { churnOf, lifecycleOf, rfmOf, tierOf } from '../insights';
import { socialRefsOf } from '../social';
import { enabledTags, evaluateTags, type TagValue } from '../tags';

/**
 * Query.exportCustomerData: everything held on one person, as one JSON document. Rows and events
 * are as their sources store them (CRM columns in snake_case, amounts as exact strings); derived
 * values are computed as of the request's now by the same services as the Customer fields. A source
 * that fails leaves its sections null and is listed in `unavailable` (with the sections it left
 * out), and reported as a SOURCE_UNAVAILABLE error alongside: nothing goes missing silently.
 * Admin-only (@auth); the read is audited.
 */

export interface Unavailable {
  source: Source;
  reason: string;
  /** The document's sections left null or computed without the source, e.g. `derived.interests`. */
  affects: string[];
}

export interface Withheld {
  field: string;
  reason: 'CONSENT_REQUIRED';
  purpose: ConsentPurpose;
}

export interface CustomerExport {
  customerId: string;
  exportedAt: Date;
  crm: {
    customer: CustomerRow;
    identities: IdentityRow[];
    /** Recorded consents only: a purpose without a row was never granted. */
    consents: ConsentRow[];
    orders: (OrderRow & { items: ExportedItem[] })[];
    supportTickets: TicketRow[];
  };
  /** Every event of the customer, also the anonymous ones under its anonymous and device ids (not another customer's there), oldest first. */
  behaviour: { events: EventDoc[] } | null;
  /** The provider's accounts behind the customer's social identities, with all the posts it returns. */
  social: { accounts: SocialAccount[]; unknownHandles: string[] } | null;
  derived: {
    asOf: Date;
    rfm: Rfm;
    valueTier: ValueTier | null;
    lifecycle: Lifecycle & { partial: boolean; missingSources: Source[] };
    interests: { category: string; weight: number }[] | null;
    churnRisk: (ChurnRisk & { partial: boolean; missingSources: Source[] }) | null;
    tags: TagValue[] | null;
    /** Values not derived because the customer did not consent to it. */
    withheld: Withheld[];
  };
  /** Who read the person's personal data (c360.audit_log), oldest first; this export is added after it. */
  auditLog: AuditRow[];
  /** Erasure requests about the person (c360.erasures), newest first. */
  erasures: ErasureRow[];
  unavailable: Unavailable[];
}

/** An order's line in the export: its product as an object of its own, as the record reads. */
type ExportedItem = Omit<OrderItemRow, keyof ProductRow | 'product'> & { product: ProductRow };
const withProduct = ({ id, name, category, brand, price, product: _, ...line }: OrderItemRow): ExportedItem => ({
  ...line,
  product: { id, name, category, brand, price },
});

/** Fields withheld without profiling consent, as Customer withholds them. */
const PROFILING_FIELDS = ['interests', 'churnRisk', 'tags'];

/** Runs a source read; a SourceError becomes a failure to report, anything else is rethrown. */
async function attempt<T>(
  source: Source,
  affects: string,
  read: () => Promise<T>,
  failures: Map<string, SourceFailure>,
): Promise<T | null> {
  try {
    return await read();
  } catch (e) {
    if (!(e instanceof SourceError)) throw e;
    failures.set(affects, { source, error: e });
    return null;
  }
}

async function eventsOf(ctx: Context, customerId: string): Promise<EventDoc[]> {
  const identities = await ctx.crm.loaders.identities.load(customerId);
  return behaviourCall(ctx.stores.behaviourDb, () => {
    ctx.roundTrips.behaviour += 1;
    return ownedEvents(ctx.stores.behaviourDb, addOwner(new Map(), customerId, identities), ctx.config.MONGODB_TIMEOUT_MS);
  });
}

/** The provider's accounts with every post it has (postsSince: the epoch), through the request's social loader. */
async function socialDataOf(ctx: Context, customerId: string): Promise<{ accounts: SocialAccount[]; unknownHandles: string[] }> {
  const refs = await socialRefsOf(ctx, customerId);
  const accounts = refs.length ? await ctx.social.accounts(refs, new Date(0)) : [];
  return {
    accounts: accounts.filter((a) => a !== null),
    unknownHandles: refs.filter((_, i) => accounts[i] === null).map((r) => `${r.platform}:${r.handle}`),
  };
}

async function derivedOf(ctx: Context, customerId: string, failures: Map<string, SourceFailure>): Promise<CustomerExport['derived']> {
  const f = factsOf(ctx, customerId, ctx.now);
  const { definitions, needs } = enabledTags(ctx);
  f.prefetch({ ...needs, activity: true, interests: true, social: true });
  const crm = await f.crm();
  const profiling = hasConsent(crm, ConsentPurpose.PROFILING);
  const [tier, life, rows, churn, tags] = await Promise.all([
    tierOf(ctx, f, crm),
    lifecycleOf(ctx, f, crm),
    profiling ? f.interestRows() : null,
    profiling ? churnOf(ctx, f, crm) : null,
    profiling ? evaluateTags(ctx, f, crm, definitions) : null,
  ]);
  const note = (affects: string, failure: SourceFailure | null) => failure && failures.set(affects, failure);
  const missing = (fs: SourceFailure[]) => ({ partial: fs.length > 0, missingSources: [...new Set(fs.map((x) => x.source))] });
  note('derived.valueTier', failureOf(tier));
  life.failures.forEach((x) => note('derived.lifecycle', x));
  if (rows) note('derived.interests', failureOf(rows));
  churn?.failures.forEach((x) => note('derived.churnRisk', x));
  tags?.failures.forEach((x) => note('derived.tags', x));
  return {
    asOf: f.asOf,
    rfm: rfmOf(ctx, f, crm),
    valueTier: tier.ok ? tier.value : null,
    lifecycle: { ...life.value, ...missing(life.failures) },
    interests: rows?.ok ? interests(rows.value, Number.MAX_SAFE_INTEGER) : null,
    churnRisk: churn ? { ...churn.value, ...missing(churn.failures) } : null,
    tags: tags?.tags ?? null,
    withheld: profiling ? [] : PROFILING_FIELDS.map((field) => ({ field, reason: 'CONSENT_REQUIRED', purpose: ConsentPurpose.PROFILING })),
  };
}

/** The failures by source, with the sections each affected; each source reported once at the export's path. */
function unavailableOf(ctx: Context, failures: Map<string, SourceFailure>, info: GraphQLResolveInfo): Unavailable[] {
  const bySource = new Map<Source, Unavailable>();
  for (const [affects, { source, error }] of failures) {
    const entry = bySource.get(source);
    if (entry) entry.affects.push(affects);
    else {
      bySource.set(source, { source, reason: error.reason, affects: [affects] });
      ctx.reportPartial(responsePathAsArray(info.path), error);
    }
  }
  return [...bySource.values()].map((u) => ({ ...u, affects: u.affects.sort() }));
}

/** The export of a customer; null when the id is unknown. CRM failures fail the whole export (its root). */
export async function exportCustomerData(ctx: Context, customerId: string, info: GraphQLResolveInfo): Promise<CustomerExport | null> {
  const customer = await ctx.crm.loaders.customer.load(customerId);
  if (!customer) return null;
  ctx.audit.record(customerId, 'Query.exportCustomerData');
  const db = ctx.crm.db;
  const failures = new Map<string, SourceFailure>();
  const [identities, consents, orders, supportTickets, auditLog, erasures, events, social, derived] = await Promise.all([
    ctx.crm.loaders.identities.load(customerId),
    ctx.crm.loaders.consents.load(customerId),
    allOrdersOf(db, customerId),
    allTicketsOf(db, customerId),
    auditEntriesOf(db, customerId),
    erasuresOf(db, customerId),
    attempt(Source.BEHAVIOUR, 'behaviour', () => eventsOf(ctx, customerId), failures),
    attempt(Source.SOCIAL, 'social', () => socialDataOf(ctx, customerId), failures),
    derivedOf(ctx, customerId, failures),
  ]);
  // Every column, whatever the operation selects: the export is the whole record.
  const items = orders.length
    ? await orderItems(
        db,
        orders.map((o) => o.id),
        ALL_CRM_COLUMNS,
      )
    : [];
  return {
    customerId,
    exportedAt: ctx.now,
    crm: {
      customer,
      identities,
      consents,
      orders: orders.map((o, i) => ({ ...o, items: items[i]!.map(withProduct) })),
      supportTickets,
    },
    behaviour: events && { events },
    social,
    derived,
    auditLog,
    erasures,
    unavailable: unavailableOf(ctx, failures, info),
  };
}
