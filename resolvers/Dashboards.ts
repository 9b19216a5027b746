import type {
  CustomerStatsResolvers,
  MutationResolvers,
  QueryResolvers,
  SegmentResolvers,
  SnapshotInfoResolvers,
} from '../src/__generated__/resolvers-types';
import type { LifecycleStage, ValueTier } from '../src/enums';
import * as d from '../src/services/dashboards';

export const DashboardsQuery: QueryResolvers = {
  customerStats: (_, { filter }, ctx) => d.customerStats(ctx, filter),
  segments: (_, { first }, ctx) => d.segments(ctx, first),
  segment: (_, { id }, ctx) => d.segmentById(ctx, id),
  snapshots: async (_, __, ctx) => (await d.snapshotsOf(ctx)).map((v) => d.snapshotInfo(ctx, v)),
};

export const DashboardsMutation: MutationResolvers = {
  createSegment: (_, { input }, ctx) => d.createSegment(ctx, input),
  updateSegment: (_, { id, input }, ctx) => d.updateSegment(ctx, id, input),
};

export const SnapshotInfo: SnapshotInfoResolvers = {
  version: (s) => s.version.version,
  asOf: (s) => s.version.as_of,
  ageSeconds: (s) => Math.max(0, Math.floor((s.now.getTime() - s.version.as_of.getTime()) / 1000)),
  kind: (s) => s.version.kind,
  customers: (s) => s.version.customers,
};

export const CustomerStats: CustomerStatsResolvers = {
  snapshot: (p, _, ctx) => d.snapshotInfo(ctx, p.snapshot),
  previousSnapshot: (p, _, ctx) => p.previous && d.snapshotInfo(ctx, p.previous),
  total: (p, _, ctx) => d.statsOf.total(ctx, p),
  byStage: async (p, _, ctx) =>
    (await d.statsOf.by(ctx, p, 'lifecycle_stage')).map((r) => ({ stage: r.key as LifecycleStage, count: r.count })),
  byTier: async (p, _, ctx) => (await d.statsOf.by(ctx, p, 'value_tier')).map((r) => ({ tier: r.key as ValueTier, count: r.count })),
  byTag: (p, { first }, ctx) => d.statsOf.byTag(ctx, p, first ?? 20),
  byCity: (p, { first }, ctx) => d.statsOf.by(ctx, p, 'city', first ?? 20),
  byPreferredChannel: (p, _, ctx) => d.statsOf.by(ctx, p, 'preferred_channel'),
  rfmGrid: (p, _, ctx) => d.statsOf.rfmGrid(ctx, p),
  transitions: async (p, _, ctx) =>
    (await d.statsOf.transitions(ctx, p)).map((t) => ({
      from: t.from as LifecycleStage | null,
      to: t.to as LifecycleStage,
      count: t.count,
    })),
};

export const Segment: SegmentResolvers = {
  filter: (s) => d.filterAsInput(s.filter),
  createdBy: (s) => s.created_by,
  createdAt: (s) => s.created_at,
  count: async (s, _, ctx) => d.statsOf.total(ctx, await d.segmentStats(ctx, s)),
  members: (s, args, ctx) => d.segmentMembers(ctx, s, args),
  stats: (s, _, ctx) => d.segmentStats(ctx, s),
  exportPath: (s) => `/exports/segments/${s.id}.csv`,
};
