import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context';
import { ConsentPurpose } from '../enums';
import { SourceError } from '../errors';
import { assign, strategyWeights, type ExperimentAssignment, type RecommendationItem } from '../insights/experiments';
import { interests } from '../insights/interests';
import { exclusions, recommend, segmentKeys } from '../insights/recommendations';
import { withinDaysStart } from '../insights/time';
import { checkFirst } from '../pagination';
import type { CustomerRef } from '../parents';
import type { RecoBounds } from '../sources/crm/recommendations';
import { asOfFor, factsOf, failureOf, hasConsent } from './facts';
import { reportMissing } from './insights';

/** The most a request may ask for per customer. */
export const MAX_RECOMMENDATIONS = 50;

/** Per request and instant, one bounds object (the reco loader groups by it). */
const boundsByContext = new WeakMap<Context, Map<number, RecoBounds>>();

function boundsOf(ctx: Context, asOf: Date): RecoBounds {
  let byInstant = boundsByContext.get(ctx);
  if (!byInstant) boundsByContext.set(ctx, (byInstant = new Map()));
  let b = byInstant.get(asOf.getTime());
  if (!b) {
    const r = ctx.rules.recommendations;
    b = {
      asOf,
      historyStart: withinDaysStart(asOf, r.historyDays),
      boughtStart: withinDaysStart(asOf, r.excludeBoughtDays),
      refundedStart: withinDaysStart(asOf, r.excludeRefundedDays),
    };
    byInstant.set(asOf.getTime(), b);
  }
  return b;
}

/**
 * Customer.recommendations. The CRM facts first (consent, segment attributes, orders count); then, at
 * once for the whole level, the one recommendation statement (with the running experiments) and (with
 * profiling consent) the behaviour aggregation of interests. Without consent, nothing of the
 * customer's is read. Under an experiment running at the placement (AGENT without one), a customer
 * with profiling consent asking for now (no asOf) is ranked by its variant's strategy, and the answer
 * is recorded as an exposure (the level's in one INSERT) before it is returned.
 */
export async function recommendationsField(
  ctx: Context,
  ref: CustomerRef,
  args: { first?: number | null; asOf?: Date | null; placement?: 'AGENT' | 'CAMPAIGN' | 'PARTNER' | null },
  info: GraphQLResolveInfo,
): Promise<RecommendationItem[]> {
  const first = checkFirst(args.first ?? 10, MAX_RECOMMENDATIONS);
  const f = factsOf(ctx, ref.id, asOfFor(ctx, args.asOf));
  const crm = await f.crm();
  const personal = hasConsent(crm, ConsentPurpose.PROFILING);
  const r = ctx.rules.recommendations;
  const segments = personal
    ? segmentKeys({ city: crm.customer.city, gender: crm.customer.gender, birthDate: crm.customer.birth_date }, f.asOf)
    : [];
  const [rows, interestRows] = await Promise.all([
    ctx.crm.loaders.reco.load({ customerId: ref.id, personal, segments, bounds: boundsOf(ctx, f.asOf) }),
    personal ? f.interestRows() : null,
  ]);
  if (!rows.build) throw new SourceError('crm', 'not_built');
  if (interestRows) reportMissing(ctx, info, [failureOf(interestRows)]);
  const coldStart = crm.completed_orders <= r.coldStartMaxOrders;
  const usual = (args.placement && r.placements[args.placement]) || (coldStart ? r.coldStartWeights : r.weights);
  const experiment = personal && args.asOf == null ? rows.experiments.get(args.placement ?? 'AGENT') : undefined;
  const variant = experiment && assign(experiment.id, experiment.variants, ref.id);
  const list = recommend(
    {
      personal,
      weights: variant ? strategyWeights(variant.strategy, usual) : usual,
      asOf: f.asOf,
      purchaseHalfLifeDays: r.purchaseHalfLifeDays,
      segmentMinCustomers: r.segmentMinCustomers,
      perCategory: r.perCategory,
      segments,
      purchases: rows.purchases,
      pairs: rows.pairs,
      popular: rows.popular,
      products: rows.products,
      interests: interestRows?.ok ? interests(interestRows.value, Number.MAX_SAFE_INTEGER) : [],
    },
    exclusions(personal, rows.purchases),
    first,
  );
  if (!experiment || !variant) return list;
  await ctx.crm.loaders.exposures.load({
    experimentId: experiment.id,
    customerId: ref.id,
    variant: variant.name,
    productIds: list.map((x) => x.product.id),
    exposedAt: f.asOf,
  });
  const assignment: ExperimentAssignment = { experimentId: experiment.id, variant: variant.name, strategy: variant.strategy };
  return list.map((x) => ({ ...x, experiment: assignment }));
}
