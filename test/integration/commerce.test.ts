import pg from 'pg';
import { fixtureDataset, LINA, NOW, TOM } from '../fixtures/crm';
import { apiSuite } from '../helpers/suite';
import { graphql } from '../__generated__';

const suite = apiSuite('commerce', fixtureDataset(), { clock: () => NOW });

const ORDERS = graphql(`
  query O($id: ID!, $first: Int, $after: String, $status: OrderStatus) {
    customer(id: $id) {
      orders(first: $first, after: $after, status: $status) {
        totalCount
        edges {
          node {
            orderNumber
            status
            channel
            placedAt
            total
            items {
              lineNo
              quantity
              unitPrice
              lineTotal
              product {
                id
                name
                category
                brand
                price
              }
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

describe('Customer.orders', () => {
  it('pages through orders newest first, with items and products', async () => {
    const first = await suite.api.gql(ORDERS, { id: LINA, first: 2 });
    expect(first.body.errors).toBeUndefined();
    const page1 = first.body.data!.customer!.orders!;
    expect(page1.totalCount).toBe(6);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    expect(page1.edges.map((e) => e.node)).toEqual([
      {
        orderNumber: 'SO2026000005',
        status: 'PENDING',
        channel: 'mini_program',
        placedAt: '2026-06-10T10:00:00.000Z',
        total: '149.90',
        items: [
          {
            lineNo: 1,
            quantity: 1,
            unitPrice: '100.00',
            lineTotal: '100.00',
            product: { id: 'p_cream', name: 'Hydrating Cream', category: 'skincare', brand: 'Lumi', price: '100.00' },
          },
          {
            lineNo: 2,
            quantity: 1,
            unitPrice: '49.90',
            lineTotal: '49.90',
            product: { id: 'p_tent', name: 'Trail Tent', category: 'outdoor', brand: null, price: '49.90' },
          },
        ],
      },
      {
        orderNumber: 'SO2026000001',
        status: 'COMPLETED',
        channel: 'app',
        placedAt: '2026-06-01T10:00:00.000Z',
        total: '200.00',
        items: [
          {
            lineNo: 1,
            quantity: 2,
            unitPrice: '100.00',
            lineTotal: '200.00',
            product: { id: 'p_cream', name: 'Hydrating Cream', category: 'skincare', brand: 'Lumi', price: '100.00' },
          },
        ],
      },
    ]);
    const rest = await suite.api.gql(ORDERS, { id: LINA, first: 10, after: page1.pageInfo.endCursor });
    const numbers = rest.body.data!.customer!.orders!.edges.map((e) => e.node.orderNumber);
    expect(numbers).toEqual(['SO2026000002', 'SO2026000003', 'SO2026000004', 'SO2025000006']);
    expect(rest.body.data!.customer!.orders!.pageInfo.hasNextPage).toBe(false);
  });

  it('reads the items of every order on the page in one statement; when it fails, only the items fields fail', async () => {
    const ITEMS = /FROM order_items i/;
    const original = pg.Pool.prototype.query;
    // Every statement the server sends passes through; the items statement fails as PostgreSQL cancels one (statement_timeout).
    let failItems = false;
    const query = jest.spyOn(pg.Pool.prototype, 'query').mockImplementation(function (this: pg.Pool, ...args: unknown[]) {
      if (failItems && ITEMS.test((args[0] as { text: string }).text)) {
        return Promise.reject(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }));
      }
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as never);
    try {
      const ok = await suite.api.gql(ORDERS, { id: LINA, first: 3 });
      expect(ok.body.errors).toBeUndefined();
      const itemStatements = query.mock.calls.filter(([c]) => ITEMS.test((c as unknown as { text: string }).text));
      expect(itemStatements).toHaveLength(1);
      // Orders without their items read no items.
      const calls = query.mock.calls.length;
      const idsOnly = await suite.api.gql(`{ customer(id: "${LINA}") { orders(first: 3) { edges { node { id } } } } }`);
      expect(idsOnly.body.data.customer.orders.edges).toHaveLength(3);
      expect(query.mock.calls.slice(calls).filter(([c]) => ITEMS.test((c as unknown as { text: string }).text))).toEqual([]);

      failItems = true;
      const failed = await suite.api.gql(ORDERS, { id: LINA, first: 3 });
      const orders = failed.body.data!.customer!.orders!;
      // Everything but the items answers as before.
      expect(orders.edges.map((e) => ({ ...e.node, items: null }))).toEqual(
        ok.body.data!.customer!.orders!.edges.map((e) => ({ ...e.node, items: null })),
      );
      expect(orders.edges.map((e) => e.node.items)).toEqual([null, null, null]);
      expect(failed.body.errors!.map((e) => ({ path: e.path, ...e.extensions }))).toEqual(
        [0, 1, 2].map((i) => ({
          path: ['customer', 'orders', 'edges', i, 'node', 'items'],
          code: 'SOURCE_UNAVAILABLE',
          source: 'crm',
          reason: 'timeout',
        })),
      );
    } finally {
      query.mockRestore();
    }
  });

  it('answers two pages of one customer in one statement, each after its own cursor', async () => {
    const numbers = (c: any) => c.edges.map((e: any) => e.node.orderNumber);
    const one = (after: string | null) =>
      suite.api.gql(
        `query($after: String) { customer(id: "${LINA}") { orders(first: 2, after: $after) { edges { node { orderNumber } } pageInfo { endCursor } } } }`,
        { after },
      );
    const page1 = (await one(null)).body.data.customer.orders;
    const page2 = (await one(page1.pageInfo.endCursor)).body.data.customer.orders;
    const both = await suite.api.gql(
      `query($after: String) { customer(id: "${LINA}") {
        a: orders(first: 2) { edges { node { orderNumber } } }
        b: orders(first: 2, after: $after) { edges { node { orderNumber } } } } }`,
      { after: page1.pageInfo.endCursor },
    );
    expect(both.body.errors).toBeUndefined();
    expect(numbers(both.body.data.customer.a)).toEqual(numbers(page1));
    expect(numbers(both.body.data.customer.b)).toEqual(numbers(page2));
    expect(numbers(page2)).toHaveLength(2);
    expect(numbers(page2)).not.toEqual(numbers(page1));
    expect(both.roundTrips.crm).toBe(2); // the customer, then both pages in one statement
  });

  it('filters by status, counting only that status', async () => {
    const { body } = await suite.api.gql(ORDERS, { id: LINA, status: 'COMPLETED' });
    const o = body.data!.customer!.orders!;
    expect(o.totalCount).toBe(3);
    expect(o.edges.map((e) => e.node.orderNumber)).toEqual(['SO2026000001', 'SO2026000002', 'SO2025000006']);
  });

  it('gives an empty connection to a customer without orders', async () => {
    const { body } = await suite.api.gql(ORDERS, { id: TOM });
    expect(body.data!.customer!.orders!).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it('refuses a customers cursor as an orders cursor, and first above 100', async () => {
    const list = await suite.api.gql(
      graphql(`
        query FirstCursor {
          customers(first: 1) {
            pageInfo {
              endCursor
            }
          }
        }
      `),
    );
    const bad = await suite.api.gql(ORDERS, { id: LINA, after: list.body.data!.customers.pageInfo.endCursor });
    expect(bad.body.errors![0]).toMatchObject({ path: ['customer', 'orders'], extensions: { code: 'BAD_USER_INPUT' } });
    const big = await suite.api.gql(ORDERS, { id: LINA, first: 101 });
    expect(big.body.errors![0]!.message).toMatch(/between 1 and 100/);
  });
});

describe('Customer.purchaseSummary', () => {
  const SUMMARY = graphql(`
    query Summary($id: ID!) {
      customer(id: $id) {
        purchaseSummary {
          completedOrders
          totalSpent
          averageOrderValue
          firstOrderAt
          lastOrderAt
          currency
        }
      }
    }
  `);

  it('sums completed orders only, exactly', async () => {
    // Completed: 200.00 + 2999.00 + 149.70 = 3348.70 over 3 orders; 3348.70 / 3 = 1116.2333 → 1116.23.
    // The pending 149.90, cancelled 49.90 and refunded 100.00 do not count.
    const { body } = await suite.api.gql(SUMMARY, { id: LINA });
    expect(body.data!.customer!.purchaseSummary).toEqual({
      completedOrders: 3,
      totalSpent: '3348.70',
      averageOrderValue: '1116.23',
      firstOrderAt: '2025-01-10T10:00:00.000Z',
      lastOrderAt: '2026-06-01T10:00:00.000Z',
      currency: 'CNY',
    });
  });

  it('is zero for a customer without completed orders', async () => {
    const { body } = await suite.api.gql(SUMMARY, { id: TOM });
    expect(body.data!.customer!.purchaseSummary).toEqual({
      completedOrders: 0,
      totalSpent: '0.00',
      averageOrderValue: null,
      firstOrderAt: null,
      lastOrderAt: null,
      currency: 'CNY',
    });
  });
});

describe('Customer.supportTickets', () => {
  it('lists tickets newest first, filtered by status', async () => {
    const { body } = await suite.api.gql(
      graphql(`
        query Tickets($id: ID!) {
          customer(id: $id) {
            all: supportTickets {
              id
              status
              priority
              channel
              openedAt
              resolvedAt
              satisfaction
              subject
            }
            open: supportTickets(status: [OPEN, PENDING]) {
              id
            }
            one: supportTickets(first: 1) {
              id
            }
          }
        }
      `),
      { id: LINA },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.customer!.all).toEqual([
      {
        id: 't1',
        status: 'OPEN',
        priority: 'HIGH',
        channel: 'chat',
        openedAt: '2026-06-10T09:00:00.000Z',
        resolvedAt: null,
        satisfaction: null,
        subject: 'Cream arrived damaged',
      },
      {
        id: 't2',
        status: 'RESOLVED',
        priority: 'NORMAL',
        channel: 'phone',
        openedAt: '2026-03-02T09:00:00.000Z',
        resolvedAt: '2026-03-05T09:00:00.000Z',
        satisfaction: 2,
        subject: 'Refund too slow',
      },
      {
        id: 't3',
        status: 'CLOSED',
        priority: 'LOW',
        channel: 'email',
        openedAt: '2025-01-12T09:00:00.000Z',
        resolvedAt: '2025-01-13T09:00:00.000Z',
        satisfaction: 5,
        subject: 'Invoice copy',
      },
    ]);
    expect(body.data!.customer!.open).toEqual([{ id: 't1' }]);
    expect(body.data!.customer!.one).toEqual([{ id: 't1' }]);
  });
});
