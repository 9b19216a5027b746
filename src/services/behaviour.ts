import type { GraphQLResolveInfo } from 'graphql';
import type { BehaviourParent, EventConnectionParent } from '../parents';
import type { Context } from '../context';
import { badUserInput } from '../errors';
import { checkFirst, encodeCursor, sliceOf, toPage, type ConnectionArgs } from '../pagination';
import type { Metric, MetricValues } from '../sources/behaviour/metrics';
import type { EventDoc } from '../sources/behaviour/rows';
import { selectedFields } from './selection';

/** Customer.behaviour and Customer.timeline over the request's behaviour loader. */

const MAX_DAYS = 3650;

function checkDays(days: unknown, arg = 'days'): number {
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
    throw badUserInput(`\`${arg}\` must be between 1 and ${MAX_DAYS} (got ${String(days)}).`, arg);
  }
  return days;
}

/** The metric a Behaviour field with these arguments needs. */
export function metricOf(field: string, args: Record<string, unknown>): Metric | null {
  switch (field) {
    case 'lastSeenAt':
      return { kind: 'lastSeen' };
    case 'sessions':
      return { kind: 'sessions', days: checkDays(args.days) };
    case 'eventCounts':
      return { kind: 'eventCounts', days: checkDays(args.days) };
    case 'devices':
      return { kind: 'devices' };
    case 'channels':
      return { kind: 'channels', days: checkDays(args.days) };
    case 'topCategories':
      checkFirst(args.first as number, 50);
      return { kind: 'topCategories', days: checkDays(args.days) };
    case 'recentSearches':
      return { kind: 'recentSearches', first: checkFirst(args.first as number, 50) };
    default:
      return null;
  }
}

/** The metric behind each Behaviour field. */
interface KindOfField {
  lastSeenAt: 'lastSeen';
  sessions: 'sessions';
  eventCounts: 'eventCounts';
  devices: 'devices';
  channels: 'channels';
  topCategories: 'topCategories';
  recentSearches: 'recentSearches';
}
type BehaviourField = keyof KindOfField;

/** The value of a Behaviour field (served from the batch `behaviourOf` started, so no extra trip). */
export function behaviourField<F extends BehaviourField>(
  ctx: Context,
  parent: BehaviourParent,
  field: F,
  args: object,
): Promise<MetricValues[KindOfField[F]]> {
  return ctx.behaviour.metric(parent.customerId, metricOf(field, args as Record<string, unknown>)!) as Promise<never>;
}

/**
 * Starts, in one batch with every other customer of the level, the metrics the selection under
 * Customer.behaviour needs, and fails the whole `behaviour` field when the source is unavailable.
 */
export async function behaviourOf(ctx: Context, customerId: string, info: GraphQLResolveInfo): Promise<BehaviourParent> {
  const metrics = selectedFields(info).flatMap((f) => metricOf(f.name, f.args) ?? []);
  await Promise.all(metrics.map((m) => ctx.behaviour.metric(customerId, m)));
  return { customerId };
}

export const shares = (rows: { channel: string; events: number }[]) => {
  const total = rows.reduce((sum, r) => sum + r.events, 0);
  return rows.map((r) => ({ ...r, share: total ? r.events / total : 0 }));
};

const TIMELINE = 'timeline';

export async function timelineOf(
  ctx: Context,
  customerId: string,
  args: ConnectionArgs & { types?: string[] | null },
): Promise<EventConnectionParent> {
  const slice = sliceOf(args, TIMELINE, ['int', 'objectId'], { max: 100, defaultSize: 20 });
  const after = slice.cursor && { ts: slice.cursor[0], id: slice.cursor[1] };
  const types = args.types?.length ? [...new Set(args.types)].sort() : null;
  const events = await ctx.behaviour.metric(customerId, { kind: 'timeline', first: slice.size, types, after, backward: slice.backward });
  return toPage(
    events,
    slice,
    (e: EventDoc) => encodeCursor(TIMELINE, [e.ts.getTime(), e._id.toHexString()]),
    (e) => e,
  );
}
