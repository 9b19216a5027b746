import pino from 'pino';
import type { Config } from '../../src/config';
import { startSocialProvider, type RunningSocialProvider } from '@c360/social-provider';
import { createSocialClient, type SocialClient } from '../../src/sources/social/client';
import { createCrmDatabase, testConfig } from '../helpers/database';
import { startTestServer, type TestServer } from '../helpers/server';
import { fixtureDataset, LINA, NOW } from '../fixtures/crm';
import { fixtureEvents } from '../fixtures/events';
import { fixtureSocialAccounts, SOCIAL_TOKEN } from '../fixtures/social';

/**
 * The provider misbehaving in each way the contract allows. Every answer keeps its CRM and
 * behaviour fields; only `social` is null, with SOURCE_UNAVAILABLE, source "social" and a reason.
 */
let db: Awaited<ReturnType<typeof createCrmDatabase>>;
let provider: RunningSocialProvider;

beforeAll(async () => {
  db = await createCrmDatabase('social_failure', fixtureDataset(), fixtureEvents());
  provider = await startSocialProvider({ token: SOCIAL_TOKEN, accounts: fixtureSocialAccounts() });
});
afterAll(async () => {
  await provider?.close();
  await db?.drop();
});

const QUERY = `{ customer(id: "${LINA}") { profile { fullName } behaviour { sessions } social { engagement { posts } } } }`;
const HEALTHY = { profile: { fullName: '李娜' }, behaviour: { sessions: 3 }, social: { engagement: { posts: 3 } } };

interface Harness {
  api: TestServer;
  social: SocialClient;
  config: Config;
}

async function harness(env: Record<string, string>): Promise<Harness> {
  const config = testConfig({
    DATABASE_URL: db.url,
    MONGODB_URI: db.config.MONGODB_URI!,
    MONGODB_DB: db.config.MONGODB_DB,
    SOCIAL_API_URL: provider.url,
    SOCIAL_API_TOKEN: SOCIAL_TOKEN,
    SOCIAL_CACHE_TTL_MS: '0',
    SOCIAL_TIMEOUT_MS: '400',
    ...env,
  });
  const social = createSocialClient(config, { url: provider.url, token: SOCIAL_TOKEN }, pino({ level: 'silent' }));
  return { api: await startTestServer(db, () => NOW, { config, social }), social, config };
}

let h: Harness | undefined;
beforeEach(() => {
  provider.setMisbehaviour({});
  provider.resetStats();
});
afterEach(async () => {
  await h?.api.close();
  h = undefined;
});

async function expectSocialDown(reason: string) {
  const started = Date.now();
  const { status, body } = await h!.api.gql(QUERY);
  const elapsed = Date.now() - started;
  expect(status).toBe(200);
  expect(body.data).toEqual({ customer: { ...HEALTHY, social: null } });
  expect(body.errors).toHaveLength(1);
  expect(body.errors![0]).toMatchObject({
    path: ['customer', 'social'],
    extensions: { code: 'SOURCE_UNAVAILABLE', source: 'social', reason },
  });
  expect(JSON.stringify(body.errors)).not.toMatch(/127\.0\.0\.1|stack|Error:/);
  return elapsed;
}

describe('a misbehaving social provider', () => {
  it('answers from a retry after a 500', async () => {
    h = await harness({});
    provider.setMisbehaviour({ failNext: 1 });
    const { body } = await h.api.gql(QUERY);
    expect(body).toEqual({ data: { customer: HEALTHY } });
    expect(provider.stats().batchGets).toBe(2);
  });

  it('gives up after the retries of a provider that keeps failing, naming the status', async () => {
    h = await harness({ SOCIAL_RETRIES: '2' });
    provider.setMisbehaviour({ status: 503 });
    await expectSocialDown('http_503');
    expect(provider.stats().batchGets).toBe(3);
  });

  it('bounds a hanging provider by the timeout budget', async () => {
    h = await harness({ SOCIAL_TIMEOUT_MS: '300' });
    provider.setMisbehaviour({ hang: true });
    const elapsed = await expectSocialDown('timeout');
    // A guard against a missing or misplaced timeout (fetch would wait minutes), with room for a slow machine.
    expect(elapsed).toBeLessThan(300 + 700);
  });

  it('counts time queued behind the bulkhead in the budget', async () => {
    h = await harness({ SOCIAL_TIMEOUT_MS: '400', SOCIAL_MAX_CONCURRENCY: '1', SOCIAL_RETRIES: '0' });
    provider.setMisbehaviour({ latencyMs: 250 });
    // The second call waits 250 ms for the first, then needs 250 ms more: past its 400 ms budget.
    const answers = await Promise.all([h.api.gql(QUERY), h.api.gql(QUERY)]);
    const reasons = answers.map((a) => a.body.errors?.[0]?.extensions?.reason ?? 'ok').sort();
    expect(reasons).toEqual(['ok', 'timeout']);
    for (const a of answers) expect(a.body.data.customer.profile).toEqual(HEALTHY.profile);
  });

  it('waits out a Retry-After that fits the budget and fails fast on one beyond it', async () => {
    h = await harness({ SOCIAL_TIMEOUT_MS: '2500' });
    provider.setMisbehaviour({ rateLimit: { retryAfterSeconds: 1, calls: 1 } });
    const started = Date.now();
    expect((await h.api.gql(QUERY)).body).toEqual({ data: { customer: HEALTHY } });
    // The retry came after the second the provider asked for, not after the usual short backoff.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(provider.stats().batchGets).toBe(2);

    provider.resetStats();
    provider.setMisbehaviour({ rateLimit: { retryAfterSeconds: 60 } });
    await expectSocialDown('rate_limited');
    expect(provider.stats().batchGets).toBe(1);
  });

  it('treats malformed JSON and a contract-breaking answer as bad responses, without retrying them', async () => {
    h = await harness({});
    provider.setMisbehaviour({ malformed: true });
    await expectSocialDown('bad_response');
    provider.setMisbehaviour({ wrongShape: true });
    await expectSocialDown('bad_response');
    expect(provider.stats().batchGets).toBe(2);
  });

  it('opens the circuit after consecutive failures, then probes and closes it', async () => {
    // Half-open after 3 s: long enough that a loaded machine still finds the circuit open where the test expects it.
    h = await harness({ SOCIAL_RETRIES: '0', SOCIAL_BREAKER_FAILURES: '2', SOCIAL_BREAKER_HALF_OPEN_MS: '3000' });
    provider.setMisbehaviour({ status: 500 });
    await expectSocialDown('http_500');
    await expectSocialDown('http_500');
    expect(h.social.breakerState()).toBe('open');
    // Open: the provider is not called at all.
    await expectSocialDown('circuit_open');
    expect(provider.stats().batchGets).toBe(2);

    provider.setMisbehaviour({});
    await new Promise((resolve) => setTimeout(resolve, 3050));
    expect(h.social.breakerState()).toBe('half_open'); // the next call is the probe
    expect((await h.api.gql(QUERY)).body).toEqual({ data: { customer: HEALTHY } });
    expect(h.social.breakerState()).toBe('closed');
    expect(provider.stats().batchGets).toBe(3);
  });

  it('does not open the circuit for requests the provider refuses as bad (4xx)', async () => {
    h = await harness({ SOCIAL_RETRIES: '0', SOCIAL_BREAKER_FAILURES: '2' });
    provider.setMisbehaviour({ status: 400 });
    for (let i = 0; i < 3; i++) await expectSocialDown('http_400');
    expect(h.social.breakerState()).toBe('closed');
    expect(provider.stats().batchGets).toBe(3);
  });

  it('reports a wrong token as http_401', async () => {
    h = await harness({});
    const social = createSocialClient(h.config, { url: provider.url, token: 'wrong' }, pino({ level: 'silent' }));
    await h.api.close();
    h = { ...h, social, api: await startTestServer(db, () => NOW, { config: h.config, social }) };
    await expectSocialDown('http_401');
  });

  it('serves repeated lookups from the cache when it is on, and calls every time when it is off', async () => {
    h = await harness({ SOCIAL_CACHE_TTL_MS: '60000' });
    await h.api.gql(QUERY);
    await h.api.gql(QUERY);
    expect(provider.stats().batchGets).toBe(1);
    await h.api.close();
    provider.resetStats();
    h = await harness({ SOCIAL_CACHE_TTL_MS: '0' });
    await h.api.gql(QUERY);
    await h.api.gql(QUERY);
    expect(provider.stats().batchGets).toBe(2);
  });
});
