/**
 * Parent types of the resolvers (codegen `mappers`): storage shapes, not GraphQL shapes.
 * `Customer` is only a reference: each field loads what it needs through the request's loaders,
 * so a customer reached from a list, a lookup or (later) a federation reference costs the same.
 */
import type { CustomerRow, ConsentRow, IdentityRow, OrderItemRow, OrderRow, ProductRow, PurchaseSummaryRow, TicketRow } from '../src/sources/crm/rows';
import type { Page } from '../src/pagination';
import type { ChannelRow, DeviceRow, EventDoc } from '../src/sources/behaviour/rows';
import type { SocialAccount } from '../src/sources/social/contract';
import type { PostOf } from '../src/sources/social/summaries';
import type { ChurnRisk } from '../src/insights/churn';
import type { Lifecycle } from '../src/insights/lifecycle';
import type { Rfm } from '../src/insights/rfm';
import type { TagDefinitionRow } from '../src/insights/tags/definitions';
import type { Source } from '../src/enums';
import type { ApiKeyRow } from '../src/sources/crm/apiKeys';
import type { AuditRow } from '../src/sources/crm/audit';
import type { ErasureRow } from '../src/sources/crm/privacy';
import type { HistoryRow, MergeRow } from '../src/sources/crm/identity';
import type { DuplicateCandidate } from '../src/sources/crm/duplicates';
import type { SegmentRow } from '../src/sources/crm/segments';
import type { SnapshotParent, StatsParent } from '../src/services/dashboards';

export interface CustomerRef {
  id: string;
}
export type CustomerProfileParent = CustomerRow;
export type ContactParent = CustomerRow;
export type IdentityParent = IdentityRow;
export type ConsentParent = ConsentRow;
export type OrderParent = OrderRow;
export type OrderItemParent = OrderItemRow;
export type ProductParent = ProductRow;
export type PurchaseSummaryParent = PurchaseSummaryRow;
export type SupportTicketParent = TicketRow;
export type CustomerConnectionParent = Page<CustomerRef> & { count: () => Promise<number>; snapshot?: SnapshotInfoParent | null };
export type OrderConnectionParent = Page<OrderRow> & { count: () => Promise<number> };
export interface EdgeParent<T> {
  cursor: string;
  node: T;
}
export type CustomerEdgeParent = EdgeParent<CustomerRef>;
export type OrderEdgeParent = EdgeParent<OrderRow>;

/** Behaviour of one customer: its fields read the request's behaviour loader. */
export interface BehaviourParent {
  customerId: string;
}
export type EventParent = EventDoc;
export type DeviceParent = DeviceRow;
export type ChannelShareParent = ChannelRow & { share: number };
export type EventConnectionParent = Page<EventDoc>;
export type EventEdgeParent = EdgeParent<EventDoc>;

/** Social of one customer: the provider's accounts, already fetched (so a failure nulls `social`). */
export interface SocialParent {
  accounts: SocialAccount[];
  unknownHandles: string[];
  now: Date;
}
export type SocialAccountParent = SocialAccount;
export type SocialPostParent = PostOf;

/** A derived value with the instant it was computed for and the sources it had to do without. */
export interface Derived {
  asOf: Date;
  missingSources: Source[];
}
export type RfmParent = Rfm & Derived;
export type LifecycleParent = Lifecycle & Derived;
export type ChurnRiskParent = ChurnRisk & Derived;
export type TagDefinitionParent = TagDefinitionRow;
export type AuditEntryParent = AuditRow;
export type AuditEntryConnectionParent = Page<AuditRow>;
export type AuditEntryEdgeParent = EdgeParent<AuditRow>;
export type ApiKeyParent = ApiKeyRow;
export type ErasureParent = ErasureRow;
export interface TagPreviewParent {
  evaluated: number;
  matched: number;
  matches: CustomerRef[];
  failed: number;
  firstError: string | null;
}

export type MergeParent = MergeRow;
export type IdentityChangeParent = HistoryRow;
export type IdentityChangeConnectionParent = Page<HistoryRow>;
export type IdentityChangeEdgeParent = EdgeParent<HistoryRow>;
export type DuplicateCandidateParent = DuplicateCandidate;
export type DuplicateCandidateConnectionParent = Page<DuplicateCandidate>;
export type DuplicateCandidateEdgeParent = EdgeParent<DuplicateCandidate>;

export type SnapshotInfoParent = SnapshotParent;
export type CustomerStatsParent = StatsParent;
export type SegmentParent = SegmentRow;
