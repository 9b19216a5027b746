import type { RecoPair, RecoPopular, RecoProduct, RecoPurchase } from '../sources/crm/recommendations';
import type { DerivationRules } from './rules';
import { DAY_MS } from './time';

/**
 * Next best products as a pure function of the customer's facts and the precomputed build
 * (docs/concepts.md "Recommendations"). Three signals, each 0..1 per product, summed with weights:
 *
 * - co-purchase: Σ over the customer's purchases s (completed, in the history window) of
 *   cosine(s, p) × 2^(−days since s was last bought / purchaseHalfLifeDays);
 * - interests: the customer's interest weight in p's category × p's popularity score overall
 *   (only the `perCategory` most bought of each category);
 * - popularity: p's score in the most specific of the customer's segments with enough buyers, else
 *   overall.
 *
 * Without profiling consent only overall popularity counts, and every item says so. Products bought
 * recently or refunded are excluded, nothing appears twice; ties go to the product id.
 */

export type RecoWeights = DerivationRules['recommendations']['weights'];
export type RecoStrategy = 'CO_PURCHASE' | 'INTERESTS' | 'POPULAR_SIMILAR' | 'POPULAR';
export type ReasonKind = 'BOUGHT_WITH' | 'INTEREST' | 'POPULAR_SIMILAR' | 'POPULAR' | 'NO_PROFILING_CONSENT';

export interface RecoReason {
  kind: ReasonKind;
  /** For a person: e.g. "bought with Lumière Toner by 37 customers". */
  evidence: string;
  /** What it added to the score (0 for NO_PROFILING_CONSENT). */
  contribution: number;
}

export interface Recommendation {
  product: RecoProduct;
  score: number;
  /** The signal that contributed most. */
  strategy: RecoStrategy;
  /** Largest contribution first; the consent note last. */
  reasons: RecoReason[];
}

/** The customer's segment attributes (profile, as of asOf). */
export interface SegmentProfile {
  city: string | null;
  gender: string | null;
  birthDate: string | Date | null;
}

export interface RecoInput {
  /** Profiling consent: without it, nothing below but `popular.all` is read. */
  personal: boolean;
  weights: RecoWeights;
  asOf: Date;
  purchaseHalfLifeDays: number;
  segmentMinCustomers: number;
  perCategory: number;
  /** Its segment keys, most specific first (segmentKeys). */
  segments: string[];
  purchases: RecoPurchase[];
  pairs: Map<string, RecoPair[]>;
  popular: Map<string, RecoPopular[]>;
  products: Map<string, RecoProduct>;
  /** Category weights summing to 1 (insights/interests.ts), or none. */
  interests: { category: string; weight: number }[];
}

const BANDS: readonly [number, string][] = [
  [18, 'under 18'],
  [25, '18-24'],
  [35, '25-34'],
  [45, '35-44'],
  [55, '45-54'],
  [65, '55-64'],
];

/** Whole years from `birthDate` to `asOf` (UTC calendar), as its band key; must match the build's SQL (sources/crm/recommendations.ts). */
export function ageBand(birthDate: string | Date, asOf: Date): string {
  const b = typeof birthDate === 'string' ? new Date(`${birthDate.slice(0, 10)}T00:00:00Z`) : birthDate;
  let years = asOf.getUTCFullYear() - b.getUTCFullYear();
  if (asOf.getUTCMonth() < b.getUTCMonth() || (asOf.getUTCMonth() === b.getUTCMonth() && asOf.getUTCDate() < b.getUTCDate())) years -= 1;
  return BANDS.find(([upTo]) => years < upTo)?.[1] ?? '65+';
}

/** The customer's segment keys, most specific first, as the build writes them: those whose attributes are all known. */
export function segmentKeys(p: SegmentProfile, asOf: Date): string[] {
  const city = p.city ? `city=${p.city}` : null;
  const age = p.birthDate ? `age=${ageBand(p.birthDate, asOf)}` : null;
  const gender = p.gender === 'female' || p.gender === 'male' ? `gender=${p.gender}` : null;
  const keys = [[city, age, gender], [city, age], [city], [age, gender]];
  return keys.filter((parts) => parts.every((x) => x !== null)).map((parts) => parts.join('|'));
}

/** "Hangzhou, women, 25–34" from a segment key. */
export function segmentLabel(key: string): string {
  const parts = Object.fromEntries(key.split('|').map((p) => p.split('=') as [string, string]));
  const gender = parts.gender === 'female' ? 'women' : parts.gender === 'male' ? 'men' : null;
  const age = parts.age ? `aged ${parts.age.replace('-', '–')}` : null;
  return [parts.city ? `in ${parts.city}` : null, [gender ?? 'customers', age].filter(Boolean).join(' ')].filter(Boolean).join(' among ');
}

interface Candidate {
  coPurchase: number;
  interests: number;
  popularity: number;
  reasons: RecoReason[];
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

export function recommend(input: RecoInput, excluded: ReadonlySet<string>, first: number): Recommendation[] {
  const w = input.weights;
  const candidates = new Map<string, Candidate>();
  const at = (id: string): Candidate | null => {
    if (excluded.has(id) || !input.products.has(id)) return null;
    let c = candidates.get(id);
    if (!c) candidates.set(id, (c = { coPurchase: 0, interests: 0, popularity: 0, reasons: [] }));
    return c;
  };
  const name = (id: string) => input.products.get(id)?.name ?? id;

  if (input.personal && w.coPurchase > 0) {
    // Per candidate, its strongest seed is the evidence; the signal sums every seed.
    const best = new Map<string, { seed: string; customers: number; value: number }>();
    for (const s of input.purchases) {
      if (!s.last_at) continue;
      const decay = Math.pow(2, -(input.asOf.getTime() - s.last_at.getTime()) / DAY_MS / input.purchaseHalfLifeDays);
      for (const pair of input.pairs.get(s.product_id) ?? []) {
        const c = at(pair.other_id);
        if (!c) continue;
        const value = pair.score * decay;
        c.coPurchase += value;
        const b = best.get(pair.other_id);
        if (!b || value > b.value) best.set(pair.other_id, { seed: s.product_id, customers: pair.customers, value });
      }
    }
    for (const [id, b] of best) {
      const c = candidates.get(id)!;
      c.reasons.push({
        kind: 'BOUGHT_WITH',
        evidence: `bought with ${name(b.seed)} by ${b.customers} customers`,
        contribution: w.coPurchase * c.coPurchase,
      });
    }
  }

  const overall = input.popular.get('all') ?? [];
  if (input.personal && w.interests > 0 && input.interests.length) {
    const byCategory = new Map<string, RecoPopular[]>();
    const mostBought = [...overall].sort((a, b) => b.customers - a.customers || (a.product_id < b.product_id ? -1 : 1));
    for (const row of mostBought) {
      const category = input.products.get(row.product_id)?.category;
      if (!category) continue;
      const list = byCategory.get(category) ?? [];
      if (list.length < input.perCategory) byCategory.set(category, [...list, row]);
    }
    for (const interest of input.interests) {
      const rows = byCategory.get(interest.category) ?? [];
      const top = rows[0]?.customers ?? 1;
      for (const row of rows) {
        const c = at(row.product_id);
        if (!c) continue;
        c.interests = interest.weight * (row.customers / top);
        c.reasons.push({
          kind: 'INTEREST',
          evidence: `interest in ${interest.category} ${interest.weight.toFixed(2)}`,
          contribution: w.interests * c.interests,
        });
      }
    }
  }

  if (w.popularity > 0 || !input.personal) {
    const segment = input.personal
      ? input.segments.find((s) => (input.popular.get(s)?.[0]?.segment_customers ?? 0) >= input.segmentMinCustomers)
      : undefined;
    const rows = segment ? input.popular.get(segment)! : overall;
    for (const row of rows) {
      const c = at(row.product_id);
      if (!c) continue;
      c.popularity = row.score;
      c.reasons.push(
        segment
          ? {
              kind: 'POPULAR_SIMILAR',
              evidence: `popular ${segmentLabel(segment)}: bought by ${row.customers} customers of ${row.segment_customers} recent buyers`,
              contribution: w.popularity * row.score,
            }
          : {
              kind: 'POPULAR',
              evidence: `popular with everyone: bought by ${row.customers} customers recently`,
              contribution: (input.personal ? w.popularity : 1) * row.score,
            },
      );
    }
  }

  const scored = [...candidates].map(([id, c]) => {
    const score = input.personal ? w.coPurchase * c.coPurchase + w.interests * c.interests + w.popularity * c.popularity : c.popularity;
    const reasons = c.reasons.filter((r) => r.contribution > 0).sort((a, b) => b.contribution - a.contribution);
    const top = reasons[0]?.kind;
    const strategy: RecoStrategy =
      top === 'BOUGHT_WITH' ? 'CO_PURCHASE' : top === 'INTEREST' ? 'INTERESTS' : top === 'POPULAR_SIMILAR' ? 'POPULAR_SIMILAR' : 'POPULAR';
    if (!input.personal)
      reasons.push({
        kind: 'NO_PROFILING_CONSENT',
        evidence: 'no profiling consent: only what is popular with everyone, nothing about this customer',
        contribution: 0,
      });
    return {
      product: input.products.get(id)!,
      score: round(score),
      strategy,
      reasons: reasons.map((r) => ({ ...r, contribution: round(r.contribution) })),
    };
  });
  return scored
    .filter((r) => r.score > 0)
    .sort((a, b) => b.score - a.score || (a.product.id < b.product.id ? -1 : 1))
    .slice(0, first);
}

/** Products not to recommend: bought (completed) or refunded recently, as the statement marked them; none without consent. */
export const exclusions = (personal: boolean, purchases: RecoPurchase[]): Set<string> =>
  new Set(personal ? purchases.filter((p) => p.excluded).map((p) => p.product_id) : []);
