import DataLoader from 'dataloader';
import type { RoundTrips } from '../roundTrips';
import type { SocialClient } from './client';
import { accountKey, MAX_ACCOUNTS_PER_CALL, type AccountRef, type SocialAccount } from './contract';
import { ProviderHttpError, socialSourceError } from './errors';

/** The provider is asked for a year of posts, from the start of that UTC day so cached answers line up. */
const POSTS_WINDOW_DAYS = 365;

export function postsSinceFor(now: Date): Date {
  const since = new Date(now.getTime() - POSTS_WINDOW_DAYS * 86_400_000);
  since.setUTCHours(0, 0, 0, 0);
  return since;
}

/**
 * The social loader of one request, keyed by account (`platform:handle`, compared case-insensitively;
 * the provider is sent the spelling the CRM stores). Every account asked for at a level goes out in
 * one batchGet (chunks of 100, in parallel, when more), less those the process-wide cache still holds.
 * An account the provider does not know loads as null. A failed call fails only its own accounts,
 * with a social SourceError; a chunk refused as a bad request (400) is split in halves and retried,
 * so one unusable handle costs only its own customer. Every call counts in `roundTrips.social`.
 */
export function createSocialLoaders(opts: { client: SocialClient; roundTrips: RoundTrips; now: Date }) {
  const postsSince = postsSinceFor(opts.now);
  const cacheKey = (ref: AccountRef) => `${accountKey(ref)}@${postsSince.toISOString()}`;
  const found = new Map<string, SocialAccount | null | Error>();

  async function fetchChunk(chunk: AccountRef[]): Promise<void> {
    opts.roundTrips.social += 1;
    try {
      const answer = await opts.client.batchGet(chunk, postsSince);
      const byKey = new Map(answer.accounts.map((a) => [accountKey(a), a]));
      for (const ref of chunk) {
        const value = byKey.get(accountKey(ref)) ?? null;
        found.set(accountKey(ref), value);
        opts.client.cache?.set(cacheKey(ref), { account: value });
      }
    } catch (e) {
      if (e instanceof ProviderHttpError && e.status === 400 && chunk.length > 1) {
        const half = Math.ceil(chunk.length / 2);
        await Promise.all([fetchChunk(chunk.slice(0, half)), fetchChunk(chunk.slice(half))]);
        return;
      }
      const error = socialSourceError(e);
      for (const ref of chunk) found.set(accountKey(ref), error);
    }
  }

  const account = new DataLoader<AccountRef, SocialAccount | null, string>(
    async (refs) => {
      const missing: AccountRef[] = [];
      for (const ref of refs) {
        const cached = opts.client.cache?.get(cacheKey(ref));
        if (cached) found.set(accountKey(ref), cached.account);
        else missing.push(ref);
      }
      const chunks: AccountRef[][] = [];
      for (let i = 0; i < missing.length; i += MAX_ACCOUNTS_PER_CALL) chunks.push(missing.slice(i, i + MAX_ACCOUNTS_PER_CALL));
      await Promise.all(chunks.map(fetchChunk));
      return refs.map((ref) => found.get(accountKey(ref))!);
    },
    { cacheKeyFn: accountKey },
  );
  return {
    /** The accounts behind these refs, in order; throws the source's error if any could not be fetched. */
    async accounts(refs: AccountRef[]): Promise<(SocialAccount | null)[]> {
      const values = await account.loadMany(refs);
      const failed = values.find((v): v is Error => v instanceof Error);
      if (failed) throw failed;
      return values as (SocialAccount | null)[];
    },
  };
}

export type SocialLoaders = ReturnType<typeof createSocialLoaders>;
