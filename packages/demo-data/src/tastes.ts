/**
 * The structure a recommender can learn from: which categories a customer likes (drawn from priors by
 * gender and age, so similar customers like similar things), which products are popular (a Zipf-like
 * weight within each category) and which go together (each product's companions: two of its own
 * category and one of a related category). Orders and behaviour events both follow a customer's tastes.
 */
import type { Random } from '@c360/social-provider';
import type { Gender } from './rows';

/** A customer's liked categories, most liked first, with weights summing to 1. */
export type Taste = { category: string; weight: number }[];

/** Related categories: a companion of a product may come from one of these. */
const RELATED: Record<string, readonly string[]> = {
  skincare: ['makeup'],
  makeup: ['skincare', 'apparel'],
  outdoor: ['sports', 'apparel'],
  electronics: ['sports', 'books'],
  apparel: ['sports', 'makeup'],
  home: ['food', 'baby'],
  baby: ['home'],
  books: ['food', 'home'],
  sports: ['outdoor', 'apparel'],
  food: ['home', 'books'],
};

/** Multipliers of a category's prior by gender and by age band (the rest: 1). */
const BY_GENDER: Partial<Record<Gender, Record<string, number>>> = {
  female: { skincare: 4, makeup: 4, apparel: 1.5, baby: 1.5, electronics: 0.5, outdoor: 0.6 },
  male: { electronics: 3, outdoor: 2.5, sports: 2.5, skincare: 0.4, makeup: 0.15 },
};
const BY_AGE: readonly { upTo: number; weights: Record<string, number> }[] = [
  { upTo: 24, weights: { electronics: 2, apparel: 2, sports: 1.5, baby: 0.1, home: 0.4 } },
  { upTo: 34, weights: { baby: 3, apparel: 1.5, skincare: 1.3 } },
  { upTo: 44, weights: { baby: 2, home: 2, food: 1.3 } },
  { upTo: 59, weights: { home: 2, books: 1.5, food: 1.5, baby: 0.3 } },
  { upTo: 200, weights: { books: 3, food: 2, home: 1.5, baby: 0.2, electronics: 0.5, sports: 0.5 } },
];

/** One to three liked categories drawn from the priors of the customer's gender and age; the first weighs most. */
export function drawTaste(rng: Random, categories: readonly string[], gender: Gender | null, age: number): Taste {
  const byAge = BY_AGE.find((b) => age <= b.upTo)!.weights;
  const prior = categories.map((c) => [c, (gender ? (BY_GENDER[gender]?.[c] ?? 1) : 1) * (byAge[c] ?? 1)] as const);
  const liked: string[] = [];
  for (let n = rng.int(1, 3); liked.length < n;) liked.push(rng.weighted(prior.filter(([c]) => !liked.includes(c))));
  const raw = liked.map((_, i) => 1 / (i + 1));
  const total = raw.reduce((a, b) => a + b, 0);
  return liked.map((category, i) => ({ category, weight: raw[i]! / total }));
}

/** Companions of each product (by id): two of its own category and one of a related one. */
export function drawCompanions(rng: Random, products: readonly { id: string; category: string }[]): Map<string, string[]> {
  const byCategory = new Map<string, string[]>();
  for (const p of products) byCategory.set(p.category, [...(byCategory.get(p.category) ?? []), p.id]);
  return new Map(
    products.map((p) => {
      const own = rng.sample(
        byCategory.get(p.category)!.filter((id) => id !== p.id),
        2,
      );
      const related = byCategory.get(rng.pick(RELATED[p.category] ?? [p.category])) ?? [];
      return [p.id, [...own, ...(related.length ? [rng.pick(related.filter((id) => id !== p.id))] : [])]];
    }),
  );
}

/** Popularity of the i-th product of a category (0-based): Zipf-like, the first about 8 times the twentieth. */
export const popularityWeight = (i: number): number => 1 / Math.pow(i + 1, 0.7);
