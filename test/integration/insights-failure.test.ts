import pino from 'pino';
import { createBehaviourClient } from '../../src/sources/behaviour/client';
import { createSocialClient } from '../../src/sources/social/client';
import { createCrmDatabase, testConfig } from '../helpers/database';
import { startTestServer, type TestServer } from '../helpers/server';
import { D, I, insightsDataset, NOW } from '../fixtures/insights';

/** Derived fields with the behaviour source and the social provider down: computed from the rest, and saying so. */
let db: Awaited<ReturnType<typeof createCrmDatabase>>;
let api: TestServer;
let close: () => Promise<void>;

beforeAll(async () => {
  db = await createCrmDatabase('insights_down', insightsDataset());
  // Nothing listens on port 9: both sources fail fast as unreachable.
  const config = testConfig({
    DATABASE_URL: db.url,
    MONGODB_URI: 'mongodb://127.0.0.1:9',
    MONGODB_TIMEOUT_MS: '300',
    SOCIAL_API_URL: 'http://127.0.0.1:9',
    SOCIAL_API_TOKEN: 'x',
  });
  const mongo = createBehaviourClient(config, 'mongodb://127.0.0.1:9');
  const social = createSocialClient(config, { url: 'http://127.0.0.1:9', token: 'x' }, pino({ level: 'silent' }));
  api = await startTestServer(db, () => NOW, { config, behaviourDb: mongo.db('behaviour'), social });
  close = () => mongo.close();
});
afterAll(async () => {
  await api?.close();
  await close?.();
  await db?.drop();
});

describe('derived fields with sources down', () => {
  it('compute lifecycle and churn from what is left, flag them partial and report the sources', async () => {
    const { status, body } = await api.gql(`{ customer(id: "${I.CHURNER}") {
      rfm { score } lifecycle { stage lastActivityAt partial missingSources } churnRisk { score level partial missingSources }
    } }`);
    expect(status).toBe(200);
    expect(body.data.customer).toEqual({
      rfm: { score: '232' },
      // Without the brand mentions (social), the last activity is the order of D(150): AT_RISK.
      lifecycle: { stage: 'AT_RISK', lastActivityAt: D(150).toISOString(), partial: true, missingSources: ['BEHAVIOUR', 'SOCIAL'] },
      // Without the sentiment factor: 0.835 − 0.06.
      churnRisk: { score: 0.775, level: 'HIGH', partial: true, missingSources: ['SOCIAL'] },
    });
    const errors = body.errors!.map((e) => ({ path: e.path!.join('.'), ...(e.extensions as object) }));
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'customer.lifecycle', code: 'SOURCE_UNAVAILABLE', source: 'behaviour', partial: true }),
        expect.objectContaining({ path: 'customer.lifecycle', code: 'SOURCE_UNAVAILABLE', source: 'social', partial: true }),
        expect.objectContaining({ path: 'customer.churnRisk', code: 'SOURCE_UNAVAILABLE', source: 'social', partial: true }),
      ]),
    );
    expect(errors).toHaveLength(3);
    expect(JSON.stringify(body.errors)).not.toMatch(/127\.0\.0\.1|stack/);
  });

  it('leave a value that cannot be computed without the source null, with the error', async () => {
    const { body } = await api.gql(
      `{ prospect: customer(id: "${I.P_RECENT}") { valueTier interests { category } } buyer: customer(id: "${I.WINDOW}") { valueTier } }`,
    );
    // A prospect's tier depends on its recent events; a buyer's does not.
    expect(body.data).toEqual({ prospect: { valueTier: null, interests: null }, buyer: { valueTier: 'REGULAR' } });
    expect(body.errors!.map((e) => [e.path!.join('.'), e.extensions!.code, e.extensions!.source]).sort()).toEqual([
      ['prospect.interests', 'SOURCE_UNAVAILABLE', 'behaviour'],
      ['prospect.valueTier', 'SOURCE_UNAVAILABLE', 'behaviour'],
    ]);
  });

  it('evaluate only the tags whose facts are complete', async () => {
    const { body } = await api.gql(`{ customer(id: "${I.CHURNER}") { tags(families: [RISK, VALUE]) { key } } }`);
    // The tickets are CRM facts; churn_risk_high and negative_voice need the social source, and a churn
    // score computed without it is not used to tag anyone.
    expect(body.data.customer.tags.map((t: { key: string }) => t.key)).toEqual(['service_issue']);
    expect(body.errors!.length).toBeGreaterThan(0);
    expect(body.errors!.every((e) => e.extensions!.code === 'SOURCE_UNAVAILABLE' && e.path!.join('.') === 'customer.tags')).toBe(true);
  });

  it('leave out the hints that would rest on a partial lifecycle or churn score', async () => {
    // With its D(20) event unseen, React 180 would look dormant (last order D(200)): no WIN_BACK.
    const { body } = await api.gql(
      `{ react: customer(id: "${I.REACT_180}") { serviceHints { code } } churner: customer(id: "${I.CHURNER}") { serviceHints { code } } }`,
    );
    expect(body.data).toEqual({
      react: { serviceHints: [] },
      // The tickets and consents are CRM facts; the retention offer would need the churn score's social factor.
      churner: { serviceHints: [{ code: 'OPEN_TICKETS' }, { code: 'BAD_RATING' }, { code: 'NO_MARKETING' }] },
    });
    expect(new Set(body.errors!.map((e) => `${e.path!.join('.')}:${e.extensions!.source}`))).toEqual(
      new Set([
        // React 180 has no social identity: its social facts need no call, so only behaviour is missing.
        'react.serviceHints:behaviour',
        'churner.serviceHints:behaviour',
        'churner.serviceHints:social',
      ]),
    );
    expect(body.errors![0]!.message).toMatch(/computed without it/);
  });
});
