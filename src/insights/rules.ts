import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The thresholds of the default derivation rules (BRIEF.md, "Default derivation rules"). Every number
 * the derivations use comes from here; DERIVATION_RULES names a JSON file that overrides any of them
 * (validated at start, merged over the defaults). Day counts are "days since" = floor(Δ / 24 h).
 */
const increasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);
const decreasing = (xs: number[]) => xs.every((x, i) => i === 0 || x < xs[i - 1]!);

const days = z.number().int().min(1).max(3650);
const weight = z.number().min(0).max(1);

/** How much each signal counts in a recommendation's score (docs/concepts.md "Recommendations"). */
const recoWeights = z.object({
  coPurchase: z.number().min(0).max(10),
  interests: z.number().min(0).max(10),
  popularity: z.number().min(0).max(10),
});

const schema = z
  .object({
    rfm: z.object({
      /** Days since the last completed order for R = 5, 4, 3, 2 (at most); beyond the last, or never: 1. */
      recencyDays: z.array(days).length(4).refine(increasing, 'must increase'),
      /** Completed orders in the window for F = 5, 4, 3, 2 (at least); fewer: 1. */
      frequencyOrders: z.array(z.number().int().min(1)).length(4).refine(decreasing, 'must decrease'),
      /** Their total for M = 5, 4, 3, 2 (at least); less: 1. */
      monetary: z.array(z.number().min(0)).length(4).refine(decreasing, 'must decrease'),
      /** F and M count the completed orders at most this many days old. */
      windowDays: days,
    }),
    valueTier: z.object({
      highValueMinFrequency: z.number().int().min(1).max(5),
      highValueMinMonetary: z.number().int().min(1).max(5),
      /** POTENTIAL: no completed order but a behaviour event at most this many days old. */
      potentialEventDays: days,
    }),
    lifecycle: z.object({
      newDays: days,
      /** REACTIVATED: the earliest activity of the last `reactivationWindowDays` came ≥ `reactivationGapDays` after the one before. */
      reactivationWindowDays: days,
      reactivationGapDays: days,
      activeDays: days,
      atRiskDays: days,
      dormantDays: days,
    }),
    interests: z.object({
      halfLifeDays: z.number().positive().max(3650),
      /** Weight per event type; types not listed count 0. */
      eventWeights: z.record(z.string().min(1), z.number().min(0).max(100)),
    }),
    churn: z.object({
      /** Maximum contribution of each factor; the score is their sum, capped at 1. */
      weights: z.object({
        recency: weight,
        frequencyDrop: weight,
        unresolvedTickets: weight,
        badRatings: weight,
        negativeSentiment: weight,
      }),
      /** Recency counts nothing while the last order is at most this old (a recent buyer is never at risk for it). */
      recentOrderDays: days,
      /** The usual interval for a customer with one completed order. */
      defaultIntervalDays: days,
      /** Recency reaches its full weight at this many usual intervals since the last order. */
      fullRecencyIntervals: z.number().min(1.1).max(100),
      /** Frequency compares the last `frequencyWindowDays` with the same span before. */
      frequencyWindowDays: days,
      /** Tickets rated at most this are bad; they count for `badRatingDays`. */
      badRating: z.number().int().min(1).max(5),
      badRatingDays: days,
      /** Unresolved tickets that give the full weight. */
      fullUnresolvedTickets: z.number().int().min(1),
      /** Social sentiment over this window; contributes when the mean is below 0. */
      sentimentDays: days,
      levels: z.object({ medium: weight, high: weight }),
    }),
    recommendations: z.object({
      weights: recoWeights,
      /** The weights for a customer with at most `coldStartMaxOrders` completed orders. */
      coldStartWeights: recoWeights,
      coldStartMaxOrders: z.number().int().min(0).max(20),
      /** Weights of a placement (the field's `placement` argument), instead of the two above; none by default. */
      placements: z.object({ AGENT: recoWeights, CAMPAIGN: recoWeights, PARTNER: recoWeights }).partial(),
      /** Purchases at most this old are the co-purchase signal's seeds, each weighing half as much every `purchaseHalfLifeDays`. */
      historyDays: days,
      purchaseHalfLifeDays: z.number().positive().max(3650),
      /** Products bought (completed) at most this many days ago, or in an order refunded at most this many days ago, are not recommended. */
      excludeBoughtDays: days,
      excludeRefundedDays: days,
      /** The build: pairs from the completed orders of this many days before it, kept at most `neighbours` per product and bought together by at least `minPairCustomers`. */
      coPurchaseDays: days,
      neighbours: z.number().int().min(1).max(500),
      minPairCustomers: z.number().int().min(1),
      /** The build: popularity over the completed orders of this many days, the `perSegment` most bought of each segment (all of them overall). */
      popularityDays: days,
      perSegment: z.number().int().min(1).max(1000),
      /** A segment's popularity is used when at least this many of its customers bought in the window; else a wider one, then overall. */
      segmentMinCustomers: z.number().int().min(1),
      /** The interests signal offers the `perCategory` most bought products (overall) of each interest category. */
      perCategory: z.number().int().min(1).max(200),
    }),
  })
  .superRefine((r, ctx) => {
    const l = r.lifecycle;
    if (!(l.activeDays < l.atRiskDays && l.atRiskDays < l.dormantDays)) {
      ctx.addIssue({ code: 'custom', path: ['lifecycle'], message: 'activeDays < atRiskDays < dormantDays must hold' });
    }
    if (!(r.churn.levels.medium < r.churn.levels.high))
      ctx.addIssue({ code: 'custom', path: ['churn', 'levels'], message: 'medium must be below high' });
    // A customer who bought recently, without bad tickets or negative sentiment, must stay LOW.
    const w = r.churn.weights;
    if (w.frequencyDrop + w.unresolvedTickets >= r.churn.levels.medium) {
      ctx.addIssue({
        code: 'custom',
        path: ['churn', 'weights'],
        message: 'frequencyDrop + unresolvedTickets must stay below levels.medium',
      });
    }
  });

export type DerivationRules = z.infer<typeof schema>;

export const DEFAULT_RULES: DerivationRules = {
  rfm: { recencyDays: [30, 60, 90, 180], frequencyOrders: [10, 6, 3, 2], monetary: [10000, 5000, 2000, 500], windowDays: 365 },
  valueTier: { highValueMinFrequency: 4, highValueMinMonetary: 4, potentialEventDays: 30 },
  lifecycle: { newDays: 30, reactivationWindowDays: 30, reactivationGapDays: 180, activeDays: 90, atRiskDays: 180, dormantDays: 365 },
  interests: { halfLifeDays: 30, eventWeights: { product_view: 1, page_view: 1, search: 1, add_to_cart: 3, purchase: 5 } },
  churn: {
    weights: { recency: 0.45, frequencyDrop: 0.2, unresolvedTickets: 0.15, badRatings: 0.1, negativeSentiment: 0.1 },
    recentOrderDays: 30,
    defaultIntervalDays: 90,
    fullRecencyIntervals: 3,
    frequencyWindowDays: 180,
    badRating: 2,
    badRatingDays: 365,
    fullUnresolvedTickets: 2,
    sentimentDays: 90,
    levels: { medium: 0.4, high: 0.7 },
  },
  recommendations: {
    // Tried on the demo data of another seed (bench/reco.ts --seed 7 --customers 2000), reported on seed 42 (docs/concepts.md).
    weights: { coPurchase: 0.3, interests: 1, popularity: 0.1 },
    coldStartWeights: { coPurchase: 0.3, interests: 1, popularity: 0.3 },
    coldStartMaxOrders: 1,
    placements: {},
    historyDays: 730,
    purchaseHalfLifeDays: 180,
    excludeBoughtDays: 90,
    excludeRefundedDays: 365,
    coPurchaseDays: 730,
    neighbours: 30,
    minPairCustomers: 2,
    popularityDays: 90,
    perSegment: 50,
    segmentMinCustomers: 20,
    perCategory: 10,
  },
};

function merge(base: unknown, over: unknown): unknown {
  if (over === null || typeof over !== 'object' || Array.isArray(over) || base === null || typeof base !== 'object' || Array.isArray(base))
    return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
  return out;
}

/** The defaults, or the defaults overridden by `overrides`; throws one line naming the first bad setting. */
export function parseRules(overrides: unknown = {}): DerivationRules {
  const parsed = schema.safeParse(merge(DEFAULT_RULES, overrides));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.join('.') || 'rules'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Rules from a JSON file of overrides (DERIVATION_RULES), or the defaults without one. */
export function loadRules(file: string | undefined): DerivationRules {
  if (!file) return DEFAULT_RULES;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
  return parseRules(json);
}
