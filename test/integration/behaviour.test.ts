import { BULK, fixtureDataset, LINA, NOW, TOM } from '../fixtures/crm';
import { fixtureEvents, LINA_EVENTS as E } from '../fixtures/events';
import { apiSuite } from '../helpers/suite';

const suite = apiSuite('behaviour', fixtureDataset(), { events: fixtureEvents(), clock: () => NOW });

const BEHAVIOUR = `query B($id: ID!) { customer(id: $id) { behaviour {
  lastSeenAt
  s30: sessions
  s90: sessions(days: 90)
  eventCounts { type count }
  devices { type os model lastSeenAt }
  channels { channel events share }
  topCategories { category events }
  recentSearches { query at }
} } }`;

describe('Customer.behaviour', () => {
  it('aggregates own, anonymous and device-linked events up to now, each once', async () => {
    const { body, roundTrips } = await suite.api.gql(BEHAVIOUR, { id: LINA });
    expect(body.errors).toBeUndefined();
    expect(body.data.customer.behaviour).toEqual({
      lastSeenAt: '2026-06-15T11:00:00.000Z', // e9; e7 is after now
      s30: 3, // s1 (e1, e2), s2 (e3, e4), s6 (e9); s3 (e5) is 45 days old
      s90: 4,
      eventCounts: [
        { type: 'product_view', count: 2 }, // e1, e4
        { type: 'add_to_cart', count: 1 },
        { type: 'click', count: 1 }, // e9 carries both Lina's id and her device, counted once
        { type: 'search', count: 1 }, // e3
      ],
      devices: [
        { type: 'mobile', os: 'iOS', model: 'iPhone 15', lastSeenAt: '2026-06-15T11:00:00.000Z' },
        { type: 'desktop', os: 'macOS', model: null, lastSeenAt: '2026-06-10T08:02:00.000Z' },
        { type: 'mobile', os: 'Android', model: 'Xiaomi 14', lastSeenAt: '2026-02-01T00:00:00.000Z' },
      ],
      // Last 90 days: e1, e2, e5, e9 in the app; e3, e4 on the web.
      channels: [
        { channel: 'app', events: 4, share: 4 / 6 },
        { channel: 'web', events: 2, share: 2 / 6 },
      ],
      topCategories: [
        { category: 'skincare', events: 2 },
        { category: 'outdoor', events: 1 },
      ],
      recentSearches: [
        { query: 'tent', at: '2026-06-10T08:00:00.000Z' },
        { query: 'phone case', at: '2026-02-01T00:00:00.000Z' },
      ],
    });
    // The customer, its identities, then one aggregation for every behaviour field.
    expect(roundTrips).toEqual({ crm: 2, behaviour: 1, social: 0 });
  });

  it('is empty, not null, for a customer without events', async () => {
    const { body } = await suite.api.gql(BEHAVIOUR, { id: TOM });
    expect(body.data.customer.behaviour).toEqual({
      lastSeenAt: null,
      s30: 0,
      s90: 0,
      eventCounts: [],
      devices: [],
      channels: [],
      topCategories: [],
      recentSearches: [],
    });
  });

  it('honours first and refuses out-of-range windows', async () => {
    const { body } = await suite.api.gql(
      `{ customer(id: "${LINA}") { behaviour { topCategories(first: 1) { category } recentSearches(first: 1) { query } } } }`,
    );
    expect(body.data.customer.behaviour).toEqual({ topCategories: [{ category: 'skincare' }], recentSearches: [{ query: 'tent' }] });
    const bad = await suite.api.gql(`{ customer(id: "${LINA}") { id behaviour { sessions(days: 0) } } }`);
    expect(bad.body.data.customer).toEqual({ id: LINA, behaviour: null });
    expect(bad.body.errors![0]).toMatchObject({ path: ['customer', 'behaviour'], extensions: { code: 'BAD_USER_INPUT' } });
  });
});

describe('Customer.timeline', () => {
  const TIMELINE = `query T($id: ID!, $first: Int, $after: String, $types: [String!]) { customer(id: $id) {
    timeline(first: $first, after: $after, types: $types) { edges { cursor node { id type at channel sessionId category query device { type os model } } } pageInfo { hasNextPage endCursor } }
  } }`;
  const idsOf = (t: { edges: { node: { id: string } }[] }) => t.edges.map((e) => e.node.id);

  it('pages newest first through all linked events', async () => {
    const first = await suite.api.gql(TIMELINE, { id: LINA, first: 3 });
    const page1 = first.body.data.customer.timeline;
    expect(idsOf(page1)).toEqual([E.e9, E.e2, E.e1].map((e) => e._id.toHexString()));
    expect(page1.edges[0].node).toEqual({
      id: E.e9._id.toHexString(),
      type: 'click',
      at: '2026-06-15T11:00:00.000Z',
      channel: 'app',
      sessionId: 's6',
      category: null,
      query: null,
      device: { type: 'mobile', os: 'iOS', model: 'iPhone 15' },
    });
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const rest = await suite.api.gql(TIMELINE, { id: LINA, first: 10, after: page1.pageInfo.endCursor });
    expect(idsOf(rest.body.data.customer.timeline)).toEqual([E.e4, E.e3, E.e5, E.e6].map((e) => e._id.toHexString()));
    expect(rest.body.data.customer.timeline.pageInfo.hasNextPage).toBe(false);
  });

  it('filters by type and refuses a foreign cursor', async () => {
    const { body } = await suite.api.gql(TIMELINE, { id: LINA, types: ['search'] });
    expect(idsOf(body.data.customer.timeline)).toEqual([E.e3, E.e6].map((e) => e._id.toHexString()));
    const bad = await suite.api.gql(TIMELINE, { id: LINA, after: 'eyJ4IjoxfQ' });
    expect(bad.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('shares the one aggregation with the behaviour fields of the same level', async () => {
    const { body, roundTrips } = await suite.api.gql(
      `{ customer(id: "${LINA}") { behaviour { lastSeenAt } timeline(first: 1) { edges { node { type } } } } }`,
    );
    expect(body.data.customer.timeline.edges).toEqual([{ node: { type: 'click' } }]);
    expect(roundTrips.behaviour).toBe(1);
  });
});

describe('behaviour round trips', () => {
  const PAGE = `query P($first: Int) { customers(first: $first, filter: { city: "Hangzhou" }) { edges { node { id behaviour { lastSeenAt eventCounts { type count } } } } } }`;

  it('are one per level whatever the page size', async () => {
    const one = await suite.api.gql(PAGE, { first: 1 });
    const hundred = await suite.api.gql(PAGE, { first: 100 });
    expect(one.roundTrips).toEqual({ crm: 2, behaviour: 1, social: 0 });
    expect(hundred.roundTrips).toEqual({ crm: 2, behaviour: 1, social: 0 });
    const nodes = hundred.body.data.customers.edges.map((e: { node: unknown }) => e.node);
    expect(nodes).toHaveLength(100);
    // Bulk customer i (0-based) viewed and bought on 2026-06-0(1 + i % 9), 10:00 and 10:10.
    nodes.forEach((n: { id: string; behaviour: unknown }, i: number) => {
      expect(n.id).toBe(BULK[i]);
      expect(n.behaviour).toEqual({
        lastSeenAt: `2026-06-0${1 + (i % 9)}T10:10:00.000Z`,
        eventCounts: [
          { type: 'product_view', count: 1 },
          { type: 'purchase', count: 1 },
        ],
      });
    });
  });

  it('are zero when no behaviour field is asked for', async () => {
    const { roundTrips } = await suite.api.gql(
      `{ customers(first: 100) { edges { node { id profile { city } orders(first: 2) { totalCount } } } } }`,
    );
    expect(roundTrips.behaviour).toBe(0);
  });
});
