/**
 * Parent types of the resolvers (codegen `mappers`): storage shapes, not GraphQL shapes. They live
 * below the resolvers and the services that make them, beside the sources whose rows they are.
 * `Customer` is only a reference: each field loads what it needs through the request's loaders,
 * so a customer reached from a list, a lookup or (later) a federation reference costs the same.
 */
import type {
  CustomerRow,
  ConsentRow,
  IdentityRow,
  OrderItemRow,
  OrderWithItems,
  ProductRow,
  PurchaseSummaryRow,
  TicketRow,
} from './sources/crm/rows';
import type { Page } from './pagination';
import type { ChannelRow, DeviceRow, EventDoc } from './sources/behaviour/rows';
import type { SocialAccount } from './sources/social/contract';
import type { PostOf } from './sources/social/summaries';
import type { ChurnRisk } from './insights/churn';
import type { Lifecycle } from './insights/lifecycle';
import type { Rfm } from './insights/rfm';
import type { RecoReason } from './insights/recommendations';
import type { RecommendationItem, VariantResult } from './insights/experiments';
import type { ExperimentRow } from './sources/crm/experiments';
import type { TagDefinitionRow } from './sources/crm/tagDefinitions';
import type { Source } from './enums';
import type { ApiKeyRow } from './sources/crm/apiKeys';
import type { AuditRow } from './sources/crm/audit';
import type { ErasureRow } from './sources/crm/privacy';
import type { HistoryRow, MergeRow } from './sources/crm/identity';
import type { DuplicateCandidate } from './sources/crm/duplicates';
import type { SegmentFilter, SegmentRow } from './sources/crm/segments';
import type { SnapshotVersion } from './sources/crm/snapshots';

export interface CustomerRef {
  id: string;
}
export type CustomerProfileParent = CustomerRow;
export type ContactParent = CustomerRow;
export type IdentityParent = IdentityRow;
export type ConsentParent = ConsentRow;
export type OrderParent = OrderWithItems;
export type OrderItemParent = OrderItemRow;
export type ProductParent = ProductRow;
/** A recommendation as insights/recommendations.ts computes it (its product a catalogue row). */
export type RecommendationParent = RecommendationItem;
export type RecommendationReasonParent = RecoReason;
export type ExperimentParent = ExperimentRow;
export type ExperimentResultsParent = { experiment: ExperimentRow; variants: VariantResult[] };
export type ExperimentVariantResultParent = VariantResult;
export type PurchaseSummaryParent = PurchaseSummaryRow;
export type SupportTicketParent = TicketRow;
export type SupportTicketConnectionParent = Page<TicketRow>;
export type SupportTicketEdgeParent = EdgeParent<TicketRow>;
export type CustomerConnectionParent = Page<CustomerRef> & { count: () => Promise<number>; snapshot?: SnapshotInfoParent | null };
export type OrderConnectionParent = Page<OrderWithItems> & { count: () => Promise<number> };
export interface EdgeParent<T> {
  cursor: string;
  node: T;
}
export type CustomerEdgeParent = EdgeParent<CustomerRef>;
export type OrderEdgeParent = EdgeParent<OrderWithItems>;

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
  /** When the oldest of the accounts was fetched, and whether any came from the cache. */
  fetchedAt: Date;
  cached: boolean;
}

/** SourceMeta: an object's source and freshness; `ageSeconds` from `fetchedAt` to `now`. */
export interface SourceMetaParent {
  source: Source;
  asOf: Date;
  fetchedAt: Date;
  cached: boolean;
  now: Date;
}
export type SocialAccountParent = SocialAccount;
export type SocialPostParent = PostOf;

/** A derived value with the instant it was computed for and the sources it had to do without. */
export interface Derived {
  asOf: Date;
  missingSources: Source[];
  /** The sources it was computed from (services/facts.ts sources). */
  meta: SourceMetaParent[];
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

/** A snapshot version as of the request's clock (its age). */
export interface SnapshotInfoParent {
  version: SnapshotVersion;
  now: Date;
}
/** Statistics of a filter (everyone without one) in a version, beside the version before it (transitions). */
export interface CustomerStatsParent {
  snapshot: SnapshotVersion;
  previous: SnapshotVersion | null;
  filter: SegmentFilter;
}
export type SegmentParent = SegmentRow;
/** What Query.node answers: a customer reference or a segment row, tagged with its GraphQL type. */
export type NodeParent = (CustomerRef & { __typename: 'Customer' }) | (SegmentRow & { __typename: 'Segment' });
