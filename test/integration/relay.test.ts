import { BULK, fixtureDataset, LINA, LINA_DUP, NOW, TOM } from '../fixtures/crm';
import { fixtureEvents } from '../fixtures/events';
import { apiSuite } from '../helpers/suite';
import { bearer } from '../helpers/tokens';

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

  it("walks a customer's tickets past 100 both ways, newest first (ties by id), in one CRM round trip per page", async () => {
    // 130 tickets of Tom's, some opened at the same instant, every fourth one resolved.
    const tickets = Array.from({ length: 130 }, (_, i) => ({
      id: `t_relay_${String(i).padStart(3, '0')}`,
      status: i % 4 === 0 ? 'resolved' : 'open',
      opened_at: new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 3) * 3_600_000),
    }));
    for (const t of tickets) {
      await suite.db.pool.query(
        `INSERT INTO support_tickets (id, customer_id, subject, status, priority, channel, opened_at) VALUES ($1, $2, 'relay', $3, 'normal', 'chat', $4)`,
        [t.id, TOM, t.status, t.opened_at],
      );
    }
    const newestFirst = (list: typeof tickets) =>
      [...list].sort((a, b) => b.opened_at.getTime() - a.opened_at.getTime() || b.id.localeCompare(a.id)).map((t) => t.id);
    for (const [status, expected] of [
      ['', newestFirst(tickets)],
      ['status: [RESOLVED]', newestFirst(tickets.filter((t) => t.status === 'resolved'))],
    ] as const) {
      const read: Read = async (args) => {
        const { body, roundTrips } = await suite.api.gql(
          `{ customer(id: "${TOM}") { tickets(${status} ${args}) { edges { cursor node { id } } ${PAGE_INFO} } } }`,
        );
        expect(body.errors).toBeUndefined();
        expect(roundTrips.crm).toBe(2); // the customer, then its page
        return body.data.customer.tickets as Conn;
      };
      await checkBothWays(read, expected, status ? 7 : 100);
    }
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

describe('Node: Query.node and Query.nodes', () => {
  const PERSON = 'id profile { fullName city birthDate } contact { email phone }';

  it('fetches a customer again by its id, as customer(id:) answers it, for each role (masked as that role)', async () => {
    for (const roles of [['admin'], ['analyst'], ['agent']] as const) {
      const headers = await bearer([...roles]);
      const byNode = await suite.api.gql(`{ node(id: "${LINA}") { __typename id ... on Customer { ${PERSON} } } }`, {}, headers);
      const byField = await suite.api.gql(`{ customer(id: "${LINA}") { ${PERSON} } }`, {}, headers);
      expect(byNode.body.errors).toBeUndefined();
      expect(byNode.body.data.node).toEqual({ __typename: 'Customer', ...byField.body.data.customer });
      expect(byNode.roundTrips).toEqual(byField.roundTrips);
    }
    const analyst = await suite.api.gql(`{ node(id: "${LINA}") { ... on Customer { contact { email } } } }`, {}, await bearer(['analyst']));
    expect(analyst.body.data.node.contact.email).not.toBe(fixtureDataset().customers.find((c) => c.id === LINA)!.email);
  });

  it('is null for an unknown id, and audits the read of a customer', async () => {
    expect((await suite.api.gql(`{ node(id: "c_nobody") { id } }`)).body).toEqual({ data: { node: null } });
    const audited = async () =>
      (await suite.api.gql(`{ auditLog(customerId: "${LINA_DUP}", first: 200) { edges { node { fields } } } }`)).body.data.auditLog
        .edges as { node: { fields: string[] } }[];
    const before = (await audited()).length;
    await suite.api.gql(`{ node(id: "${LINA_DUP}") { ... on Customer { profile { fullName } } } }`, {}, await bearer(['agent']));
    const after = await audited();
    expect(after).toHaveLength(before + 1);
    expect(after[0]!.node.fields).toEqual(expect.arrayContaining(['CustomerProfile.fullName']));
  });

  it('answers 50 customers in order, with nulls for unknown ids, in one CRM round trip', async () => {
    const ids = [...BULK.slice(0, 48), 'c_nobody', TOM];
    const { body, roundTrips } = await suite.api.gql(
      `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Customer { profile { city } } } }`,
      { ids },
      await bearer(['analyst']),
    );
    expect(body.errors).toBeUndefined();
    const cityOf = new Map(fixtureDataset().customers.map((c) => [c.id, c.city]));
    expect(body.data.nodes).toEqual(ids.map((id) => (cityOf.has(id) ? { id, profile: { city: cityOf.get(id) } } : null)));
    expect(roundTrips.crm).toBe(1);
  });

  it('keeps the one-customer rule for agents, and nodes for the listing roles', async () => {
    const agent = await bearer(['agent']);
    const two = await suite.api.gql(`{ node(id: "${LINA}") { id } customer(id: "${TOM}") { id } }`, {}, agent);
    expect(two.status).toBe(403);
    expect(two.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const many = await suite.api.gql(`{ nodes(ids: ["${LINA}"]) { id } }`, {}, agent);
    expect(many.status).toBe(403);
    expect(many.roundTrips.crm).toBe(0);
  });

  it('fetches a segment for the roles of segment(id:), and refuses it to others', async () => {
    const created = await suite.api.gql(
      `mutation { createSegment(input: { name: "Node test", filter: { stages: [ACTIVE] } }) { id name version } }`,
      {},
      await bearer(['analyst']),
    );
    const segment = created.body.data.createSegment;
    expect(segment.id).toMatch(/^seg_[0-9a-f]{12}$/);
    const query = `{ node(id: "${segment.id}") { __typename id ... on Segment { name version } } }`;
    expect((await suite.api.gql(query, {}, await bearer(['analyst']))).body).toEqual({
      data: { node: { __typename: 'Segment', ...segment } },
    });
    const agent = await suite.api.gql(query, {}, await bearer(['agent']));
    expect(agent.body.data).toEqual({ node: null });
    expect(agent.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const mixed = await suite.api.gql(`{ nodes(ids: ["${segment.id}", "${TOM}", "seg_000000000000"]) { __typename id } }`);
    expect(mixed.body.data.nodes).toEqual([{ __typename: 'Segment', id: segment.id }, { __typename: 'Customer', id: TOM }, null]);
  });
});

describe('Query.customerSearch', () => {
  const read =
    (query: string): Read =>
    async (args) => {
      const { body } = await suite.api.gql(
        `{ customerSearch(query: ${JSON.stringify(query)}, ${args}) { edges { cursor node { id } } ${PAGE_INFO} } }`,
      );
      expect(body.errors).toBeUndefined();
      return body.data.customerSearch as Conn;
    };

  it('pages through every hit both ways, best first, ties by id', async () => {
    // Every bulk customer's name starts with the text: one score, so id order; nobody else matches.
    await checkBothWays(read('Bulk Customer'), [...BULK].sort(), 50);
    const { body, roundTrips } = await suite.api.gql(
      `{ customerSearch(query: "bulk customer 1", first: 3) { totalCount edges { node { id profile { fullName } } } } }`,
    );
    expect(body.data.customerSearch.edges[0]).toEqual({ node: { id: BULK[0], profile: { fullName: 'Bulk Customer 1' } } });
    expect(body.data.customerSearch.totalCount).toBeGreaterThanOrEqual(32); // 1, 10–19, 100–120 start with it
    expect(roundTrips.crm).toBe(2); // the page (its rows serve the fields), the count
  });

  it('ranks as the deprecated searchCustomers did', async () => {
    const list = await suite.api.gql(`{ searchCustomers(query: "customer 11", first: 20) { id } }`);
    const page = await suite.api.gql(`{ customerSearch(query: "customer 11", first: 20) { edges { node { id } } } }`);
    expect(page.body.data.customerSearch.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(
      list.body.data.searchCustomers.map((c: { id: string }) => c.id),
    );
  });

  it("refuses another search's cursor", async () => {
    const first = await read('bulk customer')('first: 2');
    const { body } = await suite.api.gql(
      `{ customerSearch(query: "lina", first: 2, after: ${JSON.stringify(first.pageInfo.endCursor)}) { edges { node { id } } } }`,
    );
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('gives an agent the first page of at most 10 only, as the only root field returning customers', async () => {
    const agent = await bearer(['agent']);
    const ok = await suite.api.gql(
      `{ customerSearch(query: "bulk customer") { edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
      {},
      agent,
    );
    expect(ok.body.data.customerSearch.edges).toHaveLength(10);
    for (const args of ['first: 11', `first: 5, after: ${JSON.stringify(ok.body.data.customerSearch.pageInfo.endCursor)}`, 'last: 5']) {
      const refused = await suite.api.gql(`{ customerSearch(query: "bulk customer", ${args}) { edges { node { id } } } }`, {}, agent);
      expect(refused.status).toBe(403);
      expect(refused.roundTrips.crm).toBe(0);
    }
    const two = await suite.api.gql(`{ customerSearch(query: "bulk customer") { totalCount } customer(id: "${TOM}") { id } }`, {}, agent);
    expect(two.status).toBe(403);
  });
});
