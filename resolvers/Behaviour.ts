import type { BehaviourResolvers, EventResolvers } from '../src/__generated__/resolvers-types';
import { Source } from '../src/enums';
import { behaviourField as field, shares } from '../src/services/behaviour';

export const Behaviour: BehaviourResolvers = {
  lastSeenAt: (p, a, ctx) => field(ctx, p, 'lastSeenAt', a),
  sessions: (p, a, ctx) => field(ctx, p, 'sessions', a),
  eventCounts: (p, a, ctx) => field(ctx, p, 'eventCounts', a),
  devices: (p, a, ctx) => field(ctx, p, 'devices', a),
  channels: async (p, a, ctx) => shares(await field(ctx, p, 'channels', a)),
  topCategories: async (p, a, ctx) => (await field(ctx, p, 'topCategories', a)).slice(0, a.first ?? 5),
  recentSearches: (p, a, ctx) => field(ctx, p, 'recentSearches', a),
  meta: (_, __, ctx) => ({ source: Source.BEHAVIOUR, asOf: ctx.now, fetchedAt: ctx.now, cached: false, now: ctx.now }),
};

export const Event: EventResolvers = {
  id: (e) => e._id.toHexString(),
  at: (e) => e.ts,
  device: (e) => e.device ?? null,
};
