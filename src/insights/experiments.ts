import { sha256 } from '../sha256';
import type { ExperimentStrategy, Variant } from '../sources/crm/experiments';
import type { Recommendation, RecoWeights } from './recommendations';

/**
 * A/B tests of the recommendation strategies as pure functions (docs/concepts.md "Experiments"):
 * which variant a customer is in, the weights a variant ranks with, and the intervals its results
 * are reported with.
 */

/** The experiment variant a customer's recommendations were ranked by (Recommendation.experiment). */
export interface ExperimentAssignment {
  experimentId: string;
  variant: string;
  strategy: ExperimentStrategy;
}

/** An item of Customer.recommendations: the ranking's, and its experiment assignment when it was ranked under one (none: null in the answer). */
export type RecommendationItem = Recommendation & { experiment?: ExperimentAssignment };

/** Customers fall in one of this many buckets; a variant holds a run of them as wide as its share. */
export const BUCKETS = 10_000;

/** The customer's bucket in the experiment: the first 8 bytes of sha256(`${experimentId}:${customerId}`), big-endian, mod BUCKETS. */
export function bucketOf(experimentId: string, customerId: string): number {
  return Number(sha256(`${experimentId}:${customerId}`).readBigUInt64BE(0) % BigInt(BUCKETS));
}

/**
 * The customer's variant: the first whose cumulative share (rounded to buckets) exceeds its bucket.
 * Depends on nothing but the two ids and the variants, so it is the same in every request and replica.
 */
export function assign(experimentId: string, variants: readonly Variant[], customerId: string): Variant {
  const bucket = bucketOf(experimentId, customerId);
  let upTo = 0;
  for (const v of variants) {
    upTo += v.share;
    if (bucket < Math.round(upTo * BUCKETS)) return v;
  }
  return variants[variants.length - 1]!;
}

/**
 * The weights a strategy ranks with (insights/recommendations.ts recommend): FULL those the field
 * would use without the experiment (`full`); the others keep one signal at weight 1. POPULAR is the
 * control: popularity alone (among similar customers when enough of them bought, else overall).
 */
export function strategyWeights(strategy: ExperimentStrategy, full: RecoWeights): RecoWeights {
  switch (strategy) {
    case 'FULL':
      return full;
    case 'POPULAR':
      return { coPurchase: 0, interests: 0, popularity: 1 };
    case 'CO_PURCHASE':
      return { coPurchase: 1, interests: 0, popularity: 0 };
    case 'INTERESTS':
      return { coPurchase: 0, interests: 1, popularity: 0 };
  }
}

/** Why `variants` cannot be an experiment's (the input field named), or null when they can. */
export function variantsProblem(variants: readonly Variant[]): { field: string; message: string } | null {
  if (variants.length < 2 || variants.length > 5)
    return { field: 'variants', message: `An experiment has 2 to 5 variants (got ${variants.length}).` };
  const names = new Set<string>();
  for (const [i, v] of variants.entries()) {
    const name = v.name.trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,39}$/.test(name))
      return {
        field: `variants.${i}.name`,
        message: `A variant's name is 1 to 40 letters, digits, spaces, '_', '.' or '-' (got "${v.name}").`,
      };
    if (names.has(name.toLowerCase())) return { field: `variants.${i}.name`, message: `Two variants are named "${name}".` };
    names.add(name.toLowerCase());
    if (!(v.share > 0 && v.share <= 1) || Math.abs(v.share * BUCKETS - Math.round(v.share * BUCKETS)) > 1e-6)
      return { field: `variants.${i}.share`, message: `A share is in (0, 1], in steps of 0.0001 (got ${v.share}).` };
  }
  const total = variants.reduce((s, v) => s + Math.round(v.share * BUCKETS), 0);
  if (total !== BUCKETS) return { field: 'variants', message: `The variants' shares must sum to 1 (they sum to ${total / BUCKETS}).` };
  return null;
}

/** z for a two-sided 95 % interval. */
export const Z95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/** The Wilson score interval of `x` successes in `n` trials (n > 0). */
export function wilson(x: number, n: number, z = Z95): Interval {
  const p = x / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * The difference p₁ − p₀ of two proportions (x₁ of n₁ against the control's x₀ of n₀) with
 * Newcombe's hybrid score interval (his method 10: from the two Wilson intervals).
 */
export function newcombe(x1: number, n1: number, x0: number, n0: number, z = Z95): Interval & { estimate: number } {
  const [p1, p0] = [x1 / n1, x0 / n0];
  const [w1, w0] = [wilson(x1, n1, z), wilson(x0, n0, z)];
  const estimate = p1 - p0;
  return {
    estimate,
    low: estimate - Math.sqrt((p1 - w1.low) ** 2 + (w0.high - p0) ** 2),
    high: estimate + Math.sqrt((w1.high - p1) ** 2 + (p0 - w0.low) ** 2),
  };
}

export interface VariantResult {
  variant: string;
  strategy: ExperimentStrategy;
  exposed: number;
  converted: number;
  /** converted / exposed; null when no one was exposed (and so the intervals). */
  rate: number | null;
  interval: Interval | null;
  /** Against the first variant (the control); null for the control itself or when either has no one exposed. */
  differenceVsControl: (Interval & { estimate: number }) | null;
}

/** Each variant's rate with its Wilson interval, and its difference from the first variant's with Newcombe's. */
export function variantResults(
  counts: readonly { variant: string; strategy: ExperimentStrategy; exposed: number; converted: number }[],
): VariantResult[] {
  const control = counts[0];
  return counts.map((c, i) => ({
    variant: c.variant,
    strategy: c.strategy,
    exposed: c.exposed,
    converted: c.converted,
    rate: c.exposed ? c.converted / c.exposed : null,
    interval: c.exposed ? wilson(c.converted, c.exposed) : null,
    differenceVsControl:
      i > 0 && control && c.exposed && control.exposed ? newcombe(c.converted, c.exposed, control.converted, control.exposed) : null,
  }));
}
