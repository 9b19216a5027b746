import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import type pg from 'pg';
import { spawnEmbeddedMongo, type EmbeddedMongoHandle } from '@c360/mongo-wire';
import { loadEvents } from '@c360/demo-data';
import { behaviourBreaker, createBehaviourClient } from '../../src/sources/behaviour/client';
import { createCrmPool, crmBreaker, endCrmPool } from '../../src/sources/crm/pool';
import { createCrmDatabase, testConfig, type TestStores } from '../helpers/database';
import { cuttableProxy, type CuttableProxy } from '../helpers/proxy';
import { startTestServer, type GqlResult, type TestServer } from '../helpers/server';
import { fixtureDataset, LINA, NOW } from '../fixtures/crm';
import { fixtureEvents } from '../fixtures/events';

/**
 * A dead source costs its budget once: after BREAKER_FAILURES failed calls its circuit opens, and its
 * fields fail at once (circuit_open) without the API reaching for it, the other sources' fields still
 * answer, /readyz shows the circuit, and once the source is back a probe closes it.
 */
let db: TestStores;
beforeAll(async () => {
  db = await createCrmDatabase('breakers', fixtureDataset());
});
afterAll(async () => db?.drop());

const QUERY = `{ customer(id: "${LINA}") { id profile { fullName } purchaseSummary { completedOrders } behaviour { sessions } } }`;
// Long enough that a slow machine still finds the circuit open (not yet half-open) where the test says so.
const BREAKER = { FAILURES: '2', HALF_OPEN_MS: '3000' };

const readyz = async (api: TestServer) => {
  const res = await fetch(api.url.replace('/graphql', '/readyz'));
  return {
    status: res.status,
    body: (await res.json()) as { status: string; sources: Record<string, { status: string; circuit?: string }> },
  };
};

/** Asks until `done` holds for an answer (each ask fails fast while the circuit is open, or is the probe); the test's timeout bounds it. */
async function askUntil(api: TestServer, done: (r: GqlResult) => boolean): Promise<GqlResult> {
  for (;;) {
    const r = await api.gql(QUERY);
    if (done(r)) return r;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the behaviour store dying and coming back', () => {
  let dbpath: string;
  let mongo: EmbeddedMongoHandle | undefined;
  let client: MongoClient | undefined;
  let api: TestServer | undefined;
  afterAll(async () => {
    await api?.close();
    await client?.close();
    await mongo?.stop();
    rmSync(dbpath, { recursive: true, force: true });
  });

  it('opens the circuit after repeated failures, fails fast without touching the store while open, and closes once it is back', async () => {
    dbpath = mkdtempSync(path.join(os.tmpdir(), 'c360-breaker-'));
    mongo = await spawnEmbeddedMongo({ dbpath });
    const config = testConfig({
      DATABASE_URL: db.url,
      MONGODB_URI: mongo.uri,
      MONGODB_TIMEOUT_MS: '500',
      BEHAVIOUR_BREAKER_FAILURES: BREAKER.FAILURES,
      BEHAVIOUR_BREAKER_HALF_OPEN_MS: BREAKER.HALF_OPEN_MS,
    });
    client = createBehaviourClient(config, mongo.uri);
    // Every operation of the client takes a connection out of its pool first: none taken, the store was not reached.
    let checkouts = 0;
    client.on('connectionCheckOutStarted', () => (checkouts += 1));
    const behaviourDb = client.db('behaviour');
    await loadEvents(behaviourDb, fixtureEvents());
    api = await startTestServer(db, () => NOW, { config, behaviourDb });
    const breaker = behaviourBreaker(behaviourDb)!;
    const healthy = { id: LINA, profile: { fullName: '李娜' }, purchaseSummary: { completedOrders: 3 }, behaviour: { sessions: 3 } };
    expect((await api.gql(QUERY)).body).toEqual({ data: { customer: healthy } });

    process.kill(mongo.pid, 'SIGKILL');
    for (let i = 0; i < Number(BREAKER.FAILURES); i++) {
      const failed = await api.gql(QUERY);
      expect(failed.body.errors![0]!.extensions).toMatchObject({ code: 'SOURCE_UNAVAILABLE', source: 'behaviour' });
      expect(failed.body.errors![0]!.extensions!.reason).not.toBe('circuit_open');
      expect(failed.roundTrips.behaviour).toBe(1);
    }
    expect(breaker.state()).toBe('open');

    const before = checkouts;
    const fast = await api.gql(QUERY);
    expect(fast.body.data).toEqual({ customer: { ...healthy, behaviour: null } });
    expect(fast.body.errors).toHaveLength(1);
    expect(fast.body.errors![0]).toMatchObject({
      path: ['customer', 'behaviour'],
      extensions: { code: 'SOURCE_UNAVAILABLE', source: 'behaviour', reason: 'circuit_open' },
    });
    expect(fast.roundTrips).toMatchObject({ behaviour: 0 });
    expect(checkouts).toBe(before);

    const open = await readyz(api);
    expect(open.status).toBe(200);
    expect(open.body).toMatchObject({
      status: 'degraded',
      sources: { crm: { status: 'up' }, behaviour: { status: 'down', circuit: 'open' } },
    });

    mongo = await spawnEmbeddedMongo({ dbpath, port: mongo.port });
    const back = await askUntil(api, (r) => r.body.errors === undefined);
    expect(back.body).toEqual({ data: { customer: healthy } });
    expect(breaker.state()).toBe('closed');
    expect((await readyz(api)).body).toMatchObject({ status: 'ready', sources: { behaviour: { status: 'up', circuit: 'closed' } } });
  });
});

describe('the CRM cut off and back', () => {
  let proxy: CuttableProxy | undefined;
  let pool: pg.Pool | undefined;
  let api: TestServer | undefined;
  afterAll(async () => {
    await api?.close();
    proxy?.heal();
    if (pool) await endCrmPool(pool);
    await proxy?.close();
  });

  it('opens the circuit after repeated failures, then fails fast without a connection attempt until a probe finds it back', async () => {
    const url = new URL(db.url);
    proxy = await cuttableProxy({ host: url.hostname, port: Number(url.port) });
    url.port = String(proxy.port);
    const config = testConfig({
      DATABASE_URL: url.toString(),
      MONGODB_URI: db.config.MONGODB_URI!,
      MONGODB_DB: db.config.MONGODB_DB,
      DB_CONNECT_TIMEOUT_MS: '1000',
      CRM_BREAKER_FAILURES: BREAKER.FAILURES,
      CRM_BREAKER_HALF_OPEN_MS: BREAKER.HALF_OPEN_MS,
    });
    pool = createCrmPool(config, url.toString());
    api = await startTestServer(db, () => NOW, { config, crmPool: pool });
    const breaker = crmBreaker(pool)!;
    expect((await api.gql(QUERY)).body.errors).toBeUndefined();

    proxy.cut();
    for (let i = 0; i < Number(BREAKER.FAILURES); i++) {
      const failed = await api.gql(QUERY);
      expect(failed.body.errors![0]!.extensions).toMatchObject({ code: 'SOURCE_UNAVAILABLE', source: 'crm', reason: 'unreachable' });
    }
    expect(breaker.state()).toBe('open');

    const attempts = proxy.accepted;
    const fast = await api.gql(QUERY);
    expect(fast.body.data).toEqual({ customer: null });
    expect(fast.body.errors![0]).toMatchObject({
      path: ['customer'],
      extensions: { code: 'SOURCE_UNAVAILABLE', source: 'crm', reason: 'circuit_open' },
    });
    expect(fast.roundTrips.crm).toBe(0);
    expect(proxy.accepted).toBe(attempts);

    // A write fails before its transaction begins, with the same code; nothing of it is applied (checked below).
    const link = `mutation { linkIdentity(customerId: "${LINA}", identifier: { kind: EXTERNAL_ID, value: "ext-breaker" }, evidence: "call") { id } }`;
    const write = await api.gql(link);
    expect(write.body.errors![0]!.extensions).toMatchObject({ code: 'SOURCE_UNAVAILABLE', source: 'crm', reason: 'circuit_open' });
    expect(proxy.accepted).toBe(attempts);

    // /readyz still asks the CRM itself (a refused connection: down), and shows the open circuit.
    const open = await readyz(api);
    expect(open.status).toBe(503);
    expect(open.body).toMatchObject({ status: 'unavailable', sources: { crm: { status: 'down', circuit: 'open' } } });

    proxy.heal();
    const back = await askUntil(api, (r) => r.body.errors === undefined);
    expect(back.body.data.customer).toMatchObject({ id: LINA, profile: { fullName: '李娜' } });
    expect(breaker.state()).toBe('closed');
    const identities = await api.gql(`{ customer(id: "${LINA}") { identities { value } } }`);
    expect(identities.body.data.customer.identities.map((i: { value: string }) => i.value)).not.toContain('ext-breaker');
  });
});
