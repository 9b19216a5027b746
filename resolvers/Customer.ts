import type { ContactResolvers, CustomerProfileResolvers, CustomerResolvers } from '../src/__generated__/resolvers-types';
import { behaviourOf, timelineOf } from '../src/services/behaviour';
import { customerRow, identitiesOf, mergedFrom } from '../src/services/customers';
import { ordersOf, ticketsOf, ticketsPage } from '../src/services/orders';
import { socialOf } from '../src/services/social';
import * as insights from '../src/services/insights';
import { tagsField } from '../src/services/tags';
import { recommendationsField } from '../src/services/recommendations';
import { ageAt, consentsByPurpose, contactEmail, contactPhone } from '../src/services/profile';

/** The row behind a reference; references only come from existing rows, so a miss is a bug. */
const row = async (ctx: Parameters<typeof customerRow>[0], id: string) => {
  const r = await customerRow(ctx, id);
  if (!r) throw new Error(`customer ${id} vanished during the request`);
  return r;
};

export const Customer: CustomerResolvers = {
  createdAt: async ({ id }, _, ctx) => (await row(ctx, id)).created_at,
  status: async ({ id }, _, ctx) => (await row(ctx, id)).status,
  profile: ({ id }, _, ctx) => row(ctx, id),
  contact: ({ id }, _, ctx) => row(ctx, id),
  identities: ({ id }, _, ctx) => identitiesOf(ctx, id),
  canonicalId: async ({ id }, _, ctx) => (await row(ctx, id)).canonical_id,
  mergedFrom: ({ id }, _, ctx) => mergedFrom(ctx, id),
  consents: async ({ id }, _, ctx) => consentsByPurpose(id, await ctx.crm.loaders.consents.load(id)),
  orders: ({ id }, args, ctx) => ordersOf(ctx, id, args),
  purchaseSummary: ({ id }, _, ctx) => ctx.crm.loaders.purchaseSummary.load(id),
  supportTickets: ({ id }, args, ctx) => ticketsOf(ctx, id, args),
  tickets: ({ id }, args, ctx) => ticketsPage(ctx, id, args),
  behaviour: ({ id }, _, ctx, info) => behaviourOf(ctx, id, info),
  timeline: ({ id }, args, ctx) => timelineOf(ctx, id, args),
  social: ({ id }, _, ctx) => socialOf(ctx, id),
  rfm: (ref, { asOf }, ctx) => insights.rfmField(ctx, ref, asOf),
  valueTier: (ref, { asOf }, ctx) => insights.valueTierField(ctx, ref, asOf),
  lifecycle: (ref, { asOf }, ctx, info) => insights.lifecycleField(ctx, ref, asOf, info),
  interests: (ref, args, ctx) => insights.interestsField(ctx, ref, args),
  churnRisk: (ref, { asOf }, ctx, info) => insights.churnRiskField(ctx, ref, asOf, info),
  tags: (ref, args, ctx, info) => tagsField(ctx, ref, args, info),
  serviceHints: (ref, { asOf }, ctx, info) => insights.serviceHintsField(ctx, ref, asOf, info),
  recommendations: (ref, args, ctx, info) => recommendationsField(ctx, ref, args, info),
};

export const CustomerProfile: CustomerProfileResolvers = {
  fullName: (r) => r.full_name,
  birthDate: (r) => r.birth_date,
  age: (r, _, ctx) => ageAt(r.birth_date, ctx.now),
};

export const Contact: ContactResolvers = {
  email: (r) => contactEmail(r),
  phone: (r, _, ctx) => contactPhone(r, ctx.config.DEFAULT_PHONE_REGION),
};
