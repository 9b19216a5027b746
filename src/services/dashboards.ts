import { randomBytes } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Context } from '../context';
import { badUserInput, conflict, forbidden } from '../errors';
import { ChurnLevel, ConsentPurpose, LifecycleStage, ValueTier } from '../enums';
import { checkFirst, encodeCursor, sliceOf, toPage, type ConnectionArgs } from '../pagination';
import type { CustomerStatsParent as StatsParent, SnapshotInfoParent as SnapshotParent } from '../parents';
import * as seg from '../sources/crm/segments';
import { completeSnapshots, type SnapshotVersion } from '../sources/crm/snapshots';

/**
 * Dashboards and segments over the profile snapshot: which snapshot answers (the current complete
 * version, read once per request), filter validation, statistics and saved segments. Every answer
 * carries its snapshot (version, asOf, age).
 */

const MAX_LIST = 50;
const MAX_TEXT = 100;

const snapshotsByRequest = new WeakMap<Context, Promise<SnapshotVersion[]>>();

/** The current and previous complete snapshots, read once per request (every answer of a request comes from the same version). */
export function snapshotsOf(ctx: Context): Promise<SnapshotVersion[]> {
  let p = snapshotsByRequest.get(ctx);
  if (!p) snapshotsByRequest.set(ctx, (p = completeSnapshots(ctx.crm.db, 2)));
  return p;
}

/** The current snapshot; an error saying how to build one when there is none. */
export async function currentSnapshot(ctx: Context): Promise<SnapshotVersion> {
  const [current] = await snapshotsOf(ctx);
  if (!current) {
    throw new GraphQLError('No profile snapshot has been built yet: run `npm run snapshot` (or set SNAPSHOT_INTERVAL_MINUTES).', {
      extensions: { code: 'SOURCE_UNAVAILABLE', source: 'snapshot', reason: 'not_built' },
    });
  }
  return current;
}

export const snapshotInfo = (ctx: Context, version: SnapshotVersion): SnapshotParent => ({ version, now: ctx.now });

/** A filter as given, checked: BAD_USER_INPUT naming the field that is wrong. */
export function checkFilter(filter: seg.SegmentFilter | null | undefined, field = 'filter'): seg.SegmentFilter {
  const f = filter ?? {};
  for (const key of ['stages', 'tiers', 'tagsAll', 'tagsAny', 'churnLevels', 'cities', 'consents'] as const) {
    const list = f[key];
    if (list && list.length > MAX_LIST) throw badUserInput(`\`${field}.${key}\` holds at most ${MAX_LIST} values.`, `${field}.${key}`);
    if (list?.some((v) => v.trim().length === 0 || v.length > MAX_TEXT))
      throw badUserInput(`\`${field}.${key}\` values must have 1 to ${MAX_TEXT} characters.`, `${field}.${key}`);
  }
  for (const key of ['recency', 'frequency', 'monetary'] as const) {
    const r = f[key];
    if (!r) continue;
    for (const end of [r.min, r.max]) {
      if (end != null && !(Number.isInteger(end) && end >= 1 && end <= 5))
        throw badUserInput(`\`${field}.${key}\` bounds are RFM scores, 1 to 5.`, `${field}.${key}`);
    }
    if (r.min != null && r.max != null && r.min > r.max)
      throw badUserInput(`\`${field}.${key}.min\` must not exceed \`max\`.`, `${field}.${key}`);
  }
  if (f.lastActivityAfter && f.lastActivityBefore && f.lastActivityAfter >= f.lastActivityBefore) {
    throw badUserInput(`\`${field}.lastActivityAfter\` must be before \`lastActivityBefore\`.`, `${field}.lastActivityAfter`);
  }
  return f;
}

export async function customerStats(ctx: Context, filter: seg.SegmentFilter | null | undefined): Promise<StatsParent> {
  const f = checkFilter(filter);
  const [current, previous] = await Promise.all([currentSnapshot(ctx), snapshotsOf(ctx).then((s) => s[1] ?? null)]);
  return { snapshot: current, previous, filter: f };
}

/**
 * The statistics of a StatsParent: for everyone, read from the counts written with the version (a few
 * rows); for a filter, computed over the version's rows (one statement per field).
 */
export const statsOf = {
  total: async (ctx: Context, p: StatsParent) =>
    seg.isEveryone(p.filter)
      ? ((await seg.savedCounts(ctx.crm.db, p.snapshot.version, 'total', 1))[0]?.count ?? 0)
      : seg.countMembers(ctx.crm.db, p.snapshot.version, p.filter),
  by: async (ctx: Context, p: StatsParent, dimension: seg.Dimension, first = 100) =>
    seg.isEveryone(p.filter)
      ? seg.savedCounts(ctx.crm.db, p.snapshot.version, dimension, checkFirst(first, 100))
      : seg.countsBy(ctx.crm.db, p.snapshot.version, p.filter, dimension, checkFirst(first, 100)),
  byTag: async (ctx: Context, p: StatsParent, first: number) =>
    seg.isEveryone(p.filter)
      ? seg.savedCounts(ctx.crm.db, p.snapshot.version, 'tag', checkFirst(first, 100))
      : seg.countsByTag(ctx.crm.db, p.snapshot.version, p.filter, checkFirst(first, 100)),
  rfmGrid: async (ctx: Context, p: StatsParent) => {
    if (!seg.isEveryone(p.filter)) return seg.rfmGrid(ctx.crm.db, p.snapshot.version, p.filter);
    const cells = (await seg.savedCounts(ctx.crm.db, p.snapshot.version, 'rfm', 25)).map((c) => {
      const [recency, frequency] = c.key!.split(':').map(Number) as [number, number];
      return { recency, frequency, count: c.count, monetary: c.monetary };
    });
    return cells.sort((a, b) => b.recency - a.recency || b.frequency - a.frequency);
  },
  transitions: async (ctx: Context, p: StatsParent) => {
    if (!p.previous) return [];
    if (!seg.isEveryone(p.filter)) return seg.stageTransitions(ctx.crm.db, p.snapshot.version, p.previous.version, p.filter);
    return (await seg.savedCounts(ctx.crm.db, p.snapshot.version, 'transition', 100)).map((t) => {
      const [from, to] = t.key!.split('>') as [string, string];
      return { from: from || null, to, count: t.count };
    });
  },
};

// ---- segments ----

function checkInput(input: { name: string; description?: string | null; filter: seg.SegmentFilter }) {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200) throw badUserInput('`input.name` must have 1 to 200 characters.', 'input.name');
  const description = input.description?.trim() || null;
  if (description && description.length > 2000)
    throw badUserInput('`input.description` must have at most 2000 characters.', 'input.description');
  return { name, description, filter: checkFilter(input.filter, 'input.filter') };
}

/** The enums of a SegmentFilter's lists: GraphQL name → stored value. */
const FILTER_ENUMS = { stages: LifecycleStage, tiers: ValueTier, churnLevels: ChurnLevel, consents: ConsentPurpose } as const;

/**
 * Segment.filter: the filter as saved, in SegmentFilter's input form (enum values by their GraphQL
 * names, as the storage form of consents differs), so a client can send it back unchanged.
 */
export function filterAsInput(f: seg.SegmentFilter): seg.SegmentFilter {
  const out = { ...f };
  for (const [key, values] of Object.entries(FILTER_ENUMS) as [keyof typeof FILTER_ENUMS, Record<string, string>][]) {
    const names = new Map(Object.entries(values).map(([name, stored]) => [stored, name]));
    const list = f[key];
    if (list) out[key] = list.map((v) => names.get(v) ?? v);
  }
  return out;
}

export const segments = (ctx: Context, first: number | null | undefined) =>
  seg.latestSegments(ctx.crm.db, null, checkFirst(first ?? 100, 100));
export const segmentById = async (ctx: Context, id: string) => (await seg.latestSegments(ctx.crm.db, id))[0] ?? null;

/**
 * Saves a version. A name another segment has (case-insensitively) is a CONFLICT naming that segment;
 * two updates of one segment at once: the second is a CONFLICT (its version number was taken).
 */
async function save(ctx: Context, id: string, input: { name: string; description?: string | null; filter: seg.SegmentFilter }) {
  try {
    return await seg.saveSegment(ctx.crm.db, { id, ...checkInput(input), actor: ctx.principal.subject });
  } catch (e) {
    if (e instanceof seg.SegmentNameTaken) {
      const { holder } = e;
      if (!holder) throw conflict(`Another segment took the name "${input.name.trim()}" at the same time; try again.`, { retryable: true });
      throw conflict(
        `The segment "${holder.name}" (${holder.id}) already has this name (names are unique, case-insensitively): choose another.`,
        {
          segmentId: holder.id,
        },
      );
    }
    if ((e as { code?: string }).code === '23505')
      throw conflict(`Segment "${id}" was updated at the same time; try again.`, { retryable: true });
    throw e;
  }
}

export const createSegment = (ctx: Context, input: { name: string; description?: string | null; filter: seg.SegmentFilter }) =>
  save(ctx, `seg_${randomBytes(6).toString('hex')}`, input);

/**
 * Saves a new version of a segment (null when there is none); only its owner or an admin may, as a
 * segment feeds CSV exports. An owner never changes, so checking before the save cannot race.
 */
export async function updateSegment(
  ctx: Context,
  id: string,
  input: { name: string; description?: string | null; filter: seg.SegmentFilter },
) {
  const current = await segmentById(ctx, id);
  if (!current) return null;
  if (current.owner !== ctx.principal.subject && !ctx.principal.roles.has('admin')) {
    throw forbidden(`Only the segment's owner (${current.owner}) or an admin may update segment "${id}".`);
  }
  return save(ctx, id, input);
}

export async function segmentStats(ctx: Context, segment: seg.SegmentRow): Promise<StatsParent> {
  return customerStats(ctx, segment.filter);
}

/** Segment.members: a Relay page of the members in id order; totalCount is the segment's count. */
export async function segmentMembers(ctx: Context, segment: seg.SegmentRow, args: ConnectionArgs) {
  const snapshot = await currentSnapshot(ctx);
  // A cursor belongs to one snapshot version: after a switch, paging starts again (BAD_USER_INPUT), never mixes versions.
  const tag = `segment:${segment.id}:${snapshot.version}`;
  const slice = sliceOf(args, tag, ['string'], { max: 100, defaultSize: 20 });
  const ids = await seg.memberIds(ctx.crm.db, snapshot.version, segment.filter, slice.cursor?.[0] ?? null, slice.size + 1, slice.backward);
  return {
    ...toPage(
      ids,
      slice,
      (id) => encodeCursor(tag, [id]),
      (id) => ({ id }),
    ),
    count: () => seg.countMembers(ctx.crm.db, snapshot.version, segment.filter),
    snapshot: snapshotInfo(ctx, snapshot),
  };
}
