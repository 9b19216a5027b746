import { BULK, fixtureDataset, LINA, LINA_DUP, NOW, TOM } from '../fixtures/crm';
import { fixtureEvents } from '../fixtures/events';
import { apiSuite } from '../helpers/suite';

/** The Relay server specification: PageInfo both ways, backward paging (last/before) on every connection. */
const suite = apiSuite('relay', fixtureDataset(), { events: fixtureEvents(), clock: () => NOW });

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
interface Conn {
  edges: { cursor: string; node: { id: string } }[];
  pageInfo: PageInfo;
}

const PAGE_INFO = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';

/**
 * A connection under test: `read(args)` runs one operation with `args` (the connection's arguments,
 * as GraphQL text) and returns the connection.
 */
type Read = (args: string) => Promise<Conn>;

const arg = (name: string, v: number | string | null) => (v === null ? '' : `${name}: ${JSON.stringify(v)}`);

/** Every edge's (cursor, id), walking forward in pages of `size`. */
async function forward(read: Read, size: number) {
  const out: { cursor: string; id: string }[] = [];
  let after: string | null = null;
  for (let i = 0; i < 100; i += 1) {
    const page = await read(`first: ${size} ${arg('after', after)}`);
    out.push(...page.edges.map((e) => ({ cursor: e.cursor, id: e.node.id })));
    expect(page.pageInfo.hasPreviousPage).toBe(false);
    if (!page.pageInfo.hasNextPage) return out;
    after = page.pageInfo.endCursor;
  }
  throw new Error('no end');
}

/** Every id, walking backward from the end in pages of `size`, each page checked to come in the list's order. */
async function backward(read: Read, size: number) {
  const pages: string[][] = [];
  let before: string | null = null;
  for (let i = 0; i < 100; i += 1) {
    const page = await read(`last: ${size} ${arg('before', before)}`);
    const ids = page.edges.map((e) => e.node.id);
    expect(ids.length).toBeLessThanOrEqual(size);
    expect(page.pageInfo.hasNextPage).toBe(false);
    expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
    pages.unshift(ids);
    if (!page.pageInfo.hasPreviousPage) return pages.flat();
    before = page.pageInfo.startCursor;
  }
  throw new Error('no start');
}

/** Walks both ways, and a window in the middle, against the expected ids in the list's order. */
async function checkBothWays(read: Read, expected: string[], size: number) {
  const fwd = await forward(read, size);
  expect(fwd.map((e) => e.id)).toEqual(expected);
  expect(await backward(read, size)).toEqual(expected);
  // The `size` edges just before the one at `at`, in order; more precede them exactly when `at` > size.
  const at = Math.min(expected.length - 1, size + 1);
  const window = await read(`last: ${size} before: ${JSON.stringify(fwd[at]!.cursor)}`);
  expect(window.edges.map((e) => e.node.id)).toEqual(expected.slice(Math.max(0, at - size), at));
  expect(window.pageInfo.hasPreviousPage).toBe(at > size);
}

describe('backward paging (last/before)', () => {
  const customers =
    (orderBy: string): Read =>
    async (args) => {
      const { body } = await suite.api.gql(`{ customers(orderBy: ${orderBy}, ${args}) { edges { cursor node { id } } ${PAGE_INFO} } }`);
      expect(body.errors).toBeUndefined();
      return body.data.customers as Conn;
    };

  it('walks the customers back by id, in pages of 17, as forward', async () => {
    await checkBothWays(customers('ID_ASC'), [...BULK, LINA, LINA_DUP, TOM].sort(), 17);
  });

  it.each(['CREATED_AT_ASC', 'CREATED_AT_DESC'])('walks the customers back %s, ties by id', async (orderBy) => {
    const asc = fixtureDataset()
      .customers.sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || a.id.localeCompare(b.id))
      .map((c) => c.id);
    await checkBothWays(customers(orderBy), orderBy === 'CREATED_AT_ASC' ? asc : asc.reverse(), 25);
  });

  it("walks a customer's orders back, newest first as forward", async () => {
    const expected = fixtureDataset()
      .orders.filter((o) => o.customer_id === LINA)
      .sort((a, b) => b.placed_at.getTime() - a.placed_at.getTime() || b.id.localeCompare(a.id))
      .map((o) => o.id);
    expect(expected.length).toBeGreaterThan(4);
    const read: Read = async (args) => {
      const { body } = await suite.api.gql(`{ customer(id: "${LINA}") { orders(${args}) { edges { cursor node { id } } ${PAGE_INFO} } } }`);
      expect(body.errors).toBeUndefined();
      return body.data.customer.orders as Conn;
    };
    await checkBothWays(read, expected, 2);
  });

  it("walks a customer's timeline back, newest first as forward", async () => {
    const read: Read = async (args) => {
      const { body } = await suite.api.gql(
        `{ customer(id: "${LINA}") { timeline(${args}) { edges { cursor node { id } } ${PAGE_INFO} } } }`,
      );
      expect(body.errors).toBeUndefined();
      return body.data.customer.timeline as Conn;
    };
    const all = (await read('first: 100')).edges.map((e) => e.node.id);
    expect(all.length).toBeGreaterThan(5);
    await checkBothWays(read, all, 3);
  });

  it('walks the audit log back, newest first as forward', async () => {
    // Ten audited reads of Tom first.
    for (let i = 0; i < 10; i += 1) await suite.api.gql(`{ customer(id: "${TOM}") { profile { fullName } } }`);
    const read: Read = async (args) => {
      const { body } = await suite.api.gql(`{ auditLog(customerId: "${TOM}", ${args}) { edges { cursor node { id } } ${PAGE_INFO} } }`);
      expect(body.errors).toBeUndefined();
      return body.data.auditLog as Conn;
    };
    const all = (await read('first: 200')).edges.map((e) => e.node.id);
    expect(all.length).toBeGreaterThanOrEqual(10);
    expect(all).toEqual([...all].sort((a, b) => Number(b) - Number(a)));
    await checkBothWays(read, all, 4);
  });

  it('costs the same round trips as forward: one CRM statement per level for a page of customers with their orders', async () => {
    const query = (args: string, orders: string) =>
      `{ customers(${args}) { edges { node { id orders(${orders}) { edges { node { id total } } ${PAGE_INFO} } } } ${PAGE_INFO} } }`;
    const fwd = await suite.api.gql(query('first: 30', 'first: 1'));
    const back = await suite.api.gql(query('last: 30', 'last: 1'));
    expect(back.body.errors).toBeUndefined();
    expect(back.roundTrips).toEqual(fwd.roundTrips);
    expect(back.roundTrips.crm).toBe(2);
    // The last 30 by id, each with its oldest order (bulk customers have two).
    const ids = [...BULK, LINA, LINA_DUP, TOM].sort().slice(-30);
    const edges = back.body.data.customers.edges as { node: { id: string; orders: Conn } }[];
    expect(edges.map((e) => e.node.id)).toEqual(ids);
    const orders = fixtureDataset().orders;
    for (const { node } of edges) {
      const mine = orders.filter((o) => o.customer_id === node.id).sort((a, b) => a.placed_at.getTime() - b.placed_at.getTime());
      expect(node.orders.edges.map((e) => e.node.id)).toEqual(mine.slice(0, 1).map((o) => o.id));
      expect(node.orders.pageInfo.hasPreviousPage).toBe(mine.length > 1);
    }
  });

  it.each([
    ['first: 2, last: 2', /not both/],
    ['first: 2, before: "x"', /`before` goes with `last`/],
    ['last: 2, after: "x"', /`after` goes with `first`/],
    ['last: 101', /`last` must be between 1 and 100/],
    ['last: 2, before: "garbage"', /`before` is not a cursor of this list/],
  ])('refuses %s with BAD_USER_INPUT before reading anything', async (args, message) => {
    const { body, roundTrips } = await suite.api.gql(`{ customers(${args}) { edges { node { id } } } }`);
    expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.message).toMatch(message);
    expect(roundTrips.crm).toBe(0);
  });

  it('answers the default page size without first or last', async () => {
    const { body } = await suite.api.gql(`{ customers { edges { node { id } } ${PAGE_INFO} } }`);
    expect(body.data.customers.edges).toHaveLength(20);
    expect(body.data.customers.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });
});
