import fc from 'fast-check';
import { ObjectId } from 'bson';
import type { CrmDataset, SeedEvent } from '@c360/demo-data';
import { apiSuite } from '../helpers/suite';

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
  const d: CrmDataset = {
    products: [{ id: 'pr', name: 'P', category: 'skincare', brand: null, price: '10.00' }],
    customers: [],
    customer_identities: [],
    consents: [],
    orders: [],
    order_items: [],
    support_tickets: [],
  };
  PEOPLE.forEach((id, i) => {
    d.customers.push({
      id,
      created_at: at(900),
      full_name: `Person ${i + 1}`,
      gender: null,
      birth_date: null,
      city: 'Shanghai',
      country: 'CN',
      occupation: null,
      email: `${id}@example.com`,
      phone: null,
      status: 'active',
    });
    d.customer_identities.push({ customer_id: id, kind: 'anonymous_id', value: `anon-${id}`, verified: false, first_seen_at: at(800) });
    d.consents.push({ customer_id: id, purpose: 'profiling', granted: true, updated_at: at(800), source: 'web' });
    for (let n = 0; n <= i % 3; n++) {
      const oid = `o-${id}-${n}`;
      d.orders.push({
        id: oid,
        order_number: `SO-${id}-${n}`,
        customer_id: id,
        status: n === 2 ? 'cancelled' : 'completed',
        channel: 'web',
        placed_at: at(10 + 40 * n + i),
        total: `${10 * (n + 1)}.00`,
      });
      d.order_items.push({ order_id: oid, line_no: 1, product_id: 'pr', quantity: n + 1, unit_price: '10.00' });
    }
  });
  return d;
}

let seq = 0;
const event = (owner: Partial<SeedEvent>, days: number): SeedEvent => ({
  _id: new ObjectId((++seq).toString(16).padStart(24, '0')),
  customerId: null,
  anonymousId: null,
  deviceId: null,
  type: 'page_view',
  ts: at(days),
  channel: 'web',
  sessionId: `s${seq}`,
  device: { type: 'desktop', os: 'macOS' },
  ...owner,
});
const EVENTS: SeedEvent[] = [
  ...PEOPLE.flatMap((id, i) => [
    event({ customerId: id }, 3 + i),
    event({ customerId: id }, 50 + i),
    event({ anonymousId: `anon-${id}` }, 20 + i),
  ]),
  ...FREE.flatMap((anon, i) => Array.from({ length: i + 1 }, (_, k) => event({ anonymousId: anon }, 5 + k))),
];

// Hundreds of requests a run: past the default rate limit.
const suite = apiSuite('identity_property', dataset(), { events: EVENTS, clock: () => NOW, env: { RATE_LIMIT_PER_MINUTE: '1000000' } });

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
  const r = await suite.api.gql(STATE);
  expect(r.body.errors).toBeUndefined();
  return r.body.data.customers.edges.map((e: { node: Survivor }) => e.node);
}

const count = <T>(xs: T[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<T, number>());

/**
 * A reference model of the identity graph, written from the rules as docs/concepts.md "Identity
 * resolution" states them (not from the service): which survivor each record resolves to, which
 * record each free browser is linked to, and the merges in force with what they moved. It predicts
 * each operation's outcome.
 */
class Model {
  canonical = new Map(PEOPLE.map((p) => [p, p]));
  linked = new Map<string, string>(); // free browser → the record it was linked to
  merges: { id: string; survivor: string; merged: string[]; moved: Map<string, string> }[] = [];

  /** null: succeeds; else the error code. */
  link(person: string, anon: string): string | null {
    if (this.canonical.get(person) !== person) return 'CONFLICT';
    const owner = this.linked.get(anon);
    if (owner && this.canonical.get(owner) !== person) return 'CONFLICT';
    if (!owner) this.linked.set(anon, person); // linked again by its own person: nothing changes
    return null;
  }

  unlink(person: string, anon: string): string | null {
    if (this.canonical.get(person) !== person) return 'CONFLICT';
    const owner = this.linked.get(anon);
    if (!owner || this.canonical.get(owner) !== person) return 'BAD_USER_INPUT';
    this.linked.delete(anon);
    return null;
  }

  merge(survivor: string, merged: string[]): string | null {
    if (merged.includes(survivor)) return 'BAD_USER_INPUT';
    if ([survivor, ...merged].some((r) => this.canonical.get(r) !== r)) return 'CONFLICT';
    return null;
  }

  merged(id: string, survivor: string, merged: string[]): void {
    const moved = new Map([...this.canonical].filter(([, c]) => merged.includes(c)));
    for (const [record] of moved) this.canonical.set(record, survivor);
    this.merges.push({ id, survivor, merged, moved });
  }

  /** The merges an unmerge of `id` undoes, newest first: later ones that merged any of its records elsewhere, transitively. */
  chain(id: string): string[] {
    const i = this.merges.findIndex((m) => m.id === id);
    const involved = new Set([this.merges[i]!.survivor, ...this.merges[i]!.moved.keys()]);
    const chain = [id];
    for (const later of this.merges.slice(i + 1)) {
      if (!later.merged.some((r) => involved.has(r))) continue;
      chain.push(later.id);
      involved.add(later.survivor);
    }
    return chain.reverse();
  }

  unmerge(id: string, cascade: boolean): string | null {
    const chain = this.chain(id);
    if (chain.length > 1 && !cascade) return 'CONFLICT';
    for (const m of chain) {
      const merge = this.merges.splice(
        this.merges.findIndex((x) => x.id === m),
        1,
      )[0]!;
      for (const [record, was] of merge.moved) this.canonical.set(record, was);
    }
    return null;
  }
}

/** The invariants, and the model's view of who resolves to whom and which browsers are linked. */
async function checkInvariants(model: Model): Promise<void> {
  const all = await survivors();
  // Every record belongs to exactly one survivor, the model's.
  expect([...all.flatMap((s) => [s.id, ...s.mergedFrom])].sort()).toEqual([...PEOPLE].sort());
  expect(new Map(all.flatMap((s) => [s.id, ...s.mergedFrom].map((r) => [r, s.id] as const)))).toEqual(model.canonical);
  // Every order once.
  const orders = all.flatMap((s) => s.orders.edges.map((e) => e.node.id));
  expect(orders.sort()).toEqual(
    dataset()
      .orders.map((o) => o.id)
      .sort(),
  );
  const completed = dataset().orders.filter((o) => o.status === 'completed').length;
  expect(all.reduce((n, s) => n + s.purchaseSummary.completedOrders, 0)).toBe(completed);
  // Every identifier once: the CRM's anonymous ids and e-mails, and the linked browsers, with the person the model says.
  const identities = all.flatMap((s) => s.identities.map((i) => `${i.kind}:${i.value}`));
  expect([...count(identities).values()].every((n) => n === 1)).toBe(true);
  const browsers = all.flatMap((s) => s.identities.filter((i) => i.value.startsWith('free-')).map((i) => [i.value, s.id]));
  expect(new Map(browsers as [string, string][])).toEqual(
    new Map([...model.linked].map(([anon, record]) => [anon, model.canonical.get(record)!])),
  );
  // Every owned event once: the people's own and their browsers', and the linked free browsers'.
  const owned = EVENTS.filter(
    (e) => e.customerId || e.anonymousId?.startsWith('anon-') || (e.anonymousId && model.linked.has(e.anonymousId)),
  ).length;
  expect(all.reduce((n, s) => n + s.behaviour.eventCounts.reduce((m, c) => m + c.count, 0), 0)).toBe(owned);
}

type Op =
  | { op: 'link' | 'unlink'; person: number; anon: number }
  | { op: 'merge'; survivor: number; merged: number[] }
  | { op: 'unmerge'; pick: number; cascade: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom('link' as const, 'unlink' as const), person: fc.nat(PEOPLE.length - 1), anon: fc.nat(FREE.length - 1) }),
  fc.record({
    op: fc.constant('merge' as const),
    survivor: fc.nat(PEOPLE.length - 1),
    merged: fc.uniqueArray(fc.nat(PEOPLE.length - 1), { minLength: 1, maxLength: 2 }),
  }),
  fc.record({ op: fc.constant('unmerge' as const), pick: fc.nat(10), cascade: fc.boolean() }),
);

describe('random link, merge and unmerge sequences', () => {
  it('never lose nor double-count an order, event or identifier, and undo to the original answers', async () => {
    const original = JSON.stringify((await suite.api.gql(ANSWERS)).body);
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 10 }), async (ops) => {
        // A run that failed (while shrinking) may have left links and merges: each run starts from none.
        await suite.db.pool.query(`UPDATE c360.identity_links SET removed_at = now(), removed_by = 'reset' WHERE removed_at IS NULL`);
        await suite.db.pool.query(`UPDATE c360.merges SET undone_at = now(), undone_by = 'reset' WHERE undone_at IS NULL`);
        const model = new Model();
        for (const o of ops) {
          let r;
          let expected: string | null;
          if (o.op === 'merge') {
            const [survivor, merged] = [PEOPLE[o.survivor]!, o.merged.map((i) => PEOPLE[i]!)];
            expected = model.merge(survivor, merged);
            r = await suite.api.gql(
              `mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m, reason: "property test") { id } }`,
              { s: survivor, m: merged },
            );
            if (!r.body.errors) model.merged(r.body.data.mergeCustomers.id, survivor, merged);
          } else if ('anon' in o) {
            const args = { id: PEOPLE[o.person]!, value: FREE[o.anon]! };
            expected = o.op === 'link' ? model.link(args.id, args.value) : model.unlink(args.id, args.value);
            r =
              o.op === 'link'
                ? await suite.api.gql(
                    `mutation($id: ID!, $value: String!) { linkIdentity(customerId: $id, identifier: { kind: ANONYMOUS_ID, value: $value }, evidence: "property test") { id } }`,
                    args,
                  )
                : await suite.api.gql(
                    `mutation($id: ID!, $value: String!) { unlinkIdentity(customerId: $id, identifier: { kind: ANONYMOUS_ID, value: $value }, reason: "property test") { id } }`,
                    args,
                  );
          } else {
            if (model.merges.length === 0) continue;
            const id = model.merges[o.pick % model.merges.length]!.id;
            const chain = model.chain(id);
            expected = model.unmerge(id, o.cascade);
            r = await suite.api.gql(
              `mutation($id: ID!, $c: Boolean) { unmergeCustomers(mergeId: $id, reason: "property test", cascade: $c) { id } }`,
              { id, c: o.cascade },
            );
            if (!r.body.errors) expect(r.body.data.unmergeCustomers.map((m: { id: string }) => m.id)).toEqual(chain);
          }
          expect([o, r.body.errors?.[0]?.extensions?.code ?? null]).toEqual([o, expected]);
          await checkInvariants(model);
        }
        // Undo everything: the newest merge first (cascade takes its dependents), then the links.
        while (model.merges.length > 0) {
          const id = model.merges.at(-1)!.id;
          expect(model.unmerge(id, true)).toBeNull();
          const r = await suite.api.gql(`mutation($id: ID!) { unmergeCustomers(mergeId: $id, reason: "undo all", cascade: true) { id } }`, {
            id,
          });
          expect(r.body.errors).toBeUndefined();
        }
        for (const [anon, record] of model.linked) {
          const r = await suite.api.gql(
            `mutation($id: ID!, $value: String!) { unlinkIdentity(customerId: $id, identifier: { kind: ANONYMOUS_ID, value: $value }, reason: "undo all") { id } }`,
            { id: record, value: anon },
          );
          expect(r.body.errors).toBeUndefined();
        }
        expect(JSON.stringify((await suite.api.gql(ANSWERS)).body)).toBe(original);
      }),
      { numRuns: 60, seed: 20261123 },
    );
  }, 120_000);
});
