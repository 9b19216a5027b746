import { LRUCache } from 'lru-cache';
import type { SocialClient } from '../../src/sources/social/client';
import type { AccountRef, SocialAccount } from '../../src/sources/social/contract';
import { ProviderHttpError } from '../../src/sources/social/errors';
import { createSocialLoaders, postsSinceFor } from '../../src/sources/social/loaders';
import { noRoundTrips } from '../../src/sources/roundTrips';

const NOW = new Date('2026-06-15T12:00:00Z');
const account = (handle: string): SocialAccount => ({
  platform: 'weibo', handle, displayName: null, url: null, followers: 1, following: 1, verified: false, posts: [],
});

/** A fake provider client recording every batchGet; handles starting with "gone" are unknown, "bad" chunks fail. */
function fakeClient(cache?: SocialClient['cache']) {
  const calls: AccountRef[][] = [];
  const client: SocialClient = {
    cache,
    breakerState: () => 'closed',
    async batchGet(accounts, postsSince) {
      expect(postsSince).toEqual(postsSinceFor(NOW));
      calls.push(accounts);
      if (accounts.some((a) => a.handle.startsWith('bad'))) throw new ProviderHttpError(502, null);
      return {
        // Upper-cased by the provider, in reverse: matched case-insensitively, order ignored.
        accounts: accounts.filter((a) => !a.handle.startsWith('gone')).map((a) => account(a.handle.toUpperCase())).reverse(),
        notFound: accounts.filter((a) => a.handle.startsWith('gone')),
      };
    },
  };
  return { client, calls };
}

describe('the social loader', () => {
  it('asks for 150 accounts in two calls of at most 100, once per distinct key', async () => {
    const { client, calls } = fakeClient();
    const roundTrips = noRoundTrips();
    const loaders = createSocialLoaders({ client, roundTrips, now: NOW });
    const keys = Array.from({ length: 150 }, (_, i) => `weibo:u${i}`);
    const [a, b] = await Promise.all([loaders.accounts(keys.slice(0, 80)), loaders.accounts([...keys.slice(60), 'weibo:u0'])]);
    expect(calls.map((c) => c.length)).toEqual([100, 50]);
    expect(roundTrips.social).toBe(2);
    expect(a.map((x) => x?.handle)).toEqual(keys.slice(0, 80).map((k) => k.slice(6).toUpperCase()));
    expect(b).toHaveLength(91);
  });

  it('loads unknown accounts as null', async () => {
    const { client } = fakeClient();
    const loaders = createSocialLoaders({ client, roundTrips: noRoundTrips(), now: NOW });
    expect((await loaders.accounts(['weibo:gone', 'weibo:here'])).map((x) => x?.handle ?? null)).toEqual([null, 'HERE']);
  });

  it('fails the accounts of a failed call with a social SourceError naming the status', async () => {
    const { client } = fakeClient();
    const loaders = createSocialLoaders({ client, roundTrips: noRoundTrips(), now: NOW });
    await expect(loaders.accounts(['weibo:bad1'])).rejects.toMatchObject({ extensions: { code: 'SOURCE_UNAVAILABLE', source: 'social', reason: 'http_502' } });
  });

  it('serves cached accounts (found or not) without calling, across requests', async () => {
    const cache = new LRUCache<string, { account: SocialAccount | null }>({ max: 100, ttl: 60_000 });
    const { client, calls } = fakeClient(cache);
    await createSocialLoaders({ client, roundTrips: noRoundTrips(), now: NOW }).accounts(['weibo:a', 'weibo:gone']);
    const roundTrips = noRoundTrips();
    const again = await createSocialLoaders({ client, roundTrips, now: NOW }).accounts(['weibo:gone', 'weibo:a', 'weibo:b']);
    expect(again.map((x) => x?.handle ?? null)).toEqual([null, 'A', 'B']);
    expect(calls).toEqual([[{ platform: 'weibo', handle: 'a' }, { platform: 'weibo', handle: 'gone' }], [{ platform: 'weibo', handle: 'b' }]]);
    expect(roundTrips.social).toBe(1);
  });
});
