/**
 * The API's behaviour queries and the contract indexes, run against the MongoDB the tests run against
 * (C360_TEST_MONGO_URL): the embedded server (@c360/mongo-wire) by default, a real MongoDB when
 * MONGODB_URI_TEST is set, so the two can be compared. Every expected answer is computed here in plain
 * JS, never by re-running the query under test. The server's own conformance suite is
 * packages/mongo-wire/test/conformance.test.ts; this part stays with the API because it runs the
 * API's queries (src/sources/behaviour).
 */
import { loadEvents, type SeedEvent } from '@c360/demo-data';
import { ObjectId, type Document } from 'mongodb';
import { metricKey, type Metric } from '../../src/sources/behaviour/metrics';
import { aggregateMetrics, EVENT_INDEXES, EVENTS, type Ownership } from '../../src/sources/behaviour/queries';
import { useDatabase } from '../../packages/mongo-wire/test/database';

/** Deterministic pseudo-random numbers (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sortedStrings = (values: unknown[]) => values.map((v) => String(v)).sort();

// ---------------------------------------------------------------------------------------------------
// The product's own queries over a deterministic event set.

const NOW = new Date('2026-06-15T12:00:00Z');
const DAY = 86_400_000;

/** Events of four customers (through customerId, anonymousId and deviceId), strangers, and events after NOW. */
function conformanceEvents(): SeedEvent[] {
  const random = prng(20260615);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const who: Partial<Pick<SeedEvent, 'customerId' | 'anonymousId' | 'deviceId'>>[] = [
    { customerId: 'cust-1' },
    { anonymousId: 'anon-1' },
    { deviceId: 'dev-1' },
    { customerId: 'cust-1', deviceId: 'dev-1' },
    { customerId: 'cust-2' },
    { anonymousId: 'anon-2' },
    { anonymousId: 'anon-2b' },
    { customerId: 'cust-2', anonymousId: 'anon-1' }, // belongs to cust-1 and cust-2
    { customerId: 'cust-3' },
    { deviceId: 'dev-3' },
    { anonymousId: 'anon-x', deviceId: 'dev-3' },
    { customerId: 'cust-x' },
    { anonymousId: 'anon-x' },
    { deviceId: 'dev-x' },
  ];
  const devices = [
    { type: 'mobile', os: 'iOS', model: 'iPhone 15' },
    { type: 'desktop', os: 'macOS' },
    { type: 'tablet', os: 'iPadOS', model: 'iPad Air' },
    null,
    undefined,
  ];
  const types = ['page_view', 'product_view', 'search', 'add_to_cart', 'purchase', 'click', 'share', 'custom_thing'];
  const events: SeedEvent[] = [];
  for (let i = 0; i < 400; i++) {
    const roll = random();
    // Hours only, so that many events share a ts and the _id breaks the tie; some exactly at NOW, some after.
    const ts =
      roll < 0.08
        ? new Date(NOW.getTime() + (1 + Math.floor(random() * 72)) * 3_600_000)
        : roll < 0.1
          ? new Date(NOW)
          : new Date(NOW.getTime() - Math.floor(random() * 120 * 24) * 3_600_000);
    const type = pick(types);
    const device = pick(devices);
    const category = random() < 0.6 ? pick(['skincare', 'outdoor', 'books']) : random() < 0.5 ? 42 : undefined;
    const query = type === 'search' && random() < 0.85 ? pick(['tent', 'cream', 'novel', 'lamp']) : undefined;
    const idHex = `${Math.floor(random() * 0xffffffff)
      .toString(16)
      .padStart(8, '0')}${Math.floor(random() * 0xffffffff)
      .toString(16)
      .padStart(8, '0')}${i.toString(16).padStart(8, '0')}`;
    const event = {
      _id: new ObjectId(idHex),
      customerId: null,
      anonymousId: null,
      deviceId: null,
      ...pick(who),
      sessionId: `s${Math.floor(random() * 60)}`,
      type,
      ts,
      channel: pick(['web', 'app', 'mini_program', 'store']),
      ...(device !== undefined ? { device } : {}),
      ...(category !== undefined ? { category } : {}),
      ...(query !== undefined ? { query } : {}),
    } as SeedEvent;
    events.push(event);
  }
  return events;
}

const OWNERSHIP: Ownership = new Map([
  ['c:cust-1', 'cust-1'],
  ['a:anon-1', 'cust-1'],
  ['d:dev-1', 'cust-1'],
  ['c:cust-2', 'cust-2'],
  ['a:anon-2', 'cust-2'],
  ['a:anon-2b', 'cust-2'],
  ['c:cust-3', 'cust-3'],
  ['d:dev-3', 'cust-3'],
  ['c:cust-4', 'cust-4'], // no events at all
]);
const CUSTOMERS = ['cust-1', 'cust-2', 'cust-3', 'cust-4'];

/** The customers an event belongs to, by plain lookups in OWNERSHIP. */
function ownersOf(e: SeedEvent): string[] {
  const owners = new Set<string>();
  for (const key of [`c:${String(e.customerId)}`, `a:${String(e.anonymousId)}`, `d:${String(e.deviceId)}`]) {
    const owner = OWNERSHIP.get(key);
    if (owner) owners.add(owner);
  }
  return [...owners];
}

const iso = (d: Date) => d.toISOString();
const byJson = (a: unknown, b: unknown) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0);
const newestFirst = (a: SeedEvent, b: SeedEvent) =>
  b.ts.getTime() - a.ts.getTime() || b._id.toHexString().localeCompare(a._id.toHexString());

/** A `$facet` branch's rows as sorted plain objects: `{ o, ...other _id fields (missing → null), v }`. */
function normalize(m: Metric, rows: Document[]): unknown[] {
  return rows
    .map((r) => {
      const id = r._id as Record<string, unknown>;
      const out: Record<string, unknown> = { o: id.o };
      if (m.kind === 'devices') Object.assign(out, { t: id.t ?? null, os: id.os ?? null, m: id.m ?? null });
      else if (m.kind === 'eventCounts' || m.kind === 'channels' || m.kind === 'topCategories') out.k = id.k;
      if (m.kind === 'timeline') out.v = (r.v as Document[]).map((d) => (d._id as ObjectId).toHexString());
      else if (m.kind === 'recentSearches') out.v = (r.v as { query: string; at: Date }[]).map((s) => ({ query: s.query, at: iso(s.at) }));
      else out.v = r.v instanceof Date ? iso(r.v) : r.v;
      return out;
    })
    .sort(byJson);
}

/** The same answer computed directly from the events. */
function expected(m: Metric, owners: string[], events: SeedEvent[]): unknown[] {
  const visible = events.filter((e) => e.ts.getTime() <= NOW.getTime());
  const since = (days: number) => NOW.getTime() - days * DAY;
  const out: Record<string, unknown>[] = [];
  const groupCount = (list: SeedEvent[], key: (e: SeedEvent) => unknown, o: string) => {
    const counts = new Map<string, number>();
    for (const e of list) counts.set(JSON.stringify(key(e)), (counts.get(JSON.stringify(key(e))) ?? 0) + 1);
    for (const [k, v] of counts) out.push({ o, k: JSON.parse(k) as unknown, v });
  };
  for (const o of owners) {
    const mine = visible.filter((e) => ownersOf(e).includes(o));
    if (mine.length === 0) continue;
    switch (m.kind) {
      case 'lastSeen':
        out.push({ o, v: iso(new Date(Math.max(...mine.map((e) => e.ts.getTime())))) });
        break;
      case 'sessions': {
        const sessions = new Set(mine.filter((e) => e.ts.getTime() > since(m.days)).map((e) => e.sessionId));
        if (sessions.size > 0) out.push({ o, v: sessions.size });
        break;
      }
      case 'eventCounts':
        groupCount(
          mine.filter((e) => e.ts.getTime() > since(m.days)),
          (e) => e.type,
          o,
        );
        break;
      case 'channels':
        groupCount(
          mine.filter((e) => e.ts.getTime() > since(m.days)),
          (e) => e.channel,
          o,
        );
        break;
      case 'topCategories':
        groupCount(
          mine.filter((e) => e.ts.getTime() > since(m.days) && typeof e.category === 'string'),
          (e) => e.category,
          o,
        );
        break;
      case 'devices': {
        const last = new Map<string, number>();
        for (const e of mine.filter((x) => x.device != null)) {
          const key = JSON.stringify({ o, t: e.device.type ?? null, os: e.device.os ?? null, m: e.device.model ?? null });
          last.set(key, Math.max(last.get(key) ?? 0, e.ts.getTime()));
        }
        for (const [key, v] of last) out.push({ ...(JSON.parse(key) as object), v: iso(new Date(v)) });
        break;
      }
      case 'recentSearches': {
        const searches = mine.filter((e) => e.type === 'search' && typeof e.query === 'string').sort(newestFirst);
        if (searches.length > 0) out.push({ o, v: searches.slice(0, m.first).map((e) => ({ query: e.query, at: iso(e.ts) })) });
        break;
      }
      case 'timeline': {
        const after = m.after;
        // Forward: older than the cursor, newest first; backward: newer than it, oldest first.
        const beyond = (e: SeedEvent) =>
          !after || e.ts.getTime() < after.ts || (e.ts.getTime() === after.ts && e._id.toHexString() < after.id);
        const page = mine
          .filter((e) => !m.types || m.types.includes(e.type))
          .filter((e) => (m.backward ? !beyond(e) && !(after && e._id.toHexString() === after.id) : beyond(e)))
          .sort(newestFirst);
        if (m.backward) page.reverse();
        if (page.length > 0) out.push({ o, v: page.slice(0, m.first + 1).map((e) => e._id.toHexString()) });
        break;
      }
    }
  }
  return out.sort(byJson);
}

describe('the behaviour source queries', () => {
  const ctx = useDatabase('behaviour');
  const events = conformanceEvents();

  beforeAll(async () => {
    await loadEvents(ctx.db, events, { replace: true });
  });

  it('has a useful event set (linked, shared, tied and future events)', () => {
    const visible = events.filter((e) => e.ts <= NOW);
    expect(events.length - visible.length).toBeGreaterThan(10);
    expect(visible.filter((e) => ownersOf(e).length === 2).length).toBeGreaterThan(5);
    expect(visible.filter((e) => ownersOf(e).length === 0).length).toBeGreaterThan(10);
    const ties = new Set(visible.map((e) => e.ts.getTime()));
    expect(ties.size).toBeLessThan(visible.length);
  });

  it('aggregateMetrics answers every metric as plain JS does over the same events', async () => {
    const cust1Timeline = events.filter((e) => e.ts <= NOW && ownersOf(e).includes('cust-1')).sort(newestFirst);
    const cursor = cust1Timeline[7]!;
    const metrics: { metric: Metric; owners: string[] }[] = [
      { metric: { kind: 'lastSeen' }, owners: CUSTOMERS },
      { metric: { kind: 'sessions', days: 30 }, owners: CUSTOMERS },
      { metric: { kind: 'sessions', days: 90 }, owners: CUSTOMERS },
      { metric: { kind: 'eventCounts', days: 30 }, owners: CUSTOMERS },
      { metric: { kind: 'eventCounts', days: 90 }, owners: ['cust-2'] },
      { metric: { kind: 'devices' }, owners: CUSTOMERS },
      { metric: { kind: 'channels', days: 90 }, owners: CUSTOMERS },
      { metric: { kind: 'topCategories', days: 60 }, owners: CUSTOMERS },
      { metric: { kind: 'recentSearches', first: 3 }, owners: CUSTOMERS },
      { metric: { kind: 'timeline', first: 5, types: null, after: null }, owners: CUSTOMERS },
      { metric: { kind: 'timeline', first: 4, types: ['search', 'purchase', 'custom_thing'], after: null }, owners: ['cust-1', 'cust-3'] },
      {
        metric: { kind: 'timeline', first: 6, types: null, after: { ts: cursor.ts.getTime(), id: cursor._id.toHexString() } },
        owners: ['cust-1'],
      },
      {
        metric: {
          kind: 'timeline',
          first: 3,
          types: null,
          after: { ts: cursor.ts.getTime(), id: cursor._id.toHexString() },
          backward: true,
        },
        owners: ['cust-1'],
      },
    ];
    const results = await aggregateMetrics(ctx.db, OWNERSHIP, metrics, NOW, 10_000);
    expect(Object.keys(results).sort()).toEqual(metrics.map((r) => metricKey(r.metric)).sort());
    for (const { metric, owners } of metrics) {
      const want = expected(metric, owners, events);
      expect(want.length).toBeGreaterThan(0);
      expect({ metric, rows: normalize(metric, results[metricKey(metric)] ?? []) }).toEqual({ metric, rows: want });
    }
  });

  it('the timeline returns whole events, each with its owner', async () => {
    const metric: Metric = { kind: 'timeline', first: 2, types: null, after: null };
    const results = await aggregateMetrics(ctx.db, OWNERSHIP, [{ metric, owners: ['cust-3'] }], NOW, 10_000);
    const rows = results[metricKey(metric)]!;
    expect(rows).toHaveLength(1);
    const want = events
      .filter((e) => e.ts <= NOW && ownersOf(e).includes('cust-3'))
      .sort(newestFirst)
      .slice(0, 3);
    expect(rows[0]!.v).toEqual(want.map((e) => ({ ...e, owner: 'cust-3' })));
  });

  it('finds nothing for identities without events', async () => {
    const metric: Metric = { kind: 'lastSeen' };
    const results = await aggregateMetrics(
      ctx.db,
      new Map([
        ['c:nobody', 'nobody'],
        ['a:anon-nobody', 'nobody'],
      ]),
      [{ metric, owners: ['nobody'] }],
      NOW,
      10_000,
    );
    expect(results[metricKey(metric)]).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// Index use, read from explain('executionStats') (no timings).

/** Every stage name and index name of a plan tree, wherever the server puts them. */
function planParts(plan: unknown, out = { stages: [] as string[], indexes: [] as string[] }) {
  if (Array.isArray(plan)) for (const p of plan) planParts(p, out);
  else if (plan !== null && typeof plan === 'object') {
    const node = plan as Record<string, unknown>;
    if (typeof node.stage === 'string') out.stages.push(node.stage);
    if (typeof node.indexName === 'string') out.indexes.push(node.indexName);
    if (Array.isArray(node.indexNames)) out.indexes.push(...node.indexNames.map(String));
    for (const [key, value] of Object.entries(node)) if (key !== 'executionStats') planParts(value, out);
  }
  return out;
}

describe('index use (explain)', () => {
  const ctx = useDatabase('explain');
  const random = prng(7);
  const docs = Array.from({ length: 2000 }, (_, i) => ({
    _id: new ObjectId(),
    customerId: i % 5 === 0 ? null : `c${Math.floor(random() * 500)}`,
    anonymousId: i % 5 === 0 ? `a${Math.floor(random() * 500)}` : null,
    deviceId: i % 7 === 0 ? `d${Math.floor(random() * 500)}` : null,
    ts: new Date(NOW.getTime() + (i % 11 === 0 ? 1 + Math.floor(random() * 5 * DAY) : -Math.floor(random() * 100 * DAY))), // some after NOW
    type: 'page_view',
  }));
  const ids = Array.from({ length: 50 }, (_, i) => `c${i * 10}`);
  const anonymous = Array.from({ length: 20 }, (_, i) => `a${i * 7}`);
  const devicesIds = Array.from({ length: 20 }, (_, i) => `d${i * 3}`);
  const byCustomer = docs.filter((d) => d.customerId !== null && ids.includes(d.customerId));
  const productFilter = {
    $or: [{ customerId: { $in: ids } }, { anonymousId: { $in: anonymous } }, { deviceId: { $in: devicesIds } }],
    ts: { $lte: NOW },
  };
  const byOr = docs.filter(
    (d) =>
      (d.customerId !== null && ids.includes(d.customerId)) ||
      (d.anonymousId !== null && anonymous.includes(d.anonymousId)) ||
      (d.deviceId !== null && devicesIds.includes(d.deviceId)),
  );
  const byProduct = byOr.filter((d) => d.ts <= NOW);
  const events = () => ctx.db.collection(EVENTS);

  beforeAll(async () => {
    await events().insertMany(docs);
  });

  it('has a meaningful selection', () => {
    expect(byCustomer.length).toBeGreaterThan(50);
    expect(byCustomer.length).toBeLessThan(docs.length / 4);
    expect(byProduct.length).toBeLessThan(byOr.length);
  });

  it('scans the collection without indexes', async () => {
    const plan = await events()
      .find({ customerId: { $in: ids } })
      .explain('executionStats');
    expect(plan.executionStats.nReturned).toBe(byCustomer.length);
    expect(plan.executionStats.totalDocsExamined).toBe(docs.length);
    expect(planParts(plan.queryPlanner.winningPlan).stages).toContain('COLLSCAN');
  });

  it('examines only the matching documents through the contract indexes', async () => {
    await events().createIndexes(EVENT_INDEXES.map((i) => ({ key: { ...i.key }, name: i.name })));
    const plan = await events()
      .find({ customerId: { $in: ids } })
      .explain('executionStats');
    expect(plan.executionStats.nReturned).toBe(byCustomer.length);
    expect(plan.executionStats.totalDocsExamined).toBe(byCustomer.length);
    const parts = planParts(plan.queryPlanner.winningPlan);
    expect(parts.stages).toContain('IXSCAN');
    expect(parts.stages).not.toContain('COLLSCAN');
    expect(parts.indexes).toEqual(['customerId_1_ts_-1']);
    expect(await events().countDocuments({ customerId: { $in: ids } })).toBe(byCustomer.length);
  });

  it("serves the product's $or of $ins from the indexes, never a collection scan", async () => {
    const plan = await events().find(productFilter).explain('executionStats');
    expect(plan.executionStats.nReturned).toBe(byProduct.length);
    const examined = plan.executionStats.totalDocsExamined as number;
    expect(examined).toBeGreaterThanOrEqual(byProduct.length);
    expect(examined).toBeLessThanOrEqual(byOr.length);
    expect(examined).toBeLessThan(docs.length);
    const parts = planParts(plan.queryPlanner.winningPlan);
    expect(parts.stages).not.toContain('COLLSCAN');
    expect([...new Set(parts.indexes)].sort()).toEqual(['anonymousId_1_ts_-1', 'customerId_1_ts_-1', 'deviceId_1_ts_-1']);
    const found = await events()
      .find(productFilter, { projection: { _id: 1 } })
      .toArray();
    expect(sortedStrings(found.map((d) => (d._id as ObjectId).toHexString()))).toEqual(
      sortedStrings(byProduct.map((d) => d._id.toHexString())),
    );
  });
});
