import type pg from 'pg';
import { createCrmPool, crmBreaker, endCrmPool } from '../../src/sources/crm/pool';
import { createCrmDatabase, testConfig, type TestStores } from '../helpers/database';
import { startTestServer, type TestServer } from '../helpers/server';
import { fixtureDataset, LINA, NOW } from '../fixtures/crm';

/** Backpressure: new /graphql requests are refused on arrival (503, Retry-After, OVERLOADED) rather than queued without bound. */
let db: TestStores;
beforeAll(async () => {
  db = await createCrmDatabase('overload', fixtureDataset());
});
afterAll(async () => db?.drop());

const QUERY = `{ customer(id: "${LINA}") { id profile { fullName } } }`;
const ANSWER = { data: { customer: { id: LINA, profile: { fullName: '李娜' } } } };
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('a saturated CRM pool', () => {
  let pool: pg.Pool | undefined;
  let api: TestServer | undefined;
  afterAll(async () => {
    await api?.close();
    if (pool) await endCrmPool(pool);
  });

  it('refuses new requests while more than OVERLOAD_CRM_WAITING wait for a connection, and admits them again once it drains', async () => {
    // One connection, held by the test; waiting for it is bounded only by a long connect timeout.
    const config = testConfig({ DATABASE_URL: db.url, DB_POOL_MAX: '1', DB_CONNECT_TIMEOUT_MS: '60000', OVERLOAD_CRM_WAITING: '1' });
    pool = createCrmPool(config, db.url);
    api = await startTestServer(db, () => NOW, { config, crmPool: pool });
    const held = await pool.connect();
    const queued = [api.gql(QUERY), api.gql(QUERY)];
    while (pool.waitingCount < 2) await tick();

    const res = await api.post(JSON.stringify({ query: QUERY }));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toEqual({
      errors: [
        {
          message: 'The server is overloaded (crm_pool); retry in 1 s.',
          extensions: { code: 'OVERLOADED', reason: 'crm_pool', retryAfterSeconds: 1 },
        },
      ],
    });
    expect(pool.waitingCount).toBe(2); // the refused request queued nothing
    expect((await fetch(api.url.replace('/graphql', '/healthz'))).status).toBe(200);

    held.release();
    for (const q of await Promise.all(queued)) expect(q.body).toEqual(ANSWER);
    const admitted = await api.gql(QUERY);
    expect(admitted.status).toBe(200);
    expect(admitted.body).toEqual(ANSWER);
  });
});

describe('a CRM pool kept busy past its wait', () => {
  let pool: pg.Pool | undefined;
  let api: TestServer | undefined;
  afterAll(async () => {
    await api?.close();
    if (pool) await endCrmPool(pool);
  });

  it('fails the fields with SOURCE_UNAVAILABLE pool_exhausted and never opens the CRM circuit: load is not an outage', async () => {
    // One connection, held by the test; a statement waits 200 ms for it; the circuit would open after 2 failures.
    const config = testConfig({
      DATABASE_URL: db.url,
      DB_POOL_MAX: '1',
      DB_CONNECT_TIMEOUT_MS: '200',
      OVERLOAD_CRM_WAITING: '0',
      CRM_BREAKER_FAILURES: '2',
    });
    pool = createCrmPool(config, db.url);
    api = await startTestServer(db, () => NOW, { config, crmPool: pool });
    const held = await pool.connect();
    for (let i = 0; i < 4; i++) {
      const { body } = await api.gql(QUERY);
      expect(body.data).toEqual({ customer: null });
      expect(body.errors!.map((e) => e.extensions)).toEqual([{ code: 'SOURCE_UNAVAILABLE', source: 'crm', reason: 'pool_exhausted' }]);
    }
    expect(crmBreaker(pool)!.state()).toBe('closed');
    held.release();
    expect((await api.gql(QUERY)).body).toEqual(ANSWER);
  });
});

describe('a lagging event loop', () => {
  let api: TestServer | undefined;
  afterAll(async () => api?.close());

  it('refuses new requests while the loop lags past OVERLOAD_EVENT_LOOP_MS, and admits them once it keeps up again', async () => {
    api = await startTestServer(db, () => NOW, { config: { ...db.config, OVERLOAD_EVENT_LOOP_MS: 50 } });
    expect((await api.gql(QUERY)).body).toEqual(ANSWER);
    // Blocks this process's event loop (the server's too) for 200 ms at a time, through more than two of its 1 s windows.
    const until = Date.now() + 2500;
    while (Date.now() < until) {
      const blocked = Date.now() + 200;
      while (Date.now() < blocked);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const refused = await api.gql(QUERY);
    expect(refused.status).toBe(503);
    expect(refused.body.errors![0]!.extensions).toEqual({ code: 'OVERLOADED', reason: 'event_loop', retryAfterSeconds: 1 });

    let again = refused;
    while (again.status === 503) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      again = await api.gql(QUERY);
    }
    expect(again.body).toEqual(ANSWER);
  });
});
