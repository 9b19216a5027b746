import type { DerivationRules } from './rules';
import { daysSince } from './time';

/** The completed-order facts RFM reads (sources/crm/facts.ts aggregates them in SQL). */
export interface OrderFacts {
  completedOrders: number;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  /** Completed orders, and their total, at most `rfm.windowDays` days old. */
  ordersInWindow: number;
  spendInWindow: string;
}

export enum RfmSegment {
  CHAMPIONS = 'CHAMPIONS',
  LOYAL = 'LOYAL',
  POTENTIAL_LOYALIST = 'POTENTIAL_LOYALIST',
  NEW_CUSTOMERS = 'NEW_CUSTOMERS',
  PROMISING = 'PROMISING',
  NEED_ATTENTION = 'NEED_ATTENTION',
  CANT_LOSE = 'CANT_LOSE',
  AT_RISK = 'AT_RISK',
  ABOUT_TO_SLEEP = 'ABOUT_TO_SLEEP',
  HIBERNATING = 'HIBERNATING',
  LOST = 'LOST',
  NO_PURCHASES = 'NO_PURCHASES',
}

/**
 * Segments by R and F score, first matching row wins (the usual RFM grid; docs/concepts.md "RFM segments").
 * A customer without any completed order is NO_PURCHASES whatever the scores.
 */
export const SEGMENTS: readonly { segment: RfmSegment; r: [number, number]; f: [number, number] }[] = [
  { segment: RfmSegment.CHAMPIONS, r: [4, 5], f: [4, 5] },
  { segment: RfmSegment.LOYAL, r: [3, 5], f: [3, 5] },
  { segment: RfmSegment.POTENTIAL_LOYALIST, r: [4, 5], f: [2, 2] },
  { segment: RfmSegment.NEW_CUSTOMERS, r: [5, 5], f: [1, 1] },
  { segment: RfmSegment.PROMISING, r: [4, 4], f: [1, 1] },
  { segment: RfmSegment.NEED_ATTENTION, r: [3, 3], f: [1, 2] },
  { segment: RfmSegment.CANT_LOSE, r: [1, 1], f: [5, 5] },
  { segment: RfmSegment.AT_RISK, r: [1, 2], f: [3, 5] },
  { segment: RfmSegment.ABOUT_TO_SLEEP, r: [2, 2], f: [1, 2] },
  { segment: RfmSegment.HIBERNATING, r: [1, 1], f: [2, 2] },
  { segment: RfmSegment.LOST, r: [1, 1], f: [1, 1] },
];

export interface Rfm {
  recency: number;
  frequency: number;
  monetary: number;
  /** The three digits, e.g. "545". */
  score: string;
  segment: RfmSegment;
  daysSinceLastOrder: number | null;
  orders365d: number;
  spend365d: string;
}

/** 5 for the first threshold met, 4 for the second, ... 1 when none is. */
const score = (thresholds: number[], meets: (t: number) => boolean): number => {
  const i = thresholds.findIndex(meets);
  return i < 0 ? 1 : 5 - i;
};

export function rfm(orders: OrderFacts, rules: DerivationRules, asOf: Date): Rfm {
  const days = orders.lastOrderAt ? daysSince(asOf, orders.lastOrderAt) : null;
  const recency = days === null ? 1 : score(rules.rfm.recencyDays, (d) => days <= d);
  const frequency = score(rules.rfm.frequencyOrders, (n) => orders.ordersInWindow >= n);
  const spend = Number(orders.spendInWindow);
  const monetary = score(rules.rfm.monetary, (m) => spend >= m);
  const inRange = (x: number, [lo, hi]: [number, number]) => x >= lo && x <= hi;
  const segment =
    orders.completedOrders === 0
      ? RfmSegment.NO_PURCHASES
      : SEGMENTS.find((s) => inRange(recency, s.r) && inRange(frequency, s.f))!.segment;
  return {
    recency,
    frequency,
    monetary,
    score: `${recency}${frequency}${monetary}`,
    segment,
    daysSinceLastOrder: days,
    orders365d: orders.ordersInWindow,
    spend365d: orders.spendInWindow,
  };
}
