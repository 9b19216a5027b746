import { MongoClient } from 'mongodb';
import { spawnEmbeddedMongo } from '@c360/mongo-wire';
import { createBehaviourClient } from '../../src/sources/behaviour/client';
import { loadEvents } from '@c360/demo-data';
import { createCrmDatabase, testConfig } from '../helpers/database';
import { startTestServer, type TestServer } from '../helpers/server';
import { fixtureDataset, LINA, NOW } from '../fixtures/crm';
import { fixtureEvents } from '../fixtures/events';

let db: Awaited<ReturnType<typeof createCrmDatabase>>;

beforeAll(async () => {
  db = await createCrmDatabase('behaviour_down', fixtureDataset());
});
afterAll(async () => db?.drop());

const QUERY = `{ customer(id: "${LINA}") { id profile { fullName } purchaseSummary { completedOrders } behaviour { lastSeenAt sessions } } }`;

describe('a behaviour source that dies mid-test', () => {
  let mongo: Awaited<ReturnType<typeof spawnEmbeddedMongo>> | undefined;
  let client: MongoClient | undefined;
  let api: TestServer | undefined;
  afterAll(async () => {
    await api?.close();
    await client?.close();
    await mongo?.stop();
  });

  it('degrades only the behaviour fields, with a coded error, within the timeout budget', async () => {
    mongo = await spawnEmbeddedMongo({});
    const config = testConfig({ DATABASE_URL: db.url, MONGODB_URI: mongo.uri, MONGODB_TIMEOUT_MS: '500' });
    client = createBehaviourClient(config, mongo.uri);
    const behaviourDb = client.db('behaviour');
    await loadEvents(behaviourDb, fixtureEvents());
    api = await startTestServer(db, () => NOW, { config, behaviourDb });

    const healthy = await api.gql(QUERY);
    expect(healthy.body.errors).toBeUndefined();
    expect(healthy.body.data.customer.behaviour).toEqual({ lastSeenAt: '2026-06-15T11:00:00.000Z', sessions: 3 });

    await mongo.stop();
    const started = Date.now();
    const { status, body } = await api.gql(QUERY);
    const elapsed = Date.now() - started;
    expect(status).toBe(200);
    expect(body.data).toEqual({
      customer: { id: LINA, profile: { fullName: '李娜' }, purchaseSummary: { completedOrders: 3 }, behaviour: null },
    });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({
      path: ['customer', 'behaviour'],
      extensions: { code: 'SOURCE_UNAVAILABLE', source: 'behaviour' },
    });
    expect(['unreachable', 'timeout']).toContain(body.errors![0]!.extensions!.reason);
    expect(JSON.stringify(body.errors)).not.toMatch(/127\.0\.0\.1|Mongo[A-Z]\w+Error|stack/);
    // Bounded by MONGODB_TIMEOUT_MS (500 ms) plus the socket margin, never the driver's 30 s default.
    expect(elapsed).toBeLessThan(5000);
  });
});

describe('an unreachable MongoDB from the start', () => {
  it('still answers the CRM fields', async () => {
    const config = testConfig({ DATABASE_URL: db.url, MONGODB_URI: 'mongodb://127.0.0.1:1', MONGODB_TIMEOUT_MS: '300' });
    const client = createBehaviourClient(config, 'mongodb://127.0.0.1:1');
    const api = await startTestServer(db, () => NOW, { config, behaviourDb: client.db('behaviour') });
    try {
      const { body } = await api.gql(QUERY);
      expect(body.data.customer).toMatchObject({ id: LINA, purchaseSummary: { completedOrders: 3 }, behaviour: null });
      expect(body.errors![0]!.extensions).toMatchObject({ code: 'SOURCE_UNAVAILABLE', source: 'behaviour', reason: 'unreachable' });
    } finally {
      await api.close();
      await client.close();
    }
  });
});
