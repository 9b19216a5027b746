import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { assign, bucketOf, newcombe, strategyWeights, variantResults, variantsProblem, wilson } from '../../src/insights/experiments';
import type { Variant } from '../../src/sources/crm/experiments';
import { DEFAULT_RULES } from '../../src/insights/rules';

const V = (name: string, share: number, strategy: Variant['strategy'] = 'FULL'): Variant => ({ name, strategy, share });

describe('assignment', () => {
  it('buckets by the first 8 bytes of sha256("experiment:customer") mod 10,000', () => {
    for (const id of ['c_000001', 'c_000002', 'r_skin07', 'Ünïcode']) {
      const digest = createHash('sha256').update(`exp_1:${id}`, 'utf8').digest('hex');
      expect(bucketOf('exp_1', id)).toBe(Number(BigInt(`0x${digest.slice(0, 16)}`) % 10_000n));
    }
  });

  it('gives each variant its share of many customers (within 1 point at 40,000)', () => {
    const variants = [V('control', 0.5, 'POPULAR'), V('full', 0.3), V('co', 0.2, 'CO_PURCHASE')];
    const counts = new Map<string, number>();
    const n = 40_000;
    for (let i = 0; i < n; i++) {
      const v = assign('exp_shares', variants, `c_${i}`).name;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    for (const v of variants) expect(Math.abs(counts.get(v.name)! / n - v.share)).toBeLessThan(0.01);
  });

  it('is deterministic, independent of the order customers come in, and differs between experiments', () => {
    const variants = [V('a', 0.25), V('b', 0.25), V('c', 0.5)];
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 30 }), fc.string(), (ids, exp) => {
        const first = new Map(ids.map((id) => [id, assign(exp, variants, id).name]));
        for (const id of [...ids].reverse()) expect(assign(exp, variants, id).name).toBe(first.get(id));
      }),
    );
    const ids = Array.from({ length: 200 }, (_, i) => `c_${i}`);
    const same = ids.filter((id) => assign('exp_a', variants, id).name === assign('exp_b', variants, id).name).length;
    expect(same).toBeLessThan(150); // independent: about 0.25² + 0.25² + 0.5² = 37.5 % agree
  });
});

describe('strategies', () => {
  it('FULL keeps the usual weights; the others one signal alone', () => {
    const w = DEFAULT_RULES.recommendations.weights;
    expect(strategyWeights('FULL', w)).toBe(w);
    expect(strategyWeights('POPULAR', w)).toEqual({ coPurchase: 0, interests: 0, popularity: 1 });
    expect(strategyWeights('CO_PURCHASE', w)).toEqual({ coPurchase: 1, interests: 0, popularity: 0 });
    expect(strategyWeights('INTERESTS', w)).toEqual({ coPurchase: 0, interests: 1, popularity: 0 });
  });
});

describe('variants', () => {
  it.each([
    [[V('a', 1)], 'variants', 'An experiment has 2 to 5 variants (got 1).'],
    [Array.from({ length: 6 }, (_, i) => V(`v${i}`, i ? 0.2 : 0)), 'variants', 'An experiment has 2 to 5 variants (got 6).'],
    [[V('a', 0.5), V('A', 0.5)], 'variants.1.name', 'Two variants are named "A".'],
    [[V('a', 0.5), V('', 0.5)], 'variants.1.name', expect.stringContaining("A variant's name is 1 to 40")],
    [[V('a', 0.5), V('b', 0)], 'variants.1.share', 'A share is in (0, 1], in steps of 0.0001 (got 0).'],
    [[V('a', 0.49995), V('b', 0.50005)], 'variants.0.share', 'A share is in (0, 1], in steps of 0.0001 (got 0.49995).'],
    [[V('a', 0.5), V('b', 0.4)], 'variants', "The variants' shares must sum to 1 (they sum to 0.9)."],
  ])('refuses %j', (variants, field, message) => {
    expect(variantsProblem(variants)).toEqual({ field, message });
  });

  it('accepts shares summing to 1 in float arithmetic that does not', () => {
    expect(0.7 + 0.2 + 0.1).not.toBe(1);
    expect(variantsProblem([V('a', 0.7), V('b', 0.2), V('c', 0.1)])).toBeNull();
  });
});

describe('intervals', () => {
  it("Wilson's interval matches the published example (81 of 263: 0.2553 to 0.3662) and its edge cases", () => {
    const w = wilson(81, 263);
    expect(w.low).toBeCloseTo(0.2553, 4);
    expect(w.high).toBeCloseTo(0.3662, 4);
    expect(wilson(0, 10).low).toBe(0);
    expect(wilson(0, 10).high).toBeCloseTo(0.2775, 4);
    expect(wilson(10, 10).high).toBeCloseTo(1, 12);
  });

  it("Newcombe's hybrid score interval matches his example (56/70 − 48/80: 0.0524 to 0.3339)", () => {
    const d = newcombe(56, 70, 48, 80);
    expect(d.estimate).toBeCloseTo(0.2, 10);
    expect(d.low).toBeCloseTo(0.0524, 4);
    expect(d.high).toBeCloseTo(0.3339, 4);
  });

  it('reports no rate or interval for a variant nobody saw, and no difference for the control', () => {
    const r = variantResults([
      { variant: 'control', strategy: 'POPULAR', exposed: 10, converted: 2 },
      { variant: 'empty', strategy: 'FULL', exposed: 0, converted: 0 },
    ]);
    expect(r[0]).toMatchObject({ rate: 0.2, differenceVsControl: null });
    expect(r[1]).toMatchObject({ rate: null, interval: null, differenceVsControl: null });
  });
});
