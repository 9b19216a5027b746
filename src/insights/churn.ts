import type { DerivationRules } from './rules';
import { daysSince } from './time';

export enum ChurnLevel {
  LOW = 'LOW',
  MEDIUM = 'MEDIUM',
  HIGH = 'HIGH',
}
export enum ChurnFactorName {
  RECENCY = 'RECENCY',
  FREQUENCY_DROP = 'FREQUENCY_DROP',
  UNRESOLVED_TICKETS = 'UNRESOLVED_TICKETS',
  BAD_RATINGS = 'BAD_RATINGS',
  NEGATIVE_SENTIMENT = 'NEGATIVE_SENTIMENT',
}

export interface ChurnInput {
  completedOrders: number;
  lastOrderAt: Date | null;
  /** Mean days between consecutive completed orders; null with fewer than two. */
  meanIntervalDays: number | null;
  /** Completed orders in the last `frequencyWindowDays` days and in the same span before. */
  ordersRecent: number;
  ordersPrior: number;
  unresolvedTickets: number;
  badRatings: number;
  /** Mean sentiment of brand mentions over `sentimentDays`; null without mentions or without the social source. */
  sentiment: { score: number; mentions: number } | null;
}

export interface ChurnFactor {
  name: ChurnFactorName;
  /** Added to the score; at most the factor's weight. */
  contribution: number;
  detail: string;
}

export interface ChurnRisk {
  score: number;
  level: ChurnLevel;
  /** The factors that moved the score, largest first. */
  factors: ChurnFactor[];
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const round = (x: number) => Math.round(x * 10_000) / 10_000;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * An additive, explainable score in [0, 1]: each factor contributes up to its weight.
 * - RECENCY: days since the last completed order against the customer's usual interval (the mean
 *   gap between its orders, or `defaultIntervalDays` with one order): 0 up to one interval, the full
 *   weight at `fullRecencyIntervals`; nothing while the last order is at most `recentOrderDays` old.
 * - FREQUENCY_DROP: the share by which recent orders fell below the prior span's.
 * - UNRESOLVED_TICKETS: open or pending tickets, full at `fullUnresolvedTickets`.
 * - BAD_RATINGS: any ticket rated ≤ `badRating` in `badRatingDays` gives the full weight.
 * - NEGATIVE_SENTIMENT: a negative mean sentiment of brand mentions, in proportion.
 */
export function churnRisk(input: ChurnInput, rules: DerivationRules, asOf: Date): ChurnRisk {
  const c = rules.churn;
  const factors: ChurnFactor[] = [];
  const add = (name: ChurnFactorName, share: number, weight: number, detail: string) => {
    const contribution = round(weight * clamp01(share));
    if (contribution > 0) factors.push({ name, contribution, detail });
  };

  if (input.lastOrderAt) {
    const days = daysSince(asOf, input.lastOrderAt);
    const interval = Math.max(1, input.meanIntervalDays ?? c.defaultIntervalDays);
    const share = days <= c.recentOrderDays ? 0 : (days / interval - 1) / (c.fullRecencyIntervals - 1);
    const usual =
      input.meanIntervalDays === null
        ? `a usual interval of ${c.defaultIntervalDays} days assumed`
        : `usually ${Math.round(interval)} days between orders`;
    add(ChurnFactorName.RECENCY, share, c.weights.recency, `${plural(days, 'day')} since the last order; ${usual}`);
  }
  if (input.ordersPrior > 0 && input.ordersRecent < input.ordersPrior) {
    add(
      ChurnFactorName.FREQUENCY_DROP,
      (input.ordersPrior - input.ordersRecent) / input.ordersPrior,
      c.weights.frequencyDrop,
      `${plural(input.ordersRecent, 'order')} in the last ${c.frequencyWindowDays} days against ${input.ordersPrior} in the ${c.frequencyWindowDays} before`,
    );
  }
  add(
    ChurnFactorName.UNRESOLVED_TICKETS,
    input.unresolvedTickets / c.fullUnresolvedTickets,
    c.weights.unresolvedTickets,
    `${plural(input.unresolvedTickets, 'unresolved ticket')}`,
  );
  add(
    ChurnFactorName.BAD_RATINGS,
    input.badRatings,
    c.weights.badRatings,
    `${plural(input.badRatings, 'ticket')} rated ${c.badRating} or lower in the last ${c.badRatingDays} days`,
  );
  if (input.sentiment && input.sentiment.score < 0) {
    add(
      ChurnFactorName.NEGATIVE_SENTIMENT,
      -input.sentiment.score,
      c.weights.negativeSentiment,
      `mean sentiment ${input.sentiment.score.toFixed(2)} over ${plural(input.sentiment.mentions, 'brand mention')} in the last ${c.sentimentDays} days`,
    );
  }
  factors.sort((a, b) => b.contribution - a.contribution);
  const score = round(
    Math.min(
      1,
      factors.reduce((sum, f) => sum + f.contribution, 0),
    ),
  );
  const level = score >= c.levels.high ? ChurnLevel.HIGH : score >= c.levels.medium ? ChurnLevel.MEDIUM : ChurnLevel.LOW;
  return { score, level, factors };
}
