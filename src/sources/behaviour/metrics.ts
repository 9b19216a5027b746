import { ObjectId, type Document } from 'mongodb';
import type { CategoryRow, ChannelRow, DeviceRow, EventCountRow, EventDoc, SearchRow } from './rows';

/**
 * What a behaviour field needs from MongoDB, as data. Every metric of a request level is answered
 * by one aggregation: a `$facet` branch per distinct metric over the events of all the level's
 * customers (queries.ts). Windows end at the request's clock `now`, or at `asOf` (ms) for the
 * derivations, which then ignore later events.
 */
export type Metric =
  | { kind: 'lastSeen' }
  | { kind: 'sessions'; days: number; asOf?: number }
  | { kind: 'eventCounts'; days: number; asOf?: number }
  | { kind: 'devices' }
  | { kind: 'channels'; days: number; asOf?: number }
  | { kind: 'deviceTypes'; days: number; asOf: number }
  /** Event times around the lifecycle's reactivation window (instants in ms, boundaries exclusive below). */
  | { kind: 'activity'; asOf: number; recentStart: number; potentialStart: number }
  /** Category weights: Σ weight(type) × 0.5^(age days / halfLifeDays) over events with a category. */
  | { kind: 'interests'; asOf: number; halfLifeDays: number; weights: [string, number][] }
  | { kind: 'topCategories'; days: number }
  | { kind: 'recentSearches'; first: number }
  /** `backward`: the events before `after` (newer than it), read oldest first. */
  | { kind: 'timeline'; first: number; types: string[] | null; after: { ts: number; id: string } | null; backward?: boolean };

export interface ActivityRow {
  last: Date | null;
  /** The earliest event after `recentStart`, and the latest at or before it. */
  earliestRecent: Date | null;
  latestBefore: Date | null;
  /** Events after `potentialStart`. */
  potentialEvents: number;
}
export interface CategoryWeightRow {
  category: string;
  weight: number;
}
export interface DeviceTypeRow {
  type: string;
  events: number;
}

export interface MetricValues {
  deviceTypes: DeviceTypeRow[];
  activity: ActivityRow;
  interests: CategoryWeightRow[];
  lastSeen: Date | null;
  sessions: number;
  eventCounts: EventCountRow[];
  devices: DeviceRow[];
  channels: ChannelRow[];
  topCategories: CategoryRow[];
  recentSearches: SearchRow[];
  /** Up to first+1 events, newest first, or oldest first when backward (the extra one says there are more). */
  timeline: EventDoc[];
}
export type ValueOf<M extends Metric> = MetricValues[M['kind']];

export const metricKey = (m: Metric): string => JSON.stringify(m);

const since = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000);

/**
 * The `$facet` branch computing `m` for `owners` (null: every owner of the aggregation, so no filter);
 * each output document has `_id.o` = owner.
 */
export function facetBranch(m: Metric, owners: string[] | null, now: Date): Document[] {
  return branch(m, owners ? { owner: { $in: owners } } : {}, now).filter(
    (stage) => !('$match' in stage) || Object.keys(stage.$match as Document).length > 0,
  );
}

function branch(m: Metric, mine: Document, now: Date): Document[] {
  const asOf = 'asOf' in m && m.asOf !== undefined ? new Date(m.asOf) : null;
  const end = asOf ?? now;
  /**
   * `ts` in the window: the last `days` × 24 h before now for the behaviour fields; for the
   * derivations (an asOf), "days since ≤ days" as the rules count (ts > asOf − (days + 1) d, ≤ asOf).
   */
  const within = (days: number) => (asOf ? { $gt: since(asOf, days + 1), $lte: asOf } : { $gt: since(now, days) });
  switch (m.kind) {
    case 'lastSeen':
      return [{ $match: mine }, { $group: { _id: { o: '$owner' }, v: { $max: '$ts' } } }];
    case 'sessions':
      return [
        { $match: { ...mine, ts: within(m.days) } },
        { $group: { _id: { o: '$owner', s: '$sessionId' } } },
        { $group: { _id: { o: '$_id.o' }, v: { $sum: 1 } } },
      ];
    case 'eventCounts':
      return [{ $match: { ...mine, ts: within(m.days) } }, { $group: { _id: { o: '$owner', k: '$type' }, v: { $sum: 1 } } }];
    case 'devices':
      return [
        { $match: { ...mine, device: { $ne: null } } },
        { $group: { _id: { o: '$owner', t: '$device.type', os: '$device.os', m: '$device.model' }, v: { $max: '$ts' } } },
      ];
    case 'channels':
      return [{ $match: { ...mine, ts: within(m.days) } }, { $group: { _id: { o: '$owner', k: '$channel' }, v: { $sum: 1 } } }];
    case 'deviceTypes':
      return [
        { $match: { ...mine, ts: within(m.days), 'device.type': { $type: 'string' } } },
        { $group: { _id: { o: '$owner', k: '$device.type' }, v: { $sum: 1 } } },
      ];
    case 'activity': {
      const recent = new Date(m.recentStart);
      return [
        { $match: { ...mine, ts: { $lte: end } } },
        {
          $group: {
            _id: { o: '$owner' },
            last: { $max: '$ts' },
            earliestRecent: { $min: { $cond: [{ $gt: ['$ts', recent] }, '$ts', null] } },
            latestBefore: { $max: { $cond: [{ $lte: ['$ts', recent] }, '$ts', null] } },
            potentialEvents: { $sum: { $cond: [{ $gt: ['$ts', new Date(m.potentialStart)] }, 1, 0] } },
          },
        },
      ];
    }
    case 'interests': {
      const weightOf = { $switch: { branches: m.weights.map(([type, w]) => ({ case: { $eq: ['$type', type] }, then: w })), default: 0 } };
      const decay = { $pow: [0.5, { $divide: [{ $subtract: [end, '$ts'] }, m.halfLifeDays * 86_400_000] }] };
      return [
        { $match: { ...mine, ts: { $lte: end }, category: { $type: 'string' }, type: { $in: m.weights.map(([type]) => type) } } },
        { $group: { _id: { o: '$owner', k: '$category' }, v: { $sum: { $multiply: [weightOf, decay] } } } },
      ];
    }
    case 'topCategories':
      return [
        { $match: { ...mine, ts: within(m.days), category: { $type: 'string' } } },
        { $group: { _id: { o: '$owner', k: '$category' }, v: { $sum: 1 } } },
      ];
    case 'recentSearches':
      return [
        { $match: { ...mine, type: 'search', query: { $type: 'string' } } },
        { $sort: { ts: -1, _id: -1 } },
        { $group: { _id: { o: '$owner' }, v: { $push: { query: '$query', at: '$ts' } } } },
        { $project: { v: { $slice: ['$v', m.first] } } },
      ];
    case 'timeline': {
      const match: Document = { ...mine };
      if (m.types) match.type = { $in: m.types };
      const [past, order] = m.backward ? (['$gt', 1] as const) : (['$lt', -1] as const);
      if (m.after) {
        const ts = new Date(m.after.ts);
        match.$or = [{ ts: { [past]: ts } }, { ts, _id: { [past]: new ObjectId(m.after.id) } }];
      }
      return [
        { $match: match },
        { $sort: { ts: order, _id: order } },
        { $group: { _id: { o: '$owner' }, v: { $push: '$$ROOT' } } },
        { $project: { v: { $slice: ['$v', m.first + 1] } } },
      ];
    }
  }
}

type Out = { _id: { o: string; k?: string; t?: string; os?: string; m?: string }; v?: unknown } & Partial<
  Omit<ActivityRow, 'potentialEvents'>
> & { potentialEvents?: number };

const byCountThenName =
  <R extends { events: number }>(key: (r: R) => string) =>
  (a: R, b: R) =>
    b.events - a.events || key(a).localeCompare(key(b));

/** Reads the value of `m` for `owner` out of its branch's output. */
export function valueFor<M extends Metric>(m: M, owner: string, rows: Out[]): ValueOf<M> {
  const own = rows.filter((r) => r._id.o === owner);
  const value = (() => {
    switch (m.kind) {
      case 'lastSeen':
        return (own[0]?.v as Date | undefined) ?? null;
      case 'sessions':
        return (own[0]?.v as number | undefined) ?? 0;
      case 'eventCounts':
        return own.map((r) => ({ type: r._id.k!, count: r.v as number })).sort((a, b) => b.count - a.count || a.type.localeCompare(b.type));
      case 'devices':
        return own
          .map((r) => ({ type: r._id.t ?? null, os: r._id.os ?? null, model: r._id.m ?? null, lastSeenAt: r.v as Date }))
          .sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
      case 'channels':
        return own.map((r) => ({ channel: r._id.k!, events: r.v as number })).sort(byCountThenName((r) => r.channel));
      case 'topCategories':
        return own.map((r) => ({ category: r._id.k!, events: r.v as number })).sort(byCountThenName((r) => r.category));
      case 'deviceTypes':
        return own.map((r) => ({ type: r._id.k!, events: r.v as number })).sort(byCountThenName((r) => r.type));
      case 'activity': {
        const row = own[0];
        return {
          last: row?.last ?? null,
          earliestRecent: row?.earliestRecent ?? null,
          latestBefore: row?.latestBefore ?? null,
          potentialEvents: row?.potentialEvents ?? 0,
        };
      }
      case 'interests':
        return own
          .map((r) => ({ category: r._id.k!, weight: r.v as number }))
          .sort((a, b) => b.weight - a.weight || a.category.localeCompare(b.category));
      case 'recentSearches':
      case 'timeline':
        return (own[0]?.v as unknown[] | undefined) ?? [];
    }
  })();
  return value as ValueOf<M>;
}
