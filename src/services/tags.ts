import type { GraphQLResolveInfo } from 'graphql';
import type { CustomerRef, TagPreviewParent } from '../parents';
import type { Context, DerivationScope } from '../context';
import { ConsentPurpose } from '../enums';
import { badUserInput } from '../errors';
import { interests } from '../insights/interests';
import type { TagFamily } from '../enums';
import type { CompiledTag } from '../insights/tags/definitions';
import { compileCondition, valueAt, type Condition } from '../insights/tags/expression';
import { isFactGroup, type FactGroup, type TagFacts } from '../insights/tags/facts';
import { daysSince } from '../insights/time';
import type { CrmFactsRow } from '../sources/crm/facts';
import { sampleCustomers } from '../sources/crm/queries';
import { allNeeds, asOfFor, factsOf, failureOf, hasConsent, type Facts, type Needs, type SourceFailure } from './facts';
import { churnOf, FIELD_NEEDS, lifecycleOf, reportMissing, rfmOf, sentimentAsOf, tierOf } from './insights';
import { ageAt } from './profile';

/** Customer.tags and the preview of a draft condition, over the same facts as the other derived fields. */

export interface TagValue {
  key: string;
  label: string;
  family: TagFamily;
  evidence: { fact: string; value: string | null }[];
}

/** What each fact group loads besides the CRM facts: the derived field it comes from, or its source. */
const GROUP_NEEDS: Readonly<Record<FactGroup, Needs>> = {
  profile: {},
  orders: {},
  tickets: {},
  consents: {},
  rfm: FIELD_NEEDS.rfm,
  valueTier: FIELD_NEEDS.valueTier,
  lifecycle: FIELD_NEEDS.lifecycle,
  interests: FIELD_NEEDS.interests,
  churn: FIELD_NEEDS.churnRisk,
  behaviour: { behaviourSummary: true },
  social: { social: true },
};

const needsOf = (groups: Set<string>): Needs => allNeeds(...[...groups].filter(isFactGroup).map((g) => GROUP_NEEDS[g]));

/**
 * The facts of the groups named. A group that could not be computed in full (a source failed) is
 * left out, so no condition is evaluated on facts that pretend; the failures are returned.
 */
async function tagFacts(
  ctx: DerivationScope,
  f: Facts,
  crm: CrmFactsRow,
  groups: Set<string>,
): Promise<{ facts: Partial<TagFacts>; failures: SourceFailure[] }> {
  const facts: Partial<TagFacts> = {};
  const failures: SourceFailure[] = [];
  const asOf = f.asOf;
  const has = (g: FactGroup) => groups.has(g);
  if (has('profile')) {
    const c = crm.customer;
    facts.profile = {
      age: ageAt(c.birth_date, asOf),
      gender: c.gender,
      city: c.city,
      country: c.country,
      occupation: c.occupation,
      customerDays: daysSince(asOf, c.created_at),
    };
  }
  if (has('orders')) {
    facts.orders = {
      completed: crm.completed_orders,
      orders365d: crm.orders_in_window,
      spend365d: Number(crm.spend_in_window),
      daysSinceLastOrder: crm.last_order_at ? daysSince(asOf, crm.last_order_at) : null,
      daysSinceFirstOrder: crm.first_order_at ? daysSince(asOf, crm.first_order_at) : null,
      meanIntervalDays: crm.mean_interval_days,
      ordersRecent: crm.orders_recent,
      ordersPrior: crm.orders_prior,
      discountedItemShare: crm.discounted_item_share,
    };
  }
  if (has('tickets')) facts.tickets = { unresolved: crm.unresolved_tickets, badRatings: crm.bad_ratings };
  if (has('consents')) {
    facts.consents = {
      profiling: hasConsent(crm, ConsentPurpose.PROFILING),
      marketing: hasConsent(crm, ConsentPurpose.MARKETING),
      partnerSharing: hasConsent(crm, ConsentPurpose.PARTNER_SHARING),
    };
  }
  if (has('rfm')) {
    const r = rfmOf(ctx, f, crm);
    facts.rfm = { recency: r.recency, frequency: r.frequency, monetary: r.monetary, score: r.score, segment: r.segment };
  }
  const [tier, life, churn, summary, activity, rows, social] = await Promise.all([
    has('valueTier') ? tierOf(ctx, f, crm) : null,
    has('lifecycle') ? lifecycleOf(ctx, f, crm) : null,
    has('churn') ? churnOf(ctx, f, crm) : null,
    has('behaviour') ? f.behaviourSummary() : null,
    has('behaviour') ? f.activity() : null,
    has('interests') ? f.interestRows() : null,
    has('social') ? f.social() : null,
  ]);
  if (tier?.ok) facts.valueTier = tier.value;
  else if (tier) failures.push(failureOf(tier)!);
  if (life?.failures.length) failures.push(...life.failures);
  else if (life) facts.lifecycle = { stage: life.value.stage, daysSinceLastActivity: life.value.daysSinceLastActivity };
  if (churn?.failures.length) failures.push(...churn.failures);
  else if (churn) facts.churn = { score: churn.value.score, level: churn.value.level };
  if (summary && activity) {
    if (summary.ok && activity.ok)
      facts.behaviour = { ...summary.value, lastSeenDays: activity.value.last ? daysSince(asOf, activity.value.last) : null };
    else failures.push(failureOf(summary) ?? failureOf(activity)!);
  }
  if (rows?.ok) facts.interests = Object.fromEntries(interests(rows.value, Number.MAX_SAFE_INTEGER).map((i) => [i.category, i.weight]));
  else if (rows) failures.push(failureOf(rows)!);
  if (social) {
    if (social.ok) {
      const mood = sentimentAsOf(social.value, asOf, ctx.rules.churn.sentimentDays);
      facts.social = {
        accounts: social.value.length,
        followers: social.value.reduce((s, a) => s + a.followers, 0),
        verified: social.value.some((a) => a.verified),
        brandMentions90d: mood.mentions,
        sentiment90d: mood.score,
      };
    } else failures.push(failureOf(social)!);
  }
  return { facts, failures };
}

const render = (value: unknown): string | null =>
  value === undefined || value === null
    ? null
    : JSON.stringify(value, (_, v: unknown) => (typeof v === 'number' ? Math.round(v * 10_000) / 10_000 : v));

/** Every group the condition reads could be computed. */
const complete = (condition: Condition, facts: Partial<TagFacts>) => [...condition.groups].every((g) => g in facts);

/** The enabled definitions, of `families` only when given, and the loads their conditions need. */
export function enabledTags(
  ctx: DerivationScope,
  families?: TagFamily[] | null,
): { definitions: CompiledTag[]; needs: ReturnType<typeof needsOf> } {
  const only = families?.length ? new Set(families) : null;
  const definitions = ctx.tags.enabled().filter((t) => !only || only.has(t.definition.family));
  return { definitions, needs: needsOf(new Set(definitions.flatMap((t) => [...t.condition.groups]))) };
}

/**
 * The definitions that apply, each with its evidence; the caller has checked profiling consent. A
 * definition whose facts are incomplete because a source failed is not evaluated; the failures are
 * returned.
 */
export async function evaluateTags(
  ctx: DerivationScope,
  f: Facts,
  crm: CrmFactsRow,
  definitions: CompiledTag[],
): Promise<{ tags: TagValue[]; failures: SourceFailure[] }> {
  const groups = new Set(definitions.flatMap((t) => [...t.condition.groups]));
  const { facts, failures } = await tagFacts(ctx, f, crm, groups);
  const tags: TagValue[] = [];
  for (const { definition, condition } of definitions) {
    if (!complete(condition, facts)) continue;
    const result = condition.test(facts);
    if (result instanceof Error) {
      ctx.logger.debug({ key: definition.key, customerId: f.customerId, err: result }, 'tag condition not evaluable for this customer');
      continue;
    }
    if (result) {
      tags.push({
        key: definition.key,
        label: definition.label,
        family: definition.family,
        evidence: condition.paths.map((fact) => ({ fact, value: render(valueAt(facts, fact)) })),
      });
    }
  }
  return { tags, failures };
}

/**
 * The enabled definitions (of `families`) that apply, each with its evidence. Needs profiling
 * consent. A definition whose facts are incomplete because a source failed is not evaluated; the
 * source is reported alongside.
 */
export async function tagsField(
  ctx: Context,
  ref: CustomerRef,
  args: { families?: TagFamily[] | null; asOf?: Date | null },
  info: GraphQLResolveInfo,
): Promise<TagValue[]> {
  const f = factsOf(ctx, ref.id, asOfFor(ctx, args.asOf));
  const { definitions, needs } = enabledTags(ctx, args.families);
  f.prefetch(needs);
  const crm = await f.requireConsent(ConsentPurpose.PROFILING);
  const { tags, failures } = await evaluateTags(ctx, f, crm, definitions);
  reportMissing(ctx, info, failures);
  return tags;
}

/**
 * A draft condition over a deterministic sample of customers (those who granted profiling consent);
 * a bad expression is BAD_USER_INPUT. Admin only (@auth in the schema): it can single out people by any fact.
 */
export async function previewTag(
  ctx: Context,
  args: { expression: string; sample?: number | null; asOf?: Date | null },
): Promise<TagPreviewParent> {
  const sample = args.sample ?? 20;
  if (!Number.isInteger(sample) || sample < 1 || sample > 200)
    throw badUserInput(`\`sample\` must be between 1 and 200 (got ${sample}).`, 'sample');
  let condition: Condition;
  try {
    condition = compileCondition(args.expression);
  } catch (e) {
    throw badUserInput(`The expression cannot be used: ${(e as Error).message}`, 'expression');
  }
  const unknown = [...condition.groups].filter((g) => !isFactGroup(g));
  if (unknown.length) throw badUserInput(`The expression names unknown fact groups: ${unknown.join(', ')}.`, 'expression');
  const asOf = asOfFor(ctx, args.asOf);
  const ids = await sampleCustomers(ctx.crm.db, sample);
  const evaluated = await Promise.all(
    ids.map(async ({ id }) => {
      const f = factsOf(ctx, id, asOf);
      f.prefetch(needsOf(condition.groups));
      const crm = await f.crm();
      if (!hasConsent(crm, ConsentPurpose.PROFILING)) return null;
      const { facts, failures } = await tagFacts(ctx, f, crm, condition.groups);
      if (failures.length > 0) return { id, result: new Error(`the ${failures[0]!.source} source is unavailable`) };
      return { id, result: condition.test(facts) };
    }),
  );
  const results = evaluated.filter((r) => r !== null);
  const failed = results.filter((r) => r.result instanceof Error);
  const matches = results.filter((r) => r.result === true).map((r) => ({ id: r.id }));
  return {
    evaluated: results.length,
    matched: matches.length,
    matches,
    failed: failed.length,
    firstError: failed[0] ? (failed[0].result as Error).message : null,
  };
}
