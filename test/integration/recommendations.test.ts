import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseRules } from '../../src/insights/rules';
import { buildRecommendations } from '../../src/snapshot/recommendations';
import { D, hikers, NOW, P, quiet, R, readers, recoDataset, recoEvents, skinFans } from '../fixtures/recommendations';
import { apiSuite } from '../helpers/suite';

// Segments of 10 buyers count (the planted ones have 12 and 20); everything else is the default rules.
const rules = parseRules({ recommendations: { segmentMinCustomers: 10 } });
const DATASET = recoDataset();
const EVENTS = recoEvents();
const suite = apiSuite('recommendations', DATASET, { clock: () => NOW, events: EVENTS, deps: { rules } });
const PARTNER_RECOMMENDATIONS = readFileSync(path.resolve(__dirname, '../../operations/PartnerRecommendations.graphql'), 'utf8');

const QUERY = `query R($id: ID!, $first: Int, $asOf: DateTime) { customer(id: $id) {
  recommendations(first: $first, asOf: $asOf) { product { id name } score strategy reasons { kind evidence contribution } } } }`;

// ---- the expected answers, computed from the fixture's rows as docs/concepts.md "Recommendations" says ----

const DAY = 86_400_000;
const r = rules.recommendations;
/** "days since ≤ n": t > asOf − (n + 1) days. */
const within = (t: Date, n: number) => t.getTime() > NOW.getTime() - (n + 1) * DAY;
const productName = new Map(DATASET.products.map((p) => [p.id, p.name]));
const categoryOf = new Map(DATASET.products.map((p) => [p.id, p.category]));
const person = new Map(DATASET.customers.map((c) => [c.id, c]));
const lines = DATASET.orders.flatMap((o) =>
  DATASET.order_items.filter((i) => i.order_id === o.id).map((i) => ({ ...o, product: i.product_id })),
);
const granted = (id: string) => DATASET.consents.some((c) => c.customer_id === id && c.purpose === 'profiling' && c.granted);

function buyersOf(days: number, segment: (customerId: string) => string | null = () => 'all') {
  const out = new Map<string, Map<string, Set<string>>>(); // segment → product → customers
  for (const l of lines) {
    const s = segment(l.customer_id);
    if (l.status !== 'completed' || !within(l.placed_at, days) || s === null) continue;
    const bySegment = out.get(s) ?? new Map<string, Set<string>>();
    out.set(s, bySegment.set(l.product, (bySegment.get(l.product) ?? new Set()).add(l.customer_id)));
  }
  return out;
}
const coBuyers = buyersOf(r.coPurchaseDays).get('all')!;
function cosine(a: string, b: string): { customers: number; score: number } | null {
  const [A, B] = [coBuyers.get(a) ?? new Set<string>(), coBuyers.get(b) ?? new Set<string>()];
  const both = [...A].filter((c) => B.has(c)).length;
  return a !== b && both >= r.minPairCustomers ? { customers: both, score: both / Math.sqrt(A.size * B.size) } : null;
}
function band(birth: string): string {
  const years = 2026 - Number(birth.slice(0, 4)) - (birth.slice(5) > '06-15' ? 1 : 0);
  return years < 25 ? '18-24' : years < 35 ? '25-34' : years < 45 ? '35-44' : years < 55 ? '45-54' : years < 65 ? '55-64' : '65+';
}
function keysOf(id: string): string[] {
  const c = person.get(id)!;
  const city = c.city && `city=${c.city}`;
  const age = c.birth_date && `age=${band(c.birth_date)}`;
  const gender = (c.gender === 'female' || c.gender === 'male') && `gender=${c.gender}`;
  return [[city, age, gender], [city, age], [city], [age, gender]].filter((k) => k.every(Boolean)).map((k) => k.join('|'));
}

interface Expected {
  id: string;
  score: number;
  strategy: string;
  reasons: string[];
}

function expected(id: string, first = 10): Expected[] {
  const personal = granted(id);
  const mine = lines.filter((l) => l.customer_id === id);
  const completed = mine.filter((l) => l.status === 'completed');
  const coldStart = new Set(completed.map((l) => l.id)).size <= r.coldStartMaxOrders;
  const w = coldStart ? r.coldStartWeights : r.weights;
  const excluded = new Set(
    personal
      ? mine
          .filter((l) => (l.status === 'completed' && within(l.placed_at, 90)) || (l.status === 'refunded' && within(l.placed_at, 365)))
          .map((l) => l.product)
      : [],
  );
  const signals = new Map<string, { co: number; int: number; pop: number; kinds: Map<string, number> }>();
  const at = (p: string) => {
    if (excluded.has(p)) return null;
    if (!signals.has(p)) signals.set(p, { co: 0, int: 0, pop: 0, kinds: new Map() });
    return signals.get(p)!;
  };
  const popular = (segment: string) =>
    buyersOf(r.popularityDays, (c) => (segment === 'all' || keysOf(c).includes(segment) ? segment : null)).get(segment);
  const overall = popular('all')!;
  if (personal) {
    const last = new Map<string, number>();
    for (const l of completed)
      if (within(l.placed_at, r.historyDays)) last.set(l.product, Math.max(last.get(l.product) ?? 0, l.placed_at.getTime()));
    for (const [seed, t] of last)
      for (const p of productName.keys()) {
        const pair = cosine(seed, p);
        const s = pair && at(p);
        if (s) s.co += pair.score * Math.pow(2, -(NOW.getTime() - t) / DAY / r.purchaseHalfLifeDays);
      }
    // Interests: product views, halving every 30 days, as shares.
    const weights = new Map<string, number>();
    for (const e of EVENTS.filter((e) => e.customerId === id))
      weights.set(e.category!, (weights.get(e.category!) ?? 0) + Math.pow(2, -(NOW.getTime() - e.ts.getTime()) / DAY / 30));
    const total = [...weights.values()].reduce((a, b) => a + b, 0);
    for (const [category, weight] of weights) {
      const inCategory = [...overall].filter(([p]) => categoryOf.get(p) === category);
      const top = Math.max(...inCategory.map(([, c]) => c.size));
      for (const [p, buyers] of inCategory) {
        const s = at(p);
        if (s) s.int = (weight / total) * (buyers.size / top);
      }
    }
  }
  const segment = personal
    ? keysOf(id).find((k) => new Set([...(popular(k) ?? new Map()).values()].flatMap((s) => [...s])).size >= 10)
    : undefined;
  const rows = segment ? popular(segment)! : overall;
  const top = Math.max(...[...rows.values()].map((s) => s.size));
  for (const [p, buyers] of rows) {
    const s = at(p);
    if (s) s.pop = buyers.size / top;
  }
  return [...signals]
    .map(([p, s]) => {
      const parts: [string, number][] = personal
        ? [
            ['BOUGHT_WITH', w.coPurchase * s.co],
            ['INTEREST', w.interests * s.int],
            [segment ? 'POPULAR_SIMILAR' : 'POPULAR', w.popularity * s.pop],
          ]
        : [['POPULAR', s.pop]];
      const kinds = parts.filter(([, c]) => c > 0).sort((a, b) => b[1] - a[1]);
      const strategy = { BOUGHT_WITH: 'CO_PURCHASE', INTEREST: 'INTERESTS', POPULAR_SIMILAR: 'POPULAR_SIMILAR', POPULAR: 'POPULAR' }[
        kinds[0]?.[0] ?? 'POPULAR'
      ]!;
      const score = Math.round(kinds.reduce((a, [, c]) => a + c, 0) * 1e4) / 1e4;
      return { id: p, score, strategy, reasons: [...kinds.map(([k]) => k), ...(personal ? [] : ['NO_PROFILING_CONSENT'])] };
    })
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
    .slice(0, first);
}

const shape = (list: any[]) =>
  list.map((x) => ({ id: x.product.id, score: x.score, strategy: x.strategy, reasons: x.reasons.map((y: any) => y.kind) }));

describe('Customer.recommendations', () => {
  it('is null with SOURCE_UNAVAILABLE (not_built) before any build', async () => {
    const res = await suite.api.gql(QUERY, { id: R.BUYER });
    expect(res.body.data.customer.recommendations).toBeNull();
    expect(res.body.errors!.map((e: any) => e.extensions)).toEqual([{ code: 'SOURCE_UNAVAILABLE', source: 'crm', reason: 'not_built' }]);
  });

  describe('after a build', () => {
    beforeAll(async () => {
      const built = await buildRecommendations({ crmPool: suite.db.pool, rules }, { asOf: NOW });
      expect(built).toMatchObject({ build: 1, resumed: false, products: 7 });
    });

    it('combines co-purchase, interests and popularity among similar customers, minus what was bought recently or refunded', async () => {
      const res = await suite.api.gql(QUERY, { id: R.BUYER });
      expect(res.body.errors).toBeUndefined();
      const got = res.body.data.customer.recommendations;
      expect(shape(got)).toEqual(expected(R.BUYER));
      // Worked by hand: the Mask (bought D(10)) and the Boots (refunded D(30)) are out; Serum and Toner
      // were bought with the Mask by 10 of its 11 buyers, and skincare is all BUYER browses.
      const ids = got.map((x: any) => x.product.id);
      expect(ids).not.toContain(P.MASK);
      expect(ids).not.toContain(P.BOOTS);
      expect(ids.slice(0, 2)).toEqual([P.SERUM, P.TONER]);
      expect(got[1].reasons.map((x: any) => x.evidence)).toEqual(['interest in skincare 1.00', 'bought with Sheet Mask by 10 customers']);
      // Poles: with the Tent (bought D(200): 2^(−200/180) = 0.463) by 12 of its 14 buyers: 12/√(14·12) = 0.9258.
      const poles = got.find((x: any) => x.product.id === P.POLES);
      expect(poles.reasons[0]).toEqual({
        kind: 'BOUGHT_WITH',
        evidence: 'bought with Trail Tent by 12 customers',
        contribution: Math.round(r.weights.coPurchase * (12 / Math.sqrt(14 * 12)) * Math.pow(2, -200 / 180) * 1e4) / 1e4,
      });
      expect(poles.reasons[1]).toEqual({
        kind: 'POPULAR_SIMILAR',
        // The Tent's 13 buyers in Hilltown (the hikers and PRIVATE: aggregates count every buyer) are its top.
        evidence: 'popular in Hilltown among men aged 45–54: bought by 12 customers of 14 recent buyers',
        contribution: Math.round(((r.weights.popularity * 12) / 13) * 1e4) / 1e4,
      });
    });

    it('offers a cold-start customer what similar customers buy', async () => {
      const res = await suite.api.gql(QUERY, { id: R.NEWBIE, first: 3 });
      expect(res.body.errors).toBeUndefined();
      const got = res.body.data.customer.recommendations;
      expect(shape(got)).toEqual(expected(R.NEWBIE, 3));
      expect(got.map((x: any) => [x.product.id, x.strategy])).toEqual([
        [P.SERUM, 'POPULAR_SIMILAR'],
        [P.TONER, 'POPULAR_SIMILAR'],
        [P.MASK, 'POPULAR_SIMILAR'],
      ]);
      expect(got[0].reasons[0].evidence).toBe('popular in Recotown among women aged 25–34: bought by 20 customers of 21 recent buyers');
    });

    it('offers a customer nothing is known of what is popular with everyone', async () => {
      const res = await suite.api.gql(QUERY, { id: R.BLANK });
      expect(shape(res.body.data.customer.recommendations)).toEqual(expected(R.BLANK));
      expect(res.body.data.customer.recommendations[0].strategy).toBe('POPULAR');
    });

    it('without profiling consent uses nothing of the customer: popularity overall, and says so', async () => {
      const res = await suite.api.gql(QUERY, { id: R.PRIVATE });
      expect(res.body.errors).toBeUndefined();
      const got = res.body.data.customer.recommendations;
      expect(shape(got)).toEqual(expected(R.PRIVATE));
      // The Tent it bought D(20) is not excluded (that would use its purchases), nor outdoor favoured.
      expect(got.map((x: any) => x.product.id)).toContain(P.TENT);
      for (const x of got) {
        expect(x.strategy).toBe('POPULAR');
        expect(x.reasons.at(-1)).toEqual({
          kind: 'NO_PROFILING_CONSENT',
          evidence: 'no profiling consent: only what is popular with everyone, nothing about this customer',
          contribution: 0,
        });
      }
    });

    it('reads as of asOf, from the latest build as of then: purchases and events after it count for nothing', async () => {
      const before = await suite.api.gql(QUERY, { id: R.BUYER, asOf: D(11).toISOString() });
      expect(before.body.errors![0]!.extensions).toEqual({ code: 'SOURCE_UNAVAILABLE', source: 'crm', reason: 'not_built' });
      expect(await buildRecommendations({ crmPool: suite.db.pool, rules }, { asOf: D(11) })).toMatchObject({ build: 2 });
      const res = await suite.api.gql(QUERY, { id: R.BUYER, asOf: D(11).toISOString() });
      expect(res.body.errors).toBeUndefined();
      // Without the Mask (D(10)) and the skincare views (D(2), D(1)): only what the Tent brings, and Hilltown's favourites.
      const got = res.body.data.customer.recommendations;
      expect(got.map((x: any) => [x.product.id, x.reasons.map((y: any) => y.kind)])).toEqual([
        [P.POLES, ['BOUGHT_WITH', 'POPULAR_SIMILAR']],
        [P.TENT, ['POPULAR_SIMILAR']],
      ]);
    });

    it('refuses first above 50 or below 1 with a clear error', async () => {
      for (const first of [51, 0]) {
        const res = await suite.api.gql(QUERY, { id: R.BUYER, first });
        expect(res.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
        expect(res.body.errors![0]!.message).toBe(`\`first\` must be between 1 and 50 (got ${first}).`);
      }
    });

    it('costs the same round trips per source for a page of 100 customers as for a page of 1', async () => {
      const PAGE = `query P($first: Int) { customers(first: $first, filter: { city: "Recotown" }) { edges { node {
        id recommendations(first: 3) { product { id } strategy } } } } }`;
      const one = await suite.api.gql(PAGE, { first: 1 });
      const hundred = await suite.api.gql(PAGE, { first: 100 });
      expect(one.body.errors).toBeUndefined();
      expect(hundred.body.errors).toBeUndefined();
      // CRM: the page, the facts (consent, attributes), the recommendation statement; behaviour: interests.
      expect(one.roundTrips).toEqual({ crm: 3, behaviour: 1, social: 0 });
      expect(hundred.roundTrips).toEqual({ crm: 3, behaviour: 1, social: 0 });
      const nodes = hundred.body.data.customers.edges.map((e: any) => e.node);
      expect(nodes.map((n: any) => n.id)).toEqual([R.NEWBIE, ...quiet, ...readers, ...skinFans].sort().slice(0, 100));
      // Each its own answer: a reader who bought the Cookbook D(10) is not offered it; the others may be.
      for (const n of nodes) expect(n.recommendations.map((x: any) => x.product.id)).toEqual(expected(n.id, 3).map((x) => x.id));
    });
  });

  describe('the build', () => {
    it('resumes a build that stopped where it got to, with the same rows as one run through', async () => {
      const pairs = (build: number) =>
        suite.db.pool
          .query(`SELECT product_id, other_id, customers, score FROM c360.reco_pairs WHERE build = $1 ORDER BY 1, 2`, [build])
          .then((x) => x.rows);
      const popularity = (build: number) =>
        suite.db.pool
          .query(
            `SELECT segment, product_id, customers, score, segment_customers FROM c360.reco_popularity WHERE build = $1 ORDER BY 1, 2`,
            [build],
          )
          .then((x) => x.rows);
      let batches = 0;
      const stop = new Error('stopped');
      await expect(
        buildRecommendations(
          { crmPool: suite.db.pool, rules },
          {
            asOf: NOW,
            batch: 2,
            onProgress: (p) => {
              if (p.step === 'pairs' && ++batches === 2) throw stop;
            },
          },
        ),
      ).rejects.toBe(stop);
      const stopped = await suite.db.pool.query(`SELECT id, status, step, cursor FROM c360.reco_builds WHERE status = 'building'`);
      expect(stopped.rows).toEqual([{ id: 3, status: 'building', step: 'pairs', cursor: P.POLES }]);
      const resumed = await buildRecommendations({ crmPool: suite.db.pool, rules }, { asOf: NOW, batch: 2 });
      expect(resumed).toMatchObject({ build: 3, resumed: true });
      expect(await pairs(3)).toEqual(await pairs(1));
      expect(await popularity(3)).toEqual(await popularity(1));
      // The two latest complete builds are kept (1 and 3, as of NOW); the one as of D(11) is gone.
      const kept = await suite.db.pool.query(`SELECT id FROM c360.reco_builds ORDER BY id`);
      expect(kept.rows.map((x) => x.id)).toEqual([1, 3]);
      // The pair scores are the cosine over distinct buyers (Tent: 14 buyers, Poles 12, both 12).
      expect((await pairs(3)).find((x: any) => x.product_id === P.TENT && x.other_id === P.POLES)).toEqual({
        product_id: P.TENT,
        other_id: P.POLES,
        customers: 12,
        score: expect.closeTo(12 / Math.sqrt(14 * 12), 6),
      });
      expect(hikers).toHaveLength(12);
    });
  });

  describe('for partners', () => {
    const key = async (scopes: string) => {
      const { body } = await suite.api.gql(
        `mutation { createApiKey(input: { partner: "Shop ${scopes}", scopes: [${scopes}], ratePerMinute: 1000 }) { key } }`,
      );
      return body.data.createApiKey.key as string;
    };

    it('answers the safelisted operation with the RECOMMENDATIONS scope, and nothing else', async () => {
      const reco = await key('RECOMMENDATIONS');
      const ok = await suite.api.gql(PARTNER_RECOMMENDATIONS, { id: R.BUYER, first: 2 }, { 'x-api-key': reco });
      expect(ok.body.errors).toBeUndefined();
      expect(ok.body.data.customer.recommendations.map((x: any) => x.product.id)).toEqual(expected(R.BUYER, 2).map((x) => x.id));

      const profileOnly = await key('PROFILE');
      const refused = await suite.api.gql(PARTNER_RECOMMENDATIONS, { id: R.BUYER }, { 'x-api-key': profileOnly });
      expect(refused.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
      const adHoc = await suite.api.gql(`{ customer(id: "${R.BUYER}") { recommendations { score } } }`, {}, { 'x-api-key': reco });
      expect(adHoc.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    });
  });
});
