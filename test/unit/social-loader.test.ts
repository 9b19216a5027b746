import { LRUCache } from 'lru-cache';
import type { CachedAccount, SocialClient } from '../../src/sources/social/client';
import type { AccountRef, SocialAccount } from '../../src/sources/social/contract';
import { ProviderHttpError } from '../../src/sources/social/errors';
import { createSocialLoaders, postsSinceFor } from '../../src/sources/social/loaders';
import { noRoundTrips } from '../../src/sources/roundTrips';

/** A year before 2026-06-15T12:00Z, from the start of that UTC day (postsSinceFor). */
const SINCE = new Date('2025-06-15T00:00:00.000Z');
const NOW = new Date('2026-06-15T12:00:00.000Z');
const ref = (handle: string): AccountRef => ({ platform: 'weibo', handle });
const account = (handle: string): SocialAccount => ({
  platform: 'weibo',
  handle,
  displayName: null,
  url: null,
  followers: 1,
  following: 1,
  verified: false,
  posts: [],
});

/** A fake provider client recording every batchGet; handles starting with "gone" are unknown, "bad" chunks fail. */
function fakeClient(cache?: SocialClient['cache']) {
  const calls: AccountRef[][] = [];
  const client: SocialClient = {
    cache,
    breakerState: () => 'closed',
    async batchGet(accounts, postsSince) {
      expect(postsSince).toEqual(SINCE);
      calls.push(accounts);
      if (accounts.some((a) => a.handle.startsWith('bad'))) throw new ProviderHttpError(502, null);
      return {
        // Upper-cased by the provider, in reverse: matched case-insensitively, order ignored.
        accounts: accounts
          .filter((a) => !a.handle.startsWith('gone'))
          .map((a) => account(a.handle.toUpperCase()))
          .reverse(),
        notFound: accounts.filter((a) => a.handle.startsWith('gone')),
      };
    },
  };
  return { client, calls };
}

describe('postsSinceFor', () => {
  it('is a year before, from the start of that UTC day', () => {
    expect(postsSinceFor(new Date('2026-06-15T12:00:00Z')).toISOString()).toBe('2025-06-15T00:00:00.000Z');
  });
});

describe('the social loader', () => {
  it('asks for 150 accounts in two calls of at most 100, once per distinct key', async () => {
    const { client, calls } = fakeClient();
    const roundTrips = noRoundTrips();
    const loaders = createSocialLoaders({ client, roundTrips, now: NOW });
    const refs = Array.from({ length: 150 }, (_, i) => ref(`u${i}`));
    // Overlapping requests, one spelled differently: still 150 distinct accounts.
    const [a, b] = await Promise.all([loaders.accounts(refs.slice(0, 80), SINCE), loaders.accounts([...refs.slice(60), ref('U0')], SINCE)]);
    expect(calls.map((c) => c.length)).toEqual([100, 50]);
    expect(roundTrips.social).toBe(2);
    expect(a.map((x) => x?.handle)).toEqual(refs.slice(0, 80).map((r) => r.handle.toUpperCase()));
    expect(b.map((x) => x?.handle)).toEqual([...refs.slice(60).map((r) => r.handle.toUpperCase()), 'U0']);
  });

  it('loads unknown accounts as null', async () => {
    const { client } = fakeClient();
    const loaders = createSocialLoaders({ client, roundTrips: noRoundTrips(), now: NOW });
    expect((await loaders.accounts([ref('gone'), ref('here')], SINCE)).map((x) => x?.handle ?? null)).toEqual([null, 'HERE']);
  });

  it('splits a chunk refused as a bad request, so only the unusable account fails', async () => {
    const calls: AccountRef[][] = [];
    const client: SocialClient = {
      cache: undefined,
      breakerState: () => 'closed',
      async batchGet(accounts) {
        calls.push(accounts);
        if (accounts.some((a) => a.handle === 'bad')) throw new ProviderHttpError(400, null);
        return { accounts: accounts.map((a) => account(a.handle)), notFound: [] };
      },
    };
    const roundTrips = noRoundTrips();
    const loaders = createSocialLoaders({ client, roundTrips, now: NOW });
    const [good, bad] = await Promise.allSettled([
      loaders.accounts([ref('a'), ref('b'), ref('c')], SINCE),
      loaders.accounts([ref('bad')], SINCE),
    ]);
    expect(good).toMatchObject({ status: 'fulfilled', value: [{ handle: 'a' }, { handle: 'b' }, { handle: 'c' }] });
    expect(bad).toMatchObject({ status: 'rejected', reason: { extensions: { reason: 'http_400' } } });
    // [a b c bad] → [a b] [c bad] → [c] [bad]
    expect(calls.map((c) => c.map((r) => r.handle).join(' '))).toEqual(['a b c bad', 'a b', 'c bad', 'c', 'bad']);
    expect(roundTrips.social).toBe(5);
  });

  it('fails the accounts of a failed call with a social SourceError naming the status', async () => {
    const { client } = fakeClient();
    const loaders = createSocialLoaders({ client, roundTrips: noRoundTrips(), now: NOW });
    await expect(loaders.accounts([ref('bad1')], SINCE)).rejects.toMatchObject({
      extensions: { code: 'SOURCE_UNAVAILABLE', source: 'social', reason: 'http_502' },
    });
  });

  it('serves cached accounts (found or not) without calling, across requests', async () => {
    const cache = new LRUCache<string, CachedAccount>({ max: 100, ttl: 60_000 });
    const { client, calls } = fakeClient(cache);
    const first = await createSocialLoaders({ client, roundTrips: noRoundTrips(), now: NOW }).fetched([ref('a'), ref('gone')], SINCE);
    expect([first.fetchedAt, first.cached]).toEqual([NOW, false]);
    const roundTrips = noRoundTrips();
    const later = new Date(NOW.getTime() + 240_000);
    const again = await createSocialLoaders({ client, roundTrips, now: later }).fetched([ref('gone'), ref('a'), ref('b')], SINCE);
    expect(again.accounts.map((x) => x?.handle ?? null)).toEqual([null, 'A', 'B']);
    // 'b' was fetched now, the others four minutes ago: the answer is as old as its oldest part.
    expect([again.fetchedAt, again.cached]).toEqual([NOW, true]);
    expect(calls).toEqual([
      [
        { platform: 'weibo', handle: 'a' },
        { platform: 'weibo', handle: 'gone' },
      ],
      [{ platform: 'weibo', handle: 'b' }],
    ]);
    expect(roundTrips.social).toBe(1);
  });
});
