import type { GraphQLResolveInfo } from 'graphql';
import { responsePathAsArray } from 'graphql';
import type { ChurnRiskParent, CustomerRef, LifecycleParent, RfmParent, TagPreviewParent } from '../../resolvers/mappers';
import type { Context } from '../context';
import { ConsentPurpose, Source } from '../enums';
import { badUserInput, consentRequired, forbidden, SourceError } from '../errors';
import { churnRisk, type ChurnRisk } from '../insights/churn';
import { interests } from '../insights/interests';
import { lifecycle, type Lifecycle, type SourceActivity } from '../insights/lifecycle';
import { rfm, type Rfm } from '../insights/rfm';
import { serviceHints, type ServiceHint } from '../insights/serviceHints';
import { compileCondition, valueAt, type Condition } from '../insights/tags/expression';
import { GROUP_SOURCES, isFactGroup, type FactGroup, type TagFacts } from '../insights/tags/facts';
import type { CompiledTag, TagFamily } from '../insights/tags/definitions';
import { daysSince, withinDaysStart } from '../insights/time';
import { valueTier, type ValueTier } from '../insights/valueTier';
import type { ActivityRow } from '../sources/behaviour/metrics';
import type { FactBounds, CrmFactsRow } from '../sources/crm/facts';
import type { SocialAccount } from '../sources/social/contract';
import { sentiment } from '../sources/social/summaries';
import { socialOf } from './social';

/**
 * The derived fields of Customer, over the request's loaders. Every field first loads the CRM facts
 * (one statement for all customers of the level, which also primes identities and consents), then,
 * in the same tick for every field and customer, whatever behaviour and social facts it needs, so a
 * level costs at most one round trip per source. The rules themselves are pure (src/insights).
 */

type SourceFailure = { source: Source; error: SourceError };
type Attempt<T> = { ok: true; value: T } | ({ ok: false } & SourceFailure);

/** The instant a field is computed for: `asOf`, or the request's now; never in the future. */
export function asOfFor(ctx: Context, asOf: Date | null | undefined): Date {
  if (asOf == null) return ctx.now;
  if (asOf.getTime() > ctx.now.getTime()) throw badUserInput('`asOf` cannot be in the future.', 'asOf');
  return asOf;
}

function bounds(ctx: Context, asOf: Date): FactBounds {
  const r = ctx.rules;
  return {
    asOf,
    rfmWindowStart: withinDaysStart(asOf, r.rfm.windowDays),
    recentStart: withinDaysStart(asOf, r.churn.frequencyWindowDays),
    priorStart: withinDaysStart(asOf, 2 * r.churn.frequencyWindowDays),
    reactivationStart: withinDaysStart(asOf, r.lifecycle.reactivationWindowDays),
    badRatingStart: withinDaysStart(asOf, r.churn.badRatingDays),
    badRating: r.churn.badRating,
  };
}

/** One customer's facts as of one instant, each loaded (through the request's loaders) at most once. */
class Facts {
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(
    private readonly ctx: Context,
    readonly customerId: string,
    readonly asOf: Date,
  ) {}

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) this.memo.set(key, (p = load()));
    return p;
  }

  crm(): Promise<CrmFactsRow> {
    return this.once('crm', async () => {
      const row = await this.ctx.crm.loaders.facts.load({ customerId: this.customerId, bounds: bounds(this.ctx, this.asOf) });
      if (!row) throw new Error(`customer ${this.customerId} vanished during the request`);
      return row;
    });
  }

  async requireProfilingConsent(): Promise<CrmFactsRow> {
    const crm = await this.crm();
    if (!crm.consents.some((c) => c.purpose === ConsentPurpose.PROFILING && c.granted)) throw consentRequired('profiling');
    return crm;
  }

  activity(): Promise<Attempt<ActivityRow>> {
    const r = this.ctx.rules;
    return this.once('activity', () => attempt(Source.BEHAVIOUR, this.ctx.behaviour.metric(this.customerId, {
      kind: 'activity', asOf: this.asOf.getTime(),
      recentStart: withinDaysStart(this.asOf, r.lifecycle.reactivationWindowDays).getTime(),
      potentialStart: withinDaysStart(this.asOf, r.valueTier.potentialEventDays).getTime(),
    })));
  }

  interestRows(): Promise<Attempt<{ category: string; weight: number }[]>> {
    const i = this.ctx.rules.interests;
    return this.once('interests', () => attempt(Source.BEHAVIOUR, this.ctx.behaviour.metric(this.customerId, {
      kind: 'interests', asOf: this.asOf.getTime(), halfLifeDays: i.halfLifeDays, weights: Object.entries(i.eventWeights),
    })));
  }

  behaviourSummary(): Promise<Attempt<TagFacts['behaviour']>> {
    return this.once('behaviourSummary', async () => {
      const asOf = this.asOf.getTime();
      const load = <M extends Parameters<Context['behaviour']['metric']>[1]>(m: M) => this.ctx.behaviour.metric(this.customerId, m);
      return attempt(Source.BEHAVIOUR, Promise.all([
        load({ kind: 'sessions', days: 30, asOf }), load({ kind: 'eventCounts', days: 30, asOf }),
        load({ kind: 'channels', days: 90, asOf }), load({ kind: 'deviceTypes', days: 90, asOf }),
        this.activity(),
      ]).then(([sessions, counts, channels, devices, activity]) => {
        const share = (rows: { events: number }[]) => rows.reduce((s, r) => s + r.events, 0) || 1;
        const channelTotal = share(channels);
        const deviceTotal = share(devices);
        const last = activity.ok ? activity.value.last : null;
        return {
          sessions30d: sessions,
          events30d: Object.fromEntries(counts.map((c) => [c.type, c.count])),
          channels90d: Object.fromEntries(channels.map((c) => [c.channel, c.events / channelTotal])),
          topChannel: channels[0]?.channel ?? null,
          topChannelShare: channels[0] ? channels[0].events / channelTotal : 0,
          deviceTypes90d: Object.fromEntries(devices.map((d) => [d.type, d.events / deviceTotal])),
          mobileShare: (devices.find((d) => d.type === 'mobile')?.events ?? 0) / deviceTotal,
          lastSeenDays: last ? daysSince(this.asOf, last) : null,
        };
      }));
    });
  }

  social(): Promise<Attempt<SocialAccount[]>> {
    return this.once('social', () => attempt(Source.SOCIAL, socialOf(this.ctx, this.customerId, this.asOf).then((s) => s.accounts)));
  }

  /** Starts loading the behaviour and social facts `sources` need, all at once (one batch per source). */
  prefetch(needs: { activity?: boolean; interests?: boolean; behaviourSummary?: boolean; social?: boolean }): void {
    if (needs.activity) void this.activity();
    if (needs.interests) void this.interestRows();
    if (needs.behaviourSummary) void this.behaviourSummary();
    if (needs.social) void this.social();
  }
}

async function attempt<T>(source: Source, p: Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    if (e instanceof SourceError) return { ok: false, source, error: e };
    throw e;
  }
}

/** The Facts of a customer as of an instant, shared by every field of the request that needs them. */
function factsOf(ctx: Context, customerId: string, asOf: Date): Facts {
  const cache = ((ctx as Context & { insightFacts?: Map<string, Facts> }).insightFacts ??= new Map());
  const key = `${customerId}\u0000${asOf.getTime()}`;
  let facts = cache.get(key);
  if (!facts) cache.set(key, (facts = new Facts(ctx, customerId, asOf)));
  return facts;
}

/** Reports sources a field had to do without; returns them for `missingSources`. */
function reportMissing(ctx: Context, info: GraphQLResolveInfo, failures: (SourceFailure | null)[]): Source[] {
  const unique = new Map<Source, SourceError>();
  for (const f of failures) if (f && !unique.has(f.source)) unique.set(f.source, f.error);
  for (const error of unique.values()) ctx.reportPartial(responsePathAsArray(info.path), error);
  return [...unique.keys()];
}

const failureOf = <T>(a: Attempt<T>): SourceFailure | null => (a.ok ? null : { source: a.source, error: a.error });

const orderFacts = (crm: CrmFactsRow) => ({
  completedOrders: crm.completed_orders, firstOrderAt: crm.first_order_at, lastOrderAt: crm.last_order_at,
  ordersInWindow: crm.orders_in_window, spendInWindow: crm.spend_in_window,
});

function rfmOf(ctx: Context, f: Facts, crm: CrmFactsRow): Rfm {
  return rfm(orderFacts(crm), ctx.rules, f.asOf);
}

/** The tier; for a customer without completed orders it needs behaviour, and fails with it. */
async function tierOf(ctx: Context, f: Facts, crm: CrmFactsRow): Promise<Attempt<ValueTier>> {
  const scores = rfmOf(ctx, f, crm);
  if (crm.completed_orders > 0) return { ok: true, value: valueTier(scores, crm.completed_orders, () => 0, ctx.rules) };
  const activity = await f.activity();
  if (!activity.ok) return activity;
  return { ok: true, value: valueTier(scores, 0, () => activity.value.potentialEvents, ctx.rules) };
}

/** Brand-mentioning posts as activity, relative to the reactivation window. */
function socialActivity(accounts: SocialAccount[], asOf: Date, recentStart: Date): SourceActivity {
  const times = accounts.flatMap((a) => a.posts.filter((p) => p.mentionsBrand && p.postedAt <= asOf).map((p) => p.postedAt));
  const recent = times.filter((t) => t > recentStart);
  const before = times.filter((t) => t <= recentStart);
  const max = (ts: Date[]) => (ts.length ? new Date(Math.max(...ts.map(Number))) : null);
  const min = (ts: Date[]) => (ts.length ? new Date(Math.min(...ts.map(Number))) : null);
  return { last: max(times), earliestRecent: min(recent), latestBefore: max(before) };
}

async function lifecycleOf(ctx: Context, f: Facts, crm: CrmFactsRow): Promise<{ value: Lifecycle; failures: SourceFailure[] }> {
  f.prefetch({ activity: true, social: true });
  const [activity, social] = await Promise.all([f.activity(), f.social()]);
  const recentStart = withinDaysStart(f.asOf, ctx.rules.lifecycle.reactivationWindowDays);
  const sources: SourceActivity[] = [{ last: crm.last_order_at, earliestRecent: crm.earliest_recent_order_at, latestBefore: crm.latest_order_before_window_at }];
  if (activity.ok) sources.push({ last: activity.value.last, earliestRecent: activity.value.earliestRecent, latestBefore: activity.value.latestBefore });
  if (social.ok) sources.push(socialActivity(social.value, f.asOf, recentStart));
  const value = lifecycle({ customerCreatedAt: crm.customer.created_at, completedOrders: crm.completed_orders, firstOrderAt: crm.first_order_at, activity: sources }, ctx.rules, f.asOf);
  return { value, failures: [failureOf(activity), failureOf(social)].filter((x) => x !== null) };
}

async function churnOf(ctx: Context, f: Facts, crm: CrmFactsRow): Promise<{ value: ChurnRisk; failures: SourceFailure[] }> {
  const social = await f.social();
  const mood = social.ok ? sentiment(social.value, f.asOf, ctx.rules.churn.sentimentDays) : null;
  const value = churnRisk({
    completedOrders: crm.completed_orders, lastOrderAt: crm.last_order_at, meanIntervalDays: crm.mean_interval_days,
    ordersRecent: crm.orders_recent, ordersPrior: crm.orders_prior, unresolvedTickets: crm.unresolved_tickets, badRatings: crm.bad_ratings,
    sentiment: mood && mood.score !== null ? { score: mood.score, mentions: mood.mentions } : null,
  }, ctx.rules, f.asOf);
  return { value, failures: social.ok ? [] : [failureOf(social)!] };
}

// ---- fields ----

export async function rfmField(ctx: Context, ref: CustomerRef, asOfArg: Date | null | undefined): Promise<RfmParent> {
  const f = factsOf(ctx, ref.id, asOfFor(ctx, asOfArg));
  return { ...rfmOf(ctx, f, await f.crm()), asOf: f.asOf, missingSources: [] };
}

export async function valueTierField(ctx: Context, ref: CustomerRef, asOfArg: Date | null | undefined): Promise<ValueTier> {
  const f = factsOf(ctx, ref.id, asOfFor(ctx, asOfArg));
  const tier = await tierOf(ctx, f, await f.crm());
  if (!tier.ok) throw tier.error;
  return tier.value;
}

export async function lifecycleField(ctx: Context, ref: CustomerRef, asOfArg: Date | null | undefined, info: GraphQLResolveInfo): Promise<LifecycleParent> {
  const f = factsOf(ctx, ref.id, asOfFor(ctx, asOfArg));
  const { value, failures } = await lifecycleOf(ctx, f, await f.crm());
  return { ...value, asOf: f.asOf, missingSources: reportMissing(ctx, info, failures) };
}

export async function interestsField(ctx: Context, ref: CustomerRef, args: { first?: number | null; asOf?: Date | null }) {
  const first = args.first ?? 5;
  if (!Number.isInteger(first) || first < 1 || first > 20) throw badUserInput(`\`first\` must be between 1 and 20 (got ${first}).`, 'first');
  const f = factsOf(ctx, ref.id, asOfFor(ctx, args.asOf));
  await f.requireProfilingConsent();
  const rows = await f.interestRows();
  if (!rows.ok) throw rows.error;
  return interests(rows.value, first);
}

export async function churnRiskField(ctx: Context, ref: CustomerRef, asOfArg: Date | null | undefined, info: GraphQLResolveInfo): Promise<ChurnRiskParent> {
  const f = factsOf(ctx, ref.id, asOfFor(ctx, asOfArg));
  const crm = await f.requireProfilingConsent();
  const { value, failures } = await churnOf(ctx, f, crm);
  return { ...value, asOf: f.asOf, missingSources: reportMissing(ctx, info, failures) };
}

export async function serviceHintsField(ctx: Context, ref: CustomerRef, asOfArg: Date | null | undefined, info: GraphQLResolveInfo): Promise<ServiceHint[]> {
  const f = factsOf(ctx, ref.id, asOfFor(ctx, asOfArg));
  const crm = await f.crm();
  const profiling = crm.consents.some((c) => c.purpose === ConsentPurpose.PROFILING && c.granted);
  f.prefetch({ activity: true, social: true });
  const [tier, life, churn] = await Promise.all([tierOf(ctx, f, crm), lifecycleOf(ctx, f, crm), profiling ? churnOf(ctx, f, crm) : null]);
  reportMissing(ctx, info, [failureOf(tier), ...life.failures, ...(churn?.failures ?? [])]);
  return serviceHints({
    tier: tier.ok ? tier.value : null,
    lifecycle: life.value,
    // A churn score computed without the social source is still shown; without consent it is not used at all.
    churn: churn?.value ?? null,
    unresolvedTickets: crm.unresolved_tickets,
    badRatings: crm.bad_ratings,
    marketingConsent: crm.consents.some((c) => c.purpose === ConsentPurpose.MARKETING && c.granted),
  });
}

// ---- tags ----

export function requireAdmin(ctx: Context): void {
  if (!ctx.admin) throw forbidden('This operation needs the x-admin-token header (ADMIN_TOKEN).');
}

export interface TagValue {
  key: string;
  label: string;
  family: TagFamily;
  evidence: { fact: string; value: string | null }[];
}

/** The sources the fact groups need beyond the CRM. */
function needsOf(groups: Iterable<string>) {
  const sources = new Set([...groups].filter(isFactGroup).flatMap((g) => GROUP_SOURCES[g]));
  const set = new Set(groups);
  return {
    // valueTier needs events only for customers without orders; tierOf loads them then, in the same tick.
    activity: set.has('lifecycle') || set.has('behaviour'),
    interests: set.has('interests'),
    behaviourSummary: set.has('behaviour'),
    social: sources.has('social'),
  };
}

/** Builds the facts of the groups named (others stay absent), with the sources that failed. */
async function tagFacts(ctx: Context, f: Facts, crm: CrmFactsRow, groups: Set<string>): Promise<{ facts: Partial<TagFacts>; failures: SourceFailure[] }> {
  f.prefetch(needsOf(groups));
  const facts: Partial<TagFacts> = {};
  const failures: SourceFailure[] = [];
  const asOf = f.asOf;
  const consent = (p: ConsentPurpose) => crm.consents.some((c) => c.purpose === p && c.granted);
  const birth = crm.customer.birth_date ? new Date(`${crm.customer.birth_date}T00:00:00Z`) : null;
  const age = birth ? ageOn(birth, asOf) : null;
  const has = (g: FactGroup) => groups.has(g);
  if (has('profile')) {
    facts.profile = {
      age, gender: crm.customer.gender, city: crm.customer.city, country: crm.customer.country, occupation: crm.customer.occupation,
      customerDays: daysSince(asOf, crm.customer.created_at),
    };
  }
  if (has('orders')) {
    facts.orders = {
      completed: crm.completed_orders, orders365d: crm.orders_in_window, spend365d: Number(crm.spend_in_window),
      daysSinceLastOrder: crm.last_order_at ? daysSince(asOf, crm.last_order_at) : null,
      daysSinceFirstOrder: crm.first_order_at ? daysSince(asOf, crm.first_order_at) : null,
      meanIntervalDays: crm.mean_interval_days, ordersRecent: crm.orders_recent, ordersPrior: crm.orders_prior,
      discountedItemShare: crm.discounted_item_share,
    };
  }
  if (has('tickets')) facts.tickets = { unresolved: crm.unresolved_tickets, badRatings: crm.bad_ratings };
  if (has('consents')) facts.consents = { profiling: consent(ConsentPurpose.PROFILING), marketing: consent(ConsentPurpose.MARKETING), partnerSharing: consent(ConsentPurpose.PARTNER_SHARING) };
  if (has('rfm')) {
    const r = rfmOf(ctx, f, crm);
    facts.rfm = { recency: r.recency, frequency: r.frequency, monetary: r.monetary, score: r.score, segment: r.segment };
  }
  const [tier, life, churn, summary, rows, social] = await Promise.all([
    has('valueTier') ? tierOf(ctx, f, crm) : null,
    has('lifecycle') ? lifecycleOf(ctx, f, crm) : null,
    has('churn') ? churnOf(ctx, f, crm) : null,
    has('behaviour') ? f.behaviourSummary() : null,
    has('interests') ? f.interestRows() : null,
    has('social') ? f.social() : null,
  ]);
  if (tier) tier.ok ? (facts.valueTier = tier.value) : failures.push(failureOf(tier)!);
  if (life) {
    failures.push(...life.failures);
    facts.lifecycle = { stage: life.value.stage, daysSinceLastActivity: life.value.daysSinceLastActivity };
  }
  if (churn) {
    failures.push(...churn.failures);
    facts.churn = { score: churn.value.score, level: churn.value.level };
  }
  if (summary) summary.ok ? (facts.behaviour = summary.value) : failures.push(failureOf(summary)!);
  if (rows) rows.ok ? (facts.interests = Object.fromEntries(interests(rows.value, Number.MAX_SAFE_INTEGER).map((i) => [i.category, i.weight]))) : failures.push(failureOf(rows)!);
  if (social) {
    if (social.ok) {
      const mood = sentiment(social.value, asOf, 90);
      facts.social = {
        accounts: social.value.length, followers: social.value.reduce((s, a) => s + a.followers, 0), verified: social.value.some((a) => a.verified),
        brandMentions90d: mood.mentions, sentiment90d: mood.score,
      };
    } else failures.push(failureOf(social)!);
  }
  return { facts, failures };
}

function ageOn(birth: Date, at: Date): number {
  let age = at.getUTCFullYear() - birth.getUTCFullYear();
  const before = at.getUTCMonth() < birth.getUTCMonth() || (at.getUTCMonth() === birth.getUTCMonth() && at.getUTCDate() < birth.getUTCDate());
  if (before) age -= 1;
  return age;
}

const render = (value: unknown): string | null =>
  value === undefined || value === null ? null : JSON.stringify(value, (_, v: unknown) => (typeof v === 'number' ? Math.round(v * 10_000) / 10_000 : v));

/** The groups a condition needs are all present (a missing source leaves its groups out). */
const complete = (condition: Condition, facts: Partial<TagFacts>) => [...condition.groups].every((g) => g in facts);

export async function tagsField(
  ctx: Context, ref: CustomerRef, args: { families?: TagFamily[] | null; asOf?: Date | null }, info: GraphQLResolveInfo,
): Promise<TagValue[]> {
  const f = factsOf(ctx, ref.id, asOfFor(ctx, args.asOf));
  const families = args.families?.length ? new Set(args.families) : null;
  const definitions: CompiledTag[] = ctx.tags.enabled().filter((t) => !families || families.has(t.definition.family));
  const crm = await f.requireProfilingConsent();
  const groups = new Set(definitions.flatMap((t) => [...t.condition.groups]));
  const { facts, failures } = await tagFacts(ctx, f, crm, groups);
  reportMissing(ctx, info, failures);
  const out: TagValue[] = [];
  for (const { definition, condition } of definitions) {
    if (!complete(condition, facts)) continue;
    const result = condition.test(facts);
    if (result instanceof Error) {
      ctx.logger.debug({ key: definition.key, customerId: ref.id, err: result }, 'tag condition not evaluable for this customer');
      continue;
    }
    if (result) {
      out.push({
        key: definition.key, label: definition.label, family: definition.family,
        evidence: condition.paths.map((fact) => ({ fact, value: render(valueAt(facts, fact)) })),
      });
    }
  }
  return out;
}

/**
 * A draft condition over a deterministic sample of customers (those who granted profiling consent);
 * a bad expression is BAD_USER_INPUT. Admin only: it can single out people by any fact.
 */
export async function previewTag(ctx: Context, args: { expression: string; sample?: number | null; asOf?: Date | null }): Promise<TagPreviewParent> {
  requireAdmin(ctx);
  const sample = args.sample ?? 20;
  if (!Number.isInteger(sample) || sample < 1 || sample > 200) throw badUserInput(`\`sample\` must be between 1 and 200 (got ${sample}).`, 'sample');
  let condition: Condition;
  try {
    condition = compileCondition(args.expression);
  } catch (e) {
    throw badUserInput(`The expression cannot be used: ${(e as Error).message}`, 'expression');
  }
  const unknown = [...condition.groups].filter((g) => !isFactGroup(g));
  if (unknown.length) throw badUserInput(`The expression names unknown fact groups: ${unknown.join(', ')}.`, 'expression');
  const asOf = asOfFor(ctx, args.asOf);
  const ids = await ctx.crm.db<{ id: string }>(`SELECT id FROM customers WHERE status <> 'erased' ORDER BY md5(id) LIMIT $1`, [sample]);
  const evaluated = await Promise.all(ids.map(async ({ id }) => {
    const f = factsOf(ctx, id, asOf);
    const crm = await f.crm();
    if (!crm.consents.some((c) => c.purpose === ConsentPurpose.PROFILING && c.granted)) return null;
    const { facts, failures } = await tagFacts(ctx, f, crm, condition.groups);
    if (failures.length > 0) return { id, result: new Error(`the ${failures[0]!.source} source is unavailable`) };
    return { id, result: condition.test(facts) };
  }));
  const results = evaluated.filter((r) => r !== null);
  const failed = results.filter((r) => r.result instanceof Error);
  const matches = results.filter((r) => r.result === true).map((r) => ({ id: r.id }));
  return { evaluated: results.length, matched: matches.length, matches, failed: failed.length, firstError: failed[0] ? (failed[0].result as Error).message : null };
}

