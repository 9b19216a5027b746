import { startSocialProvider, type RunningSocialProvider, type SocialAccountData, type SocialPost } from '../src/provider';

const NOW = new Date('2026-06-15T12:00:00Z');
const TOKEN = 'provider-test-token';

const post = (id: string, postedAt: string, extra: Partial<SocialPost> = {}): SocialPost => ({
  id,
  postedAt,
  text: `post ${id}`,
  likes: 1,
  shares: 0,
  comments: 0,
  mentionsBrand: true,
  sentiment: 0.5,
  topics: ['skincare'],
  ...extra,
});

/** Lina's posts are stored out of order on purpose; l3 is older than 365 days before NOW. */
const ACCOUNTS: SocialAccountData[] = [
  {
    platform: 'weibo',
    handle: 'Lina_88',
    displayName: '李娜',
    url: 'https://weibo.com/Lina_88',
    followers: 1520,
    following: 310,
    verified: false,
    posts: [
      post('l2', '2026-01-20T08:00:00Z', { sentiment: -0.6, topics: ['delivery'] }),
      post('l1', '2026-06-10T08:00:00Z'),
      post('l3', '2025-05-01T08:00:00Z'),
    ],
  },
  {
    platform: 'x',
    handle: 'tom',
    displayName: 'Tom',
    url: 'https://x.com/tom',
    followers: 12,
    following: 40,
    verified: true,
    posts: [post('t1', '2026-06-01T00:00:00Z', { mentionsBrand: false, sentiment: 0, topics: [] })],
  },
  {
    platform: 'instagram',
    handle: 'emma.s',
    displayName: 'Emma',
    url: 'https://www.instagram.com/emma.s/',
    followers: 0,
    following: 0,
    verified: false,
    posts: [],
  },
];

const LINA = {
  platform: 'weibo',
  handle: 'Lina_88',
  displayName: '李娜',
  url: 'https://weibo.com/Lina_88',
  followers: 1520,
  following: 310,
  verified: false,
};

let provider: RunningSocialProvider;

beforeAll(async () => {
  provider = await startSocialProvider({ token: TOKEN, accounts: ACCOUNTS, now: () => NOW, seed: 7 });
});

afterAll(async () => {
  await provider.close();
});

beforeEach(() => {
  provider.setMisbehaviour({});
  provider.resetStats();
});

interface CallOptions {
  token?: string | null;
  signal?: AbortSignal;
  base?: string;
}

/** POST /v1/accounts:batchGet with `body` (serialised unless a string). */
function batchGet(body: unknown, { token = TOKEN, signal, base = provider.url }: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return fetch(`${base}/v1/accounts:batchGet`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal,
  });
}

const LINA_ONLY = { accounts: [{ platform: 'weibo', handle: 'lina_88' }] };

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(typeof body.error.message).toBe('string');
  return body.error;
}

describe('startSocialProvider: routes and authentication', () => {
  it('answers 404 with a JSON error to anything but POST /v1/accounts:batchGet', async () => {
    const get = await fetch(`${provider.url}/v1/accounts:batchGet`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(get.status).toBe(404);
    expect(get.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await errorOf(get)).code).toBe('not_found');
    const other = await fetch(`${provider.url}/v1/accounts`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: '{}' });
    expect(other.status).toBe(404);
    expect((await errorOf(other)).code).toBe('not_found');
    expect(provider.stats()).toEqual({ batchGets: 0, accountsRequested: 0 });
  });

  it('answers 401 without a token, with a wrong token and with another scheme', async () => {
    for (const res of [
      await batchGet(LINA_ONLY, { token: null }),
      await batchGet(LINA_ONLY, { token: 'wrong' }),
      await batchGet(LINA_ONLY, { token: `${TOKEN}x` }),
      await fetch(`${provider.url}/v1/accounts:batchGet`, {
        method: 'POST',
        headers: { authorization: `Basic ${TOKEN}` },
        body: JSON.stringify(LINA_ONLY),
      }),
    ]) {
      expect(res.status).toBe(401);
      expect((await errorOf(res)).code).toBe('unauthenticated');
    }
  });

  it('checks the token before any misbehaviour', async () => {
    provider.setMisbehaviour({ status: 503, hang: true });
    const res = await batchGet(LINA_ONLY, { token: 'wrong' });
    expect(res.status).toBe(401);
    await res.body?.cancel();
  });
});

describe('startSocialProvider: request validation', () => {
  it.each([
    ['101 accounts', JSON.stringify({ accounts: Array.from({ length: 101 }, (_, i) => ({ platform: 'x', handle: `u${i}` })) })],
    ['invalid JSON', '{"accounts": ['],
    ['no accounts', JSON.stringify({ postsSince: '2026-01-01T00:00:00Z' })],
    ['accounts not a list', JSON.stringify({ accounts: { platform: 'x', handle: 'tom' } })],
    ['an account without a handle', JSON.stringify({ accounts: [{ platform: 'x' }] })],
    ['a postsSince that is not a date-time', JSON.stringify({ ...LINA_ONLY, postsSince: 'last week' })],
    ['a postsSince without a time zone', JSON.stringify({ ...LINA_ONLY, postsSince: '2026-01-01T00:00:00' })],
  ])('answers 400 for %s', async (_, body) => {
    const res = await batchGet(body);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('bad_request');
  });

  it('accepts exactly 100 accounts', async () => {
    const res = await batchGet({ accounts: Array.from({ length: 100 }, (_, i) => ({ platform: 'x', handle: `u${i}` })) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { notFound: unknown[] }).notFound).toHaveLength(100);
  });

  it('answers 413 to a body over 1 MB', async () => {
    const res = await batchGet({ ...LINA_ONLY, padding: 'x'.repeat(1024 * 1024) });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe('payload_too_large');
  });
});

describe('startSocialProvider: batchGet answers', () => {
  it('finds accounts case-insensitively and answers with the stored spelling', async () => {
    const res = await batchGet({ accounts: [{ platform: 'WEIBO', handle: 'LINA_88' }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      accounts: [
        {
          ...LINA,
          posts: [post('l1', '2026-06-10T08:00:00Z'), post('l2', '2026-01-20T08:00:00Z', { sentiment: -0.6, topics: ['delivery'] })],
        },
      ],
      notFound: [],
    });
  });

  it('echoes unknown accounts in notFound as asked, once each, and answers the known ones in its own order', async () => {
    const res = await batchGet({
      accounts: [
        { platform: 'x', handle: 'TOM' },
        { platform: 'X', handle: 'Gone_User' },
        { platform: 'weibo', handle: 'lina_88' },
        { platform: 'instagram', handle: 'emma.s' },
        { platform: 'x', handle: 'gone_user' },
        { platform: 'Weibo', handle: 'Lina_88' },
      ],
    });
    const body = (await res.json()) as { accounts: SocialAccountData[]; notFound: unknown[] };
    expect(body.accounts.map((a) => `${a.platform}:${a.handle}`)).toEqual(['instagram:emma.s', 'weibo:Lina_88', 'x:tom']);
    expect(body.notFound).toEqual([{ platform: 'X', handle: 'Gone_User' }]);
    expect(provider.stats()).toEqual({ batchGets: 1, accountsRequested: 6 });
  });

  it('answers an empty request with empty lists', async () => {
    const res = await batchGet({ accounts: [] });
    expect(await res.json()).toEqual({ accounts: [], notFound: [] });
  });

  it('keeps posts since postsSince (inclusive), newest first; by default those of the last 365 days', async () => {
    const postsOf = async (body: unknown) =>
      ((await (await batchGet(body)).json()) as { accounts: SocialAccountData[] }).accounts[0]?.posts.map((p) => p.id);
    expect(await postsOf(LINA_ONLY)).toEqual(['l1', 'l2']);
    expect(await postsOf({ ...LINA_ONLY, postsSince: '2020-01-01T00:00:00Z' })).toEqual(['l1', 'l2', 'l3']);
    expect(await postsOf({ ...LINA_ONLY, postsSince: '2026-01-20T08:00:00Z' })).toEqual(['l1', 'l2']);
    expect(await postsOf({ ...LINA_ONLY, postsSince: '2026-01-20T16:00:01+08:00' })).toEqual(['l1']);
    expect(await postsOf({ ...LINA_ONLY, postsSince: '2026-06-11T00:00:00.000Z' })).toEqual([]);
  });
});

describe('startSocialProvider: misbehaviour', () => {
  it('latencyMs: answers normally, and not before a client gives up on a long delay', async () => {
    provider.setMisbehaviour({ latencyMs: 20 });
    const res = await batchGet(LINA_ONLY);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { accounts: unknown[] }).accounts).toHaveLength(1);
    provider.setMisbehaviour({ latencyMs: 60_000 });
    await expect(batchGet(LINA_ONLY, { signal: AbortSignal.timeout(150) })).rejects.toThrow(/aborted/i);
  });

  it('hang: never answers', async () => {
    provider.setMisbehaviour({ hang: true });
    await expect(batchGet(LINA_ONLY, { signal: AbortSignal.timeout(150) })).rejects.toThrow(/aborted/i);
    expect(provider.stats()).toEqual({ batchGets: 1, accountsRequested: 1 });
    provider.setMisbehaviour({});
    expect((await batchGet(LINA_ONLY)).status).toBe(200);
  });

  it('close() ends hanging requests', async () => {
    const own = await startSocialProvider({ token: TOKEN, accounts: ACCOUNTS, misbehave: { hang: true } });
    const pending = batchGet(LINA_ONLY, { base: own.url });
    const outcome = pending.then(
      () => 'answered',
      () => 'failed',
    );
    while (own.stats().batchGets === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await own.close();
    expect(await outcome).toBe('failed');
  });

  it('status: every call answers that status with a JSON error', async () => {
    provider.setMisbehaviour({ status: 503 });
    for (let n = 0; n < 3; n++) {
      const res = await batchGet(LINA_ONLY);
      expect(res.status).toBe(503);
      expect((await errorOf(res)).code).toBe('unavailable');
    }
  });

  it('failNext: the next N calls answer 500, then it recovers', async () => {
    provider.setMisbehaviour({ failNext: 2 });
    const statuses = [];
    for (let n = 0; n < 4; n++) {
      const res = await batchGet(LINA_ONLY);
      statuses.push(res.status);
      await res.body?.cancel();
    }
    expect(statuses).toEqual([500, 500, 200, 200]);
    expect(provider.stats()).toEqual({ batchGets: 4, accountsRequested: 4 });
  });

  it('errorRate: fails that share of calls in a sequence fixed by the seed', async () => {
    const run = async (p: RunningSocialProvider) => {
      const statuses: number[] = [];
      for (let n = 0; n < 30; n++) {
        const res = await batchGet(LINA_ONLY, { base: p.url });
        statuses.push(res.status);
        await res.body?.cancel();
      }
      return statuses;
    };
    provider.setMisbehaviour({ errorRate: 0.5 });
    const first = await run(provider);
    expect(new Set(first)).toEqual(new Set([200, 500]));
    provider.setMisbehaviour({ errorRate: 0.5 });
    expect(await run(provider)).toEqual(first);
    const twin = await startSocialProvider({ token: TOKEN, accounts: ACCOUNTS, seed: 7, misbehave: { errorRate: 0.5 } });
    try {
      expect(await run(twin)).toEqual(first);
    } finally {
      await twin.close();
    }
    provider.setMisbehaviour({ errorRate: 1 });
    expect(new Set(await run(provider))).toEqual(new Set([500]));
  });

  it('rateLimit: 429 with Retry-After for the next `calls` calls, or always', async () => {
    provider.setMisbehaviour({ rateLimit: { retryAfterSeconds: 7, calls: 2 } });
    for (let n = 0; n < 2; n++) {
      const res = await batchGet(LINA_ONLY);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
      expect((await errorOf(res)).code).toBe('rate_limited');
    }
    expect((await batchGet(LINA_ONLY)).status).toBe(200);

    provider.setMisbehaviour({ rateLimit: { retryAfterSeconds: 0 } });
    for (let n = 0; n < 3; n++) {
      const res = await batchGet(LINA_ONLY);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('0');
      await res.body?.cancel();
    }
  });

  it('malformed: 200 with a body that is not JSON', async () => {
    provider.setMisbehaviour({ malformed: true });
    const res = await batchGet(LINA_ONLY);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it('wrongShape: 200 with JSON that breaks the contract', async () => {
    provider.setMisbehaviour({ wrongShape: true });
    const res = await batchGet(LINA_ONLY);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accounts: unknown; notFound: unknown };
    expect(Array.isArray(body.accounts)).toBe(false);
    expect(Array.isArray(body.notFound)).toBe(false);
  });

  it('refuses an invalid misbehaviour and keeps the current one', async () => {
    provider.setMisbehaviour({ status: 502 });
    expect(() => provider.setMisbehaviour({ errorRate: 2 })).toThrow(/errorRate/);
    expect(() => provider.setMisbehaviour({ status: 200 })).toThrow(/status/);
    const res = await batchGet(LINA_ONLY);
    expect(res.status).toBe(502);
    await res.body?.cancel();
  });
});

describe('startSocialProvider: stats and start-up', () => {
  it('counts batchGet calls (failed ones too) and the accounts asked for, until reset', async () => {
    await (
      await batchGet({
        accounts: [
          { platform: 'x', handle: 'tom' },
          { platform: 'x', handle: 'nobody' },
        ],
      })
    ).body?.cancel();
    await (await batchGet(LINA_ONLY, { token: null })).body?.cancel();
    await (await batchGet('not json')).body?.cancel();
    provider.setMisbehaviour({ failNext: 1 });
    await (await batchGet(LINA_ONLY)).body?.cancel();
    expect(provider.stats()).toEqual({ batchGets: 4, accountsRequested: 3 });
    provider.resetStats();
    expect(provider.stats()).toEqual({ batchGets: 0, accountsRequested: 0 });
  });

  it('refuses accounts that collide case-insensitively and invalid accounts', async () => {
    const lina = ACCOUNTS[0]!;
    await expect(startSocialProvider({ token: TOKEN, accounts: [lina, { ...lina, handle: 'LINA_88' }] })).rejects.toThrow(
      /weibo:lina_88 appears twice/,
    );
    await expect(startSocialProvider({ token: TOKEN, accounts: [{ ...lina, followers: -1 }] })).rejects.toThrow(/followers/);
  });

  it('rejects when the port is taken', async () => {
    await expect(startSocialProvider({ token: TOKEN, accounts: [], port: provider.port })).rejects.toThrow(/EADDRINUSE/);
  });
});
