import { z } from 'zod';

/**
 * The provider's answer to `POST /v1/accounts:batchGet` (contracts/social.md), validated before use.
 * Written from the contract, not shared with the bundled provider's schemas: the provider stands in
 * for a third party, and a shared schema would let both sides drift from the contract together.
 */
const post = z.object({
  id: z.string(),
  postedAt: z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
  text: z.string(),
  likes: z.number().int().nonnegative(),
  shares: z.number().int().nonnegative(),
  comments: z.number().int().nonnegative(),
  mentionsBrand: z.boolean(),
  sentiment: z.number().min(-1).max(1),
  topics: z.array(z.string()),
});

const account = z.object({
  platform: z.string().min(1),
  handle: z.string().min(1),
  displayName: z.string().nullish(),
  url: z.string().nullish(),
  followers: z.number().int().nonnegative(),
  following: z.number().int().nonnegative(),
  verified: z.boolean(),
  posts: z.array(post),
});

const ref = z.object({ platform: z.string(), handle: z.string() });

export const batchGetResponse = z.object({ accounts: z.array(account), notFound: z.array(ref).default([]) });

export type SocialPost = z.infer<typeof post>;
export type SocialAccount = z.infer<typeof account>;
export type AccountRef = z.infer<typeof ref>;

/** The provider's limit of accounts per batchGet. */
export const MAX_ACCOUNTS_PER_CALL = 100;

/** How accounts are keyed everywhere: `platform:handle`, lower-case (CRM identities store them so). */
export const accountKey = (a: AccountRef): string => `${a.platform.toLowerCase()}:${a.handle.toLowerCase()}`;
