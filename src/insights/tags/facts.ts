/**
 * What a tag condition sees as `facts`, by group. Only the groups a condition names are computed
 * (and only their sources loaded). Numbers are plain numbers; a fact that does not exist is null.
 */
export interface TagFacts {
  profile: {
    age: number | null;
    gender: string | null;
    city: string | null;
    country: string | null;
    occupation: string | null;
    customerDays: number;
  };
  orders: {
    completed: number;
    orders365d: number;
    spend365d: number;
    daysSinceLastOrder: number | null;
    daysSinceFirstOrder: number | null;
    meanIntervalDays: number | null;
    ordersRecent: number;
    ordersPrior: number;
    discountedItemShare: number | null;
  };
  tickets: { unresolved: number; badRatings: number };
  consents: { profiling: boolean; marketing: boolean; partnerSharing: boolean };
  rfm: { recency: number; frequency: number; monetary: number; score: string; segment: string };
  valueTier: string;
  lifecycle: { stage: string; daysSinceLastActivity: number | null };
  churn: { score: number; level: string };
  behaviour: {
    sessions30d: number;
    events30d: Record<string, number>;
    channels90d: Record<string, number>;
    topChannel: string | null;
    topChannelShare: number;
    deviceTypes90d: Record<string, number>;
    mobileShare: number;
    lastSeenDays: number | null;
  };
  /** Normalised category weights (summing to 1), every category with events. */
  interests: Record<string, number>;
  social: { accounts: number; followers: number; verified: boolean; brandMentions90d: number; sentiment90d: number | null };
}

export type FactGroup = keyof TagFacts;
export type SourceName = 'crm' | 'behaviour' | 'social';

/** The sources each group needs besides the CRM, which every group needs. */
export const GROUP_SOURCES: Record<FactGroup, SourceName[]> = {
  profile: [],
  orders: [],
  tickets: [],
  consents: [],
  rfm: [],
  valueTier: ['behaviour'],
  lifecycle: ['behaviour', 'social'],
  churn: ['social'],
  behaviour: ['behaviour'],
  interests: ['behaviour'],
  social: ['social'],
};

export const isFactGroup = (name: string): name is FactGroup => Object.hasOwn(GROUP_SOURCES, name);

/** Facts with every group filled, to check a draft expression before it is saved. */
export const SAMPLE_FACTS: TagFacts = {
  profile: { age: 34, gender: 'female', city: 'Shanghai', country: 'CN', occupation: 'designer', customerDays: 800 },
  orders: {
    completed: 7,
    orders365d: 4,
    spend365d: 5230.5,
    daysSinceLastOrder: 12,
    daysSinceFirstOrder: 700,
    meanIntervalDays: 95.5,
    ordersRecent: 2,
    ordersPrior: 2,
    discountedItemShare: 0.25,
  },
  tickets: { unresolved: 0, badRatings: 1 },
  consents: { profiling: true, marketing: false, partnerSharing: false },
  rfm: { recency: 5, frequency: 3, monetary: 4, score: '534', segment: 'LOYAL' },
  valueTier: 'REGULAR',
  lifecycle: { stage: 'ACTIVE', daysSinceLastActivity: 3 },
  churn: { score: 0.12, level: 'LOW' },
  behaviour: {
    sessions30d: 6,
    events30d: { page_view: 20, search: 4, add_to_cart: 1 },
    channels90d: { app: 0.7, web: 0.3 },
    topChannel: 'app',
    topChannelShare: 0.7,
    deviceTypes90d: { mobile: 0.8, desktop: 0.2 },
    mobileShare: 0.8,
    lastSeenDays: 1,
  },
  interests: { skincare: 0.6, makeup: 0.4 },
  social: { accounts: 1, followers: 1520, verified: false, brandMentions90d: 2, sentiment90d: 0.1 },
};
