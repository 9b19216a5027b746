import { generateEvents } from '../src/events';
import { generateCrmDatasetWithPersonas } from '../src/generate';

const NOW = new Date('2026-03-15T12:00:00Z');
const { dataset: ds, personas, tastes, companions } = generateCrmDatasetWithPersonas({ customers: 3000, seed: 42, now: NOW });
const categoryOf = new Map(ds.products.map((p) => [p.id, p.category]));
const customerOf = new Map(ds.orders.map((o) => [o.id, o.customer_id]));

describe('demo tastes and affinities', () => {
  it('has customers buy mostly from their liked categories', () => {
    let liked = 0;
    for (const i of ds.order_items) {
      const taste = tastes[customerOf.get(i.order_id)!]!;
      if (taste.some((t) => t.category === categoryOf.get(i.product_id))) liked += 1;
    }
    // 1–3 of 10 categories liked: by chance about 20 % of the items (companions of related categories and
    // high-value customers' dearer picks stray from it).
    expect(liked / ds.order_items.length).toBeGreaterThan(0.6);
  });

  it('draws tastes from gender and age: women like skincare far more often than men', () => {
    const share = (gender: string) => {
      const of = ds.customers.filter((c) => c.gender === gender);
      return of.filter((c) => tastes[c.id]!.some((t) => t.category === 'skincare')).length / of.length;
    };
    expect(share('female')).toBeGreaterThan(3 * share('male'));
  });

  it('puts a product and its companions in the same basket far more often than chance', () => {
    const baskets = new Map<string, Set<string>>();
    for (const i of ds.order_items) baskets.set(i.order_id, (baskets.get(i.order_id) ?? new Set()).add(i.product_id));
    let pairs = 0;
    let companionPairs = 0;
    for (const basket of baskets.values()) {
      for (const a of basket)
        for (const b of basket) {
          if (a >= b) continue;
          pairs += 1;
          if (companions[a]!.includes(b) || companions[b]!.includes(a)) companionPairs += 1;
        }
    }
    // About 6 of 199 other products are companions of a product (its 3 and those naming it): 3 % by chance.
    expect(companionPairs / pairs).toBeGreaterThan(0.3);
  });

  it('has browsing follow the same tastes', () => {
    const events = generateEvents({ dataset: ds, personas, tastes, seed: 42, now: NOW });
    const browsing = events.filter((e) => e.customerId && e.category && e.type !== 'purchase');
    const liked = browsing.filter((e) => tastes[e.customerId!]!.some((t) => t.category === e.category));
    expect(liked.length / browsing.length).toBeGreaterThan(0.75);
  });
});
