import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildASTSchema, concatAST, parse, TypeInfo, visit, visitWithTypeInfo, type GraphQLSchema } from 'graphql';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type pg from 'pg';
import { loadTypeDefs } from '../src/schema';
import { ROOT } from './dataset';
import { CONSOLE_360, DASHBOARD_PAGE, LOOKUP_500, SEARCH } from './workloads';

/**
 * The soak's mixed workload: every role, every kind of operation the product serves (console lookups
 * by every identifier kind, dashboards, search, partner operations, batch lookups) and the writes
 * (identity links, merges, segments, tag definitions, erasures), each request recorded with what the
 * analysis needs: when, how long, its HTTP status and error codes, and, for a read of personal data,
 * its request id (the request log the invariant checker matches against the audit log).
 */

export type Role = 'agent' | 'analyst' | 'admin' | 'partner';

/** One answered (or failed) request. Times in ms since the soak started. */
export interface Sample {
  op: string;
  role: Role;
  start: number;
  end: number;
  /** HTTP status; 0 when no answer came (network error or client timeout). */
  status: number;
  /** extensions.code of each error (NETWORK / TIMEOUT for no answer). */
  codes: string[];
  /** extensions.source of each SOURCE_UNAVAILABLE error. */
  unavailable: string[];
  /** x-request-id, when the answer carried personal data (the request log). */
  piiRequestId?: string;
}

interface Operation {
  name: string;
  role: Role;
  weight: number;
  query: string;
  /** The next request's variables; null when the operation has nothing to do now (e.g. no merge to undo). */
  variables(): Record<string, unknown> | null;
  /** What an answer teaches the workload's state (a merge id to undo later, a segment to update). */
  onData?(data: Record<string, unknown>, variables: Record<string, unknown>): void;
}

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;

/** The partner operations, exactly as safelisted (their text is their id). */
const partnerOperation = (name: string) => readFileSync(path.join(ROOT, 'operations', `${name}.graphql`), 'utf8');

/** What the workload draws from: real identifiers of every kind, cities, names, and customers set aside for the writes. */
export async function soakInputs(pool: pg.Pool, region: string) {
  const col = async (sql: string, values: unknown[] = []) => (await pool.query<{ v: string }>(sql, values)).rows.map((r) => r.v);
  const rows = async (sql: string) => (await pool.query<{ id: string; v: string; country: string | null }>(sql)).rows;
  // Everyone from the 400th customer on (by md5) is read; the first 400 are the writes' (merged, linked, erased).
  const readable = `FROM customers c WHERE c.status = 'active' AND md5(c.id) > (SELECT md5(id) FROM customers ORDER BY md5(id) OFFSET 400 LIMIT 1)`;
  const phones = (await rows(`SELECT c.id, c.phone AS v, c.country ${readable} AND c.phone IS NOT NULL ORDER BY md5(c.id) LIMIT 200`)).map(
    (r) => {
      // As a caller in the API's default region says it: national format; others as stored.
      const parsed = parsePhoneNumberFromString(r.v, (r.country ?? region) as never);
      return parsed?.country === region ? parsed.formatNational() : r.v;
    },
  );
  const identifiers = [
    ...(await col(`SELECT c.email AS v ${readable} AND c.email IS NOT NULL ORDER BY md5(c.id) LIMIT 200`)).map((value) => ({
      kind: 'EMAIL',
      value,
    })),
    ...phones.map((value) => ({ kind: 'PHONE', value })),
    ...(await col(`SELECT o.order_number AS v FROM orders o ORDER BY md5(o.id) LIMIT 200`)).map((value) => ({
      kind: 'ORDER_NUMBER',
      value,
    })),
    ...(await col(`SELECT i.value AS v FROM customer_identities i WHERE i.kind = 'social' ORDER BY md5(i.value) LIMIT 200`)).map(
      (value) => ({
        kind: 'SOCIAL',
        value,
      }),
    ),
  ];
  const externalIds = (
    await col(`SELECT i.value AS v FROM customer_identities i WHERE i.kind = 'external_id' ORDER BY md5(i.value) LIMIT 300`)
  ).map((value) => ({ kind: 'EXTERNAL_ID', value }));
  const ids = await col(`SELECT c.id AS v ${readable} ORDER BY md5(c.id) LIMIT 300`);
  const reserved = await col(`SELECT id AS v FROM customers WHERE status = 'active' ORDER BY md5(id) LIMIT 400`);
  const cities = await col(`SELECT city AS v FROM customers WHERE city IS NOT NULL GROUP BY city ORDER BY count(*) DESC LIMIT 10`);
  const prefixes = [
    ...new Set(
      (await col(`SELECT split_part(lower(btrim(email)), '@', 1) AS v FROM customers WHERE email IS NOT NULL ORDER BY md5(id) LIMIT 300`))
        .map((local) => local.replace(/[^a-z]/g, '').slice(0, 3))
        .filter((p) => p.length === 3),
    ),
  ];
  if (!identifiers.length || !externalIds.length || reserved.length < 400 || !cities.length || !prefixes.length)
    throw new Error('the soak dataset lacks identifiers, external ids, cities, names or 400 customers to write to');
  return {
    identifiers,
    externalIds,
    ids,
    cities,
    prefixes,
    /** Merged and unmerged among themselves. */
    mergeable: reserved.slice(0, 200),
    /** Given anonymous ids and unlinked again. */
    linkable: reserved.slice(200, 300),
    /** Erased, each once. */
    erasable: reserved.slice(300, 400),
  };
}

/** The operations of the mix, with the state the writes keep (what can be undone or updated next). */
export function soakOperations(inputs: Awaited<ReturnType<typeof soakInputs>>): Operation[] {
  const merges: string[] = [];
  const links: { customerId: string; value: string }[] = [];
  const segments: string[] = [];
  const erasable = [...inputs.erasable];
  let serial = 0;
  const byId = `query Customer($id: ID!) { customer(id: $id) { id canonicalId profile { fullName city } contact { email phone } purchaseSummary { completedOrders totalSpent } lifecycle { stage } } }`;
  return [
    { name: 'console', role: 'agent', weight: 30, query: CONSOLE_360, variables: () => ({ identifier: pick(inputs.identifiers) }) },
    { name: 'console-by-id', role: 'agent', weight: 5, query: byId, variables: () => ({ id: pick(inputs.ids) }) },
    { name: 'search', role: 'agent', weight: 8, query: SEARCH, variables: () => ({ q: pick(inputs.prefixes) }) },
    { name: 'dashboard', role: 'analyst', weight: 6, query: DASHBOARD_PAGE, variables: () => ({ city: pick(inputs.cities) }) },
    {
      name: 'stats',
      role: 'analyst',
      weight: 4,
      query: `query Stats($city: String!) { customerStats(filter: { cities: [$city] }) { total byStage { stage count } byTier { tier count } snapshot { version asOf } } }`,
      variables: () => ({ city: pick(inputs.cities) }),
    },
    {
      name: 'partner-customer',
      role: 'partner',
      weight: 4,
      query: partnerOperation('PartnerCustomer'),
      variables: () => ({ id: pick(inputs.ids) }),
    },
    {
      name: 'partner-customer-by',
      role: 'partner',
      weight: 4,
      query: partnerOperation('PartnerCustomerBy'),
      variables: () => ({ identifier: pick(inputs.externalIds) }),
    },
    {
      name: 'partner-lookup',
      role: 'partner',
      weight: 2,
      query: partnerOperation('PartnerLookupCustomers'),
      variables: () => ({ identifiers: Array.from({ length: 50 }, () => pick(inputs.externalIds)) }),
    },
    {
      name: 'lookup-100',
      role: 'agent',
      weight: 3,
      query: LOOKUP_500,
      variables: () => ({ identifiers: Array.from({ length: 100 }, () => pick(inputs.identifiers)) }),
    },
    {
      name: 'link',
      role: 'agent',
      weight: 3,
      query: `mutation Link($id: ID!, $value: String!) { linkIdentity(customerId: $id, identifier: { kind: ANONYMOUS_ID, value: $value }, evidence: "soak: logged in on this browser") { id } }`,
      variables: () => ({ id: pick(inputs.linkable), value: `soak-anon-${process.pid}-${++serial}` }),
      onData: (_data, v) => void links.push({ customerId: v.id as string, value: v.value as string }),
    },
    {
      name: 'unlink',
      role: 'agent',
      weight: 2,
      query: `mutation Unlink($id: ID!, $value: String!) { unlinkIdentity(customerId: $id, identifier: { kind: ANONYMOUS_ID, value: $value }, reason: "soak: shared computer") { id } }`,
      variables: () => {
        const link = links.splice(Math.floor(Math.random() * links.length), 1)[0];
        return link ? { id: link.customerId, value: link.value } : null;
      },
    },
    {
      name: 'merge',
      role: 'admin',
      weight: 2,
      query: `mutation Merge($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m, reason: "soak: same person") { id } }`,
      variables: () => {
        const s = pick(inputs.mergeable);
        const m = pick(inputs.mergeable);
        return s === m ? null : { s, m: [m] };
      },
      onData: (data) => void merges.push((data.mergeCustomers as { id: string }).id),
    },
    {
      name: 'unmerge',
      role: 'admin',
      weight: 1.5,
      query: `mutation Unmerge($id: ID!) { unmergeCustomers(mergeId: $id, reason: "soak: not the same person", cascade: true) { id } }`,
      variables: () => {
        const id = merges.splice(Math.floor(Math.random() * merges.length), 1)[0];
        return id ? { id } : null;
      },
    },
    {
      name: 'segment-create',
      role: 'analyst',
      weight: 1,
      query: `mutation Create($name: String!, $city: String!) { createSegment(input: { name: $name, filter: { cities: [$city], stages: [ACTIVE, AT_RISK] } }) { id } }`,
      variables: () => ({ name: `soak ${process.pid} ${++serial}`, city: pick(inputs.cities) }),
      onData: (data) => void segments.push((data.createSegment as { id: string }).id),
    },
    {
      name: 'segment-update',
      role: 'analyst',
      weight: 1,
      query: `mutation Update($id: ID!, $name: String!) { updateSegment(id: $id, input: { name: $name, filter: { tiers: [HIGH_VALUE, REGULAR] } }) { id } }`,
      variables: () => (segments.length ? { id: pick(segments), name: `soak ${process.pid} ${++serial}` } : null),
    },
    {
      name: 'tag-definition',
      role: 'admin',
      weight: 0.3,
      query: `mutation Tag($threshold: String!) { upsertTagDefinition(input: { key: "soak_spender", label: "Soak spender", family: VALUE, description: "Spent past a threshold the soak moves.", expression: $threshold }) { key version } }`,
      variables: () => ({ threshold: `facts.orders.spend365d >= ${pick([500, 1000, 2000, 5000])}.0` }),
    },
    {
      name: 'erase',
      role: 'admin',
      weight: 0.3,
      query: `mutation Erase($id: ID!) { eraseCustomer(id: $id, reason: "soak: asked to be forgotten") { status } }`,
      variables: () => {
        const id = erasable.pop();
        return id ? { id } : null;
      },
    },
  ];
}

/** Error codes that are answers, not failures, wherever they appear. */
export const ANSWERS = new Set([
  'CONSENT_REQUIRED', // a consent-gated field of a customer who did not consent
  'NOT_FOUND', // a lookup naming nobody (an erased customer, a lookupCustomers item)
  'AMBIGUOUS', // an identifier naming several people
  'CONFLICT', // a write the state refuses (a merge of records already merged, a link someone else holds)
]);

/** Response paths (response keys; lists are walked through) of the @pii fields an operation selects. */
export function piiPaths(schema: GraphQLSchema, query: string): string[][] {
  const typeInfo = new TypeInfo(schema);
  const path: string[] = [];
  const found: string[][] = [];
  visit(
    parse(query),
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          path.push(node.alias?.value ?? node.name.value);
          const def = typeInfo.getFieldDef();
          if (def?.astNode?.directives?.some((d) => d.name.value === 'pii')) found.push([...path]);
        },
        leave() {
          path.pop();
        },
      },
    }),
  );
  return found;
}

/** Whether `data` holds a value at any of `paths` (null, [] and '' hold none). */
export function holdsAny(data: unknown, paths: string[][]): boolean {
  const at = (value: unknown, rest: string[]): boolean => {
    if (value === null || value === undefined || value === '') return false;
    if (Array.isArray(value)) return value.some((v) => at(v, rest));
    if (rest.length === 0) return true;
    return typeof value === 'object' && at((value as Record<string, unknown>)[rest[0]!], rest.slice(1));
  };
  return paths.some((p) => at(data, p));
}

/** The API's schema (from schema/*.graphql; the federation directives left undeclared), to find the @pii fields of the mix's operations. */
export const apiSchema = () => buildASTSchema(concatAST(loadTypeDefs().map((sdl) => parse(sdl))), { assumeValidSDL: true });

/**
 * Runs the mix against `url` with `concurrency` callers until `stop()`: each picks an operation by
 * weight, sends it with its role's credentials and records a Sample. Requests are abandoned after
 * `timeoutMs` (recorded as TIMEOUT).
 */
export function driveMix(opts: {
  url: string;
  concurrency: number;
  operations: Operation[];
  headers: Record<Role, Record<string, string>>;
  timeoutMs: number;
  now: () => number;
  record: (s: Sample) => void;
}): { stop(): Promise<void> } {
  const schema = apiSchema();
  const pii = new Map(opts.operations.map((o) => [o.name, piiPaths(schema, o.query)]));
  const total = opts.operations.reduce((n, o) => n + o.weight, 0);
  const draw = () => {
    let r = Math.random() * total;
    for (const o of opts.operations) if ((r -= o.weight) < 0) return o;
    return opts.operations[0]!;
  };
  let running = true;
  const one = async () => {
    const op = draw();
    const variables = op.variables();
    if (!variables) return;
    const start = opts.now();
    const sample: Sample = { op: op.name, role: op.role, start, end: start, status: 0, codes: [], unavailable: [] };
    try {
      const res = await fetch(opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...opts.headers[op.role] },
        body: JSON.stringify({ query: op.query, variables }),
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      const body = (await res.json()) as {
        data?: Record<string, unknown> | null;
        errors?: { extensions?: { code?: string; source?: string } }[];
      };
      sample.status = res.status;
      sample.codes = (body.errors ?? []).map((e) => e.extensions?.code ?? 'NONE');
      sample.unavailable = (body.errors ?? [])
        .filter((e) => e.extensions?.code === 'SOURCE_UNAVAILABLE')
        .map((e) => e.extensions?.source ?? '?');
      if (res.status === 200 && body.data) {
        if (holdsAny(body.data, pii.get(op.name)!)) sample.piiRequestId = res.headers.get('x-request-id') ?? undefined;
        if (op.onData && !body.errors?.length) op.onData(body.data, variables);
      }
    } catch (e) {
      sample.codes = [(e as Error).name === 'TimeoutError' ? 'TIMEOUT' : 'NETWORK'];
    }
    sample.end = opts.now();
    opts.record(sample);
  };
  const workers = Array.from({ length: opts.concurrency }, async () => {
    while (running) await one();
  });
  return {
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}
