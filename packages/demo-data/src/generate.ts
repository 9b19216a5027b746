/**
 * Deterministic demo data for the CRM tables (contracts/crm.sql).
 * Contract: the same (customers, seed, now, duplicates) always yields the same dataset; nothing is dated
 * after `now`; every customer is created before its first order; identity values, e-mails, phones and
 * order numbers are unique, except the e-mails and phones planted duplicates share with their originals
 * on purpose; every order total is the exact sum of its items (integer cents).
 */
import { CRM_TABLES as CRM_TABLE_ORDER } from './contract';
import { plantDuplicates, type PlantedDuplicate } from './duplicates';
import { drawCompanions, drawTaste, popularityWeight, type Taste } from './tastes';
import { Random } from '@c360/social-provider';
import type {
  ConsentPurpose,
  ConsentRow,
  CrmDataset,
  CustomerRow,
  Gender,
  IdentityKind,
  IdentityRow,
  OrderStatus,
  TicketRow,
  TicketStatus,
} from './rows';
import {
  CATEGORIES,
  CITIES,
  CN_EMAIL_DOMAINS,
  CN_FAMILY_NAMES,
  CN_GIVEN_NAMES,
  COUNTRY_EMAIL_DOMAINS,
  COUNTRY_WEIGHTS,
  INTL_EMAIL_DOMAINS,
  JAPANESE_FIRST_NAMES,
  JAPANESE_LAST_NAMES,
  OCCUPATIONS,
  PHONE_PLANS,
  SOCIAL_PLATFORMS,
  TICKET_SUBJECTS,
  WESTERN_FIRST_NAMES,
  WESTERN_LAST_NAMES,
  type Sex,
} from './vocab';

// ---- rows: keys are exactly the crm.sql columns ----

// ---- table metadata for loaders ----

/** Tables in an order that satisfies their foreign keys. */
export const CRM_TABLES = CRM_TABLE_ORDER satisfies readonly (keyof CrmDataset)[];

/** PostgreSQL type of every column (for `unnest($n::type[])`), in crm.sql column order. */
export const CRM_TABLE_TYPES: { readonly [T in keyof CrmDataset]: { readonly [C in keyof CrmDataset[T][number]]-?: string } } = {
  customers: {
    id: 'text',
    created_at: 'timestamptz',
    full_name: 'text',
    gender: 'text',
    birth_date: 'date',
    city: 'text',
    country: 'text',
    occupation: 'text',
    email: 'text',
    phone: 'text',
    status: 'text',
  },
  customer_identities: { customer_id: 'text', kind: 'text', value: 'text', verified: 'boolean', first_seen_at: 'timestamptz' },
  consents: { customer_id: 'text', purpose: 'text', granted: 'boolean', updated_at: 'timestamptz', source: 'text' },
  products: { id: 'text', name: 'text', category: 'text', brand: 'text', price: 'numeric' },
  orders: {
    id: 'text',
    order_number: 'text',
    customer_id: 'text',
    status: 'text',
    channel: 'text',
    placed_at: 'timestamptz',
    total: 'numeric',
  },
  order_items: { order_id: 'text', line_no: 'int', product_id: 'text', quantity: 'int', unit_price: 'numeric' },
  support_tickets: {
    id: 'text',
    customer_id: 'text',
    subject: 'text',
    status: 'text',
    priority: 'text',
    channel: 'text',
    opened_at: 'timestamptz',
    resolved_at: 'timestamptz',
    satisfaction: 'smallint',
  },
};

/** Column names per table, in crm.sql order; the keys are in insert order (see CRM_TABLES). */
export const CRM_TABLE_COLUMNS: Record<keyof CrmDataset, string[]> = {
  customers: Object.keys(CRM_TABLE_TYPES.customers),
  customer_identities: Object.keys(CRM_TABLE_TYPES.customer_identities),
  consents: Object.keys(CRM_TABLE_TYPES.consents),
  products: Object.keys(CRM_TABLE_TYPES.products),
  orders: Object.keys(CRM_TABLE_TYPES.orders),
  order_items: Object.keys(CRM_TABLE_TYPES.order_items),
  support_tickets: Object.keys(CRM_TABLE_TYPES.support_tickets),
};

// ---- personas ----

/**
 * What each customer was generated to be, relative to `now`, by the default rules on CRM data alone
 * (completed orders as the only activity): 'prospect' and 'potential' have no completed order (prospects
 * may have pending/cancelled/refunded ones; 'potential' are recent sign-ups meant to get behaviour events
 * later); 'high_value' is an ACTIVE customer with HIGH_VALUE tier; the others name their lifecycle stage
 * and have the REGULAR tier.
 */
export type Persona = 'prospect' | 'potential' | 'new' | 'active' | 'high_value' | 'at_risk' | 'dormant' | 'churned' | 'reactivated';

const PERSONA_WEIGHTS: readonly (readonly [Persona, number])[] = [
  ['prospect', 9],
  ['potential', 3],
  ['new', 8],
  ['active', 30],
  ['high_value', 7],
  ['at_risk', 11],
  ['dormant', 10],
  ['churned', 15],
  ['reactivated', 7],
];

export interface GenerateOptions {
  customers: number;
  seed: number;
  now: Date;
  /**
   * Share of the customers (0–1, default 0) given a planted duplicate record (seed/duplicates.ts),
   * appended after them: the first `customers` customers and their rows are the same with or without.
   */
  duplicates?: number;
}

export interface CrmDatasetWithPersonas {
  dataset: CrmDataset;
  /** Keyed by customer id. Planted duplicates are 'prospect': they have no orders. */
  personas: Record<string, Persona>;
  /** The planted duplicate pairs, in id order of the duplicates; empty without `duplicates`. */
  duplicates: PlantedDuplicate[];
  /** Each customer's liked categories (keyed by id), which its orders and behaviour events follow; none for planted duplicates. */
  tastes: Record<string, Taste>;
  /** Each product's companions (keyed by id): what its buyers tend to buy with it. */
  companions: Record<string, string[]>;
}

export function generateCrmDataset(opts: GenerateOptions): CrmDataset {
  return generateCrmDatasetWithPersonas(opts).dataset;
}

// ---- generation ----

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

interface Product {
  id: string;
  name: string;
  category: string;
  brand: string;
  priceCents: number;
  /** Relative popularity within its category. */
  weight: number;
}

interface Ctx {
  rng: Random;
  now: number;
  /** Every value that must be unique, as 'kind:value'. */
  taken: Set<string>;
  products: Product[];
  /** Per category, its products with their popularity weights. */
  byCategory: Map<string, (readonly [Product, number])[]>;
  /** What each product's buyers tend to buy with it (tastes.ts drawCompanions). */
  companions: Map<string, Product[]>;
}

/** Order timing in whole days before `now`: days since = floor((now − t) / 24 h) is exactly the number. */
interface Timeline {
  createdDaysAgo: number;
  completed: number[];
  other: number[];
  /** Each order of the customer is at least this much (cents); 0 for no minimum. */
  minOrderCents: number;
}

interface Person {
  fullName: string;
  gender: Gender | null;
  origin: 'chinese' | 'international';
  /** Lower-case ascii name parts for e-mails and handles. */
  first: string;
  last: string;
  country: string;
  city: string | null;
  birthDate: string | null;
  /** Drawn for everyone (birthDate may still be unknown to the CRM): it shapes the customer's taste. */
  age: number;
  occupation: string | null;
  email: { entered: string; normalised: string } | null;
  phone: { entered: string; e164: string } | null;
}

interface OrderDraft {
  customerId: string;
  status: OrderStatus;
  channel: string;
  placedAt: number;
  lines: { productId: string; quantity: number; unitCents: number }[];
  totalCents: number;
}

type TicketDraft = Omit<TicketRow, 'id'>;

export function generateCrmDatasetWithPersonas(opts: GenerateOptions): CrmDatasetWithPersonas {
  const rng = new Random(opts.seed);
  // Tastes, popularity and companions draw from a stream of their own: the people, personas and
  // identities of a seed stay what they were before tastes existed (the docs' examples name them).
  const tasteRng = new Random(opts.seed ^ 0x7a57e);
  const products = makeProducts(rng, tasteRng);
  const byId = new Map(products.map((p) => [p.id, p]));
  const companionIds = drawCompanions(tasteRng, products);
  const ctx: Ctx = {
    rng,
    now: opts.now.getTime(),
    taken: new Set(),
    products,
    byCategory: new Map(CATEGORIES.map((c) => [c.name, products.filter((p) => p.category === c.name).map((p) => [p, p.weight] as const)])),
    companions: new Map([...companionIds].map(([id, list]) => [id, list.map((c) => byId.get(c)!)])),
  };
  const categories = CATEGORIES.map((c) => c.name);

  const drafts = Array.from({ length: opts.customers }, () => {
    const persona = rng.weighted(PERSONA_WEIGHTS);
    const timeline = timelineFor(rng, persona);
    const createdAt = at(ctx, timeline.createdDaysAgo);
    const person = makePerson(ctx);
    return { persona, timeline, createdAt, person, taste: drawTaste(tasteRng, categories, person.gender, person.age) };
  }).sort((a, b) => a.createdAt - b.createdAt);

  const ds: CrmDataset = {
    customers: [],
    customer_identities: [],
    consents: [],
    products: products.map((p) => ({
      id: p.id,
      name: p.name,
      category: p.category,
      brand: p.brand,
      price: money(p.priceCents),
    })),
    orders: [],
    order_items: [],
    support_tickets: [],
  };
  const personas: Record<string, Persona> = {};
  const tastes: Record<string, Taste> = {};
  const orders: OrderDraft[] = [];
  const tickets: TicketDraft[] = [];
  drafts.forEach(({ persona, timeline, createdAt, person, taste }, i) => {
    const id = `c_${pad(i + 1, 6)}`;
    personas[id] = persona;
    tastes[id] = taste;
    ds.customers.push(customerRow(id, createdAt, person));
    ds.customer_identities.push(...identitiesFor(ctx, id, createdAt, person));
    ds.consents.push(...consentsFor(ctx, id, createdAt));
    const own = ordersFor(ctx, id, timeline, taste);
    orders.push(...own);
    tickets.push(
      ...ticketsFor(
        ctx,
        id,
        createdAt,
        own.map((o) => o.placedAt),
      ),
    );
  });

  orders
    .sort((a, b) => a.placedAt - b.placedAt)
    .forEach((o, i) => {
      const orderId = `o_${pad(i + 1, 7)}`;
      ds.orders.push({
        id: orderId,
        order_number: orderNumber(ctx, o.placedAt),
        customer_id: o.customerId,
        status: o.status,
        channel: o.channel,
        placed_at: new Date(o.placedAt),
        total: money(o.totalCents),
      });
      o.lines.forEach((l, n) =>
        ds.order_items.push({
          order_id: orderId,
          line_no: n + 1,
          product_id: l.productId,
          quantity: l.quantity,
          unit_price: money(l.unitCents),
        }),
      );
    });
  tickets
    .sort((a, b) => a.opened_at.getTime() - b.opened_at.getTime())
    .forEach((t, i) => ds.support_tickets.push({ id: `t_${pad(i + 1, 7)}`, ...t }));
  const planted = plantDuplicates(ds, { seed: opts.seed, share: opts.duplicates ?? 0, now: opts.now });
  ds.customers.push(...planted.customers);
  ds.customer_identities.push(...planted.customer_identities);
  for (const c of planted.customers) personas[c.id] = 'prospect';
  return { dataset: ds, personas, duplicates: planted.planted, tastes, companions: Object.fromEntries(companionIds) };
}

// ---- time and formatting ----

/** A random instant exactly `days` whole days before now (in days-since terms). */
function at(ctx: Ctx, days: number): number {
  return ctx.now - days * DAY_MS - ctx.rng.int(0, 86_399) * 1000;
}

/** A random instant in [from, to], in whole seconds after `from`. */
function between(ctx: Ctx, from: number, to: number): number {
  return from + ctx.rng.int(0, Math.floor((to - from) / 1000)) * 1000;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function money(cents: number): string {
  return `${Math.floor(cents / 100)}.${pad(cents % 100, 2)}`;
}

/** Draws until `make` gives a value not yet taken for `kind`, then takes it. */
function unique(ctx: Ctx, kind: string, make: (attempt: number) => string): string {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const value = make(attempt);
    if (!ctx.taken.has(`${kind}:${value}`)) {
      ctx.taken.add(`${kind}:${value}`);
      return value;
    }
  }
  throw new Error(`cannot find a unique ${kind}`);
}

// ---- products ----

/** 20 products per category, ids p_0001…, prices like 129.90 within the category's range; popularity falling by rank in a random order. */
function makeProducts(rng: Random, tasteRng: Random): Product[] {
  const products: Product[] = [];
  for (const category of CATEGORIES) {
    const combos = category.brands.flatMap((brand) => category.items.map((item) => [brand, item] as const));
    const [min, max] = category.priceYuan;
    const ranks = tasteRng.sample([...Array(20).keys()], 20);
    rng.sample(combos, 20).forEach(([brand, item], i) => {
      products.push({
        id: `p_${pad(products.length + 1, 4)}`,
        name: `${brand} ${item}`,
        category: category.name,
        brand,
        priceCents: rng.int(min, max) * 100 + rng.pick([0, 90, 90, 50]),
        weight: popularityWeight(ranks[i]!),
      });
    });
  }
  return products;
}

// ---- personas → order timelines ----

/**
 * Days before now of the customer's sign-up and orders. Non-high-value histories keep gaps of 75–170 days,
 * so they never reach 6 completed orders in 365 days (no accidental HIGH_VALUE) nor a 180-day gap (no
 * accidental REACTIVATED); every range keeps a margin from the rule boundaries.
 */
function timelineFor(rng: Random, persona: Persona): Timeline {
  const older = (from: number, limit: number, minGap: number, maxGap: number): number[] => {
    const days: number[] = [];
    for (let d = from + rng.int(minGap, maxGap); d < limit; d += rng.int(minGap, maxGap)) days.push(d);
    return days;
  };
  const plain = (createdDaysAgo: number, completed: number[]): Timeline => ({
    createdDaysAgo,
    completed,
    other: nearbyOthers(rng, completed),
    minOrderCents: 0,
  });

  switch (persona) {
    case 'potential':
      return { createdDaysAgo: rng.int(0, 60), completed: [], other: [], minOrderCents: 0 };
    case 'prospect': {
      const created = rng.int(1, 1500);
      const other = rng.chance(0.4) ? Array.from({ length: rng.int(1, 2) }, () => rng.int(0, created - 1)) : [];
      return { createdDaysAgo: created, completed: [], other, minOrderCents: 0 };
    }
    case 'new': {
      const created = rng.int(1, 60);
      const first = rng.int(0, Math.min(created - 1, 28));
      return plain(created, [first, ...Array.from({ length: rng.int(0, 2) }, () => rng.int(0, first))]);
    }
    case 'active': {
      const last = rng.int(0, 85);
      const created = rng.int(270, 1500);
      return plain(created, [last, ...older(last, created, 75, 170)]);
    }
    case 'high_value': {
      // ≥ 6 orders 10–50 days apart from ≤ 40 days ago: the sixth is ≤ 290 days ago; each order ≥ 900.
      const run = [rng.int(0, 40)];
      for (let n = rng.int(6, 12); run.length < n;) run.push((run[run.length - 1] ?? 0) + rng.int(10, 50));
      const earliest = run[run.length - 1] ?? 0;
      const created = earliest + rng.int(30, 1200);
      return { ...plain(created, [...run, ...older(earliest, created, 60, 170)]), minOrderCents: 90_000 };
    }
    case 'at_risk': {
      const last = rng.int(95, 175);
      const created = last + rng.int(100, 1500);
      return plain(created, [last, ...older(last, created, 75, 170)]);
    }
    case 'dormant': {
      const last = rng.int(190, 355);
      const created = last + rng.int(60, 1500);
      return plain(created, [last, ...older(last, created, 75, 170)]);
    }
    case 'churned': {
      const last = rng.int(380, 1400);
      const created = last + rng.int(30, 900);
      return plain(created, [last, ...older(last, created, 75, 170)]);
    }
    case 'reactivated': {
      // Back within the last 28 days after at least 200 days without a completed order.
      const back = rng.int(0, 27);
      const recent = rng.chance(0.5) ? [rng.int(0, back), back] : [back];
      const before = back + rng.int(200, 700);
      const created = before + rng.int(30, 900);
      return plain(created, [...recent, before, ...older(before, created, 75, 170)]);
    }
  }
}

/** Pending, cancelled and refunded orders placed 0–5 days after some completed ones. */
function nearbyOthers(rng: Random, completed: readonly number[]): number[] {
  return completed.filter(() => rng.chance(0.22)).map((d) => Math.max(0, d - rng.int(0, 5)));
}

// ---- people and contact details ----

const GENDERS: readonly (readonly [Gender | null, number])[] = [
  ['female', 46],
  ['male', 44],
  ['other', 2],
  ['unknown', 3],
  [null, 5],
];

function makePerson(ctx: Ctx): Person {
  const { rng } = ctx;
  const origin = rng.chance(0.65) ? 'chinese' : 'international';
  const gender = rng.weighted(GENDERS);
  const sex: Sex = gender === 'female' || gender === 'male' ? gender : rng.pick(['female', 'male'] as const);
  const country = rng.weighted(COUNTRY_WEIGHTS[origin]);
  const name = origin === 'chinese' ? chineseName(rng, sex) : internationalName(rng, sex, country);
  const cities = CITIES.filter((c) => c.country === country).map((c) => [c.name, c.weight] as const);
  const age = rng.int(18, 72);
  return {
    ...name,
    age,
    gender,
    origin,
    country,
    city: rng.chance(0.06) ? null : rng.weighted(cities),
    birthDate: rng.chance(0.12) ? null : new Date(ctx.now - (age * 365.25 + rng.int(0, 364)) * DAY_MS).toISOString().slice(0, 10),
    occupation: rng.chance(0.2) ? null : rng.pick(OCCUPATIONS),
    email: rng.chance(0.07) ? null : makeEmail(ctx, name, origin, country),
    phone: rng.chance(origin === 'chinese' ? 0.08 : 0.18) ? null : makePhone(ctx, country),
  };
}

function chineseName(rng: Random, sex: Sex): Pick<Person, 'fullName' | 'first' | 'last'> {
  const [familyChars, family] = rng.pick(CN_FAMILY_NAMES);
  const [givenChars, given] = rng.pick(CN_GIVEN_NAMES[sex]);
  return { fullName: familyChars + givenChars, first: given, last: family };
}

function internationalName(rng: Random, sex: Sex, country: string): Pick<Person, 'fullName' | 'first' | 'last'> {
  const first = rng.pick((country === 'JP' ? JAPANESE_FIRST_NAMES : WESTERN_FIRST_NAMES)[sex]);
  const last = rng.pick(country === 'JP' ? JAPANESE_LAST_NAMES : WESTERN_LAST_NAMES);
  return { fullName: `${first} ${last}`, first: ascii(first), last: ascii(last) };
}

/** Lower-case a–z and digits only: 'Müller' → 'muller', "O'Brien" → 'obrien'. */
function ascii(s: string): string {
  return s
    .normalize('NFD')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^a-z0-9]/g, '');
}

/** A name-based handle such as 'lina88', 'li.na' or 'emma_smith_07'. */
function nameHandle(rng: Random, first: string, last: string): string {
  const n = pad(rng.int(0, 99), 2);
  return rng.pick([
    `${last}${first}`,
    `${first}${last}`,
    `${last}.${first}`,
    `${first}_${last}`,
    `${last}${first}${n}`,
    `${first}${n}`,
    `${first}${last}${rng.int(1970, 2005)}`,
    `${first}_${last}_${n}`,
  ]);
}

function makeEmail(ctx: Ctx, name: Pick<Person, 'first' | 'last'>, origin: Person['origin'], country: string): Person['email'] {
  const { rng } = ctx;
  const local = COUNTRY_EMAIL_DOMAINS[country];
  const domain =
    origin === 'chinese' ? rng.weighted(CN_EMAIL_DOMAINS) : local && rng.chance(0.2) ? rng.pick(local) : rng.weighted(INTL_EMAIL_DOMAINS);
  const base = domain === 'qq.com' && rng.chance(0.4) ? String(rng.int(10_000, 3_999_999_999)) : nameHandle(rng, name.first, name.last);
  const normalised = unique(ctx, 'email', (attempt) => `${attempt === 0 ? base : base + rng.int(1, 9999)}@${domain}`);
  return { entered: messyEmail(rng, normalised), normalised };
}

/** As a person types it: sometimes capitalised or upper case, sometimes with stray spaces. */
function messyEmail(rng: Random, email: string): string {
  const [local = '', domain = ''] = email.split('@');
  let entered = email;
  if (rng.chance(0.12)) {
    entered = rng.pick([
      `${local.charAt(0).toUpperCase()}${local.slice(1)}@${domain}`,
      email.toUpperCase(),
      `${local}@${domain.toUpperCase()}`,
    ]);
  }
  if (rng.chance(0.08)) entered = rng.pick([` ${entered}`, `${entered} `, `  ${entered} `, `${entered}  `]);
  return entered;
}

function makePhone(ctx: Ctx, country: string): Person['phone'] {
  const { rng } = ctx;
  const plan = PHONE_PLANS[country];
  if (!plan) throw new Error(`no phone plan for ${country}`);
  const national = unique(ctx, 'phone', () => {
    const prefix = rng.pick(plan.prefixes);
    return prefix + Array.from({ length: plan.nationalLength - prefix.length }, () => rng.int(0, 9)).join('');
  });
  let digit = 0;
  const entered = rng.pick(plan.formats).replace(/#/g, () => national.charAt(digit++));
  return { entered, e164: `+${plan.countryCode}${national}` };
}

function customerRow(id: string, createdAt: number, p: Person): CustomerRow {
  return {
    id,
    created_at: new Date(createdAt),
    full_name: p.fullName,
    gender: p.gender,
    birth_date: p.birthDate,
    city: p.city,
    country: p.city === null && p.origin === 'international' ? null : p.country,
    occupation: p.occupation,
    email: p.email?.entered ?? null,
    phone: p.phone?.entered ?? null,
    status: 'active',
  };
}

// ---- identities and consents ----

function identitiesFor(ctx: Ctx, customerId: string, createdAt: number, p: Person): IdentityRow[] {
  const { rng, now } = ctx;
  const rows: IdentityRow[] = [];
  const add = (kind: IdentityKind, value: string, verified: boolean, seen = between(ctx, createdAt, now)): void => {
    rows.push({ customer_id: customerId, kind, value, verified, first_seen_at: new Date(seen) });
  };
  const atSignUp = (): number => between(ctx, createdAt, Math.min(now, createdAt + 2 * DAY_MS));
  if (p.email && rng.chance(0.9)) add('email', p.email.normalised, rng.chance(0.7), atSignUp());
  if (p.phone && rng.chance(0.85)) add('phone', p.phone.e164, rng.chance(0.6), atSignUp());
  for (
    let n = rng.weighted([
      [0, 25],
      [1, 40],
      [2, 25],
      [3, 10],
    ]);
    n > 0;
    n--
  ) {
    add(
      'device_id',
      unique(ctx, 'device_id', () => `dev-${rng.hex(16)}`),
      false,
    );
  }
  for (
    let n = rng.weighted([
      [0, 50],
      [1, 35],
      [2, 15],
    ]);
    n > 0;
    n--
  ) {
    add(
      'anonymous_id',
      unique(ctx, 'anonymous_id', () => `anon-${rng.hex(16)}`),
      false,
    );
  }
  const platforms = new Set<string>();
  for (
    let n = rng.weighted([
      [0, 55],
      [1, 30],
      [2, 15],
    ]);
    n > 0;
    n--
  )
    platforms.add(rng.weighted(SOCIAL_PLATFORMS[p.origin]));
  for (const platform of platforms) {
    const handle = nameHandle(rng, p.first, p.last);
    add(
      'social',
      unique(ctx, 'social', (attempt) => `${platform}:${attempt === 0 ? handle : handle + rng.int(1, 999)}`),
      rng.chance(0.5),
    );
  }
  if (rng.chance(0.08))
    add(
      'external_id',
      unique(ctx, 'external_id', () => `ext-${rng.int(10_000_000, 99_999_999)}`),
      true,
    );
  return rows;
}

/** [purpose, chance of a row, chance it grants]: about 85% grant profiling, 60% marketing, 30% sharing. */
const CONSENT_ODDS: readonly (readonly [ConsentPurpose, number, number])[] = [
  ['profiling', 0.92, 0.93],
  ['marketing', 0.85, 0.7],
  ['partner_sharing', 0.6, 0.5],
];

function consentsFor(ctx: Ctx, customerId: string, createdAt: number): ConsentRow[] {
  const { rng } = ctx;
  return CONSENT_ODDS.flatMap(([purpose, row, grant]) =>
    rng.chance(row)
      ? [
          {
            customer_id: customerId,
            purpose,
            granted: rng.chance(grant),
            updated_at: new Date(between(ctx, createdAt, ctx.now)),
            source: rng.weighted([
              ['web', 45],
              ['app', 40],
              ['store', 15],
            ] as const),
          },
        ]
      : [],
  );
}

// ---- orders and tickets ----

const ORDER_CHANNELS: readonly (readonly [string, number])[] = [
  ['app', 35],
  ['mini_program', 30],
  ['web', 25],
  ['store', 10],
];

/**
 * The customer's orders, oldest first so each can follow the ones before: its products come from the
 * customer's taste, popular ones more often, and the companions of what it bought before or in the
 * same basket (tastes.ts). High-value customers buy products of at least 300 only.
 */
function ordersFor(ctx: Ctx, customerId: string, t: Timeline, taste: Taste): OrderDraft[] {
  const { rng } = ctx;
  const usual = rng.weighted(ORDER_CHANNELS);
  const otherStatus = (days: number): OrderStatus =>
    days <= 10
      ? rng.weighted([
          ['pending', 40],
          ['cancelled', 35],
          ['refunded', 25],
        ])
      : rng.weighted([
          ['cancelled', 55],
          ['refunded', 45],
        ]);
  const plan = [...t.completed.map((d) => [d, 'completed'] as const), ...t.other.map((d) => [d, otherStatus(d)] as const)].sort(
    (a, b) => b[0] - a[0],
  );
  const bought: Product[] = [];
  return plan.map(([days, status]) => {
    const draft: OrderDraft = {
      customerId,
      status,
      channel: rng.chance(0.65) ? usual : rng.weighted(ORDER_CHANNELS),
      placedAt: at(ctx, days),
      ...orderLines(ctx, taste, bought, t.minOrderCents),
    };
    return draft;
  });
}

/**
 * 1–4 distinct products: the first a companion of an earlier purchase (40 % once there is one) or from
 * a liked category (85 %; else any), popular ones more often; each next one a companion of the basket
 * (60 %) or drawn like the first. List price or 5–30% off; the total reaches `minCents`. Adds the
 * basket to `bought`.
 */
function orderLines(ctx: Ctx, taste: Taste, bought: Product[], minCents: number): Pick<OrderDraft, 'lines' | 'totalCents'> {
  const { rng } = ctx;
  const allowed = (p: Product) => minCents === 0 || p.priceCents >= 30_000;
  const companionOf = (from: readonly Product[]): Product | undefined => {
    const options = from.flatMap((p) => ctx.companions.get(p.id) ?? []).filter(allowed);
    return options.length ? rng.pick(options) : undefined;
  };
  const fromTaste = (): Product => {
    const category = rng.chance(0.85) ? rng.weighted(taste.map((t) => [t.category, t.weight] as const)) : rng.pick(CATEGORIES).name;
    const options = ctx.byCategory.get(category)!.filter(([p]) => allowed(p));
    return options.length ? rng.weighted(options) : rng.weighted(ctx.products.filter(allowed).map((p) => [p, p.weight] as const));
  };
  const products = new Map<string, Product>();
  for (
    let n = rng.weighted([
        [1, 45],
        [2, 30],
        [3, 15],
        [4, 10],
      ]),
      tries = 0;
    products.size < n && tries < 10;
    tries++
  ) {
    const basket = [...products.values()];
    const companion =
      basket.length > 0
        ? rng.chance(0.6)
          ? companionOf(basket)
          : undefined
        : bought.length > 0 && rng.chance(0.4)
          ? companionOf(bought)
          : undefined;
    const product = companion ?? fromTaste();
    products.set(product.id, product);
  }
  bought.push(...products.values());
  const lines = [...products.values()].map((p) => ({
    productId: p.id,
    quantity: rng.weighted([
      [1, 78],
      [2, 15],
      [3, 5],
      [4, 2],
    ]),
    unitCents: rng.chance(0.7) ? p.priceCents : Math.round((p.priceCents * (100 - rng.pick([5, 10, 15, 20, 30]))) / 100),
  }));
  let totalCents = lines.reduce((sum, l) => sum + l.quantity * l.unitCents, 0);
  const dearest = lines.reduce((a, b) => (b.unitCents > a.unitCents ? b : a));
  if (totalCents < minCents) {
    const more = Math.ceil((minCents - totalCents) / dearest.unitCents);
    dearest.quantity += more;
    totalCents += more * dearest.unitCents;
  }
  return { lines, totalCents };
}

/** 'SO' + year placed + 8 unique digits. */
function orderNumber(ctx: Ctx, placedAt: number): string {
  const digits = unique(ctx, 'order_number', () => pad(ctx.rng.int(0, 99_999_999), 8));
  return `SO${new Date(placedAt).getUTCFullYear()}${digits}`;
}

/** Mostly about a recent order; recent tickets are often still open, old ones mostly resolved or closed. */
function ticketsFor(ctx: Ctx, customerId: string, createdAt: number, orderTimes: readonly number[]): TicketDraft[] {
  const { rng, now } = ctx;
  const count =
    orderTimes.length > 0
      ? rng.weighted([
          [0, 50],
          [1, 30],
          [2, 12],
          [3, 8],
        ])
      : rng.weighted([
          [0, 80],
          [1, 17],
          [2, 3],
        ]);
  return Array.from({ length: count }, (): TicketDraft => {
    const about = orderTimes.length > 0 && rng.chance(0.8) ? rng.pick(orderTimes) : null;
    const opened = about === null ? between(ctx, createdAt, now) : between(ctx, about, Math.min(now, about + 10 * DAY_MS));
    const status: TicketStatus =
      now - opened <= 10 * DAY_MS
        ? rng.weighted([
            ['open', 35],
            ['pending', 25],
            ['resolved', 30],
            ['closed', 10],
          ])
        : rng.weighted([
            ['resolved', 45],
            ['closed', 43],
            ['open', 6],
            ['pending', 6],
          ]);
    const done = status === 'resolved' || status === 'closed';
    return {
      customer_id: customerId,
      subject: rng.pick(TICKET_SUBJECTS),
      status,
      priority: rng.weighted([
        ['low', 25],
        ['normal', 50],
        ['high', 18],
        ['urgent', 7],
      ]),
      channel: rng.weighted([
        ['phone', 30],
        ['chat', 35],
        ['email', 25],
        ['store', 10],
      ]),
      opened_at: new Date(opened),
      resolved_at: done ? new Date(between(ctx, Math.min(now, opened + HOUR_MS), Math.min(now, opened + 7 * DAY_MS))) : null,
      satisfaction:
        done && rng.chance(0.6)
          ? rng.weighted([
              [1, 7],
              [2, 9],
              [3, 18],
              [4, 32],
              [5, 34],
            ])
          : null,
    };
  });
}
