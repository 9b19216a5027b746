import type { DerivationScope } from '../context';
import { ConsentPurpose } from '../enums';
import { interests } from '../insights/interests';
import { churnOf, FIELD_NEEDS, lifecycleOf, rfmOf, tierOf } from '../services/insights';
import { allNeeds, factsOf, hasConsent, type SourceFailure } from '../services/facts';
import { enabledTags, evaluateTags } from '../services/tags';
import type { ProfileRow } from '../sources/crm/snapshots';

/** A source failed for a customer: the snapshot stores no partial row (the build stops and can be resumed). */
export class ProfileIncomplete extends Error {
  constructor(
    readonly customerId: string,
    readonly failures: SourceFailure[],
  ) {
    super(`customer ${customerId}: ${failures.map((f) => f.error.message).join('; ')}`);
  }
}

const TOP_INTERESTS = 5;

/**
 * The snapshot row of `customerId` at `asOf`: the same facts (services/facts.ts, through the
 * context's loaders, so the customers of one context share one round trip per source) and the same
 * rules as the API's derived fields. Start it for every customer of a batch before awaiting any.
 */
export async function profileOf(ctx: DerivationScope, customerId: string, asOf: Date): Promise<ProfileRow> {
  const f = factsOf(ctx, customerId, asOf);
  const { definitions, needs } = enabledTags(ctx);
  // Everything a row holds: tier, lifecycle, churn, interests, the preferred channel (behaviour summary) and tags.
  f.prefetch(
    allNeeds(needs, FIELD_NEEDS.valueTier, FIELD_NEEDS.lifecycle, FIELD_NEEDS.churnRisk, FIELD_NEEDS.interests, { behaviourSummary: true }),
  );
  const crm = await f.crm();
  const profiling = hasConsent(crm, ConsentPurpose.PROFILING);
  const [tier, life, churn, interestRows, summary, tags] = await Promise.all([
    tierOf(ctx, f, crm),
    lifecycleOf(ctx, f, crm),
    profiling ? churnOf(ctx, f, crm) : null,
    profiling ? f.interestRows() : null,
    f.behaviourSummary(),
    profiling ? evaluateTags(ctx, f, crm, definitions) : null,
  ]);
  const failures = [
    ...(tier.ok ? [] : [tier]),
    ...life.failures,
    ...(churn?.failures ?? []),
    ...(interestRows && !interestRows.ok ? [interestRows] : []),
    ...(summary.ok ? [] : [summary]),
    ...(tags?.failures ?? []),
  ];
  if (failures.length > 0 || !tier.ok || !summary.ok || (interestRows && !interestRows.ok))
    throw new ProfileIncomplete(customerId, failures);
  const rfm = rfmOf(ctx, f, crm);
  return {
    customer_id: customerId,
    as_of: asOf,
    lifecycle_stage: life.value.stage,
    value_tier: tier.value,
    rfm_recency: rfm.recency,
    rfm_frequency: rfm.frequency,
    rfm_monetary: rfm.monetary,
    rfm_segment: rfm.segment,
    spend_365d: rfm.spend365d,
    churn_level: churn?.value.level ?? null,
    churn_score: churn?.value.score ?? null,
    interests: interestRows ? interests(interestRows.value, TOP_INTERESTS).map((i) => i.category) : [],
    tags: tags ? tags.tags.map((t) => t.key).sort() : [],
    last_activity_at: life.value.lastActivityAt,
    last_order_at: crm.last_order_at,
    city: crm.customer.city?.trim() || null,
    // A behavioural inference like the tags: only with profiling consent.
    preferred_channel: profiling ? summary.value.topChannel : null,
    consents: crm.consents
      .filter((c) => c.granted)
      .map((c) => c.purpose)
      .sort(),
  };
}
