import type { GraphQLResolveInfo } from 'graphql';
import { responsePathAsArray } from 'graphql';
import type { ChurnRiskParent, CustomerRef, LifecycleParent, RfmParent } from '../parents';
import type { Context, DerivationScope } from '../context';
import { ConsentPurpose, type Source } from '../enums';
import { badUserInput } from '../errors';
import { churnRisk, type ChurnRisk } from '../insights/churn';
import { interests } from '../insights/interests';
import { lifecycle, type Lifecycle, type SourceActivity } from '../insights/lifecycle';
import { rfm, type Rfm } from '../insights/rfm';
import { serviceHints, type ServiceHint } from '../insights/serviceHints';
import { valueTier, type ValueTier } from '../insights/valueTier';
import type { CrmFactsRow } from '../sources/crm/facts';
import type { SocialAccount } from '../sources/social/contract';
import { sentiment } from '../sources/social/summaries';
import { asOfFor, factsOf, failureOf, hasConsent, type Attempt, type Facts, type Needs, type SourceFailure } from './facts';

/**
 * The derived fields of Customer: each starts every load it may need at once (services/facts.ts),
 * then applies the pure rules of src/insights. A field that can do without a failed source says so
 * (`missingSources`, and an error alongside at its path); one that cannot is null with the error.
 */

/**
 * The one table of what each derived field loads besides the CRM facts, started together so that the
 * customers of a level share one batch per source; the snapshot builder and tag conditions take their
 * unions. valueTier starts nothing: it reads behaviour only for a customer without completed orders.
 */
export const FIELD_NEEDS = {
  rfm: {},
  valueTier: {},
  lifecycle: { activity: true, social: true },
  interests: { interests: true },
  churnRisk: { social: true },
  serviceHints: { activity: true, social: true },
} as const satisfies Record<string, Needs>;

/** Reports the sources a field did without; returns them for `missingSources`. */
export function reportMissing(ctx: Context, info: GraphQLResolveInfo, failures: (SourceFailure | null)[]): Source[] {
  const unique = new Map<Source, SourceFailure['error']>();
  for (const f of failures) if (f && !unique.has(f.source)) unique.set(f.source, f.error);
  for (const error of unique.values()) ctx.reportPartial(responsePathAsArray(info.path), error);
  return [...unique.keys()];
}

export const rfmOf = (ctx: DerivationScope, f: Facts, crm: CrmFactsRow): Rfm =>
  rfm(
    {
      completedOrders: crm.completed_orders,
      firstOrderAt: crm.first_order_at,
      lastOrderAt: crm.last_order_at,
      ordersInWindow: crm.orders_in_window,
      spendInWindow: crm.spend_in_window,
    },
    ctx.rules,
    f.asOf,
  );

/** The tier; only for a customer without completed orders does it read (and need) behaviour. */
export async function tierOf(ctx: DerivationScope, f: Facts, crm: CrmFactsRow): Promise<Attempt<ValueTier>> {
  const scores = rfmOf(ctx, f, crm);
  if (crm.completed_orders > 0) return { ok: true, value: valueTier(scores, crm.completed_orders, () => 0, ctx.rules) };
  const activity = await f.activity();
  if (!activity.ok) return activity;
  return { ok: true, value: valueTier(scores, 0, () => activity.value.potentialEvents, ctx.rules) };
}

/** Brand-mentioning posts up to asOf as activity, relative to the reactivation window. */
function socialActivity(accounts: SocialAccount[], asOf: Date, recentStart: Date): SourceActivity {
  const times = accounts.flatMap((a) => a.posts.filter((p) => p.mentionsBrand && p.postedAt <= asOf).map((p) => p.postedAt.getTime()));
  const recent = times.filter((t) => t > recentStart.getTime());
  const before = times.filter((t) => t <= recentStart.getTime());
  return {
    last: times.length ? new Date(Math.max(...times)) : null,
    earliestRecent: recent.length ? new Date(Math.min(...recent)) : null,
    latestBefore: before.length ? new Date(Math.max(...before)) : null,
  };
}

export async function lifecycleOf(
  ctx: DerivationScope,
  f: Facts,
  crm: CrmFactsRow,
): Promise<{ value: Lifecycle; failures: SourceFailure[] }> {
  const [activity, social] = await Promise.all([f.activity(), f.social()]);
  const recentStart = f.bounds.reactivationStart;
  const sources: SourceActivity[] = [
    { last: crm.last_order_at, earliestRecent: crm.earliest_recent_order_at, latestBefore: crm.latest_order_before_window_at },
  ];
  if (activity.ok)
    sources.push({ last: activity.value.last, earliestRecent: activity.value.earliestRecent, latestBefore: activity.value.latestBefore });
  if (social.ok) sources.push(socialActivity(social.value, f.asOf, recentStart));
  const value = lifecycle(
    {
      customerCreatedAt: crm.customer.created_at,
      completedOrders: crm.completed_orders,
      firstOrderAt: crm.first_order_at,
      activity: sources,
    },
    ctx.rules,
    f.asOf,
  );
  return { value, failures: [failureOf(activity), failureOf(social)].filter((x) => x !== null) };
}

/** Mean sentiment of brand mentions at most `days` days old ("days since ≤ days", as the rules count). */
export function sentimentAsOf(accounts: SocialAccount[], asOf: Date, days: number) {
  // summaries.sentiment keeps posts after asOf − n × 24 h; n = days + 1 is "days since ≤ days".
  return sentiment(accounts, asOf, days + 1);
}

export async function churnOf(ctx: DerivationScope, f: Facts, crm: CrmFactsRow): Promise<{ value: ChurnRisk; failures: SourceFailure[] }> {
  const social = await f.social();
  const mood = social.ok ? sentimentAsOf(social.value, f.asOf, ctx.rules.churn.sentimentDays) : null;
  const value = churnRisk(
    {
      completedOrders: crm.completed_orders,
      lastOrderAt: crm.last_order_at,
      meanIntervalDays: crm.mean_interval_days,
      ordersRecent: crm.orders_recent,
      ordersPrior: crm.orders_prior,
      unresolvedTickets: crm.unresolved_tickets,
      badRatings: crm.bad_ratings,
      sentiment: mood && mood.score !== null ? { score: mood.score, mentions: mood.mentions } : null,
    },
    ctx.rules,
    f.asOf,
  );
  return { value, failures: social.ok ? [] : [failureOf(social)!] };
}

// ---- fields ----

export async function rfmField(ctx: Context, ref: CustomerRef, asOfArg: Date | null | undefined): Promise<RfmParent> {
  const f = factsOf(ctx, ref.id, asOfFor(ctx, asOfArg));
  return { ...rfmOf(ctx, f, await f.crm()), asOf: f.asOf, missingSources: [], meta: await f.sources(FIELD_NEEDS.rfm) };
}

export async function valueTierField(ctx: Context, ref: CustomerRef, asOfArg: Date | null | undefined): Promise<ValueTier> {
  const f = factsOf(ctx, ref.id, asOfFor(ctx, asOfArg));
  const tier = await tierOf(ctx, f, await f.crm());
  if (!tier.ok) throw tier.error;
  return tier.value;
}

export async function lifecycleField(
  ctx: Context,
  ref: CustomerRef,
  asOfArg: Date | null | undefined,
  info: GraphQLResolveInfo,
): Promise<LifecycleParent> {
  const f = factsOf(ctx, ref.id, asOfFor(ctx, asOfArg));
  f.prefetch(FIELD_NEEDS.lifecycle);
  const { value, failures } = await lifecycleOf(ctx, f, await f.crm());
  return { ...value, asOf: f.asOf, missingSources: reportMissing(ctx, info, failures), meta: await f.sources(FIELD_NEEDS.lifecycle) };
}

/** Needs profiling consent; the events are read in the level's one aggregation, then withheld without it. */
export async function interestsField(ctx: Context, ref: CustomerRef, args: { first?: number | null; asOf?: Date | null }) {
  const first = args.first ?? 5;
  if (!Number.isInteger(first) || first < 1 || first > 20)
    throw badUserInput(`\`first\` must be between 1 and 20 (got ${first}).`, 'first');
  const f = factsOf(ctx, ref.id, asOfFor(ctx, args.asOf));
  f.prefetch(FIELD_NEEDS.interests);
  await f.requireConsent(ConsentPurpose.PROFILING);
  const rows = await f.interestRows();
  if (!rows.ok) throw rows.error;
  return interests(rows.value, first);
}

export async function churnRiskField(
  ctx: Context,
  ref: CustomerRef,
  asOfArg: Date | null | undefined,
  info: GraphQLResolveInfo,
): Promise<ChurnRiskParent> {
  const f = factsOf(ctx, ref.id, asOfFor(ctx, asOfArg));
  f.prefetch(FIELD_NEEDS.churnRisk);
  const crm = await f.requireConsent(ConsentPurpose.PROFILING);
  const { value, failures } = await churnOf(ctx, f, crm);
  return { ...value, asOf: f.asOf, missingSources: reportMissing(ctx, info, failures), meta: await f.sources(FIELD_NEEDS.churnRisk) };
}

/**
 * Hints from the tier, lifecycle and (with profiling consent) churn risk. A hint that would rest on a
 * value computed without one of its sources is left out, and the missing source reported.
 */
export async function serviceHintsField(
  ctx: Context,
  ref: CustomerRef,
  asOfArg: Date | null | undefined,
  info: GraphQLResolveInfo,
): Promise<ServiceHint[]> {
  const f = factsOf(ctx, ref.id, asOfFor(ctx, asOfArg));
  f.prefetch(FIELD_NEEDS.serviceHints);
  const crm = await f.crm();
  const profiling = hasConsent(crm, ConsentPurpose.PROFILING);
  const [tier, life, churn] = await Promise.all([tierOf(ctx, f, crm), lifecycleOf(ctx, f, crm), profiling ? churnOf(ctx, f, crm) : null]);
  reportMissing(ctx, info, [failureOf(tier), ...life.failures, ...(churn?.failures ?? [])]);
  return serviceHints({
    tier: tier.ok ? tier.value : null,
    lifecycle: life.failures.length === 0 ? life.value : null,
    churn: churn && churn.failures.length === 0 ? churn.value : null,
    unresolvedTickets: crm.unresolved_tickets,
    badRatings: crm.bad_ratings,
    marketingConsent: hasConsent(crm, ConsentPurpose.MARKETING),
  });
}
