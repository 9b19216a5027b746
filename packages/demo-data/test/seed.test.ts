import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { CRM_TABLE_COLUMNS, CRM_TABLES, generateCrmDataset, generateCrmDatasetWithPersonas, type Persona } from '../src/generate';
import type { CrmDataset, OrderRow } from '../src/rows';

const NOW = new Date('2026-03-15T12:00:00Z');
const DAY_MS = 86_400_000;
const { dataset: ds, personas } = generateCrmDatasetWithPersonas({ customers: 2000, seed: 42, now: NOW });

const cents = (money: string): number => {
  const [whole = '', frac = ''] = money.split('.');
  return Number(whole) * 100 + Number(frac);
};
const daysSince = (t: Date): number => Math.floor((NOW.getTime() - t.getTime()) / DAY_MS);

/** The BRIEF's default lifecycle and value-tier rules, with completed orders as the only activity. */
function derive(completed: readonly OrderRow[]): { stage: string; tier: string } {
  const times = completed.map((o) => o.placed_at).sort((a, b) => a.getTime() - b.getTime());
  const first = times[0];
  const last = times[times.length - 1];
  const trailing = completed.filter((o) => daysSince(o.placed_at) <= 365);
  const f = trailing.length;
  const m = trailing.reduce((sum, o) => sum + cents(o.total), 0);
  const tier = f >= 6 && m >= 500_000 ? 'HIGH_VALUE' : first ? 'REGULAR' : 'LOW';
  if (!first || !last) return { stage: 'PROSPECT', tier };
  if (daysSince(first) <= 30) return { stage: 'NEW', tier };
  const i = times.findIndex((t) => daysSince(t) <= 30);
  const before = times[i - 1];
  const woke = i > 0 && before !== undefined && (times[i]?.getTime() ?? 0) - before.getTime() >= 180 * DAY_MS;
  if (woke) return { stage: 'REACTIVATED', tier };
  const d = daysSince(last);
  return { stage: d <= 90 ? 'ACTIVE' : d <= 180 ? 'AT_RISK' : d <= 365 ? 'DORMANT' : 'CHURNED', tier };
}

function derivedByCustomer(data: CrmDataset): Map<string, { stage: string; tier: string }> {
  const completed = new Map<string, OrderRow[]>(data.customers.map((c) => [c.id, []]));
  for (const o of data.orders) if (o.status === 'completed') completed.get(o.customer_id)?.push(o);
  return new Map([...completed].map(([id, orders]) => [id, derive(orders)]));
}

const EXPECTED: Record<Persona, { stage: string; tier: string }> = {
  prospect: { stage: 'PROSPECT', tier: 'LOW' },
  potential: { stage: 'PROSPECT', tier: 'LOW' },
  new: { stage: 'NEW', tier: 'REGULAR' },
  active: { stage: 'ACTIVE', tier: 'REGULAR' },
  high_value: { stage: 'ACTIVE', tier: 'HIGH_VALUE' },
  at_risk: { stage: 'AT_RISK', tier: 'REGULAR' },
  dormant: { stage: 'DORMANT', tier: 'REGULAR' },
  churned: { stage: 'CHURNED', tier: 'REGULAR' },
  reactivated: { stage: 'REACTIVATED', tier: 'REGULAR' },
};

describe('generateCrmDataset', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = generateCrmDataset({ customers: 300, seed: 7, now: NOW });
    expect(generateCrmDataset({ customers: 300, seed: 7, now: NOW })).toEqual(a);
    const b = generateCrmDataset({ customers: 300, seed: 8, now: NOW });
    expect(b.customers).not.toEqual(a.customers);
    expect(b.orders).not.toEqual(a.orders);
  });

  it('returns rows with exactly the crm.sql columns, tables in foreign-key order', () => {
    expect([...CRM_TABLES]).toEqual(Object.keys(CRM_TABLE_COLUMNS));
    expect(Object.keys(ds).sort()).toEqual([...CRM_TABLES].sort());
    for (const table of CRM_TABLES) {
      const shapes = new Set<string>(ds[table].map((row) => Object.keys(row).join()));
      expect([...shapes]).toEqual([CRM_TABLE_COLUMNS[table].join()]);
    }
  });

  it('keeps ids, identities and order numbers unique and references intact', () => {
    const unique = (values: string[]): void => expect(new Set(values).size).toBe(values.length);
    unique(ds.customers.map((c) => c.id));
    unique(ds.products.map((p) => p.id));
    unique(ds.orders.map((o) => o.id));
    unique(ds.orders.map((o) => o.order_number));
    unique(ds.support_tickets.map((t) => t.id));
    unique(ds.customer_identities.map((i) => `${i.kind}\u0000${i.value}`));
    unique(ds.consents.map((c) => `${c.customer_id}\u0000${c.purpose}`));
    unique(ds.order_items.map((i) => `${i.order_id}\u0000${i.line_no}`));
    expect(ds.customers[0]?.id).toBe('c_000001');
    expect(ds.orders[0]?.id).toBe('o_0000001');
    expect(ds.products[0]?.id).toBe('p_0001');
    expect(ds.orders.filter((o) => !/^SO\d{4}\d{8}$/.test(o.order_number))).toEqual([]);

    const customers = new Set(ds.customers.map((c) => c.id));
    const products = new Set(ds.products.map((p) => p.id));
    const orders = new Set(ds.orders.map((o) => o.id));
    const dangling = [
      ...ds.customer_identities.filter((r) => !customers.has(r.customer_id)),
      ...ds.consents.filter((r) => !customers.has(r.customer_id)),
      ...ds.orders.filter((r) => !customers.has(r.customer_id)),
      ...ds.support_tickets.filter((r) => !customers.has(r.customer_id)),
      ...ds.order_items.filter((r) => !orders.has(r.order_id) || !products.has(r.product_id)),
    ];
    expect(dangling).toEqual([]);
  });

  it('makes every order total the exact sum of its items, with 1–4 items and 2-decimal amounts', () => {
    const money = /^\d+\.\d{2}$/;
    const sums = new Map<string, { cents: number; lines: number }>();
    for (const i of ds.order_items) {
      const s = sums.get(i.order_id) ?? { cents: 0, lines: 0 };
      sums.set(i.order_id, { cents: s.cents + i.quantity * cents(i.unit_price), lines: s.lines + 1 });
    }
    expect(ds.order_items.filter((i) => !money.test(i.unit_price) || !(i.quantity > 0))).toEqual([]);
    expect(ds.products.filter((p) => !money.test(p.price))).toEqual([]);
    expect(
      ds.orders.filter((o) => {
        const s = sums.get(o.id);
        return !money.test(o.total) || !s || cents(o.total) !== s.cents || s.lines < 1 || s.lines > 4;
      }),
    ).toEqual([]);
  });

  it('dates nothing after now and nothing of a customer before its creation', () => {
    const created = new Map(ds.customers.map((c) => [c.id, c.created_at.getTime()]));
    const late: unknown[] = [];
    const check = (customerId: string, ...dates: (Date | null)[]): void => {
      for (const d of dates) {
        if (d && (d.getTime() > NOW.getTime() || d.getTime() < (created.get(customerId) ?? 0))) late.push([customerId, d]);
      }
    };
    for (const c of ds.customers) check(c.id, c.created_at);
    for (const i of ds.customer_identities) check(i.customer_id, i.first_seen_at);
    for (const c of ds.consents) check(c.customer_id, c.updated_at);
    for (const o of ds.orders) check(o.customer_id, o.placed_at);
    for (const t of ds.support_tickets) check(t.customer_id, t.opened_at, t.resolved_at);
    expect(late).toEqual([]);
    expect(ds.customers.filter((c) => c.birth_date !== null && !/^\d{4}-\d{2}-\d{2}$/.test(c.birth_date))).toEqual([]);
  });

  it('covers every status, and resolves exactly the resolved and closed tickets', () => {
    expect(new Set(ds.orders.map((o) => o.status))).toEqual(new Set(['completed', 'pending', 'cancelled', 'refunded']));
    expect(new Set(ds.orders.map((o) => o.channel))).toEqual(new Set(['web', 'app', 'mini_program', 'store']));
    expect(new Set(ds.support_tickets.map((t) => t.status))).toEqual(new Set(['open', 'pending', 'resolved', 'closed']));
    expect(new Set(ds.support_tickets.map((t) => t.priority))).toEqual(new Set(['low', 'normal', 'high', 'urgent']));
    expect(new Set(ds.support_tickets.map((t) => t.channel))).toEqual(new Set(['phone', 'chat', 'email', 'store']));
    expect(
      ds.support_tickets.filter((t) => {
        const done = t.status === 'resolved' || t.status === 'closed';
        return (
          (t.resolved_at !== null) !== done || (!done && t.satisfaction !== null) || (t.resolved_at !== null && t.resolved_at < t.opened_at)
        );
      }),
    ).toEqual([]);
    expect(ds.support_tickets.some((t) => t.satisfaction !== null && t.satisfaction <= 2)).toBe(true);
    expect(new Set(ds.customer_identities.map((i) => i.kind))).toEqual(
      new Set(['email', 'phone', 'device_id', 'anonymous_id', 'social', 'external_id']),
    );
    expect(new Set(ds.consents.map((c) => c.purpose))).toEqual(new Set(['profiling', 'marketing', 'partner_sharing']));
    expect(new Set(ds.customers.map((c) => c.gender))).toEqual(new Set(['female', 'male', 'other', 'unknown', null]));
  });

  it('enters e-mails and phones messily, with valid and unique phones and normalised identities', () => {
    const emails = ds.customers.flatMap((c) => (c.email === null ? [] : [c.email]));
    expect(emails.some((e) => e !== e.trim())).toBe(true);
    expect(emails.some((e) => e !== e.toLowerCase())).toBe(true);
    expect(new Set(emails.map((e) => e.trim().toLowerCase())).size).toBe(emails.length);
    expect(ds.customers.some((c) => c.email === null)).toBe(true);
    expect(ds.customers.some((c) => /\p{Script=Han}/u.test(c.full_name))).toBe(true);

    const phones = ds.customers.flatMap((c) => (c.phone === null ? [] : [c.phone]));
    const parsed = phones.map((p) => parsePhoneNumberFromString(p, 'CN'));
    expect(phones.filter((p, i) => !parsed[i]?.isValid())).toEqual([]);
    expect(new Set(parsed.map((p) => p?.number)).size).toBe(phones.length);
    for (const shape of [
      /^1\d{10}$/,
      /^1\d\d \d{4} \d{4}$/,
      /^\+86 1\d\d-\d{4}-\d{4}$/,
      /^0086 1\d{10}$/,
      /^\(\+86\)1\d{10}$/,
      /^\+(?!86)/,
    ]) {
      expect(phones.some((p) => shape.test(p))).toBe(true);
    }

    const byCustomer = new Map(ds.customers.map((c) => [c.id, c]));
    expect(
      ds.customer_identities.filter((i) => {
        const c = byCustomer.get(i.customer_id);
        switch (i.kind) {
          case 'email':
            return i.value !== c?.email?.trim().toLowerCase();
          case 'phone':
            return i.value !== parsePhoneNumberFromString(c?.phone ?? '', 'CN')?.number;
          case 'social':
            return !/^(weibo|wechat|douyin|xiaohongshu|x|instagram):[a-z0-9_.]+$/.test(i.value);
          default:
            return false;
        }
      }),
    ).toEqual([]);
  });

  it('has every lifecycle stage and value tier by the default rules, each customer as its persona says', () => {
    const derived = derivedByCustomer(ds);
    const stages = new Set([...derived.values()].map((d) => d.stage));
    const tiers = new Set([...derived.values()].map((d) => d.tier));
    for (const stage of ['PROSPECT', 'NEW', 'ACTIVE', 'AT_RISK', 'DORMANT', 'CHURNED', 'REACTIVATED']) {
      expect(stages).toContain(stage);
    }
    expect(tiers).toContain('HIGH_VALUE');
    expect(tiers).toContain('REGULAR');

    const mismatches = [...derived].filter(([id, d]) => {
      const persona = personas[id];
      return persona === undefined || EXPECTED[persona].stage !== d.stage || EXPECTED[persona].tier !== d.tier;
    });
    expect(mismatches).toEqual([]);
    expect(new Set(Object.values(personas))).toEqual(new Set(Object.keys(EXPECTED)));
  });

  it('has prospects with only non-completed orders and customers created before their first order', () => {
    const firstOrder = new Map<string, number>();
    for (const o of ds.orders) {
      firstOrder.set(o.customer_id, Math.min(firstOrder.get(o.customer_id) ?? Infinity, o.placed_at.getTime()));
    }
    expect(ds.customers.filter((c) => c.created_at.getTime() >= (firstOrder.get(c.id) ?? Infinity))).toEqual([]);
    const derived = derivedByCustomer(ds);
    expect(ds.customers.some((c) => derived.get(c.id)?.stage === 'PROSPECT' && firstOrder.has(c.id))).toBe(true);
  });
});
