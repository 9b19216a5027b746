import type pg from 'pg';

/**
 * The benchmark's operations: real operations of the product (README), each with how its variables
 * vary from request to request and which role runs it.
 */
export interface Workload {
  name: string;
  role: 'agent' | 'analyst';
  query: string;
  /** Variables of the next request. */
  variables(): Record<string, unknown>;
}

export const CONSOLE_360 = `query Console($identifier: IdentifierInput!) {
  customerBy(identifier: $identifier) {
    id status
    profile { fullName gender age city }
    contact { email phone }
    orders(first: 10) { totalCount edges { node { orderNumber status placedAt total items { quantity unitPrice product { name category } } } } }
    purchaseSummary { completedOrders totalSpent averageOrderValue lastOrderAt }
    supportTickets(status: [OPEN, PENDING]) { subject priority openedAt }
    behaviour { lastSeenAt sessions(days: 30) eventCounts(days: 30) { type count } devices { type os } topCategories(first: 3) { category events } }
    social { accounts { platform handle followers } engagement { posts brandMentions } sentiment { score label } }
    rfm { score segment daysSinceLastOrder }
    lifecycle { stage since }
    valueTier
    churnRisk { score level factors { name contribution } }
    tags { key label family }
    serviceHints { code message }
  }
}`;

export const DASHBOARD_PAGE = `query Dashboard($city: String!) {
  customers(first: 100, filter: { city: $city }) {
    edges { node { id purchaseSummary { completedOrders totalSpent lastOrderAt } rfm { score segment } valueTier lifecycle { stage } behaviour { lastSeenAt } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const SEARCH = `query Search($q: String!) { searchCustomers(query: $q, first: 10) { id profile { fullName } contact { email } } }`;

/** CRM only: the API's equivalent of the PostGraphile query below (first 50 customers by id). */
export const CRM_NESTED = `query CrmNested {
  customers(first: 50) { edges { node { id orders(first: 5) { edges { node { id items { product { name } } } } } } } }
}`;

export const POSTGRAPHILE_CRM_NESTED = `query CrmNested {
  allCustomers(first: 50, orderBy: PRIMARY_KEY_ASC) { nodes { id ordersByCustomerId(first: 5, orderBy: PLACED_AT_DESC) { nodes { id orderItemsByOrderId { nodes { productByProductId { name } } } } } } }
}`;

const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)]!;

/** Identifiers, cities and search prefixes sampled from the dataset, so requests hit real customers. */
export async function sampleInputs(pool: pg.Pool) {
  const one = async (sql: string) => (await pool.query<{ v: string }>(sql)).rows.map((r) => r.v).filter(Boolean);
  const identifiers = [
    ...(await one(`SELECT email AS v FROM customers WHERE email IS NOT NULL ORDER BY md5(id) LIMIT 200`)).map((value) => ({
      kind: 'EMAIL',
      value,
    })),
    ...(await one(`SELECT phone AS v FROM customers WHERE phone IS NOT NULL ORDER BY md5(id) LIMIT 200`)).map((value) => ({
      kind: 'PHONE',
      value,
    })),
    ...(await one(`SELECT order_number AS v FROM orders ORDER BY md5(id) LIMIT 200`)).map((value) => ({ kind: 'ORDER_NUMBER', value })),
    ...(await one(`SELECT value AS v FROM customer_identities WHERE kind = 'social' ORDER BY md5(value) LIMIT 200`)).map((value) => ({
      kind: 'SOCIAL',
      value,
    })),
    ...(await one(`SELECT value AS v FROM customer_identities WHERE kind = 'external_id' ORDER BY md5(value) LIMIT 200`)).map((value) => ({
      kind: 'EXTERNAL_ID',
      value,
    })),
  ];
  const cities = await one(
    `SELECT city AS v FROM customers WHERE city IS NOT NULL GROUP BY city HAVING count(*) >= 100 ORDER BY count(*) DESC LIMIT 20`,
  );
  const prefixes = [
    ...new Set(
      (await one(`SELECT split_part(lower(btrim(email)), '@', 1) AS v FROM customers WHERE email IS NOT NULL ORDER BY md5(id) LIMIT 300`))
        .map((local) => local.replace(/[^a-z]/g, '').slice(0, 3))
        .filter((p) => p.length === 3),
    ),
  ];
  if (!identifiers.length || !cities.length || !prefixes.length)
    throw new Error('the bench dataset has no identifiers, cities or names to sample');
  return { identifiers, cities, prefixes };
}

/** A partner-style batch: 500 identifiers of every kind, as callers type them, in one request. */
export const LOOKUP_500 = `query Lookup($identifiers: [IdentifierInput!]!) {
  lookupCustomers(identifiers: $identifiers) { id profile { fullName city } }
}`;

export function workloads(inputs: Awaited<ReturnType<typeof sampleInputs>>): Workload[] {
  return [
    { name: 'console-360', role: 'agent', query: CONSOLE_360, variables: () => ({ identifier: pick(inputs.identifiers) }) },
    { name: 'dashboard-page', role: 'analyst', query: DASHBOARD_PAGE, variables: () => ({ city: pick(inputs.cities) }) },
    { name: 'search', role: 'agent', query: SEARCH, variables: () => ({ q: pick(inputs.prefixes) }) },
    { name: 'crm-nested', role: 'analyst', query: CRM_NESTED, variables: () => ({}) },
    {
      name: 'lookup-500',
      role: 'agent',
      query: LOOKUP_500,
      variables: () => ({ identifiers: Array.from({ length: 500 }, () => pick(inputs.identifiers)) }),
    },
  ];
}

/**
 * Answers, not failures: a consent-gated field of a customer who did not consent (docs/concepts.md
 * "Consent and partial answers"), and a lookupCustomers item whose identifier names nobody or several people.
 */
const ANSWERS = new Set(['CONSENT_REQUIRED', 'NOT_FOUND', 'AMBIGUOUS']);
export function onlyExpectedErrors(body: string): boolean {
  const { errors } = JSON.parse(body) as { errors?: { extensions?: { code?: string } }[] };
  return (errors ?? []).every((e) => ANSWERS.has(e.extensions?.code ?? ''));
}

/** The workloads' names (sample inputs are read only when a workload's variables are drawn). */
export const WORKLOAD_NAMES = workloads({ identifiers: [], cities: [], prefixes: [] }).map((w) => w.name);
