import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { buildSchema } from '../../src/server';
import { BULK, fixtureDataset, NOW } from '../fixtures/crm';
import { createCrmDatabase } from '../helpers/database';
import { startTestServer, type TestServer } from '../helpers/server';
import { bearer } from '../helpers/tokens';

/**
 * This API as a subgraph: composed with a small `loyalty` subgraph that extends Customer, queried
 * through Apollo Gateway end to end.
 */
let db: Awaited<ReturnType<typeof createCrmDatabase>>;
let api: TestServer;
let loyalty: { url: string; stop(): Promise<void> };
let gateway: ApolloServer<{ authorization: string }>;
/** The x-source-round-trips header of every answer of ours the gateway received. */
const ourRoundTrips: string[] = [];

const LOYALTY_SDL = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Customer @key(fields: "id") { id: ID! loyaltyPoints: Int! }
  type Query { topMembers(first: Int!): [Customer!]! }
`);
const points = (id: string) => [...id].reduce((sum, ch) => sum + ch.charCodeAt(0), 0);

beforeAll(async () => {
  db = await createCrmDatabase('federation', fixtureDataset());
  api = await startTestServer(db, () => NOW);

  const loyaltyServer = new ApolloServer({
    schema: buildSubgraphSchema({
      typeDefs: LOYALTY_SDL,
      resolvers: {
        Query: { topMembers: (_: unknown, { first }: { first: number }) => BULK.slice(0, first).map((id) => ({ id })) },
        Customer: { loyaltyPoints: (c: { id: string }) => points(c.id) },
      },
    }),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  const { url } = await startStandaloneServer(loyaltyServer, { listen: { port: 0, host: '127.0.0.1' } });
  loyalty = { url, stop: () => loyaltyServer.stop() };

  const composed = composeServices([
    { name: 'c360', typeDefs: parse(printSubgraphSchema(buildSchema().schema)), url: api.url },
    { name: 'loyalty', typeDefs: LOYALTY_SDL, url },
  ]);
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  gateway = new ApolloServer({
    gateway: new ApolloGateway({
      supergraphSdl: composed.supergraphSdl,
      buildService: ({ url: serviceUrl }) =>
        new RemoteGraphQLDataSource<{ authorization: string }>({
          url: serviceUrl,
          willSendRequest: ({ request, context }) => request.http?.headers.set('authorization', context.authorization),
          didReceiveResponse: ({ response }) => {
            const trips = response.http?.headers.get('x-source-round-trips');
            if (trips) ourRoundTrips.push(trips);
            return response;
          },
        }),
    }),
  });
  await gateway.start();
});
afterAll(async () => {
  await gateway?.stop();
  await loyalty?.stop();
  await api?.close();
  await db?.drop();
});

const viaGateway = async (query: string, authorization: string) => {
  const res = await gateway.executeOperation({ query }, { contextValue: { authorization } });
  if (res.body.kind !== 'single') throw new Error('expected a single result');
  return res.body.singleResult as { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
};

describe('federation', () => {
  it('answers a query across both subgraphs, resolving 100 customer references in one CRM statement', async () => {
    const { authorization } = await bearer(['analyst']);
    ourRoundTrips.length = 0;
    const result = await viaGateway(
      '{ topMembers(first: 100) { id loyaltyPoints profile { city } purchaseSummary { completedOrders } } }',
      authorization,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.topMembers).toHaveLength(100);
    expect(result.data.topMembers[7]).toEqual({
      id: BULK[7],
      loyaltyPoints: points(BULK[7]!),
      profile: { city: 'Hangzhou' },
      purchaseSummary: { completedOrders: 2 },
    });
    // Our one call from the gateway: the references' rows in one statement, their summaries in another.
    expect(ourRoundTrips).toEqual(['crm=2,behaviour=0,social=0']);
  });

  it('keeps the roles: references are for service credentials, masked for an analyst, refused to an agent', async () => {
    const analyst = await viaGateway(
      '{ topMembers(first: 1) { id profile { fullName } contact { email } } }',
      (await bearer(['analyst'])).authorization,
    );
    expect(analyst.data.topMembers[0]).toEqual({ id: BULK[0], profile: { fullName: 'B. C. 1.' }, contact: { email: 'b***@example.net' } });
    const agent = await viaGateway('{ topMembers(first: 1) { id profile { fullName } } }', (await bearer(['agent'])).authorization);
    // Our subgraph refuses the gateway's _entities call for an agent (403, before anything is read).
    expect(agent.errors?.[0]?.message).toMatch(/403/);
    expect(JSON.stringify(agent)).not.toMatch(/Bulk|B\. C\./);
  });

  it('audits personal data read through references', async () => {
    const { rows } = await db.pool.query(
      `SELECT customer_id, fields, masked FROM c360.audit_log WHERE customer_id = $1 ORDER BY id DESC LIMIT 1`,
      [BULK[0]],
    );
    expect(rows).toEqual([
      { customer_id: BULK[0], fields: ['Contact.email', 'Customer.contact', 'Customer.profile', 'CustomerProfile.fullName'], masked: true },
    ]);
  });

  it('answers each bad representation with its own BAD_USER_INPUT and resolves the rest, without ending the process', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const query = 'query($r:[_Any!]!){ _entities(representations: $r) { __typename ... on Customer { id } } }';
      const r = [
        { __typename: 'Customer', id: BULK[0] },
        { __typename: 'Customer' },
        'x',
        { __typename: 'Nope', id: BULK[1] },
        { __typename: 'Customer', id: 7 },
        [],
        { __typename: 'Customer', id: 'c_missing' },
      ];
      const res = await api.gql(query, { r });
      expect(res.status).toBe(200);
      expect(res.body.data._entities).toEqual([{ __typename: 'Customer', id: BULK[0] }, null, null, null, null, null, null]);
      const errors = res.body.errors!.map((e) => [e.path, e.extensions?.code]);
      expect(errors).toEqual([1, 2, 3, 4, 5].map((i) => [['_entities', i], 'BAD_USER_INPUT']));
      // The server still answers, and nothing was left to reject unobserved.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await api.gql('{ customer(id: "' + BULK[0] + '") { id } }')).body.data.customer).toEqual({ id: BULK[0] });
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('takes at most 100 representations per request, each of bounded size', async () => {
    const query = 'query($r:[_Any!]!){ _entities(representations: $r) { __typename } }';
    const tooMany = await api.gql(query, { r: Array.from({ length: 101 }, () => ({ __typename: 'Customer', id: BULK[0] })) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors).toEqual([
      {
        message: '`representations` may have at most 100 items (got 101).',
        extensions: { code: 'BAD_USER_INPUT', field: 'representations' },
      },
    ]);
    expect(tooMany.roundTrips.crm).toBe(0);
    const reps = Array.from({ length: 101 }, () => `{ __typename: "Customer", id: "${BULK[0]}" }`).join(' ');
    const byDefault = await api.gql(`query($r: [_Any!]! = [${reps}]) { _entities(representations: $r) { __typename } }`);
    expect(byDefault.body.errors![0]!.message).toBe('`representations` may have at most 100 items (got 101).');
    const huge = await api.gql(query, { r: [{ __typename: 'Customer', id: 'x'.repeat(300) }] });
    expect(huge.body.errors![0]!.message).toBe('`representations.0.id` may have at most 256 characters (got 300).');
  });
});
