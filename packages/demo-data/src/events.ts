/**
 * Deterministic behaviour events for a generated CRM (contracts/behaviour.md), consistent with each
 * customer's persona: events cluster in the purchase sessions of their orders, active customers also
 * browse in the last 90 days, 'potential' ones only browse (in the last 30 days), quiet personas
 * (at risk, dormant, churned) have nothing after their last order, so the lifecycle stages the CRM
 * was generated for still hold when events count as activity. Browsing follows the customer's tastes
 * (mostly its liked categories, as its orders do). Some events are anonymous (before
 * login) or carry only a device id, linked to the customer through its CRM identities; a few belong
 * to nobody. Nothing is dated after `now`.
 */
import { ObjectId } from 'bson';
import type { Persona } from './generate';
import type { CrmDataset } from './rows';
import type { Taste } from './tastes';
import { Random } from '@c360/social-provider';

export interface SeedEvent {
  _id: ObjectId;
  customerId: string | null;
  anonymousId: string | null;
  deviceId: string | null;
  sessionId: string;
  type: string;
  ts: Date;
  channel: string;
  device: { type: string; os: string; model?: string };
  category?: string;
  productId?: string;
  query?: string;
}

const DAY = 86_400_000;
const MINUTE = 60_000;
const CHANNELS: readonly (readonly [string, number])[] = [
  ['app', 5],
  ['web', 4],
  ['mini_program', 3],
];
const DEVICES = [
  { type: 'mobile', os: 'iOS', model: 'iPhone 15' },
  { type: 'mobile', os: 'Android', model: 'Xiaomi 14' },
  { type: 'mobile', os: 'Android', model: 'Huawei P60' },
  { type: 'desktop', os: 'Windows' },
  { type: 'desktop', os: 'macOS' },
  { type: 'tablet', os: 'iPadOS', model: 'iPad Air' },
] as const;
const BROWSE_TYPES: readonly (readonly [string, number])[] = [
  ['product_view', 6],
  ['page_view', 4],
  ['search', 2],
  ['add_to_cart', 1],
  ['click', 2],
  ['share', 1],
];

/** Recent browsing (days ago, inclusive range) per persona; null: none beyond purchase sessions. */
const BROWSING: Record<Persona, readonly [number, number] | null> = {
  prospect: [31, 400],
  potential: [0, 29],
  new: [0, 29],
  active: [0, 89],
  high_value: [0, 60],
  at_risk: null,
  dormant: null,
  churned: null,
  reactivated: null,
};

export function generateEvents(opts: {
  dataset: CrmDataset;
  personas: Record<string, Persona>;
  /** Liked categories per customer (generateCrmDatasetWithPersonas); a customer without one browses one random favourite. */
  tastes: Record<string, Taste>;
  seed: number;
  now: Date;
}): SeedEvent[] {
  const rng = new Random(opts.seed ^ 0x5eed);
  const now = opts.now.getTime();
  const { dataset } = opts;
  const productsByCategory = new Map<string, string[]>();
  const categoryOf = new Map<string, string>();
  const nameOf = new Map<string, string>();
  for (const p of dataset.products) {
    categoryOf.set(p.id, p.category);
    nameOf.set(p.id, p.name);
    productsByCategory.set(p.category, [...(productsByCategory.get(p.category) ?? []), p.id]);
  }
  const categories = [...productsByCategory.keys()];
  const ids = new Map<string, { anonymous: string[]; devices: string[] }>();
  for (const i of dataset.customer_identities) {
    const entry = ids.get(i.customer_id) ?? { anonymous: [], devices: [] };
    if (i.kind === 'anonymous_id') entry.anonymous.push(i.value);
    if (i.kind === 'device_id') entry.devices.push(i.value);
    ids.set(i.customer_id, entry);
  }
  const itemsOf = new Map<string, string[]>();
  for (const it of dataset.order_items) itemsOf.set(it.order_id, [...(itemsOf.get(it.order_id) ?? []), it.product_id]);
  const ordersOf = new Map<string, { id: string; at: number }[]>();
  for (const o of dataset.orders) {
    if (o.status === 'completed')
      ordersOf.set(o.customer_id, [...(ordersOf.get(o.customer_id) ?? []), { id: o.id, at: o.placed_at.getTime() }]);
  }

  const events: Omit<SeedEvent, '_id'>[] = [];
  let sessions = 0;
  /** One session of `customerId` (or of nobody) with events at `times`; returns its id. */
  const session = (
    customerId: string | null,
    times: number[],
    focus: string,
    pick: () => string,
    extra?: (ev: Omit<SeedEvent, '_id'>) => void,
  ) => {
    const known = customerId ? ids.get(customerId) : undefined;
    const channel = rng.weighted(CHANNELS);
    const device = rng.pick(DEVICES);
    const deviceId = known?.devices.length && channel !== 'web' ? rng.pick(known.devices) : null;
    // Before login: the tracker only knows the browser's anonymous id (or the app's device id).
    const anonymous = known?.anonymous.length && rng.chance(0.25) ? rng.pick(known.anonymous) : null;
    const sessionId = `s-${(sessions += 1).toString(36)}-${rng.hex(6)}`;
    for (const ts of times) {
      if (ts > now) break;
      const type = pick();
      const product = rng.pick(productsByCategory.get(focus)!);
      const ev: Omit<SeedEvent, '_id'> = {
        customerId: anonymous || (deviceId && rng.chance(0.2)) ? null : customerId,
        anonymousId: anonymous,
        deviceId,
        sessionId,
        type,
        ts: new Date(ts),
        channel,
        device: { ...device },
      };
      if (type === 'search') ev.query = rng.chance(0.5) ? focus : nameOf.get(product)!.toLowerCase();
      else if (type !== 'click' && type !== 'page_view') {
        ev.category = focus;
        ev.productId = product;
      } else if (rng.chance(0.5)) ev.category = focus;
      extra?.(ev);
      events.push(ev);
    }
    return sessionId;
  };
  /** `n` instants from `start`, one to four minutes apart. */
  const spread = (start: number, n: number) => {
    const out = [start];
    while (out.length < n) out.push(out.at(-1)! + rng.int(1, 4) * MINUTE);
    return out;
  };

  for (const c of dataset.customers) {
    const persona = opts.personas[c.id]!;
    const taste = opts.tastes[c.id]?.map((t) => [t.category, t.weight] as const) ?? [[rng.pick(categories), 1] as const];
    const favourite = taste[0]![0];
    // The session that ended in each completed order, kept inside the order's day so days-since stay as generated.
    for (const o of ordersOf.get(c.id) ?? []) {
      const room = Math.min(40 * MINUTE, (now - o.at) % DAY, o.at - c.created_at.getTime());
      const bought = itemsOf.get(o.id) ?? [];
      const focus = categoryOf.get(bought[0] ?? '') ?? favourite;
      const steps = ['search', 'product_view', 'product_view', 'add_to_cart'];
      const step = Math.floor(room / (steps.length + 1));
      const sessionId = session(
        c.id,
        steps.map((_, n) => o.at - (steps.length - n) * step),
        focus,
        () => steps.shift()!,
      );
      events.push({
        customerId: c.id,
        anonymousId: null,
        deviceId: null,
        sessionId,
        type: 'purchase',
        ts: new Date(o.at),
        channel: rng.weighted(CHANNELS),
        device: { ...rng.pick(DEVICES) },
        category: focus,
        productId: bought[0],
      });
    }
    const window = BROWSING[persona];
    if (!window || (persona === 'prospect' && rng.chance(0.4))) continue;
    const count = persona === 'active' || persona === 'high_value' ? rng.int(6, 10) : rng.int(2, 5);
    for (let s = 0; s < count; s += 1) {
      const daysAgo = rng.int(window[0], window[1]);
      const start = Math.max(now - daysAgo * DAY - rng.int(60, 600) * MINUTE, c.created_at.getTime());
      const focus = rng.chance(0.8) ? rng.weighted(taste) : rng.pick(categories);
      session(c.id, spread(start, rng.int(3, 7)), focus, () => rng.weighted(BROWSE_TYPES));
    }
  }
  // Visitors nobody knows: never linked to a customer.
  for (let n = 0; n < Math.ceil(dataset.customers.length / 20); n += 1) {
    const anonymousId = `anon-x${rng.hex(10)}`;
    const start = now - rng.int(0, 200) * DAY - rng.int(60, 600) * MINUTE;
    session(
      null,
      spread(start, rng.int(2, 5)),
      rng.pick(categories),
      () => rng.weighted(BROWSE_TYPES),
      (ev) => {
        ev.anonymousId = anonymousId;
      },
    );
  }
  // Ids that sort by time and are the same for the same seed.
  return events
    .sort((a, b) => a.ts.getTime() - b.ts.getTime())
    .map((ev, i) => ({
      _id: new ObjectId(
        Math.floor(ev.ts.getTime() / 1000)
          .toString(16)
          .padStart(8, '0') + i.toString(16).padStart(16, '0'),
      ),
      ...ev,
    }));
}
