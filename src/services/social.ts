import type { SocialParent } from '../../resolvers/mappers';
import type { Context } from '../context';
import { IdentifierKind } from '../enums';
import { badUserInput } from '../errors';
import { checkFirst } from '../pagination';

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

const SOCIAL_KEY = /^[a-z0-9_.-]+:.+$/;

/**
 * Loads the accounts behind the customer's social identities (one batchGet per level for all the
 * customers of the level). No identities: an empty Social and no call. Throws the provider's
 * SourceError, which nulls `social` only.
 */
export async function socialOf(ctx: Context, customerId: string): Promise<SocialParent> {
  const identities = await ctx.crm.loaders.identities.load(customerId);
  const keys = [
    ...new Set(identities.filter((i) => i.kind === IdentifierKind.SOCIAL).map((i) => i.value.trim().toLowerCase()).filter((k) => SOCIAL_KEY.test(k))),
  ];
  if (keys.length === 0) return { accounts: [], unknownHandles: [], now: ctx.now };
  const accounts = await ctx.social.accounts(keys);
  return {
    accounts: accounts.filter((a) => a !== null),
    unknownHandles: keys.filter((_, i) => accounts[i] === null),
    now: ctx.now,
  };
}
