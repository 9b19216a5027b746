/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type ChurnFactorName =
  | 'BAD_RATINGS'
  | 'FREQUENCY_DROP'
  | 'NEGATIVE_SENTIMENT'
  | 'RECENCY'
  | 'UNRESOLVED_TICKETS';

export type ChurnLevel =
  | 'HIGH'
  | 'LOW'
  | 'MEDIUM';

export type ConsentPurpose =
  | 'MARKETING'
  | 'PARTNER_SHARING'
  | 'PROFILING';

export type CustomerStatus =
  | 'ACTIVE'
  | 'ERASED'
  | 'MERGED';

export type Gender =
  | 'FEMALE'
  | 'MALE'
  | 'OTHER'
  | 'UNKNOWN';

/**
 * An identifier as a person types it. E-mails compare case- and space-insensitively; phones in any
 * format (national, E.164, with spaces or dashes) compare as E.164; SOCIAL is `platform:handle`.
 */
export type IdentifierInput = {
  kind: IdentifierKind;
  value: string;
};

export type IdentifierKind =
  | 'ANONYMOUS_ID'
  | 'DEVICE_ID'
  | 'EMAIL'
  | 'EXTERNAL_ID'
  | 'ORDER_NUMBER'
  | 'PHONE'
  | 'SOCIAL';

export type IntRange = {
  max?: number | null | undefined;
  min?: number | null | undefined;
};

export type LifecycleStage =
  | 'ACTIVE'
  | 'AT_RISK'
  | 'CHURNED'
  | 'DORMANT'
  | 'NEW'
  | 'PROSPECT'
  | 'REACTIVATED';

export type OrderStatus =
  | 'CANCELLED'
  | 'COMPLETED'
  | 'PENDING'
  | 'REFUNDED';

export type RecommendationReasonKind =
  | 'BOUGHT_WITH'
  | 'INTEREST'
  /** Without profiling consent nothing about the customer was used. */
  | 'NO_PROFILING_CONSENT'
  | 'POPULAR'
  | 'POPULAR_SIMILAR';

export type RecommendationStrategy =
  /** Bought with what the customer bought (cosine over distinct buyers). */
  | 'CO_PURCHASE'
  /** Popular in a category the customer is interested in. */
  | 'INTERESTS'
  /** Popular with everyone recently. */
  | 'POPULAR'
  /** Popular among similar customers (city, age band, gender). */
  | 'POPULAR_SIMILAR';

/** Named RFM segments by R and F score (docs/concepts.md "RFM segments"). */
export type RfmSegment =
  | 'ABOUT_TO_SLEEP'
  | 'AT_RISK'
  | 'CANT_LOSE'
  | 'CHAMPIONS'
  | 'HIBERNATING'
  | 'LOST'
  | 'LOYAL'
  | 'NEED_ATTENTION'
  | 'NEW_CUSTOMERS'
  /** No completed order ever. */
  | 'NO_PURCHASES'
  | 'POTENTIAL_LOYALIST'
  | 'PROMISING';

/**
 * Who is in a segment: every condition given must hold; a list matches any of its values (`tagsAll`:
 * every tag). RFM ranges are scores 1..5; lists hold at most 50 values.
 */
export type SegmentFilter = {
  /** Churn levels (only customers who granted profiling consent have one). */
  churnLevels?: Array<ChurnLevel> | null | undefined;
  /** Case-insensitive. */
  cities?: Array<string> | null | undefined;
  /** Purposes every member granted (as of the snapshot). */
  consents?: Array<ConsentPurpose> | null | undefined;
  frequency?: IntRange | null | undefined;
  /** Last activity (order, event or brand mention) at or after this instant. */
  lastActivityAfter?: string | null | undefined;
  /** Last activity strictly before this instant. */
  lastActivityBefore?: string | null | undefined;
  monetary?: IntRange | null | undefined;
  recency?: IntRange | null | undefined;
  stages?: Array<LifecycleStage> | null | undefined;
  /** Tag keys the customer has all of. */
  tagsAll?: Array<string> | null | undefined;
  /** Tag keys the customer has at least one of. */
  tagsAny?: Array<string> | null | undefined;
  tiers?: Array<ValueTier> | null | undefined;
};

export type SentimentLabel =
  /** score < -0.2 */
  | 'NEGATIVE'
  /** -0.2 ≤ score ≤ 0.2 */
  | 'NEUTRAL'
  /** score > 0.2 */
  | 'POSITIVE';

export type ServiceHintCode =
  | 'BAD_RATING'
  /** Marketing consent is missing: offer nothing promotional. */
  | 'NO_MARKETING'
  | 'ONBOARDING'
  | 'OPEN_TICKETS'
  | 'RETENTION_OFFER'
  | 'VIP_ROUTING'
  | 'WIN_BACK';

export type SnapshotKind =
  /** Every customer computed. */
  | 'FULL'
  /** The customers with something new since the version before computed; the others' rows copied. */
  | 'INCREMENTAL';

export type Source =
  | 'BEHAVIOUR'
  | 'CRM'
  | 'SOCIAL';

export type TagFamily =
  | 'BEHAVIOUR'
  | 'DEMOGRAPHIC'
  | 'INTEREST'
  | 'LIFECYCLE'
  /** Channel, device and price sensitivity. */
  | 'PREFERENCE'
  | 'RISK'
  | 'VALUE';

export type TicketPriority =
  | 'HIGH'
  | 'LOW'
  | 'NORMAL'
  | 'URGENT';

export type TicketStatus =
  | 'CLOSED'
  | 'OPEN'
  | 'PENDING'
  | 'RESOLVED';

export type ValueTier =
  | 'HIGH_VALUE'
  | 'LOW'
  | 'POTENTIAL'
  | 'REGULAR';

export type CustomerScreenFragment = { id: string, status: CustomerStatus, valueTier: ValueTier | null, profile: { fullName: string, gender: Gender | null, birthDate: string | null, age: number | null, city: string | null, country: string | null, occupation: string | null }, contact: { email: string | null, phone: string | null }, consents: Array<{ purpose: ConsentPurpose, granted: boolean }> | null, serviceHints: Array<{ code: ServiceHintCode, message: string, reason: string }> | null, lifecycle: { stage: LifecycleStage, since: string | null, daysSinceLastActivity: number | null, partial: boolean, missingSources: Array<Source> } | null, rfm: { score: string, segment: RfmSegment, daysSinceLastOrder: number | null, orders365d: number, spend365d: string } | null, churnRisk: { score: number, level: ChurnLevel, partial: boolean, factors: Array<{ name: ChurnFactorName, contribution: number, detail: string }> } | null, tags: Array<{ key: string, label: string, family: TagFamily, evidence: Array<{ fact: string, value: string | null }> }> | null, purchaseSummary: { completedOrders: number, totalSpent: string, lastOrderAt: string | null, currency: string } | null, orders: { totalCount: number, edges: Array<{ node: { id: string, orderNumber: string, status: OrderStatus, channel: string, placedAt: string, total: string } }> } | null, recommendations: Array<{ strategy: RecommendationStrategy, product: { id: string, name: string, category: string }, reasons: Array<{ kind: RecommendationReasonKind, evidence: string }> }> | null, tickets: { edges: Array<{ node: { id: string, subject: string, status: TicketStatus, priority: TicketPriority, channel: string, openedAt: string } }> } | null, timeline: { edges: Array<{ node: { id: string, type: string, at: string, channel: string | null, category: string | null, query: string | null } }> } | null, social: { accounts: Array<{ platform: string, handle: string, displayName: string | null, followers: number, verified: boolean }>, sentiment: { score: number | null, label: SentimentLabel | null, mentions: number } } | null };

export type ConsoleLookupQueryVariables = Exact<{
  identifier: IdentifierInput;
}>;


export type ConsoleLookupQuery = { customerBy: { id: string, status: CustomerStatus, valueTier: ValueTier | null, profile: { fullName: string, gender: Gender | null, birthDate: string | null, age: number | null, city: string | null, country: string | null, occupation: string | null }, contact: { email: string | null, phone: string | null }, consents: Array<{ purpose: ConsentPurpose, granted: boolean }> | null, serviceHints: Array<{ code: ServiceHintCode, message: string, reason: string }> | null, lifecycle: { stage: LifecycleStage, since: string | null, daysSinceLastActivity: number | null, partial: boolean, missingSources: Array<Source> } | null, rfm: { score: string, segment: RfmSegment, daysSinceLastOrder: number | null, orders365d: number, spend365d: string } | null, churnRisk: { score: number, level: ChurnLevel, partial: boolean, factors: Array<{ name: ChurnFactorName, contribution: number, detail: string }> } | null, tags: Array<{ key: string, label: string, family: TagFamily, evidence: Array<{ fact: string, value: string | null }> }> | null, purchaseSummary: { completedOrders: number, totalSpent: string, lastOrderAt: string | null, currency: string } | null, orders: { totalCount: number, edges: Array<{ node: { id: string, orderNumber: string, status: OrderStatus, channel: string, placedAt: string, total: string } }> } | null, recommendations: Array<{ strategy: RecommendationStrategy, product: { id: string, name: string, category: string }, reasons: Array<{ kind: RecommendationReasonKind, evidence: string }> }> | null, tickets: { edges: Array<{ node: { id: string, subject: string, status: TicketStatus, priority: TicketPriority, channel: string, openedAt: string } }> } | null, timeline: { edges: Array<{ node: { id: string, type: string, at: string, channel: string | null, category: string | null, query: string | null } }> } | null, social: { accounts: Array<{ platform: string, handle: string, displayName: string | null, followers: number, verified: boolean }>, sentiment: { score: number | null, label: SentimentLabel | null, mentions: number } } | null } | null };

export type ConsoleCustomerQueryVariables = Exact<{
  id: string | number;
}>;


export type ConsoleCustomerQuery = { customer: { id: string, status: CustomerStatus, valueTier: ValueTier | null, profile: { fullName: string, gender: Gender | null, birthDate: string | null, age: number | null, city: string | null, country: string | null, occupation: string | null }, contact: { email: string | null, phone: string | null }, consents: Array<{ purpose: ConsentPurpose, granted: boolean }> | null, serviceHints: Array<{ code: ServiceHintCode, message: string, reason: string }> | null, lifecycle: { stage: LifecycleStage, since: string | null, daysSinceLastActivity: number | null, partial: boolean, missingSources: Array<Source> } | null, rfm: { score: string, segment: RfmSegment, daysSinceLastOrder: number | null, orders365d: number, spend365d: string } | null, churnRisk: { score: number, level: ChurnLevel, partial: boolean, factors: Array<{ name: ChurnFactorName, contribution: number, detail: string }> } | null, tags: Array<{ key: string, label: string, family: TagFamily, evidence: Array<{ fact: string, value: string | null }> }> | null, purchaseSummary: { completedOrders: number, totalSpent: string, lastOrderAt: string | null, currency: string } | null, orders: { totalCount: number, edges: Array<{ node: { id: string, orderNumber: string, status: OrderStatus, channel: string, placedAt: string, total: string } }> } | null, recommendations: Array<{ strategy: RecommendationStrategy, product: { id: string, name: string, category: string }, reasons: Array<{ kind: RecommendationReasonKind, evidence: string }> }> | null, tickets: { edges: Array<{ node: { id: string, subject: string, status: TicketStatus, priority: TicketPriority, channel: string, openedAt: string } }> } | null, timeline: { edges: Array<{ node: { id: string, type: string, at: string, channel: string | null, category: string | null, query: string | null } }> } | null, social: { accounts: Array<{ platform: string, handle: string, displayName: string | null, followers: number, verified: boolean }>, sentiment: { score: number | null, label: SentimentLabel | null, mentions: number } } | null } | null };

export type ConsoleSearchQueryVariables = Exact<{
  query: string;
}>;


export type ConsoleSearchQuery = { customerSearch: { totalCount: number, edges: Array<{ node: { id: string, profile: { fullName: string, city: string | null }, contact: { email: string | null } } }> } };

export type DashboardStatsQueryVariables = Exact<{
  filter?: SegmentFilter | null | undefined;
}>;


export type DashboardStatsQuery = { customerStats: { total: number, snapshot: { version: number, asOf: string, ageSeconds: number, kind: SnapshotKind, customers: number }, previousSnapshot: { version: number, asOf: string } | null, byStage: Array<{ stage: LifecycleStage, count: number }>, byTier: Array<{ tier: ValueTier, count: number }>, byTag: Array<{ key: string | null, count: number }>, byCity: Array<{ key: string | null, count: number }>, rfmGrid: Array<{ recency: number, frequency: number, count: number, monetary: string }>, transitions: Array<{ from: LifecycleStage | null, to: LifecycleStage, count: number }> } };

export type DashboardSegmentsQueryVariables = Exact<{ [key: string]: never; }>;


export type DashboardSegmentsQuery = { segments: Array<{ id: string, name: string, description: string | null, count: number, exportPath: string }> };

export type SegmentMembersQueryVariables = Exact<{
  id: string | number;
}>;


export type SegmentMembersQuery = { segment: { id: string, members: { totalCount: number, edges: Array<{ node: { id: string, valueTier: ValueTier | null, profile: { fullName: string, city: string | null } } }> } } | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const CustomerScreenFragmentDoc = new TypedDocumentString(`
    fragment CustomerScreen on Customer {
  id
  status
  profile {
    fullName
    gender
    birthDate
    age
    city
    country
    occupation
  }
  contact {
    email
    phone
  }
  consents {
    purpose
    granted
  }
  serviceHints {
    code
    message
    reason
  }
  valueTier
  lifecycle {
    stage
    since
    daysSinceLastActivity
    partial
    missingSources
  }
  rfm {
    score
    segment
    daysSinceLastOrder
    orders365d
    spend365d
  }
  churnRisk {
    score
    level
    partial
    factors {
      name
      contribution
      detail
    }
  }
  tags {
    key
    label
    family
    evidence {
      fact
      value
    }
  }
  purchaseSummary {
    completedOrders
    totalSpent
    lastOrderAt
    currency
  }
  orders(first: 5) {
    totalCount
    edges {
      node {
        id
        orderNumber
        status
        channel
        placedAt
        total
      }
    }
  }
  recommendations(first: 5, placement: AGENT) {
    product {
      id
      name
      category
    }
    strategy
    reasons {
      kind
      evidence
    }
  }
  tickets(status: [OPEN, PENDING], first: 5) {
    edges {
      node {
        id
        subject
        status
        priority
        channel
        openedAt
      }
    }
  }
  timeline(first: 12) {
    edges {
      node {
        id
        type
        at
        channel
        category
        query
      }
    }
  }
  social {
    accounts {
      platform
      handle
      displayName
      followers
      verified
    }
    sentiment(days: 365) {
      score
      label
      mentions
    }
  }
}
    `, {"fragmentName":"CustomerScreen"}) as unknown as TypedDocumentString<CustomerScreenFragment, unknown>;
export const ConsoleLookupDocument = new TypedDocumentString(`
    query ConsoleLookup($identifier: IdentifierInput!) {
  customerBy(identifier: $identifier) {
    ...CustomerScreen
  }
}
    fragment CustomerScreen on Customer {
  id
  status
  profile {
    fullName
    gender
    birthDate
    age
    city
    country
    occupation
  }
  contact {
    email
    phone
  }
  consents {
    purpose
    granted
  }
  serviceHints {
    code
    message
    reason
  }
  valueTier
  lifecycle {
    stage
    since
    daysSinceLastActivity
    partial
    missingSources
  }
  rfm {
    score
    segment
    daysSinceLastOrder
    orders365d
    spend365d
  }
  churnRisk {
    score
    level
    partial
    factors {
      name
      contribution
      detail
    }
  }
  tags {
    key
    label
    family
    evidence {
      fact
      value
    }
  }
  purchaseSummary {
    completedOrders
    totalSpent
    lastOrderAt
    currency
  }
  orders(first: 5) {
    totalCount
    edges {
      node {
        id
        orderNumber
        status
        channel
        placedAt
        total
      }
    }
  }
  recommendations(first: 5, placement: AGENT) {
    product {
      id
      name
      category
    }
    strategy
    reasons {
      kind
      evidence
    }
  }
  tickets(status: [OPEN, PENDING], first: 5) {
    edges {
      node {
        id
        subject
        status
        priority
        channel
        openedAt
      }
    }
  }
  timeline(first: 12) {
    edges {
      node {
        id
        type
        at
        channel
        category
        query
      }
    }
  }
  social {
    accounts {
      platform
      handle
      displayName
      followers
      verified
    }
    sentiment(days: 365) {
      score
      label
      mentions
    }
  }
}`) as unknown as TypedDocumentString<ConsoleLookupQuery, ConsoleLookupQueryVariables>;
export const ConsoleCustomerDocument = new TypedDocumentString(`
    query ConsoleCustomer($id: ID!) {
  customer(id: $id) {
    ...CustomerScreen
  }
}
    fragment CustomerScreen on Customer {
  id
  status
  profile {
    fullName
    gender
    birthDate
    age
    city
    country
    occupation
  }
  contact {
    email
    phone
  }
  consents {
    purpose
    granted
  }
  serviceHints {
    code
    message
    reason
  }
  valueTier
  lifecycle {
    stage
    since
    daysSinceLastActivity
    partial
    missingSources
  }
  rfm {
    score
    segment
    daysSinceLastOrder
    orders365d
    spend365d
  }
  churnRisk {
    score
    level
    partial
    factors {
      name
      contribution
      detail
    }
  }
  tags {
    key
    label
    family
    evidence {
      fact
      value
    }
  }
  purchaseSummary {
    completedOrders
    totalSpent
    lastOrderAt
    currency
  }
  orders(first: 5) {
    totalCount
    edges {
      node {
        id
        orderNumber
        status
        channel
        placedAt
        total
      }
    }
  }
  recommendations(first: 5, placement: AGENT) {
    product {
      id
      name
      category
    }
    strategy
    reasons {
      kind
      evidence
    }
  }
  tickets(status: [OPEN, PENDING], first: 5) {
    edges {
      node {
        id
        subject
        status
        priority
        channel
        openedAt
      }
    }
  }
  timeline(first: 12) {
    edges {
      node {
        id
        type
        at
        channel
        category
        query
      }
    }
  }
  social {
    accounts {
      platform
      handle
      displayName
      followers
      verified
    }
    sentiment(days: 365) {
      score
      label
      mentions
    }
  }
}`) as unknown as TypedDocumentString<ConsoleCustomerQuery, ConsoleCustomerQueryVariables>;
export const ConsoleSearchDocument = new TypedDocumentString(`
    query ConsoleSearch($query: String!) {
  customerSearch(query: $query, first: 10) {
    totalCount
    edges {
      node {
        id
        profile {
          fullName
          city
        }
        contact {
          email
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleSearchQuery, ConsoleSearchQueryVariables>;
export const DashboardStatsDocument = new TypedDocumentString(`
    query DashboardStats($filter: SegmentFilter) {
  customerStats(filter: $filter) {
    snapshot {
      version
      asOf
      ageSeconds
      kind
      customers
    }
    previousSnapshot {
      version
      asOf
    }
    total
    byStage {
      stage
      count
    }
    byTier {
      tier
      count
    }
    byTag(first: 10) {
      key
      count
    }
    byCity(first: 10) {
      key
      count
    }
    rfmGrid {
      recency
      frequency
      count
      monetary
    }
    transitions {
      from
      to
      count
    }
  }
}
    `) as unknown as TypedDocumentString<DashboardStatsQuery, DashboardStatsQueryVariables>;
export const DashboardSegmentsDocument = new TypedDocumentString(`
    query DashboardSegments {
  segments(first: 50) {
    id
    name
    description
    count
    exportPath
  }
}
    `) as unknown as TypedDocumentString<DashboardSegmentsQuery, DashboardSegmentsQueryVariables>;
export const SegmentMembersDocument = new TypedDocumentString(`
    query SegmentMembers($id: ID!) {
  segment(id: $id) {
    id
    members(first: 20) {
      totalCount
      edges {
        node {
          id
          profile {
            fullName
            city
          }
          valueTier
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<SegmentMembersQuery, SegmentMembersQueryVariables>;