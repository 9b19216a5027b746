import pg from 'pg';
import { testConfig } from '../helpers/database';
import { startTestServer } from '../helpers/server';
import { BULK, fixtureDataset, NOW } from '../fixtures/crm';
import { apiSuite } from '../helpers/suite';

const suite = apiSuite('batching', fixtureDataset(), { clock: () => NOW });

const NESTED = `query Nested($first: Int) {
  customers(first: $first, filter: { city: "Hangzhou" }) {
    totalCount
    edges { node {
      id profile { fullName city } contact { email } identities { kind } consents { purpose granted }
      orders(first: 5) { totalCount edges { node { orderNumber total items { quantity product { name } } } } }
      purchaseSummary { completedOrders totalSpent }
      supportTickets(first: 5) { id satisfaction }
    } }
  }
}`;

describe('CRM round trips per request', () => {
  // One statement per level: the page, its count, then per customer-level loader (identities, consents,
  // orders, order count, purchase summary, tickets), then the order items of every order at once.
  const EXPECTED = 1 + 1 + 6 + 1;

  it('are the same for a 100-customer page as for a 1-customer page', async () => {
    const one = await suite.api.gql(NESTED, { first: 1 });
    const hundred = await suite.api.gql(NESTED, { first: 100 });
    expect(one.body.errors).toBeUndefined();
    expect(hundred.body.errors).toBeUndefined();
    expect(one.roundTrips).toEqual({ crm: EXPECTED, behaviour: 0, social: 0 });
    expect(hundred.roundTrips).toEqual({ crm: EXPECTED, behaviour: 0, social: 0 });

    const customers = hundred.body.data.customers.edges.map((e: { node: unknown }) => e.node);
    expect(customers).toHaveLength(100);
    expect(customers.map((c: { id: string }) => c.id)).toEqual(BULK.slice(0, 100));
    // Customer i bought (i % 3) + 1 tents at 49.90 in January and 1 in February (newest first); each
    // answer must be its own customer's, not a neighbour's from the same batch.
    customers.forEach((c: any, i: number) => {
      const january = (i % 3) + 1;
      expect(c.purchaseSummary).toEqual({ completedOrders: 2, totalSpent: ['99.80', '149.70', '199.60'][i % 3] });
      expect(c.orders.totalCount).toBe(2);
      expect(c.orders.edges.map((e: any) => e.node)).toEqual([
        { orderNumber: `SOB${String(i + 1).padStart(3, '0')}2`, total: '49.90', items: [{ quantity: 1, product: { name: 'Trail Tent' } }] },
        {
          orderNumber: `SOB${String(i + 1).padStart(3, '0')}1`,
          total: ['49.90', '99.80', '149.70'][i % 3],
          items: [{ quantity: january, product: { name: 'Trail Tent' } }],
        },
      ]);
      expect(c.supportTickets).toEqual([{ id: `t_${c.id}`, satisfaction: 4 }]);
    });
  });

  it('cost nothing for fields not asked for', async () => {
    const ids = await suite.api.gql(`{ customers(first: 100) { edges { node { id } } } }`);
    expect(ids.roundTrips.crm).toBe(1);
    const profile = await suite.api.gql(
      `{ customers(first: 100) { edges { node { id profile { city } contact { phone } createdAt status } } } }`,
    );
    expect(profile.roundTrips.crm).toBe(1);
  });

  it('read only the columns the selected fields need, and one more order than a page only for its page info', async () => {
    // Every statement the server sends (spyOn calls through to the real pool).
    const query = jest.spyOn(pg.Pool.prototype, 'query');
    const sent = () => query.mock.calls.map(([c]) => c as unknown as { text: string; values: unknown[] });
    try {
      const lean = await suite.api.gql(`{ customers(first: 3, filter: { city: "Hangzhou" }) { edges { node {
        id orders(first: 1) { edges { node { id items { product { name } } } } } } } } }`);
      const leanStatements = sent();
      const full = await suite.api.gql(`{ customers(first: 3, filter: { city: "Hangzhou" }) { edges { node {
        id profile { fullName }
        orders(first: 1) { pageInfo { hasNextPage } edges { node { id orderNumber total items { quantity unitPrice product { name price } } } } }
      } } } }`);
      const fullStatements = sent().slice(leanStatements.length);
      expect(lean.body.errors).toBeUndefined();
      expect(full.body.errors).toBeUndefined();
      const fullCustomers = full.body.data.customers.edges.map((e: any) => e.node);
      // Every bulk customer has two orders: a page of one has a next page.
      expect(fullCustomers.map((c: any) => c.orders.pageInfo.hasNextPage)).toEqual([true, true, true]);
      // The lean answer is the full one without the fields it did not ask for.
      const strip = (c: any) => ({
        id: c.id,
        orders: {
          edges: c.orders.edges.map((e: any) => ({
            node: { id: e.node.id, items: e.node.items.map((i: any) => ({ product: { name: i.product.name } })) },
          })),
        },
      });
      expect(lean.body.data.customers.edges.map((e: any) => e.node)).toEqual(fullCustomers.map(strip));
      expect(lean.body.data.customers.edges.flatMap((e: any) => e.node.orders.edges)).toHaveLength(3);
      expect(lean.roundTrips.crm).toBe(full.roundTrips.crm);

      const of = (list: { text: string; values: unknown[] }[], table: RegExp) => list.filter((q) => table.test(q.text));
      const texts = (list: { text: string }[]) => list.map((q) => q.text).join('\n');
      expect(texts(of(leanStatements, /FROM customers c/))).not.toMatch(/full_name|email|phone/);
      expect(texts(of(leanStatements, /FROM orders o/))).not.toMatch(/order_number|o\.total|o\.channel/);
      expect(texts(of(leanStatements, /FROM order_items i/))).toMatch(/p\.name/);
      expect(texts(of(leanStatements, /FROM order_items i/))).not.toMatch(/unit_price|quantity|p\.price|p\.category/);
      expect(texts(of(fullStatements, /FROM customers c/))).toMatch(/full_name/);
      expect(texts(of(fullStatements, /FROM orders o/))).toMatch(/order_number/);
      expect(texts(of(fullStatements, /FROM order_items i/))).toMatch(/unit_price[\s\S]*p\.price/);
      // The orders statement's last parameter is its LIMIT per customer.
      const limits = (list: { text: string; values: unknown[] }[]) => of(list, /FROM orders o/).map((q) => q.values.at(-1));
      expect(limits(leanStatements)).toEqual([1]);
      expect(limits(fullStatements)).toEqual([2]);
    } finally {
      query.mockRestore();
    }
  });

  it('load a customer once however many fields and aliases need it', async () => {
    const { body, roundTrips } = await suite.api.gql(`{
      a: customer(id: "c_b001") { profile { fullName } contact { email } createdAt }
      b: customer(id: "c_b001") { status }
      c: customer(id: "c_b002") { status }
    }`);
    expect(body.data.a.profile.fullName).toBe('Bulk Customer 1');
    expect(roundTrips.crm).toBe(1);
  });

  it('one statement per distinct set of arguments at a level', async () => {
    const { roundTrips } = await suite.api.gql(`{ customers(first: 50, filter: { city: "Hangzhou" }) { edges { node {
      recent: orders(first: 1) { edges { node { id } } }
      completed: orders(first: 5, status: COMPLETED) { edges { node { id } } }
    } } } }`);
    expect(roundTrips.crm).toBe(1 + 2);
  });
});

describe('the naive way (BATCH_LOADS=false, for the benchmark)', () => {
  it('gives the same answer at one round trip per customer and loader', async () => {
    const config = testConfig({
      DATABASE_URL: suite.db.url,
      MONGODB_URI: suite.db.config.MONGODB_URI!,
      MONGODB_DB: suite.db.config.MONGODB_DB,
      BATCH_LOADS: 'false',
    });
    const naive = await startTestServer(suite.db, () => NOW, { config });
    try {
      const query = `{ customers(first: 20, filter: { city: "Hangzhou" }) { edges { node { id purchaseSummary { completedOrders totalSpent } supportTickets { id } } } } }`;
      const [batched, unbatched] = await Promise.all([suite.api.gql(query), naive.gql(query)]);
      expect(unbatched.body).toEqual(batched.body);
      expect(batched.roundTrips.crm).toBe(1 + 2);
      // The page, then a statement per customer for each of the two fields.
      expect(unbatched.roundTrips.crm).toBe(1 + 2 * 20);
    } finally {
      await naive.close();
    }
  });
});
