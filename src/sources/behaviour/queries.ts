import { ObjectId, type Db, type Document } from 'mongodb';
import { facetBranch, metricKey, type Metric } from './metrics';
import type { EventDoc } from './rows';

export const EVENTS = 'events';

/** Which customer owns events carrying an identifier: `c:<customerId>`, `a:<anonymousId>`, `d:<deviceId>`. */
export type Ownership = Map<string, string>;

/**
 * Adds a customer and what its identities link to it: anonymous and device ids, and the person's
 * other records (kind customer_id, after a merge), whose events are its own.
 */
export function addOwner(ownership: Ownership, customerId: string, identities: readonly { kind: string; value: string }[]): Ownership {
  ownership.set(`c:${customerId}`, customerId);
  for (const r of identities) {
    if (r.kind === 'customer_id') ownership.set(`c:${r.value}`, customerId);
    if (r.kind === 'anonymous_id') ownership.set(`a:${r.value}`, customerId);
    if (r.kind === 'device_id') ownership.set(`d:${r.value}`, customerId);
  }
  return ownership;
}

/** The customer ids, anonymous ids and device ids the keys of `ownership` hold. */
function idsOf(ownership: Ownership): { records: string[]; anonymous: string[]; devices: string[] } {
  const of = (prefix: string) => [...ownership.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(2));
  return { records: of('c:'), anonymous: of('a:'), devices: of('d:') };
}

/** The indexed filter of every event any key of `ownership` points at (its customer ids, anonymous and device ids). */
function linkedFilter(ownership: Ownership): Document {
  const { records, anonymous, devices } = idsOf(ownership);
  const or: Document[] = [{ customerId: { $in: records } }];
  if (anonymous.length) or.push({ anonymousId: { $in: anonymous } });
  if (devices.length) or.push({ deviceId: { $in: devices } });
  return { $or: or };
}

/**
 * The indexed filter of one person's own events (`ownership` of one customer; export, erasure): those
 * naming one of their records, and anonymous ones (no customerId) under one of their anonymous or
 * device ids. An event that names another customer is that customer's, whoever else uses the device.
 */
function personalFilter(ownership: Ownership): Document {
  const { records, anonymous, devices } = idsOf(ownership);
  const or: Document[] = [{ customerId: { $in: records } }];
  if (anonymous.length) or.push({ anonymousId: { $in: anonymous }, customerId: null });
  if (devices.length) or.push({ deviceId: { $in: devices }, customerId: null });
  return { $or: or };
}

/** The filter of the events under the person's anonymous or device ids that name another customer. */
function othersOnSharedFilter(ownership: Ownership): Document {
  const { records, anonymous, devices } = idsOf(ownership);
  return { $or: [{ anonymousId: { $in: anonymous } }, { deviceId: { $in: devices } }], customerId: { $nin: [...records, null] } };
}

/** The `$match` of the linked events up to `now`. */
const matchLinked = (ownership: Ownership, now: Date): Document => ({ $match: { ...linkedFilter(ownership), ts: { $lte: now } } });

/** Every event of the person as stored, whatever its date, oldest first (a whole-record export). */
export const ownedEvents = (db: Db, ownership: Ownership, maxTimeMS: number) =>
  db
    .collection<EventDoc>(EVENTS)
    .find(personalFilter(ownership), { sort: { ts: 1, _id: 1 }, maxTimeMS })
    .toArray();

/**
 * Deletes every event of the person, whatever its date (erasure), in a second round trip after
 * counting the events under their anonymous or device ids that name another customer: those it
 * keeps. Answers that count.
 */
export async function deleteOwnedEvents(db: Db, ownership: Ownership): Promise<number> {
  const kept = await db.collection(EVENTS).countDocuments(othersOnSharedFilter(ownership));
  await db.collection(EVENTS).deleteMany(personalFilter(ownership));
  return kept;
}

/**
 * `{ owner: [...] }`: the distinct customers an event belongs to (one event may be linked to several),
 * with null where a field links to nobody (dropped after the $unwind). The lookup tables are
 * `$literal`s so that they are constants, not arrays evaluated per event; the owners' table ends
 * with null, which `$arrayElemAt` picks for the index -1 of a key that is not in the table.
 */
function ownersOf(ownership: Ownership): Document {
  const keys = [...ownership.keys()];
  const owners = [...ownership.values(), null];
  const ownerVia = (prefix: string, field: string) => ({
    $arrayElemAt: [{ $literal: owners }, { $indexOfArray: [{ $literal: keys }, { $concat: [prefix, field] }] }],
  });
  return {
    $addFields: { owner: { $setUnion: [[ownerVia('c:', '$customerId'), ownerVia('a:', '$anonymousId'), ownerVia('d:', '$deviceId')]] } },
  };
}

/**
 * One aggregation answering every metric for its customers: the events of all of them (found through
 * the indexes on customerId, anonymousId and deviceId), each attributed to its owners, then one
 * `$facet` branch per distinct metric. Returns the branches' outputs by metricKey.
 */
export async function aggregateMetrics(
  db: Db,
  ownership: Ownership,
  requests: { metric: Metric; owners: string[] }[],
  now: Date,
  maxTimeMS: number,
): Promise<Record<string, Document[]>> {
  const everyone = new Set(ownership.values()).size;
  const facets = Object.fromEntries(
    requests.map((r) => [metricKey(r.metric), facetBranch(r.metric, new Set(r.owners).size === everyone ? null : r.owners, now)]),
  );
  const pipeline: Document[] = [
    matchLinked(ownership, now),
    ownersOf(ownership),
    { $unwind: '$owner' },
    { $match: { owner: { $ne: null } } },
    { $facet: facets },
  ];
  const [result] = await db.collection(EVENTS).aggregate(pipeline, { maxTimeMS, allowDiskUse: true }).toArray();
  return (result ?? {}) as Record<string, Document[]>;
}

/**
 * The identifiers carried by events that happened between `since` and `until`, arrived between them
 * (by their ObjectId's time: late events), or left one of `windows` (days) between them: whose
 * behaviour facts may have changed. Distinct values streamed from a cursor (no single-document limit).
 */
export async function identifiersSeen(
  db: Db,
  since: Date,
  until: Date,
  windows: number[],
  maxTimeMS: number,
): Promise<{ customerIds: string[]; anonymousIds: string[]; deviceIds: string[] }> {
  const day = 86_400_000;
  const or: Document[] = [
    { ts: { $gt: since, $lte: until } },
    {
      _id: {
        $gt: ObjectId.createFromTime(Math.floor(since.getTime() / 1000)),
        $lte: ObjectId.createFromTime(Math.floor(until.getTime() / 1000) + 1),
      },
    },
    ...windows.map((d) => ({ ts: { $gt: new Date(since.getTime() - (d + 1) * day), $lte: new Date(until.getTime() - (d + 1) * day) } })),
  ];
  const out = { customerIds: new Set<string>(), anonymousIds: new Set<string>(), deviceIds: new Set<string>() };
  const cursor = db
    .collection(EVENTS)
    .aggregate<{ _id: { c?: string | null; a?: string | null; d?: string | null } }>(
      [{ $match: { $or: or } }, { $group: { _id: { c: '$customerId', a: '$anonymousId', d: '$deviceId' } } }],
      { maxTimeMS, allowDiskUse: true },
    );
  for await (const { _id: k } of cursor) {
    if (k.c) out.customerIds.add(k.c);
    if (k.a) out.anonymousIds.add(k.a);
    if (k.d) out.deviceIds.add(k.d);
  }
  return { customerIds: [...out.customerIds], anonymousIds: [...out.anonymousIds], deviceIds: [...out.deviceIds] };
}

/** The indexes contracts/behaviour.md expects; created by the seed and by tests, never by the API on a real MongoDB. */
export const EVENT_INDEXES = [
  { key: { customerId: 1, ts: -1 }, name: 'customerId_1_ts_-1' },
  { key: { anonymousId: 1, ts: -1 }, name: 'anonymousId_1_ts_-1' },
  { key: { deviceId: 1, ts: -1 }, name: 'deviceId_1_ts_-1' },
  { key: { ts: -1 }, name: 'ts_-1' },
] as const;
