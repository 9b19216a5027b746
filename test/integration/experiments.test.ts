import { createHash } from 'node:crypto';
import { parseRules } from '../../src/insights/rules';
import { buildRecommendations } from '../../src/snapshot/recommendations';
import { NOW, P, R, recoDataset, recoEvents, skinFans } from '../fixtures/recommendations';
import { apiSuite } from '../helpers/suite';
import { bearer } from '../helpers/tokens';

const rules = parseRules({ recommendations: { segmentMinCustomers: 10 } });
const DATASET = recoDataset();
const suite = apiSuite('experiments', DATASET, { clock: () => NOW, events: recoEvents(), deps: { rules } });

const DAY = 86_400_000;
const granted = (id: string) => DATASET.consents.some((c) => c.customer_id === id && c.purpose === 'profiling' && c.granted);

const CREATE = `mutation C($input: ExperimentInput!) { createExperiment(input: $input) {
  id name placement status conversionWindowDays createdBy stoppedAt variants { name strategy share } } }`;
const STOP = `mutation S($id: ID!) { stopExperiment(id: $id) { id status stoppedBy stoppedAt } }`;
const RESULTS = `query X($id: ID!) { experimentResults(id: $id) { experiment { id name }
  variants { variant strategy exposed converted rate interval { low high } differenceVsControl { estimate low high } } } }`;
const PAGE = `query P($first: Int, $placement: RecommendationPlacement, $asOf: DateTime) {
  customers(first: $first, filter: { city: "Recotown" }) { edges { node { id
    recommendations(first: 3, placement: $placement, asOf: $asOf) { product { id } strategy reasons { kind } experiment { experimentId variant strategy } } } } } }`;

interface V {
  name: string;
  strategy: string;
  share: number;
}

/** The variant the brief's rule gives, computed here: first 8 bytes of sha256("experiment:customer"), big-endian, mod 10,000. */
function variantOf(experimentId: string, variants: V[], customerId: string): string {
  const bucket = Number(BigInt(`0x${createHash('sha256').update(`${experimentId}:${customerId}`).digest('hex').slice(0, 16)}`) % 10_000n);
  let upTo = 0;
  for (const v of variants) if (bucket < Math.round((upTo += v.share) * 10_000)) return v.name;
  return variants.at(-1)!.name;
}

const exposures = async (experimentId: string) =>
  (
    await suite.db.pool.query<{ customer_id: string; variant: string; product_ids: string[]; exposed_at: Date }>(
      `SELECT customer_id, variant, product_ids, exposed_at FROM c360.experiment_exposures WHERE experiment_id = $1 ORDER BY id`,
      [experimentId],
    )
  ).rows;

const create = async (input: Record<string, unknown>, headers?: Record<string, string>) => suite.api.gql(CREATE, { input }, headers);

beforeAll(async () => {
  await buildRecommendations({ crmPool: suite.db.pool, rules }, { asOf: NOW });
});

describe('creating experiments', () => {
  const input = (over: Record<string, unknown> = {}) => ({
    name: 'Bad one',
    placement: 'PARTNER',
    variants: [
      { name: 'control', strategy: 'POPULAR', share: 0.5 },
      { name: 'full', strategy: 'FULL', share: 0.5 },
    ],
    ...over,
  });

  it.each([
    [
      'shares not summing to 1',
      {
        variants: [
          { name: 'a', strategy: 'FULL', share: 0.5 },
          { name: 'b', strategy: 'POPULAR', share: 0.4 },
        ],
      },
      'sum to 1',
    ],
    ['one variant', { variants: [{ name: 'a', strategy: 'FULL', share: 1 }] }, '2 to 5 variants'],
    [
      'two variants of one name',
      {
        variants: [
          { name: 'a', strategy: 'FULL', share: 0.5 },
          { name: 'A', strategy: 'POPULAR', share: 0.5 },
        ],
      },
      'Two variants are named',
    ],
    ['a window of 0 days', { conversionWindowDays: 0 }, 'between 1 and 90'],
    ['a window of 91 days', { conversionWindowDays: 91 }, 'between 1 and 90'],
    ['an empty name', { name: '  ' }, 'needs a name'],
    [
      'an unknown strategy',
      {
        variants: [
          { name: 'a', strategy: 'MAGIC', share: 0.5 },
          { name: 'b', strategy: 'FULL', share: 0.5 },
        ],
      },
      'MAGIC',
    ],
  ])('refuses %s with BAD_USER_INPUT, saving nothing', async (_, over, message) => {
    const res = await create(input(over));
    expect(res.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors![0]!.message).toContain(message);
    expect((await suite.db.pool.query(`SELECT count(*)::int AS n FROM c360.experiments`)).rows[0].n).toBe(0);
  });

  it('is for admins only (FORBIDDEN otherwise); results for analysts too, the list for admins', async () => {
    const analyst = await bearer(['analyst']);
    const agent = await bearer(['agent']);
    expect((await create(input(), analyst)).body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect((await suite.api.gql(STOP, { id: 'exp_x' }, analyst)).body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect((await suite.api.gql(`{ experiments { id } }`, {}, analyst)).body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect((await suite.api.gql(RESULTS, { id: 'exp_x' }, agent)).body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const results = await suite.api.gql(RESULTS, { id: 'exp_x' }, analyst);
    expect(results.body).toEqual({ data: { experimentResults: null } });
  });
});

describe('an experiment at the agent placement', () => {
  const variants: V[] = [
    { name: 'control', strategy: 'POPULAR', share: 0.34 },
    { name: 'full', strategy: 'FULL', share: 0.33 },
    { name: 'co-purchase', strategy: 'CO_PURCHASE', share: 0.33 },
  ];
  let id: string;

  beforeAll(async () => {
    const res = await create({ name: ' Agent offers ', placement: 'AGENT', variants });
    expect(res.body.errors).toBeUndefined();
    id = res.body.data.createExperiment.id;
    expect(res.body.data.createExperiment).toEqual({
      id: expect.stringMatching(/^exp_[0-9a-f]{12}$/),
      name: 'Agent offers',
      placement: 'AGENT',
      status: 'RUNNING',
      conversionWindowDays: 14,
      createdBy: 'test-admin',
      stoppedAt: null,
      variants,
    });
  });

  it('refuses a second running experiment at the placement, naming the first', async () => {
    const res = await create({ name: 'Another', placement: 'AGENT', variants });
    expect(res.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors![0]!.message).toBe(
      `The experiment "Agent offers" (${id}) is running at AGENT: stop it first (one running experiment per placement).`,
    );
  });

  it('assigns each consenting customer by the hash, ranks by its strategy, and records one exposure each in one INSERT', async () => {
    const one = await suite.api.gql(PAGE, { first: 1 });
    const hundred = await suite.api.gql(PAGE, { first: 100 });
    expect(hundred.body.errors).toBeUndefined();
    // The recommendations' round trips (page, facts, the statement that also reads the experiments) and the exposures' INSERT.
    expect(one.roundTrips).toEqual({ crm: 4, behaviour: 1, social: 0 });
    expect(hundred.roundTrips).toEqual({ crm: 4, behaviour: 1, social: 0 });

    const nodes: { id: string; recommendations: any[] }[] = hundred.body.data.customers.edges.map((e: any) => e.node);
    expect(nodes).toHaveLength(100);
    const consenting = nodes.filter((n) => granted(n.id));
    expect(consenting.length).toBeGreaterThan(20);
    expect(nodes.length - consenting.length).toBeGreaterThan(20);
    const seen = new Set(consenting.map((n) => variantOf(id, variants, n.id)));
    expect(seen).toEqual(new Set(variants.map((v) => v.name)));

    // Without the experiment (an explicit asOf is never enrolled): the usual answer, to compare FULL with.
    const usual = await suite.api.gql(PAGE, { first: 100, asOf: NOW.toISOString() });
    const usualOf = new Map<string, any[]>(usual.body.data.customers.edges.map((e: any) => [e.node.id, e.node.recommendations]));
    for (const n of usual.body.data.customers.edges) for (const x of n.node.recommendations) expect(x.experiment).toBeNull();

    const rows = await exposures(id);
    // The page of 1 (NEWBIE, consenting) and each consenting customer of the page of 100: one row per answer.
    expect(rows.map((r) => r.customer_id).sort()).toEqual([R.NEWBIE, ...consenting.map((n) => n.id)].sort());
    const byCustomer = new Map(rows.slice(1).map((r) => [r.customer_id, r]));
    for (const n of nodes) {
      const ids = n.recommendations.map((x) => x.product.id);
      if (!granted(n.id)) {
        for (const x of n.recommendations) expect(x.experiment).toBeNull();
        expect(byCustomer.has(n.id)).toBe(false);
        expect(n.recommendations).toEqual(usualOf.get(n.id));
        continue;
      }
      const variant = variantOf(id, variants, n.id);
      const strategy = variants.find((v) => v.name === variant)!.strategy;
      expect(byCustomer.get(n.id)).toEqual({ customer_id: n.id, variant, product_ids: ids, exposed_at: NOW });
      for (const x of n.recommendations) expect(x.experiment).toEqual({ experimentId: id, variant, strategy });
      const kinds = n.recommendations.flatMap((x) => x.reasons.map((y: any) => y.kind));
      if (strategy === 'POPULAR') expect(kinds.every((k) => k === 'POPULAR' || k === 'POPULAR_SIMILAR')).toBe(true);
      if (strategy === 'CO_PURCHASE') expect(kinds.every((k) => k === 'BOUGHT_WITH')).toBe(true);
      if (strategy === 'FULL')
        expect(n.recommendations.map(({ experiment: _e, ...x }) => x)).toEqual(
          usualOf.get(n.id)!.map(({ experiment: _e, ...x }: any) => x),
        );
    }
    // The control offers a skin fan what is popular among similar customers.
    const fan = skinFans.find((f) => variants.find((v) => v.name === variantOf(id, variants, f))!.strategy === 'POPULAR')!;
    const offered = nodes.find((n) => n.id === fan)!.recommendations.map((x) => x.strategy);
    expect(offered.length).toBeGreaterThan(0);
    expect(offered.every((x) => x === 'POPULAR_SIMILAR')).toBe(true);

    // Asked again: the same variants, one more row each.
    const again = await suite.api.gql(PAGE, { first: 100 });
    for (const e of again.body.data.customers.edges)
      for (const x of e.node.recommendations)
        expect(x.experiment?.variant).toBe(granted(e.node.id) ? variantOf(id, variants, e.node.id) : undefined);
    expect(await exposures(id)).toHaveLength(rows.length + consenting.length);

    // BUYER (Hilltown) has co-purchases, interests and similar customers: each strategy gives its own list.
    const ONE = `query O($id: ID!) { customer(id: $id) { recommendations(first: 3) { product { id } reasons { kind } experiment { variant } } } }`;
    const buyer = (await suite.api.gql(ONE, { id: R.BUYER })).body.data.customer.recommendations;
    const strategy = variants.find((v) => v.name === variantOf(id, variants, R.BUYER))!.strategy;
    const kinds = buyer.map((x: any) => x.reasons.map((y: any) => y.kind).join());
    expect(kinds.length).toBeGreaterThan(0);
    if (strategy === 'POPULAR') expect(new Set(kinds)).toEqual(new Set(['POPULAR_SIMILAR']));
    if (strategy === 'CO_PURCHASE') expect(new Set(kinds)).toEqual(new Set(['BOUGHT_WITH']));
    if (strategy === 'FULL') {
      const plain = (await suite.api.gql(ONE.replace('first: 3', `first: 3, asOf: "${NOW.toISOString()}"`), { id: R.BUYER })).body.data
        .customer;
      expect(buyer.map(({ experiment: _e, ...x }: any) => x)).toEqual(plain.recommendations.map(({ experiment: _e, ...x }: any) => x));
      expect(new Set(kinds).size).toBeGreaterThan(1);
    }
  });

  it('enrols no one once stopped; stopping again changes nothing; an unknown id is null', async () => {
    const stopped = await suite.api.gql(STOP, { id });
    expect(stopped.body.data.stopExperiment).toEqual({ id, status: 'STOPPED', stoppedBy: 'test-admin', stoppedAt: expect.any(String) });
    const before = (await exposures(id)).length;
    const res = await suite.api.gql(PAGE, { first: 100 });
    expect(res.roundTrips).toEqual({ crm: 3, behaviour: 1, social: 0 });
    for (const e of res.body.data.customers.edges) for (const x of e.node.recommendations) expect(x.experiment).toBeNull();
    expect(await exposures(id)).toHaveLength(before);
    expect((await suite.api.gql(STOP, { id })).body.data.stopExperiment).toEqual(stopped.body.data.stopExperiment);
    expect((await suite.api.gql(STOP, { id: 'exp_none' })).body).toEqual({ data: { stopExperiment: null } });
    const list = await suite.api.gql(`{ experiments { id status } }`);
    expect(list.body.data.experiments).toEqual([{ id, status: 'STOPPED' }]);
  });
});

describe('results', () => {
  const variants: V[] = [
    { name: 'popular', strategy: 'POPULAR', share: 0.5 },
    { name: 'full', strategy: 'FULL', share: 0.5 },
  ];
  let id: string;
  let orders = 0;
  const order = async (customerId: string, at: Date, products: string[], status = 'completed') => {
    const oid = `xo${++orders}`;
    await suite.db.pool.query(
      `INSERT INTO orders (id, order_number, customer_id, status, channel, placed_at, total) VALUES ($1, $2, $3, $4, 'web', $5, 0)`,
      [oid, `XOR${orders}`, customerId, status, at],
    );
    for (const [n, p] of products.entries())
      await suite.db.pool.query(`INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price) VALUES ($1, $2, $3, 1, 0)`, [
        oid,
        n + 1,
        p,
      ]);
    return { customerId, at, products, status };
  };

  it('counts per variant the exposed and the converted as defined, with Wilson and Newcombe intervals', async () => {
    const created = await create({ name: 'Campaign test', placement: 'CAMPAIGN', variants, conversionWindowDays: 7 });
    id = created.body.data.createExperiment.id;
    expect((await suite.api.gql(PAGE, { first: 100, placement: 'CAMPAIGN' })).body.errors).toBeUndefined();
    const shown = await exposures(id);
    // A second exposure of one customer, a day later, showing the Novel (it was not shown before).
    const [again] = shown.filter((r) => !r.product_ids.includes(P.NOVEL));
    await suite.db.pool.query(
      `INSERT INTO c360.experiment_exposures (experiment_id, customer_id, variant, product_ids, exposed_at) VALUES ($1, $2, $3, $4, $5)`,
      [id, again!.customer_id, again!.variant, [P.NOVEL], new Date(NOW.getTime() + DAY)],
    );

    // Planted orders: in each variant, one customer per case.
    type Shown = (typeof shown)[number];
    const after = (days: number) => new Date(NOW.getTime() + days * DAY);
    const cases = [
      (c: Shown) => order(c.customer_id, after(2), [c.product_ids[0]!]), // converts
      (c: Shown) => order(c.customer_id, after(8), [c.product_ids[0]!]), // after the 7-day window
      (c: Shown) => order(c.customer_id, after(1), [Object.values(P).find((p) => !c.product_ids.includes(p))!]), // not shown
      (c: Shown) => order(c.customer_id, after(1), [c.product_ids[0]!], 'refunded'),
      (c: Shown) => order(c.customer_id, after(1), [c.product_ids[0]!], 'cancelled'),
      (c: Shown) => order(c.customer_id, new Date(NOW.getTime() - 3_600_000), [c.product_ids[0]!]), // before the exposure
      (c: Shown) => order(c.customer_id, after(7), [c.product_ids.at(-1)!]), // at the window's last instant: converts
    ];
    const planted: Awaited<ReturnType<typeof order>>[] = [];
    for (const v of variants) {
      const mine = shown.filter((r) => r.variant === v.name && r.product_ids.length > 0 && r.customer_id !== again!.customer_id);
      for (const [i, c] of mine.slice(0, cases.length).entries()) planted.push(await cases[i]!(c));
    }
    planted.push(await order(again!.customer_id, after(0.5), [P.NOVEL])); // bought before it was shown to them (at +1 day): no conversion

    // The expected counts, from the rows and the planted orders, as docs/concepts.md defines them.
    const all = await exposures(id);
    const expected = variants.map((v) => {
      const mine = all.filter((r) => r.variant === v.name);
      const people = [...new Set(mine.map((r) => r.customer_id))];
      const converted = people.filter((c) => {
        const first = Math.min(...mine.filter((r) => r.customer_id === c).map((r) => r.exposed_at.getTime()));
        return planted.some(
          (o) =>
            o.customerId === c &&
            o.status === 'completed' &&
            o.at.getTime() > first &&
            o.at.getTime() <= first + 7 * DAY &&
            o.products.some((p) => mine.some((r) => r.customer_id === c && r.exposed_at < o.at && r.product_ids.includes(p))),
        );
      }).length;
      return { variant: v.name, exposed: people.length, converted };
    });
    expect(expected.every((e) => e.converted > 0 && e.converted < e.exposed)).toBe(true);

    const res = await suite.api.gql(RESULTS, { id }, await bearer(['analyst']));
    expect(res.body.errors).toBeUndefined();
    const got = res.body.data.experimentResults;
    expect(got.experiment).toEqual({ id, name: 'Campaign test' });
    expect(got.variants.map((v: any) => ({ variant: v.variant, exposed: v.exposed, converted: v.converted }))).toEqual(expected);

    // Wilson: the roots in p of (p̂ − p)² = z² p (1 − p) / n.
    const z = 1.959963984540054;
    const wilson = (x: number, n: number) => {
      const [a, b, c] = [1 + (z * z) / n, -(2 * (x / n) + (z * z) / n), (x / n) ** 2];
      const d = Math.sqrt(b * b - 4 * a * c);
      return { low: (-b - d) / (2 * a), high: (-b + d) / (2 * a) };
    };
    for (const [i, v] of got.variants.entries()) {
      const e = expected[i]!;
      expect(v.rate).toBeCloseTo(e.converted / e.exposed, 12);
      expect(v.interval.low).toBeCloseTo(wilson(e.converted, e.exposed).low, 10);
      expect(v.interval.high).toBeCloseTo(wilson(e.converted, e.exposed).high, 10);
    }
    expect(got.variants[0].differenceVsControl).toBeNull();
    const [p0, p1] = expected.map((e) => e.converted / e.exposed) as [number, number];
    const [w0, w1] = expected.map((e) => wilson(e.converted, e.exposed)) as [ReturnType<typeof wilson>, ReturnType<typeof wilson>];
    expect(got.variants[1].differenceVsControl.estimate).toBeCloseTo(p1 - p0, 12);
    expect(got.variants[1].differenceVsControl.low).toBeCloseTo(p1 - p0 - Math.hypot(p1 - w1.low, w0.high - p0), 10);
    expect(got.variants[1].differenceVsControl.high).toBeCloseTo(p1 - p0 + Math.hypot(w1.high - p1, p0 - w0.low), 10);
  });

  it('forgets an erased customer’s exposures', async () => {
    const [row] = await exposures(id);
    const erased = await suite.api.gql(`mutation E($id: ID!) { eraseCustomer(id: $id, reason: "asked") { status } }`, {
      id: row!.customer_id,
    });
    expect(erased.body.data.eraseCustomer.status).toBe('COMPLETE');
    expect((await exposures(id)).some((r) => r.customer_id === row!.customer_id)).toBe(false);
  });
});
