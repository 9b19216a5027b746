import v8 from 'node:v8';
import vm from 'node:vm';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createBehaviourClient } from '../../src/sources/behaviour/client';
import { createCrmPool } from '../../src/sources/crm/pool';
import { fixtureDataset, LINA, NOW } from '../fixtures/crm';
import { fixtureEvents } from '../fixtures/events';
import { testConfig } from '../helpers/database';
import { startTestServer, type TestServer } from '../helpers/server';
import { apiSuite } from '../helpers/suite';

// 500 requests of one admin below: past the default rate.
const suite = apiSuite('observability', fixtureDataset(), {
  events: fixtureEvents(),
  clock: () => NOW,
  env: { RATE_LIMIT_PER_MINUTE: '100000' },
});

const get = async (server: TestServer, route: string, headers: Record<string, string> = {}) => {
  const res = await fetch(server.url.replace('/graphql', route), { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
};

/** The value of one sample line of the exposition, e.g. `c360_x_total{source="crm"}`. */
const sample = (text: string, line: string) => {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
};

describe('GET /metrics', () => {
  it('counts requests by operation, errors by code, round trips, source latency, batch sizes and the breaker', async () => {
    const probe = `query Probe { customers(first: 5, filter: { city: "Hangzhou" }) { edges { node { id purchaseSummary { completedOrders } behaviour { lastSeenAt } } } } }`;
    const first = await suite.api.gql(probe);
    await suite.api.gql(probe);
    await suite.api.gql(`query Broken { customers(first: 500) { totalCount } }`);
    expect(first.roundTrips).toEqual({ crm: 3, behaviour: 1, social: 0 });

    const { status, type, text } = await get(suite.api, '/metrics');
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain/);
    // Neither is safelisted: their names are the client's own, counted as `other`.
    expect(sample(text, 'c360_graphql_request_duration_seconds_count{operation="other"}')).toBe(3);
    expect(text).not.toMatch(/Probe|Broken/);
    expect(sample(text, 'c360_graphql_errors_total{code="BAD_USER_INPUT"}')).toBe(1);
    // Two probes of 3 statements each (the page, purchase summaries, identities for the behaviour).
    expect(sample(text, 'c360_source_round_trips_total{source="crm"}')).toBeGreaterThanOrEqual(2 * 3);
    expect(sample(text, 'c360_source_round_trips_total{source="behaviour"}')).toBe(2);
    expect(sample(text, 'c360_source_latency_seconds_count{source="behaviour"}')).toBe(2);
    expect(sample(text, 'c360_source_latency_seconds_count{source="crm"}')).toBeGreaterThanOrEqual(6);
    // One batch of the five customers' summaries per probe.
    expect(sample(text, 'c360_dataloader_batch_size_count{loader="purchaseSummary"}')).toBe(2);
    expect(sample(text, 'c360_dataloader_batch_size_sum{loader="purchaseSummary"}')).toBe(10);
    expect(sample(text, 'c360_circuit_breaker_state{source="social"}')).toBe(0);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
    expect(text).not.toMatch(/lina|example\.com/i);
  });
});

describe('GET /metrics: the soak series', () => {
  it('reports the heap after the last GC, the requests in flight and the CRM pool', async () => {
    await suite.api.gql(`{ customers(first: 5) { edges { node { id } } } }`);
    // The gauge follows full (mark-compact) collections, which a serving process has often; one here.
    v8.setFlagsFromString('--expose-gc');
    (vm.runInNewContext('gc') as () => void)();
    await new Promise((resolve) => setTimeout(resolve, 50)); // GC entries reach their observer asynchronously
    const { text } = await get(suite.api, '/metrics');
    expect(sample(text, 'c360_heap_used_after_gc_bytes')).toBeGreaterThan(1_000_000);
    // The scrape itself is in flight while it is answered.
    expect(sample(text, 'c360_http_requests_in_flight')).toBe(1);
    expect(sample(text, 'c360_crm_pool_connections{state="in_use"}')).toBe(0);
    expect(sample(text, 'c360_crm_pool_connections{state="idle"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'c360_crm_pool_connections{state="waiting"}')).toBe(0);
  });
});

/** The c360_ sample lines of the exposition (one per series and bucket). */
const series = (text: string) => text.split('\n').filter((l) => l.startsWith('c360_'));

describe("operation names (the client's free text) in /metrics and the audit log", () => {
  const PARTNER_CUSTOMER = readFileSync(path.resolve(__dirname, '../../operations/PartnerCustomer.graphql'), 'utf8');

  /** The operation column of the audit rows the request wrote (found by the server's request id). */
  const audited = async (query: string) => {
    const res = await suite.api.post(JSON.stringify({ query, variables: { id: LINA } }));
    expect(res.status).toBe(200);
    const { rows } = await suite.db.pool.query(`SELECT operation FROM c360.audit_log WHERE request_id = $1`, [
      res.headers.get('x-request-id'),
    ]);
    return rows.map((r) => r.operation);
  };

  it('adds no series for 500 distinct names, and none of them appears', async () => {
    await suite.api.gql('query warm_up { __typename }');
    const before = series((await get(suite.api, '/metrics')).text);
    const names = Array.from({ length: 500 }, () => `op_${randomBytes(8).toString('hex')}`);
    for (let i = 0; i < names.length; i += 50)
      await Promise.all(names.slice(i, i + 50).map((n) => suite.api.gql(`query ${n} { __typename }`)));
    const { text } = await get(suite.api, '/metrics');
    expect(series(text)).toHaveLength(before.length);
    expect(series(text).join('\n').length).toBeLessThan(before.join('\n').length + 200);
    for (const n of names) expect(text).not.toContain(n);
  });

  it('keeps a personal-looking name out of the audit log and /metrics, and a safelisted name in both', async () => {
    const personal = 'lookup_siqizheng1986_at_163_com';
    expect(await audited(`query ${personal}($id: ID!) { customer(id: $id) { contact { email } } }`)).toEqual(['other']);
    expect(await audited(PARTNER_CUSTOMER)).toEqual(['PartnerCustomer']);
    const { rows } = await suite.db.pool.query(`SELECT count(*)::int AS n FROM c360.audit_log WHERE operation ILIKE '%siqizheng%'`);
    expect(rows[0].n).toBe(0);
    const { text } = await get(suite.api, '/metrics');
    expect(text).not.toContain('siqizheng');
    expect(sample(text, 'c360_graphql_request_duration_seconds_count{operation="PartnerCustomer"}')).toBe(1);
  });
});

describe('GET /metrics access', () => {
  const TOKEN = 'metrics-token-0123456789abcdef';
  const serverWith = (env: Record<string, string>) =>
    startTestServer(suite.db, () => NOW, {
      config: testConfig({
        DATABASE_URL: suite.db.url,
        MONGODB_URI: suite.db.config.MONGODB_URI!,
        MONGODB_DB: suite.db.config.MONGODB_DB,
        ...env,
      }),
    });

  it('with METRICS_TOKEN, answers only its bearer: 401 without it or with another', async () => {
    const guarded = await serverWith({ METRICS_TOKEN: TOKEN });
    try {
      const none = await get(guarded, '/metrics');
      expect(none.status).toBe(401);
      expect(none.text).not.toContain('c360_');
      expect((await get(guarded, '/metrics', { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
      expect((await get(guarded, '/metrics', { authorization: TOKEN })).status).toBe(401);
      const granted = await get(guarded, '/metrics', { authorization: `Bearer ${TOKEN}` });
      expect(granted.status).toBe(200);
      expect(granted.text).toMatch(/^c360_graphql_request_duration_seconds_count/m);
      // The probes stay open.
      expect((await get(guarded, '/healthz')).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('is off in production without METRICS_TOKEN, on with it', async () => {
    const off = await serverWith({ NODE_ENV: 'production' });
    const on = await serverWith({ NODE_ENV: 'production', METRICS_TOKEN: TOKEN });
    try {
      const refused = await get(off, '/metrics', { authorization: `Bearer ${TOKEN}` });
      expect(refused.status).toBe(404);
      expect(refused.text).not.toContain('c360_');
      expect((await get(on, '/metrics')).status).toBe(401);
      expect((await get(on, '/metrics', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    } finally {
      await off.close();
      await on.close();
    }
  });
});

describe('GET /readyz', () => {
  it('is ready when every source answers', async () => {
    const { status, text } = await get(suite.api, '/readyz');
    expect(status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({
      status: 'ready',
      sources: { crm: { status: 'up' }, behaviour: { status: 'up' }, social: { status: 'up' } },
    });
  });

  it('is degraded, still 200, when the behaviour store is down, and 503 when the CRM is', async () => {
    const config = testConfig({
      DATABASE_URL: 'postgres://u:p@127.0.0.1:9/x',
      MONGODB_URI: 'mongodb://127.0.0.1:9',
      MONGODB_TIMEOUT_MS: '300',
      DB_CONNECT_TIMEOUT_MS: '300',
    });
    const deadMongo = createBehaviourClient(config, 'mongodb://127.0.0.1:9');
    const deadCrm = createCrmPool(config, 'postgres://u:p@127.0.0.1:9/x');
    const behaviourDown = await startTestServer(suite.db, () => NOW, {
      config: { ...suite.db.config, MONGODB_TIMEOUT_MS: 300 },
      behaviourDb: deadMongo.db('behaviour'),
    });
    const crmDown = await startTestServer(suite.db, () => NOW, { config, crmPool: deadCrm, behaviourDb: deadMongo.db('behaviour') });
    try {
      const degraded = await get(behaviourDown, '/readyz');
      expect(degraded.status).toBe(200);
      expect(JSON.parse(degraded.text)).toMatchObject({
        status: 'degraded',
        sources: { crm: { status: 'up' }, behaviour: { status: 'down' } },
      });
      // The API still answers what it can.
      expect((await behaviourDown.gql(`{ customer(id: "${LINA}") { id } }`)).body.data.customer.id).toBe(LINA);

      const down = await get(crmDown, '/readyz');
      expect(down.status).toBe(503);
      expect(JSON.parse(down.text)).toMatchObject({ status: 'unavailable', sources: { crm: { status: 'down' } } });
    } finally {
      await behaviourDown.close();
      await crmDown.close();
      await deadMongo.close();
      await deadCrm.end();
    }
  });
});
