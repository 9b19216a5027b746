import { loader } from '../batch';
import type { RoundTrips } from '../roundTrips';
import type { CachedAccount, SocialClient } from './client';
import { accountKey, MAX_ACCOUNTS_PER_CALL, type AccountRef, type SocialAccount } from './contract';
import { ProviderHttpError, socialSourceError } from './errors';
import { timed } from '../../observability/metrics';

/**
 * The provider is asked for a year of posts before the instant a field is computed for, from the
 * start of that UTC day so that cached answers line up.
 */
const POSTS_WINDOW_DAYS = 365;

export function postsSinceFor(now: Date): Date {
  const since = new Date(now.getTime() - POSTS_WINDOW_DAYS * 86_400_000);
  since.setUTCHours(0, 0, 0, 0);
  return since;
}

/** Cache (and loader) key of an account's posts from `since`. */
const cacheKey = (ref: AccountRef, since: Date) => `${accountKey(ref)}@${since.toISOString()}`;

/**
 * Drops every cached answer about these accounts, whatever the posts' start, from this process's
 * cache (erasure; other replicas' caches expire within SOCIAL_CACHE_TTL_MS).
 */
export function forgetAccounts(client: SocialClient, refs: AccountRef[]): void {
  const cache = client.cache;
  if (!cache || refs.length === 0) return;
  const prefixes = refs.map((ref) => `${accountKey(ref)}@`);
  for (const key of [...cache.keys()]) if (prefixes.some((p) => key.startsWith(p))) cache.delete(key);
}

/**
 * The social loader of one request, keyed by account (`platform:handle`, compared case-insensitively;
 * the provider is sent the spelling the CRM stores) and by the start of the posts wanted. Every
 * account asked for at a level goes out in one batchGet per distinct start (chunks of 100, in
 * parallel, when more), less those the process-wide cache still holds. An account the provider does
 * not know loads as null. A failed call fails only its own accounts, with a social SourceError; a
 * chunk refused as a bad request (400) is split in halves and retried, so one unusable handle costs
 * only its own customer. Every call counts in `roundTrips.social`.
 */
export function createSocialLoaders(opts: { client: SocialClient; roundTrips: RoundTrips; now: Date; batch?: boolean }) {
  type Key = { ref: AccountRef; since: Date };
  /** An account as this request has it: fetched now, or from the process's cache (fetched earlier). */
  type Got = CachedAccount & { cached: boolean };
  const keyOf = (k: Key) => cacheKey(k.ref, k.since);
  const found = new Map<string, Got | Error>();

  async function fetchChunk(chunk: AccountRef[], since: Date): Promise<void> {
    opts.roundTrips.social += 1;
    try {
      const answer = await timed('social', () => opts.client.batchGet(chunk, since));
      const byKey = new Map(answer.accounts.map((a) => [accountKey(a), a]));
      const fetchedAt = opts.now.getTime();
      for (const ref of chunk) {
        const account = byKey.get(accountKey(ref)) ?? null;
        found.set(keyOf({ ref, since }), { account, fetchedAt, cached: false });
        opts.client.cache?.set(keyOf({ ref, since }), { account, fetchedAt });
      }
    } catch (e) {
      if (e instanceof ProviderHttpError && e.status === 400 && chunk.length > 1) {
        const half = Math.ceil(chunk.length / 2);
        await Promise.all([fetchChunk(chunk.slice(0, half), since), fetchChunk(chunk.slice(half), since)]);
        return;
      }
      const error = socialSourceError(e);
      for (const ref of chunk) found.set(keyOf({ ref, since }), error);
    }
  }

  const account = loader<Key, Got, string>(
    'account',
    async (keys) => {
      const missing = new Map<number, AccountRef[]>();
      for (const key of keys) {
        const cached = opts.client.cache?.get(keyOf(key));
        if (cached) found.set(keyOf(key), { ...cached, cached: true });
        else missing.set(key.since.getTime(), [...(missing.get(key.since.getTime()) ?? []), key.ref]);
      }
      const calls: Promise<void>[] = [];
      for (const [since, refs] of missing) {
        for (let i = 0; i < refs.length; i += MAX_ACCOUNTS_PER_CALL)
          calls.push(fetchChunk(refs.slice(i, i + MAX_ACCOUNTS_PER_CALL), new Date(since)));
      }
      await Promise.all(calls);
      return keys.map((key) => found.get(keyOf(key))!);
    },
    { cacheKeyFn: keyOf, batch: opts.batch ?? true },
  );
  return {
    /**
     * The accounts behind these refs, in order, with the posts from `since` (postsSinceFor); throws the
     * source's error if any could not be fetched.
     */
    async accounts(refs: AccountRef[], since: Date): Promise<(SocialAccount | null)[]> {
      return (await this.fetched(refs, since)).accounts;
    },
    /**
     * The same, with how fresh they are: when the oldest was fetched (the request's clock; now when
     * nothing had to be fetched) and whether any came from the process's cache.
     */
    async fetched(refs: AccountRef[], since: Date): Promise<{ accounts: (SocialAccount | null)[]; fetchedAt: Date; cached: boolean }> {
      const values = await account.loadMany(refs.map((ref) => ({ ref, since })));
      const failed = values.find((v): v is Error => v instanceof Error);
      if (failed) throw failed;
      const got = values as Got[];
      return {
        accounts: got.map((g) => g.account),
        fetchedAt: new Date(Math.min(opts.now.getTime(), ...got.map((g) => g.fetchedAt))),
        cached: got.some((g) => g.cached),
      };
    },
  };
}

export type SocialLoaders = ReturnType<typeof createSocialLoaders>;
