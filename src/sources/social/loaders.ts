import DataLoader from 'dataloader';
import type { RoundTrips } from '../roundTrips';
import type { SocialClient } from './client';
import { accountKey, MAX_ACCOUNTS_PER_CALL, parseAccountKey, type SocialAccount } from './contract';
import { socialSourceError } from './errors';

/** The provider is asked for a year of posts, from the start of that UTC day so cached answers line up. */
const POSTS_WINDOW_DAYS = 365;

export function postsSinceFor(now: Date): Date {
  const since = new Date(now.getTime() - POSTS_WINDOW_DAYS * 86_400_000);
  since.setUTCHours(0, 0, 0, 0);
  return since;
}

/**
 * The social loader of one request, keyed by `platform:handle` (lower-case): every account asked for
 * at a level goes out in one batchGet (chunks of 100, in parallel, when more), less those the
 * process-wide cache still holds. An account the provider does not know loads as null. A failed chunk
 * fails only its own accounts, with a social SourceError. Counted in `roundTrips.social`.
 */
export function createSocialLoaders(opts: { client: SocialClient; roundTrips: RoundTrips; now: Date }) {
  const postsSince = postsSinceFor(opts.now);
  const cacheKey = (key: string) => `${key}@${postsSince.toISOString()}`;
  const account = new DataLoader<string, SocialAccount | null>(async (keys) => {
    const found = new Map<string, SocialAccount | null | Error>();
    const missing: string[] = [];
    for (const key of new Set(keys)) {
      const cached = opts.client.cache?.get(cacheKey(key));
      if (cached) found.set(key, cached.account);
      else missing.push(key);
    }
    const chunks: string[][] = [];
    for (let i = 0; i < missing.length; i += MAX_ACCOUNTS_PER_CALL) chunks.push(missing.slice(i, i + MAX_ACCOUNTS_PER_CALL));
    await Promise.all(
      chunks.map(async (chunk) => {
        opts.roundTrips.social += 1;
        try {
          const answer = await opts.client.batchGet(chunk.map(parseAccountKey), postsSince);
          const byKey = new Map(answer.accounts.map((a) => [accountKey(a), a]));
          for (const key of chunk) {
            const value = byKey.get(key) ?? null;
            found.set(key, value);
            opts.client.cache?.set(cacheKey(key), { account: value });
          }
        } catch (e) {
          const error = socialSourceError(e);
          for (const key of chunk) found.set(key, error);
        }
      }),
    );
    return keys.map((key) => found.get(key)!);
  });
  return {
    /** The accounts behind these keys, in order; throws the source's error if any could not be fetched. */
    async accounts(keys: string[]): Promise<(SocialAccount | null)[]> {
      const values = await account.loadMany(keys);
      const failed = values.find((v): v is Error => v instanceof Error);
      if (failed) throw failed;
      return values as (SocialAccount | null)[];
    },
  };
}

export type SocialLoaders = ReturnType<typeof createSocialLoaders>;
