import { BULK, fixtureDataset, LINA, LINA_DUP, NOW, TOM } from '../fixtures/crm';
import { fixtureSocialAccounts } from '../fixtures/social';
import pino from 'pino';
import { createSocialClient } from '../../src/sources/social/client';
import { testConfig } from '../helpers/database';
import { SOCIAL_TOKEN, startTestServer } from '../helpers/server';
import { apiSuite } from '../helpers/suite';

// No cache (withSocialProvider's), so that every request's calls reach the provider and can be counted.
const suite = apiSuite('social', fixtureDataset(), { clock: () => NOW, social: fixtureSocialAccounts() });
beforeEach(() => suite.provider.resetStats());

const SOCIAL = `query S($id: ID!) { customer(id: $id) { social {
  accounts { platform handle displayName url followers following verified }
  unknownHandles
  engagement { posts brandMentions likes shares comments }
  year: engagement(days: 365) { posts brandMentions }
  sentiment { score label mentions }
  yearSentiment: sentiment(days: 365) { score label mentions }
  topics { topic posts }
  recentPosts(first: 2) { id platform handle postedAt text likes mentionsBrand sentiment topics }
} } }`;

describe('Customer.social', () => {
  it("summarises Lina's Weibo posts up to now", async () => {
    const { body, roundTrips } = await suite.api.gql(SOCIAL, { id: LINA });
    expect(body.errors).toBeUndefined();
    expect(body.data.customer.social).toEqual({
      accounts: [
        {
          platform: 'weibo',
          handle: 'Lina_88',
          displayName: '李娜 Lina',
          url: 'https://weibo.example/Lina_88',
          followers: 1520,
          following: 310,
          verified: false,
        },
      ],
      unknownHandles: [],
      // 90 days before NOW is 2026-03-17: l1, l2, l3 (l5 is after NOW, l4 too old).
      engagement: { posts: 3, brandMentions: 2, likes: 12 + 30 + 5, shares: 1 + 4, comments: 3 + 6 + 1 },
      year: { posts: 4, brandMentions: 3 },
      // Brand mentions l1 (-0.6) and l2 (0.8): mean 0.1, neutral; with l4 (-1): -0.8 / 3, negative.
      sentiment: { score: expect.closeTo(0.1, 10), label: 'NEUTRAL', mentions: 2 },
      yearSentiment: { score: expect.closeTo(-0.8 / 3, 10), label: 'NEGATIVE', mentions: 3 },
      topics: [
        { topic: 'skincare', posts: 2 },
        { topic: 'delivery', posts: 1 },
        { topic: 'travel', posts: 1 },
      ],
      recentPosts: [
        {
          id: 'l1',
          platform: 'weibo',
          handle: 'Lina_88',
          postedAt: '2026-06-10T08:00:00.000Z',
          text: '快递太慢了，面霜还没到',
          likes: 12,
          mentionsBrand: true,
          sentiment: -0.6,
          topics: ['delivery', 'skincare'],
        },
        {
          id: 'l2',
          platform: 'weibo',
          handle: 'Lina_88',
          postedAt: '2026-05-20T08:00:00.000Z',
          text: '这款面霜真的好用',
          likes: 30,
          mentionsBrand: true,
          sentiment: 0.8,
          topics: ['skincare'],
        },
      ],
    });
    // The customer, its identities, then one provider call.
    expect(roundTrips).toEqual({ crm: 2, behaviour: 0, social: 1 });
    expect(suite.provider.stats()).toEqual({ batchGets: 1, accountsRequested: 1 });
  });

  it('lists handles the provider does not know, with empty summaries', async () => {
    const { body } = await suite.api.gql(SOCIAL, { id: TOM });
    expect(body.errors).toBeUndefined();
    expect(body.data.customer.social).toEqual({
      accounts: [],
      unknownHandles: ['x:tombaker'],
      engagement: { posts: 0, brandMentions: 0, likes: 0, shares: 0, comments: 0 },
      year: { posts: 0, brandMentions: 0 },
      sentiment: { score: null, label: null, mentions: 0 },
      yearSentiment: { score: null, label: null, mentions: 0 },
      topics: [],
      recentPosts: [],
    });
  });

  it('never calls the provider for a customer without social identities', async () => {
    const { body, roundTrips } = await suite.api.gql(
      `{ customer(id: "${LINA_DUP}") { social { accounts { handle } sentiment { score } } } }`,
    );
    expect(body.data.customer.social).toEqual({ accounts: [], sentiment: { score: null } });
    expect(roundTrips.social).toBe(0);
    expect(suite.provider.stats().batchGets).toBe(0);
  });

  it('is never fetched when not asked for', async () => {
    const { roundTrips } = await suite.api.gql(
      `{ customers(first: 100) { edges { node { id identities { kind } behaviour { lastSeenAt } } } } }`,
    );
    expect(roundTrips.social).toBe(0);
    expect(suite.provider.stats().batchGets).toBe(0);
  });

  it('refuses a window the provider cannot answer', async () => {
    const { body } = await suite.api.gql(`{ customer(id: "${LINA}") { id social { engagement(days: 400) { posts } } } }`);
    expect(body.data.customer).toEqual({ id: LINA, social: null });
    expect(body.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  });
});

describe('social batching', () => {
  const PAGE = `query P($first: Int) { customers(first: $first, filter: { city: "Hangzhou" }) { edges { node {
    id social { accounts { handle followers } engagement { likes } sentiment { label } }
  } } } }`;

  it('asks the provider once per level, for a 100-customer page as for one', async () => {
    const one = await suite.api.gql(PAGE, { first: 1 });
    expect(one.roundTrips.social).toBe(1);
    suite.provider.resetStats();
    const hundred = await suite.api.gql(PAGE, { first: 100 });
    expect(hundred.body.errors).toBeUndefined();
    expect(hundred.roundTrips).toEqual({ crm: 2, behaviour: 0, social: 1 });
    expect(suite.provider.stats()).toEqual({ batchGets: 1, accountsRequested: 100 });
    const nodes = hundred.body.data.customers.edges.map((e: any) => e.node);
    expect(nodes.map((n: any) => n.id)).toEqual(BULK.slice(0, 100));
    // Bulk customer n: n × 10 followers, one post in the last 90 days with n likes, sentiment ((n % 3) − 1) / 2.
    nodes.forEach((node: any, i: number) => {
      const n = i + 1;
      expect(node.social).toEqual({
        accounts: [{ handle: `bulk_${n}`, followers: n * 10 }],
        engagement: { likes: n },
        sentiment: { label: ['NEGATIVE', 'NEUTRAL', 'POSITIVE'][n % 3] },
      });
    });
  });
});

describe('Social.meta and Behaviour.meta', () => {
  const META = `query M($id: ID!) { customer(id: $id) {
    social { meta { source asOf fetchedAt cached ageSeconds } }
    behaviour { meta { source asOf fetchedAt cached ageSeconds } }
    rfm { meta { source cached ageSeconds } }
    lifecycle { meta { source fetchedAt cached ageSeconds } }
  } }`;

  it('say where the answers come from, when they were fetched and whether from the cache', async () => {
    // A server with the social cache on and a clock the test moves.
    let now = NOW;
    const config = testConfig({
      DATABASE_URL: suite.db.url,
      MONGODB_URI: suite.db.config.MONGODB_URI!,
      MONGODB_DB: suite.db.config.MONGODB_DB,
      SOCIAL_API_URL: suite.provider.url,
      SOCIAL_API_TOKEN: SOCIAL_TOKEN,
      SOCIAL_CACHE_TTL_MS: '60000',
    });
    const cachedApi = await startTestServer(suite.db, () => now, {
      config,
      social: createSocialClient(config, { url: suite.provider.url, token: SOCIAL_TOKEN }, pino({ level: 'silent' })),
    });
    try {
      const first = await cachedApi.gql(META, { id: LINA });
      expect(first.body.data.customer.rfm).toEqual({ meta: [{ source: 'CRM', cached: false, ageSeconds: 0 }] });
      delete first.body.data.customer.rfm;
      delete first.body.data.customer.lifecycle;
      expect(first.body.data.customer).toEqual({
        social: { meta: { source: 'SOCIAL', asOf: NOW.toISOString(), fetchedAt: NOW.toISOString(), cached: false, ageSeconds: 0 } },
        behaviour: { meta: { source: 'BEHAVIOUR', asOf: NOW.toISOString(), fetchedAt: NOW.toISOString(), cached: false, ageSeconds: 0 } },
      });
      expect(first.roundTrips.social).toBe(1);
      now = new Date(NOW.getTime() + 240_000);
      const later = await cachedApi.gql(META, { id: LINA });
      expect(later.body.data.customer.social.meta).toEqual({
        source: 'SOCIAL',
        asOf: now.toISOString(),
        fetchedAt: NOW.toISOString(),
        cached: true,
        ageSeconds: 240,
      });
      expect(later.body.data.customer.behaviour.meta).toMatchObject({ fetchedAt: now.toISOString(), cached: false, ageSeconds: 0 });
      // A derived value says each source it rests on: the CRM and behaviour read now, social from the cache.
      expect(later.body.data.customer.lifecycle.meta).toEqual([
        { source: 'CRM', fetchedAt: now.toISOString(), cached: false, ageSeconds: 0 },
        { source: 'BEHAVIOUR', fetchedAt: now.toISOString(), cached: false, ageSeconds: 0 },
        { source: 'SOCIAL', fetchedAt: NOW.toISOString(), cached: true, ageSeconds: 240 },
      ]);
      expect(later.roundTrips.social).toBe(0);
    } finally {
      await cachedApi.close();
    }
  });
});
