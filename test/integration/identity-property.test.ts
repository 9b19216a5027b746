import fc from 'fast-check';
import { ObjectId } from 'bson';
import type { SeedEvent } from '../../src/seed/events';
import type { CrmDataset } from '../../src/seed/generate';
import { createCrmDatabase } from '../helpers/database';
import { startTestServer, type TestServer } from '../helpers/server';

/**
 * Random sequences of links, unlinks, merges and unmerges over a small population. After every step:
 * no order, event or identifier is lost or counted twice, and every record belongs to exactly one
 * survivor. At the end, undoing every merge and link gives back the answers of the start.
 */
const NOW = new Date('2026-06-15T12:00:00Z');
const PEOPLE = ['p1', 'p2', 'p3', 'p4', 'p5'];
const FREE = ['free-1', 'free-2', 'free-3']; // browsers nobody owns yet
const at = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

function dataset(): CrmDataset {
  const d: CrmDataset = { products: [{ id: 'pr', name: 'P', category: 'skincare', brand: null, price: '10.00' }], customers: [], customer_identities: [], consents: [], orders: [], order_items: [], support_tickets: [] };
  PEOPLE.forEach((id, i) => {
    d.customers.push({ id, created_at: at(900), full_name: `Person ${i + 1}`, gender: null, birth_date: null, city: 'Shanghai', country: 'CN', occupation: null, email: `${id}@example.com`, phone: null, status: 'active' });
    d.customer_identities.push({ customer_id: id, kind: 'anonymous_id', value: `anon-${id}`, verified: false, first_seen_at: at(800) });
    d.consents.push({ customer_id: id, purpose: 'profiling', granted: true, updated_at: at(800), source: 'web' });
    for (let n = 0; n <= i % 3; n++) {
      const oid = `o-${id}-${n}`;
      d.orders.push({ id: oid, order_number: `SO-${id}-${n}`, customer_id: id, status: n === 2 ? 'cancelled' : 'completed', channel: 'web', placed_at: at(10 + 40 * n + i), total: `${10 * (n + 1)}.00` });
      d.order_items.push({ order_id: oid, line_no: 1, product_id: 'pr', quantity: n + 1, unit_price: '10.00' });
    }
  });
  return d;
}

let seq = 0;
const event = (owner: Partial<SeedEvent>, days: number): SeedEvent => ({
  _id: new ObjectId((++seq).toString(16).padStart(24, '0')), customerId: null, anonymousId: null, deviceId: null,
  type: 'page_view', ts: at(days), channel: 'web', sessionId: `s${seq}`, device: { type: 'desktop', os: 'macOS' }, ...owner,
});
const EVENTS: SeedEvent[] = [
  ...PEOPLE.flatMap((id, i) => [event({ customerId: id }, 3 + i), event({ customerId: id }, 50 + i), event({ anonymousId: `anon-${id}` }, 20 + i)]),
  ...FREE.flatMap((anon, i) => Array.from({ length: i + 1 }, (_, k) => event({ anonymousId: anon }, 5 + k))),
];

let db: Awaited<ReturnType<typeof createCrmDatabase>>;
let api: TestServer;
beforeAll(async () => {
  db = await createCrmDatabase('identity_property', dataset(), EVENTS);
  // Hundreds of requests a run: past the default rate limit.
  api = await startTestServer(db, () => NOW, { config: { ...db.config, RATE_LIMIT_PER_MINUTE: 1_000_000 } });
});
afterAll(async () => {
  await api?.close();
  await db?.drop();
});

interface Survivor {
  id: string;
  mergedFrom: string[];
  purchaseSummary: { completedOrders: number };
  orders: { edges: { node: { id: string } }[] };
  identities: { kind: string; value: string }[];
  behaviour: { eventCounts: { count: number }[] };
  rfm: { frequency: number };
}

const STATE = `{ customers(first: 10) { edges { node {
  id mergedFrom purchaseSummary { completedOrders } orders(first: 10) { edges { node { id } } }
  identities { kind value } behaviour { eventCounts(days: 3650) { count } } rfm { frequency }
} } } }`;
const ANSWERS = `{ a: customer(id: "p1") { ...F } b: customer(id: "p2") { ...F } c: customer(id: "p3") { ...F } d: customer(id: "p4") { ...F } e: customer(id: "p5") { ...F } }
fragment F on Customer { id canonicalId mergedFrom purchaseSummary { completedOrders totalSpent lastOrderAt } identities { kind value source } behaviour { lastSeenAt } lifecycle { stage } rfm { score } }`;

async function survivors(): Promise<Survivor[]> {
  const r = await api.gql(STATE);
  expect(r.body.errors).toBeUndefined();
  return r.body.data.customers.edges.map((e: { node: Survivor }) => e.node);
}

const count = <T>(xs: T[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<T, number>());

/**
 * The invariants, against a model: which free browsers are linked, and which survivor each record
 * resolves to (a merge points the records of its merged ids at its survivor; undoing it points
 * them back where they were before it).
 */
async function checkInvariants(linked: Set<string>, canonical: Map<string, string>): Promise<void> {
  const all = await survivors();
  // Every record belongs to exactly one survivor, the model's.
  expect([...all.flatMap((s) => [s.id, ...s.mergedFrom])].sort()).toEqual([...PEOPLE].sort());
  expect(new Map(all.flatMap((s) => [s.id, ...s.mergedFrom].map((r) => [r, s.id] as const)))).toEqual(canonical);
  // Every order once.
  const orders = all.flatMap((s) => s.orders.edges.map((e) => e.node.id));
  expect(orders.sort()).toEqual(dataset().orders.map((o) => o.id).sort());
  const completed = dataset().orders.filter((o) => o.status === 'completed').length;
  expect(all.reduce((n, s) => n + s.purchaseSummary.completedOrders, 0)).toBe(completed);
  // Every completed order is within the year: the RFM frequency scores come from the same union (1 order → 1, …).
  expect(all.every((s) => s.rfm.frequency >= 1)).toBe(true);
  // Every identifier once: the CRM's anonymous ids and e-mails, and the linked browsers.
  const identities = all.flatMap((s) => s.identities.map((i) => `${i.kind}:${i.value}`));
  expect([...count(identities).values()].every((n) => n === 1)).toBe(true);
  expect(identities.filter((i) => i.startsWith('ANONYMOUS_ID:free-')).sort()).toEqual([...linked].map((a) => `ANONYMOUS_ID:${a}`).sort());
  // Every owned event once: the people's own and their browsers', and the linked free browsers'.
  const owned = EVENTS.filter((e) => e.customerId || e.anonymousId?.startsWith('anon-') || (e.anonymousId && linked.has(e.anonymousId))).length;
  expect(all.reduce((n, s) => n + s.behaviour.eventCounts.reduce((m, c) => m + c.count, 0), 0)).toBe(owned);
}

type Op =
  | { op: 'link' | 'unlink'; person: number; anon: number }
  | { op: 'merge'; survivor: number; merged: number[] }
  | { op: 'unmerge'; pick: number; cascade: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom('link' as const, 'unlink' as const), person: fc.nat(PEOPLE.length - 1), anon: fc.nat(FREE.length - 1) }),
  fc.record({ op: fc.constant('merge' as const), survivor: fc.nat(PEOPLE.length - 1), merged: fc.uniqueArray(fc.nat(PEOPLE.length - 1), { minLength: 1, maxLength: 2 }) }),
  fc.record({ op: fc.constant('unmerge' as const), pick: fc.nat(10), cascade: fc.boolean() }),
);

const OK_CODES = new Set(['CONFLICT', 'BAD_USER_INPUT']);

describe('random link, merge and unmerge sequences', () => {
  it('never lose nor double-count an order, event or identifier, and undo to the original answers', async () => {
    const original = JSON.stringify((await api.gql(ANSWERS)).body);
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 10 }), async (ops) => {
        // A run that failed (while shrinking) may have left links and merges: each run starts from none.
        await db.pool.query(`UPDATE c360.identity_links SET removed_at = now(), removed_by = 'reset' WHERE removed_at IS NULL`);
        await db.pool.query(`UPDATE c360.merges SET undone_at = now(), undone_by = 'reset' WHERE undone_at IS NULL`);
        const linked = new Map<string, string>(); // free browser → the person it was linked to
        const merges: string[] = [];
        const canonical = new Map(PEOPLE.map((p) => [p, p]));
        const before = new Map<string, Map<string, string>>(); // merge → where the records it moved pointed before
        for (const o of ops) {
          let r;
          if (o.op === 'merge') {
            r = await api.gql(`mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m, reason: "property test") { id } }`, { s: PEOPLE[o.survivor], m: o.merged.map((i) => PEOPLE[i]) });
            if (!r.body.errors) {
              const id = r.body.data.mergeCustomers.id;
              const merged = new Set(o.merged.map((i) => PEOPLE[i]!));
              const moved = [...canonical].filter(([, c]) => merged.has(c));
              before.set(id, new Map(moved));
              for (const [record] of moved) canonical.set(record, PEOPLE[o.survivor]!);
              merges.push(id);
            }
          } else if ('anon' in o) {
            const anon = FREE[o.anon]!;
            const args = { id: PEOPLE[o.person], value: anon };
            r = o.op === 'link'
              ? await api.gql(`mutation($id: ID!, $value: String!) { linkIdentity(customerId: $id, identifier: { kind: ANONYMOUS_ID, value: $value }, evidence: "property test") { id } }`, args)
              : await api.gql(`mutation($id: ID!, $value: String!) { unlinkIdentity(customerId: $id, identifier: { kind: ANONYMOUS_ID, value: $value }, reason: "property test") { id } }`, args);
            if (!r.body.errors) {
              if (o.op === 'link') linked.set(anon, PEOPLE[o.person]!);
              else linked.delete(anon);
            }
          } else {
            if (merges.length === 0) continue;
            r = await api.gql(`mutation($id: ID!, $c: Boolean) { unmergeCustomers(mergeId: $id, reason: "property test", cascade: $c) { id } }`, { id: merges[o.pick % merges.length], c: o.cascade });
            if (!r.body.errors) {
              for (const m of r.body.data.unmergeCustomers) {
                merges.splice(merges.indexOf(m.id), 1);
                for (const [record, was] of before.get(m.id)!) canonical.set(record, was);
              }
            }
          }
          for (const e of r.body.errors ?? []) expect(OK_CODES).toContain(e.extensions?.code);
          await checkInvariants(new Set(linked.keys()), canonical);
        }
        // Undo everything: the newest merge first (cascade takes its dependents), then the links.
        while (merges.length > 0) {
          const r = await api.gql(`mutation($id: ID!) { unmergeCustomers(mergeId: $id, reason: "undo all", cascade: true) { id } }`, { id: merges.at(-1) });
          expect(r.body.errors).toBeUndefined();
          for (const m of r.body.data.unmergeCustomers) merges.splice(merges.indexOf(m.id), 1);
        }
        for (const [anon, person] of linked) {
          const r = await api.gql(`mutation($id: ID!, $value: String!) { unlinkIdentity(customerId: $id, identifier: { kind: ANONYMOUS_ID, value: $value }, reason: "undo all") { id } }`, { id: person, value: anon });
          expect(r.body.errors).toBeUndefined();
        }
        expect(JSON.stringify((await api.gql(ANSWERS)).body)).toBe(original);
      }),
      { numRuns: 60, seed: 20261123 },
    );
  }, 120_000);
});
