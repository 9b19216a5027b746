import type { SocialParent } from '../parents';
import type { DerivationScope } from '../context';
import { IdentifierKind } from '../enums';
import { badUserInput } from '../errors';
import { checkFirst } from '../pagination';
import { parseSocialIdentity } from '../sources/crm/identifiers';
import { accountKey, type AccountRef } from '../sources/social/contract';
import { postsSinceFor } from '../sources/social/loaders';

/** Customer.social over the request's CRM identities and social loader. */

/** The provider keeps a year of posts (see postsSinceFor). */
const MAX_DAYS = 365;

export function checkSocialDays(days: number | null | undefined): number {
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
    throw badUserInput(`\`days\` must be between 1 and ${MAX_DAYS} (got ${String(days)}).`, 'days');
  }
  return days;
}

export const checkSocialFirst = (first: number | null | undefined): number => checkFirst(first ?? 5, 50);

/** The accounts a customer's social identities name, once each (identities that cannot be handles are skipped). */
export async function socialRefsOf(ctx: DerivationScope, customerId: string): Promise<AccountRef[]> {
  const identities = await ctx.crm.loaders.identities.load(customerId);
  const refs = new Map<string, AccountRef>();
  for (const identity of identities) {
    const ref = identity.kind === IdentifierKind.SOCIAL ? parseSocialIdentity(identity.value) : null;
    if (ref && !refs.has(accountKey(ref))) refs.set(accountKey(ref), ref);
  }
  return [...refs.values()];
}

/**
 * Loads the accounts behind the customer's social identities, with a year of posts before `now`
 * (one batchGet per level for all the customers of the level). No identities: an empty Social and
 * no call. Throws the provider's SourceError, which nulls `social` only.
 */
export async function socialOf(ctx: DerivationScope, customerId: string, now = ctx.now): Promise<SocialParent> {
  const refs = await socialRefsOf(ctx, customerId);
  if (refs.length === 0) return { accounts: [], unknownHandles: [], now, fetchedAt: now, cached: false };
  const { accounts, fetchedAt, cached } = await ctx.social.fetched(refs, postsSinceFor(now));
  return {
    accounts: accounts.filter((a) => a !== null),
    unknownHandles: refs.filter((_, i) => accounts[i] === null).map((r) => `${r.platform}:${r.handle}`),
    now,
    fetchedAt,
    cached,
  };
}
