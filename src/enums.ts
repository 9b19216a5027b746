import { ChurnFactorName, ChurnLevel } from './insights/churn';
import { LifecycleStage } from './insights/lifecycle';
import { RfmSegment } from './insights/rfm';
import { ServiceHintCode } from './insights/serviceHints';
import { ValueTier } from './insights/valueTier';

/**
 * GraphQL enum value → the value the CRM stores. Codegen imports these (`enumValues`), and the same
 * objects are the run-time enum resolvers, so schema types and storage values always agree.
 */
export enum CustomerStatus {
  ACTIVE = 'active',
  MERGED = 'merged',
  ERASED = 'erased',
}
export enum Gender {
  FEMALE = 'female',
  MALE = 'male',
  OTHER = 'other',
  UNKNOWN = 'unknown',
}
export enum ConsentPurpose {
  PROFILING = 'profiling',
  MARKETING = 'marketing',
  PARTNER_SHARING = 'partner_sharing',
}
export enum IdentifierKind {
  EMAIL = 'email',
  PHONE = 'phone',
  ORDER_NUMBER = 'order_number',
  DEVICE_ID = 'device_id',
  ANONYMOUS_ID = 'anonymous_id',
  SOCIAL = 'social',
  EXTERNAL_ID = 'external_id',
}
export enum OrderStatus {
  PENDING = 'pending',
  COMPLETED = 'completed',
  CANCELLED = 'cancelled',
  REFUNDED = 'refunded',
}
export enum TicketStatus {
  OPEN = 'open',
  PENDING = 'pending',
  RESOLVED = 'resolved',
  CLOSED = 'closed',
}
export enum TicketPriority {
  LOW = 'low',
  NORMAL = 'normal',
  HIGH = 'high',
  URGENT = 'urgent',
}
export enum CustomerOrderBy {
  ID_ASC = 'id_asc',
  CREATED_AT_ASC = 'created_at_asc',
  CREATED_AT_DESC = 'created_at_desc',
}

/** Label of a mean sentiment score (see sources/social/summaries.ts). */
export enum SentimentLabel {
  NEGATIVE = 'NEGATIVE',
  NEUTRAL = 'NEUTRAL',
  POSITIVE = 'POSITIVE',
}

/** Roles, partner scopes and credential kinds as stored (src/security/principal.ts). */
export enum Role {
  AGENT = 'agent',
  ANALYST = 'analyst',
  PARTNER = 'partner',
  ADMIN = 'admin',
  SERVICE = 'service',
  MARKETER = 'marketer',
}
export enum PartnerScope {
  PROFILE = 'profile',
  CONTACT = 'contact',
  IDENTITIES = 'identities',
  ORDERS = 'orders',
  SUPPORT = 'support',
  BEHAVIOUR = 'behaviour',
  SOCIAL = 'social',
  INSIGHTS = 'insights',
  RECOMMENDATIONS = 'recommendations',
}
/** What a partner may read (the schema's PartnerScope enum, as keys store it); each Customer field declares its scope with @scope. */
export type Scope = `${PartnerScope}`;
export enum AuthKind {
  JWT = 'jwt',
  API_KEY = 'api_key',
}

/** Sources as the schema names them, mapped to the names errors and round-trip counters use. */
export enum Source {
  CRM = 'crm',
  BEHAVIOUR = 'behaviour',
  SOCIAL = 'social',
}
export { ChurnFactorName, ChurnLevel, LifecycleStage, RfmSegment, ServiceHintCode, ValueTier };

/** Tag families (c360.tag_definitions.family). */
export enum TagFamily {
  DEMOGRAPHIC = 'DEMOGRAPHIC',
  BEHAVIOUR = 'BEHAVIOUR',
  INTEREST = 'INTEREST',
  VALUE = 'VALUE',
  LIFECYCLE = 'LIFECYCLE',
  RISK = 'RISK',
  PREFERENCE = 'PREFERENCE',
}

/** Status of an erasure as c360.erasures stores it. */
export enum ErasureStatus {
  COMPLETE = 'complete',
  INCOMPLETE = 'incomplete',
}

/** The identity graph (sources/crm/identity.ts): where an identity comes from, what a history entry did, why two records look alike. */
export enum IdentitySource {
  CRM = 'crm',
  API = 'api',
  MERGE = 'merge',
}
export enum IdentityAction {
  LINK = 'link',
  UNLINK = 'unlink',
  MERGE = 'merge',
  UNMERGE = 'unmerge',
}
export enum DuplicateEvidenceKind {
  EMAIL = 'email',
  PHONE = 'phone',
  DEVICE_ID = 'device_id',
  NAME_CITY = 'name_city',
  NAME_BIRTH_DATE = 'name_birth_date',
}

/** A profile snapshot's kind as c360.snapshots stores it. */
export enum SnapshotKind {
  FULL = 'full',
  INCREMENTAL = 'incremental',
}

export enum ExperimentStatus {
  RUNNING = 'running',
  STOPPED = 'stopped',
}

export const enums = {
  Source,
  ChurnFactorName,
  ChurnLevel,
  LifecycleStage,
  RfmSegment,
  ServiceHintCode,
  TagFamily,
  ValueTier,
  SentimentLabel,
  Role,
  PartnerScope,
  AuthKind,
  CustomerStatus,
  Gender,
  ConsentPurpose,
  IdentifierKind,
  OrderStatus,
  TicketStatus,
  TicketPriority,
  CustomerOrderBy,
  ErasureStatus,
  IdentitySource,
  IdentityAction,
  DuplicateEvidenceKind,
  SnapshotKind,
  ExperimentStatus,
};
