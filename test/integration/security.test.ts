import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import pino from 'pino';
import { ApiKeyStore } from '../../src/security/apiKeys';
import { AuditWriter } from '../../src/security/audit';
import { createDb } from '../../src/sources/crm/db';
import { noRoundTrips } from '../../src/sources/roundTrips';
import { BULK, fixtureDataset, LINA, LINA_DUP, NOW, TOM } from '../fixtures/crm';
import { testConfig } from '../helpers/database';
import { startTestServer, type GqlResult, type TestServer } from '../helpers/server';
import { bearer } from '../helpers/tokens';
import { apiSuite } from '../helpers/suite';

/**
 * Who gets in and what each role sees, against the real server. Tom has granted partner_sharing,
 * Lina refused it, Lina's duplicate record never recorded it.
 */
const suite = apiSuite('security', securityDataset(), { clock: () => NOW });

const OPERATIONS = path.resolve(__dirname, '../../operations');
const operation = (file: string) => readFileSync(path.join(OPERATIONS, file), 'utf8');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** `pool`, counting the statements sent through it: what the server did, whatever the response says. */
function countingPool(pool: pg.Pool) {
  const counter = { statements: 0 };
  const counting = new Proxy(pool, {
    get(target, prop) {
      if (prop === 'query') return (...args: Parameters<pg.Pool['query']>) => ((counter.statements += 1), target.query(...args));
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { pool: counting, counter };
}

/** The CRM fixture, with an external id for Tom and partner_sharing granted by Tom, refused by Lina. */
function securityDataset() {
  const data = fixtureDataset();
  data.customer_identities.push({
    customer_id: TOM,
    kind: 'external_id' as never,
    value: 'EXT-TOM',
    verified: true,
    first_seen_at: new Date('2025-11-20T15:30:00Z'),
  });
  data.consents.push(
    { customer_id: TOM, purpose: 'partner_sharing', granted: true, updated_at: new Date('2026-01-01T00:00:00Z'), source: 'web' },
    { customer_id: LINA, purpose: 'partner_sharing', granted: false, updated_at: new Date('2026-01-01T00:00:00Z'), source: 'app' },
  );
  return data;
}

const code = (body: { errors?: { extensions?: Record<string, unknown> }[] }) => body.errors?.[0]?.extensions?.code;

describe('who is calling', () => {
  const Q = `{ customer(id: "${TOM}") { id } }`;

  it('answers 401 UNAUTHENTICATED without credentials, before anything runs', async () => {
    const res = await suite.api.post(JSON.stringify({ query: Q }), { authorization: '' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const body = (await res.json()) as any;
    expect(body).toEqual({
      errors: [{ message: expect.stringContaining('Authentication required'), extensions: { code: 'UNAUTHENTICATED', reason: 'missing' } }],
    });
  });

  it('refuses an expired token, accepts one within the clock skew', async () => {
    const expired = await bearer(['agent'], { ttlSeconds: 60, now: new Date(Date.now() - 2 * 60_000) });
    const res = await suite.api.gql(Q, {}, expired);
    expect(res.status).toBe(401);
    expect(res.body.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'expired' });
    // Expired 10 s ago; JWT_CLOCK_SKEW_SECONDS is 30.
    const justExpired = await bearer(['agent'], { ttlSeconds: 50, now: new Date(Date.now() - 60_000) });
    expect((await suite.api.gql(Q, {}, justExpired)).status).toBe(200);
  });

  it('refuses a bad signature, a tampered payload, alg "none" and a token without a known role', async () => {
    const other = await bearer(['admin'], { secret: 'another-secret-of-at-least-thirty-two-chars' });
    expect((await suite.api.gql(Q, {}, other)).body.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'invalid' });

    const [h, , s] = (await bearer(['analyst'])).authorization.slice(7).split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'x', roles: ['admin'], exp: Math.floor(Date.now() / 1000) + 60 })).toString(
      'base64url',
    );
    expect((await suite.api.gql(Q, {}, { authorization: `Bearer ${h}.${forged}.${s}` })).status).toBe(401);
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect((await suite.api.gql(Q, {}, { authorization: `Bearer ${none}.${forged}.` })).status).toBe(401);

    const roleless = await bearer(['superuser' as never]);
    expect((await suite.api.gql(Q, {}, roleless)).body.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'no_roles' });
    expect((await suite.api.gql(Q, {}, { authorization: 'Basic dXNlcjpwYXNz' })).status).toBe(401);
  });

  it("refuses a sub that would pass for an API key's or hide in the audit log: 401, nothing read", async () => {
    for (const sub of [
      ' apikey:k_0123456789ab',
      'APIKEY:k_0123456789ab',
      'agent-007 ',
      'agent-007\napikey:k_0123456789ab',
      'a'.repeat(201),
    ]) {
      const res = await suite.api.gql(`{ customer(id: "${TOM}") { contact { email } } }`, {}, await bearer(['agent'], { sub }));
      expect([res.status, res.body]).toEqual([
        401,
        { errors: [{ message: expect.stringContaining('`sub`'), extensions: { code: 'UNAUTHENTICATED', reason: 'invalid' } }] },
      ]);
    }
  });
});

describe('what each role may use (checked before the operation runs)', () => {
  it('lets an agent look one customer up, unmasked, but not list customers', async () => {
    const agent = await bearer(['agent']);
    const one = await suite.api.gql(
      `{ customerBy(identifier: { kind: PHONE, value: "138 0013 8000" }) { id profile { fullName birthDate } contact { email phone } } }`,
      {},
      agent,
    );
    expect(one.body).toEqual({
      data: {
        customerBy: {
          id: LINA,
          profile: { fullName: '李娜', birthDate: '1990-06-16' },
          contact: { email: 'lina@example.com', phone: '+8613800138000' },
        },
      },
    });
    const list = await suite.api.gql('{ customers(first: 5) { edges { node { id } } } }', {}, agent);
    expect(list.status).toBe(403);
    expect(list.body).toEqual({
      errors: [
        {
          message: 'Not allowed for this caller: Query.customers (roles: analyst, admin).',
          extensions: { code: 'FORBIDDEN', denied: ['Query.customers'] },
        },
      ],
    });
  });

  it('shows an analyst lists and derived fields with personal data masked', async () => {
    const analyst = await bearer(['analyst']);
    const { body } = await suite.api.gql(
      `fragment C on Customer { id profile { fullName birthDate age city } contact { email phone }
         identities { kind value } tickets: supportTickets(first: 1) { subject status } rfm { score } }
       { lina: customer(id: "${LINA}") { ...C } tom: customer(id: "${TOM}") { ...C } dup: customer(id: "${LINA_DUP}") { ...C } }`,
      {},
      analyst,
    );
    expect(body.errors).toBeUndefined();
    const { lina, tom, dup } = body.data;
    expect(lina).toMatchObject({
      profile: { fullName: '李*', birthDate: null, age: 35, city: 'Shanghai' },
      contact: { email: 'l***@example.com', phone: '+86 138****8000' },
      tickets: [{ subject: '[redacted]', status: 'OPEN' }],
      rfm: { score: expect.stringMatching(/^\d{3}$/) },
    });
    expect(lina.identities).toEqual(
      expect.arrayContaining([
        { kind: 'EMAIL', value: 'l***@example.com' },
        { kind: 'SOCIAL', value: 'weibo:l***8' },
        { kind: 'DEVICE_ID', value: 'dev-***' },
      ]),
    );
    expect(tom.id).toBe(TOM);
    expect(tom.profile.fullName).toBe('T. B.');
    expect(tom.contact).toEqual({ email: 't***@example.org', phone: '+1 415***0132' });
    expect(dup.profile.fullName).toBe('L. N.');
  });

  it('masks identifiers the same way wherever they appear: an order number as an Identity value and as Order.orderNumber', async () => {
    const query = `{ customer(id: "${LINA}") { orders(first: 10) { edges { node { orderNumber } } } } }`;
    const numbers = async (roles: ('agent' | 'analyst')[]) =>
      (await suite.api.gql(query, {}, await bearer(roles))).body.data.customer.orders.edges.map(
        (e: { node: { orderNumber: string } }) => e.node.orderNumber,
      );
    const raw: string[] = await numbers(['agent']);
    expect(raw).toContain('SO2026000001');
    // The masking of every identifier without a kind of its own (masking.ts maskIdentifier): its first four characters.
    expect(await numbers(['analyst'])).toEqual(raw.map((n) => `${n.slice(0, 4)}***`));
  });

  it('refuses an analyst the lookups and search that would single a person out by contact details', async () => {
    const analyst = await bearer(['analyst']);
    const res = await suite.api.gql(
      `{ searchCustomers(query: "lina") { id } byMail: customerBy(identifier: { kind: EMAIL, value: "lina@example.com" }) { id } }`,
      {},
      analyst,
    );
    expect(res.status).toBe(403);
    expect(res.body.errors![0]!.extensions!.denied).toEqual(['Query.searchCustomers', 'Query.customerBy']);
  });

  it('lets an agent read one customer per request: one root field returning customers, searches of 10 at most', async () => {
    const agent = await bearer(['agent']);
    const refused = async (query: string, variables: Record<string, unknown> = {}) => {
      const res = await suite.api.gql(query, variables, agent);
      expect(res.status).toBe(403);
      expect(res.roundTrips.crm).toBe(0);
      return res.body.errors![0]!;
    };
    expect(await refused(`{ a: customer(id: "${TOM}") { id } b: customer(id: "${LINA}") { id } }`)).toEqual({
      message:
        'Not allowed for this caller: Query.customer (one root field returning customers per request without the analyst or admin role).',
      extensions: { code: 'FORBIDDEN', denied: ['Query.customer'] },
    });
    const mixed = `query { ...F byPhone: customerBy(identifier: { kind: PHONE, value: "138 0013 8000" }) { id } } fragment F on Query { customer(id: "${TOM}") { id } }`;
    expect((await refused(mixed)).extensions!.denied).toEqual(['Query.customer', 'Query.customerBy']);
    expect((await refused(`{ searchCustomers(query: "lina", first: 50) { id } }`)).message).toMatch(
      /Query\.searchCustomers \(first at most 10 without the analyst or admin role\)/,
    );
    const search = `query S($n: Int) { searchCustomers(query: "lina", first: $n) { id } }`;
    expect((await refused(search, { n: 11 })).extensions!.denied).toEqual(['Query.searchCustomers']);

    const ten = await suite.api.gql(search, { n: 10 }, agent);
    expect(ten.status).toBe(200);
    expect(ten.body.data.searchCustomers.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining([LINA]));
    // Roles with a listing right are not held to it.
    const admin = await suite.api.gql(
      `{ a: customer(id: "${TOM}") { id } b: customer(id: "${LINA}") { id } s: searchCustomers(query: "lina", first: 50) { id } }`,
    );
    expect(admin.body.errors).toBeUndefined();
    expect(admin.body.data).toMatchObject({ a: { id: TOM }, b: { id: LINA } });
  });

  it('finds fields hidden in fragments and inline fragments', async () => {
    const agent = await bearer(['agent']);
    const res = await suite.api.gql(
      `query { ...F } fragment F on Query { ... on Query { customers(first: 1) { totalCount } } }`,
      {},
      agent,
    );
    expect(res.status).toBe(403);
    expect(res.body.errors![0]!.extensions!.denied).toEqual(['Query.customers']);
  });

  it('keeps admin operations to admins', async () => {
    const query = `{ auditLog(customerId: "${LINA}") { edges { node { id } } } apiKeys { id } }`;
    for (const role of ['agent', 'analyst'] as const) {
      const res = await suite.api.gql(query, {}, await bearer([role]));
      expect(res.status).toBe(403);
      expect(res.body.errors![0]!.extensions!.denied).toEqual(['Query.auditLog', 'Query.apiKeys']);
    }
    const mutation = await suite.api.gql(`mutation { revokeApiKey(id: "k_000000000000") { id } }`, {}, await bearer(['analyst']));
    expect(mutation.body.errors![0]!.extensions!.denied).toEqual(['Mutation.revokeApiKey']);
    // A partner token never gets past the safelist.
    expect((await suite.api.gql(query, {}, await bearer(['partner']))).status).toBe(403);
  });
});

describe('partners (API keys)', () => {
  let key: string;
  let keyId: string;
  const PARTNER_CUSTOMER = operation('PartnerCustomer.graphql');

  beforeAll(async () => {
    const { body } = await suite.api.gql(
      `mutation { createApiKey(input: { partner: "Acme Loyalty", scopes: [PROFILE, ORDERS, INSIGHTS], ratePerMinute: 1000 }) { key apiKey { id partner scopes ratePerMinute createdBy revokedAt } } }`,
    );
    expect(body.errors).toBeUndefined();
    key = body.data.createApiKey.key;
    keyId = body.data.createApiKey.apiKey.id;
    expect(body.data.createApiKey.apiKey).toEqual({
      id: keyId,
      partner: 'Acme Loyalty',
      scopes: ['INSIGHTS', 'ORDERS', 'PROFILE'],
      ratePerMinute: 1000,
      createdBy: 'test-admin',
      revokedAt: null,
    });
  });

  it('stores only a hash of the key', async () => {
    const { rows } = await suite.db.pool.query(
      `SELECT encode(hash, 'hex') AS hash, row_to_json(k)::text AS everything FROM c360.api_keys k WHERE id = $1`,
      [keyId],
    );
    expect(rows[0].hash).toBe(sha256(key));
    // The secret is everything after `c360_<id>_`: base64url, so it may itself hold '_'.
    const secret = key.slice(`c360_${keyId}_`.length);
    expect(secret).toHaveLength(43);
    expect(rows[0].everything).not.toContain(secret);
  });

  it('answers a safelisted operation for a customer who granted partner_sharing, masked', async () => {
    const { status, body } = await suite.api.gql(PARTNER_CUSTOMER, { id: TOM }, { 'x-api-key': key });
    expect(status).toBe(200);
    // The test server has no social provider: lifecycle says it did without it.
    expect((body.errors ?? []).filter((e) => e.extensions?.source !== 'social')).toEqual([]);
    expect(body.data.customer).toMatchObject({
      id: TOM,
      profile: { fullName: 'T. B.', city: 'San Francisco' },
      purchaseSummary: { completedOrders: 0 },
    });
  });

  it('cannot tell a customer who refused partner_sharing, or never answered, from one that does not exist', async () => {
    const answers = await Promise.all(
      [LINA, LINA_DUP, 'c_nobody'].map((id) => suite.api.gql(PARTNER_CUSTOMER, { id }, { 'x-api-key': key })),
    );
    for (const a of answers) expect(a).toMatchObject({ status: 200, body: { data: { customer: null } } });
    expect(answers.map((a) => JSON.stringify(a.body))).toEqual(Array(3).fill(JSON.stringify({ data: { customer: null } })));
  });

  it('runs safelisted operations by hash alone (persisted queries), and nothing else', async () => {
    const byHash = await suite.api.post(
      JSON.stringify({ variables: { id: TOM }, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(PARTNER_CUSTOMER) } } }),
      { 'x-api-key': key },
    );
    expect(((await byHash.json()) as any).data.customer.id).toBe(TOM);

    const adHoc = await suite.api.gql(`query { customer(id: "${TOM}") { id } }`, {}, { 'x-api-key': key });
    expect(adHoc.status).toBe(403);
    expect(code(adHoc.body)).toBe('FORBIDDEN');
    expect(adHoc.body.errors![0]!.message).toMatch(/safelisted operations/);
  });

  it("refuses a safelisted operation that reads fields outside the key's scopes", async () => {
    // PartnerCustomerBy reads contact (scope CONTACT), which this key lacks.
    const res = await suite.api.gql(
      operation('PartnerCustomerBy.graphql'),
      { identifier: { kind: 'EXTERNAL_ID', value: 'EXT-001' } },
      { 'x-api-key': key },
    );
    expect(res.status).toBe(403);
    expect(res.body.errors![0]).toMatchObject({
      message: expect.stringContaining('Customer.contact (scope: contact)'),
      extensions: { denied: ['Customer.contact'] },
    });
  });

  it('lets a partner look customers up by EXTERNAL_ID only, refused before anything is read', async () => {
    const created = await suite.api.gql(
      `mutation { createApiKey(input: { partner: "Contact Co", scopes: [CONTACT, INSIGHTS], ratePerMinute: 1000 }) { key } }`,
    );
    const contactKey = created.body.data.createApiKey.key;
    const BY = operation('PartnerCustomerBy.graphql');
    const found = await suite.api.gql(BY, { identifier: { kind: 'EXTERNAL_ID', value: 'EXT-TOM' } }, { 'x-api-key': contactKey });
    expect(found.body.data).toEqual({
      customerBy: { id: TOM, contact: { email: 't***@example.org', phone: '+1 415***0132' }, valueTier: expect.any(String) },
    });
    for (const identifier of [
      { kind: 'PHONE', value: '+1 415 555 0132' },
      { kind: 'EMAIL', value: 'tom.baker@example.org' },
      { kind: 'DEVICE_ID', value: 'dev-lina-1' },
      { kind: 'ANONYMOUS_ID', value: 'anon-lina' },
      { kind: 'SOCIAL', value: 'x:tombaker' },
      { kind: 'ORDER_NUMBER', value: 'SO2026000002' },
    ]) {
      const res = await suite.api.gql(BY, { identifier }, { 'x-api-key': contactKey });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        errors: [
          {
            message: 'Not allowed for this caller: Query.customerBy (partners look customers up by EXTERNAL_ID only).',
            extensions: { code: 'FORBIDDEN', denied: ['Query.customerBy'] },
          },
        ],
      });
    }
  });

  it('tells a partner nothing from parse or validation errors of an operation that is not safelisted', async () => {
    for (const query of [`{ customer(id: "${TOM}") { id `, `{ customer(id: "${TOM}") { contatc } }`, `{ nothing }`]) {
      const res = await suite.api.gql(query, {}, { 'x-api-key': key });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({
        errors: [{ message: expect.stringMatching(/may only run safelisted operations/), extensions: { code: 'FORBIDDEN' } }],
      });
    }
  });

  it('caches found keys only, so unknown keys cost a lookup each and cannot crowd real ones out', async () => {
    const { pool, counter } = countingPool(suite.db.pool);
    const store = new ApiKeyStore(pool, 60);
    const { key: known } = await store.create({ partner: 'Cache Co', scopes: ['profile'], ratePerMinute: 10 }, 'test-admin');
    const unknown = `c360_k_000000000000_${'B'.repeat(43)}`;
    counter.statements = 0;
    for (let i = 0; i < 3; i++) {
      expect(await store.authenticate(known)).toMatchObject({ subject: expect.stringMatching(/^apikey:k_/) });
      expect(await store.authenticate(unknown)).toBeNull();
    }
    expect(counter.statements).toBe(1 + 3);
  });

  it('refuses a revoked, an unknown or a malformed key, and two credentials at once', async () => {
    const created = await suite.api.gql(
      `mutation { createApiKey(input: { partner: "Short-lived", scopes: [PROFILE, ORDERS, INSIGHTS] }) { key apiKey { id } } }`,
    );
    const { key: shortLived, apiKey } = created.body.data.createApiKey;
    expect((await suite.api.gql(PARTNER_CUSTOMER, { id: TOM }, { 'x-api-key': shortLived })).status).toBe(200);
    const revoked = await suite.api.gql(`mutation { revokeApiKey(id: "${apiKey.id}") { id revokedAt revokedBy } }`);
    expect(revoked.body.data.revokeApiKey).toMatchObject({ id: apiKey.id, revokedAt: expect.any(String), revokedBy: 'test-admin' });
    const after = await suite.api.gql(PARTNER_CUSTOMER, { id: TOM }, { 'x-api-key': shortLived });
    expect(after.status).toBe(401);
    expect(after.body.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'revoked_or_unknown_key' });
    const unknown = `c360_k_000000000000_${'A'.repeat(43)}`;
    expect((await suite.api.gql(PARTNER_CUSTOMER, { id: TOM }, { 'x-api-key': unknown })).status).toBe(401);
    expect((await suite.api.gql(PARTNER_CUSTOMER, { id: TOM }, { 'x-api-key': 'hunter2' })).status).toBe(401);
    const both = await suite.api.gql(PARTNER_CUSTOMER, { id: TOM }, { 'x-api-key': key, ...(await bearer(['admin'])) });
    expect(both.body.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'ambiguous' });
    const listed = await suite.api.gql('{ apiKeys { id } all: apiKeys(includeRevoked: true) { id revokedAt } }');
    expect(listed.body.data.apiKeys.map((k: any) => k.id)).not.toContain(apiKey.id);
    expect(listed.body.data.all.map((k: any) => k.id)).toContain(apiKey.id);
  });

  it('refuses bad key input with BAD_USER_INPUT', async () => {
    const res = await suite.api.gql(`mutation { createApiKey(input: { partner: " ", scopes: [PROFILE] }) { key } }`);
    expect(res.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.partner' });
    const rate = await suite.api.gql(`mutation { createApiKey(input: { partner: "X", scopes: [PROFILE], ratePerMinute: 0 }) { key } }`);
    expect(rate.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.ratePerMinute' });
  });
});

describe('what a partner can tell from a null answer, and what the logs keep', () => {
  const logs: Record<string, unknown>[] = [];
  let observed: TestServer;
  let counter: { statements: number };
  let key: string;

  beforeAll(async () => {
    const counting = countingPool(suite.db.pool);
    counter = counting.counter;
    const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    observed = await startTestServer(suite.db, () => NOW, { crmPool: counting.pool, logger });
    const { body } = await observed.gql(
      `mutation { createApiKey(input: { partner: "Observer", scopes: [PROFILE, ORDERS, INSIGHTS], ratePerMinute: 1000 }) { key } }`,
    );
    key = body.data.createApiKey.key;
  });
  afterAll(() => observed?.close());

  const run = async (id: string, headers: Record<string, string>) => {
    counter.statements = 0;
    const res = await observed.post(JSON.stringify({ query: operation('PartnerCustomer.graphql'), variables: { id } }), headers);
    return {
      status: res.status,
      body: await res.text(),
      roundTripsHeader: res.headers.get('x-source-round-trips'),
      statements: counter.statements,
    };
  };

  it('answers a customer who refused partner_sharing exactly as one that does not exist: body, headers and statements', async () => {
    const refused = await run(LINA, { 'x-api-key': key });
    expect(refused).toEqual({ status: 200, body: JSON.stringify({ data: { customer: null } }), roundTripsHeader: null, statements: 2 });
    expect(await run('c_nobody', { 'x-api-key': key })).toEqual(refused);
    // Everybody else still gets the header (the benchmark reads it).
    expect((await run(TOM, await bearer(['agent']))).roundTripsHeader).toMatch(/^crm=\d+,behaviour=\d+,social=\d+$/);
  });

  it('logs refusals with their reason, never the credentials', async () => {
    logs.length = 0;
    const unknownKey = `c360_k_000000000000_${'C'.repeat(43)}`;
    await observed.gql(`{ customer(id: "${TOM}") { id } }`, {}, { 'x-api-key': unknownKey });
    const expired = await bearer(['agent'], { ttlSeconds: 60, now: new Date(Date.now() - 5 * 60_000) });
    await observed.gql(`{ customer(id: "${TOM}") { id } }`, {}, expired);
    await observed.gql('{ customers(first: 1) { totalCount } }', {}, await bearer(['agent']));
    await observed.gql(`{ customer(id: "${TOM}") { id } }`, {}, { 'x-api-key': key });
    const refusals = logs.filter((l) => String(l.msg).startsWith('request refused'));
    expect(refusals.map((l) => [l.level, l.reason])).toEqual([
      [30, 'revoked_or_unknown_key'],
      [30, 'expired'],
      [40, 'denied'],
      [40, 'not_safelisted'],
    ]);
    const written = JSON.stringify(logs);
    expect(written).not.toContain('CCCCCCCC');
    expect(written).not.toContain(expired.authorization.slice(7));
    expect(written).not.toContain(key);
  });
});

describe('audit', () => {
  const entries = async (customerId: string) =>
    (
      await suite.api.gql(
        `query A($id: ID!) { auditLog(customerId: $id, first: 200) { edges { node { requestId subject roles auth partner customerId fields masked operation } } } }`,
        { id: customerId },
      )
    ).body.data.auditLog.edges.map((e: any) => e.node);

  it("records a read of personal data: who, role, customer, fields, operation and the server's request id", async () => {
    const before = (await entries(TOM)).length;
    const res = await suite.api.post(
      JSON.stringify({ query: `query AgentView { customer(id: "${TOM}") { id contact { email } profile { fullName city } } }` }),
      { ...(await bearer(['agent'], { sub: 'agent-007' })), 'x-request-id': '0f8fad5b-d9cb-469f-a165-70867728950e' },
    );
    expect(res.status).toBe(200);
    // The caller's id is for the logs only: the audit row and the response carry the server's own.
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const after = await entries(TOM);
    expect(after).toHaveLength(before + 1);
    expect(after[0]).toEqual({
      requestId,
      subject: 'agent-007',
      roles: ['AGENT'],
      auth: 'JWT',
      partner: null,
      customerId: TOM,
      // Not safelisted: the client's own operation name is not kept.
      // The Customer fields asked for, and the @pii leaves shown below them.
      fields: ['Contact.email', 'Customer.contact', 'Customer.profile', 'CustomerProfile.fullName'],
      masked: false,
      operation: 'other',
    });
  });

  it('records a read of what is not contact data but still about the person (age, city, orders, timeline, devices, insights)', async () => {
    const before = (await entries(LINA)).length;
    await suite.api.gql(
      `{ customer(id: "${LINA}") { id status profile { city age gender occupation } orders(first: 1) { totalCount } timeline(first: 1) { edges { cursor } } behaviour { devices { type } } rfm { score } } }`,
      {},
      await bearer(['agent'], { sub: 'agent-nocontact' }),
    );
    const after = await entries(LINA);
    expect(after).toHaveLength(before + 1);
    expect(after[0]).toMatchObject({
      subject: 'agent-nocontact',
      fields: ['Customer.behaviour', 'Customer.orders', 'Customer.profile', 'Customer.rfm', 'Customer.status', 'Customer.timeline'],
    });
  });

  it('records nothing for a read of ids only', async () => {
    const before = (await entries(LINA)).length;
    await suite.api.gql(`{ customer(id: "${LINA}") { id } }`, {}, await bearer(['agent']));
    expect(await entries(LINA)).toHaveLength(before);
  });

  it('writes one row per customer for a list, in one request, marked masked for an analyst', async () => {
    const analyst = await bearer(['analyst'], { sub: 'analyst-1' });
    const res = await suite.api.gql(
      `{ customers(first: 3, filter: { city: "Shanghai" }) { edges { node { contact { email } } } } }`,
      {},
      analyst,
    );
    expect(res.status).toBe(200);
    // The server made the request id up: find the rows by subject.
    const { rows } = await suite.db.pool.query(
      `SELECT customer_id, fields, masked, count(*) OVER (PARTITION BY request_id) AS n FROM c360.audit_log WHERE subject = 'analyst-1' ORDER BY customer_id`,
    );
    expect(rows).toEqual(
      [LINA, LINA_DUP].map((id) => ({ customer_id: id, fields: ['Contact.email', 'Customer.contact'], masked: true, n: 2 })),
    );
  });

  describe('the audit writer (group commit)', () => {
    const entry = (run: string, i: number, requestId = `${run}-${i}`) => ({
      requestId,
      subject: `${run}-${i}`,
      roles: ['agent', 'analyst'],
      auth: 'jwt',
      partner: i % 4 === 1 ? 'Acme' : null,
      masked: i % 2 === 0,
      operation: i % 5 === 0 ? null : `op-${i}`,
      reads: new Map([[i % 2 === 0 ? TOM : LINA, i % 3 === 0 ? ['Customer.contact'] : ['Contact.email', 'Customer.contact']]]),
    });
    type Entry = ReturnType<typeof entry>;
    /** The rows each entry should have written, computed here: one per record of the person read. */
    const expectedRows = async (entries: Entry[]) => {
      const out = [];
      for (const e of entries) {
        const [[customer, fields]] = [...e.reads] as [[string, string[]]];
        const { rows } = await suite.db.pool.query<{ m: string }>(`SELECT m FROM c360.members_of($1) AS m`, [customer]);
        for (const { m } of rows)
          out.push({
            request_id: e.requestId,
            subject: e.subject,
            roles: ['agent', 'analyst'],
            auth: 'jwt',
            partner: e.partner,
            customer_id: m,
            fields,
            masked: e.masked,
            operation: e.operation,
          });
      }
      return out.sort((x, y) => x.subject.localeCompare(y.subject) || x.customer_id.localeCompare(y.customer_id));
    };
    const written = async (run: string) =>
      (
        await suite.db.pool.query(
          `SELECT request_id, subject, roles, auth, partner, customer_id, fields, masked, operation, xmin::text AS tx
             FROM c360.audit_log WHERE subject LIKE $1 ORDER BY subject, customer_id`,
          [`${run}-%`],
        )
      ).rows as ({ tx: string; subject: string } & Record<string, unknown>)[];

    it('writes the entries that arrive while one is written together, each request its own rows', async () => {
      const writer = new AuditWriter(createDb(suite.db.pool, noRoundTrips()));
      const entries = Array.from({ length: 10 }, (_, i) => entry('grouped', i));
      await Promise.all(entries.map((e) => writer.write(e)));
      const rows = await written('grouped');
      expect(rows.map(({ tx: _, ...r }) => r)).toEqual(await expectedRows(entries));
      // An idle writer starts the first entry at once; the nine that arrived meanwhile share the next transaction.
      const txOf = (subject: string) => new Set(rows.filter((r) => r.subject === subject).map((r) => r.tx));
      expect(new Set(rows.map((r) => r.tx)).size).toBe(2);
      expect([...txOf('grouped-0')]).toHaveLength(1);
      expect(txOf('grouped-1')).toEqual(txOf('grouped-9'));
    });

    it('fails only the entry the database refuses, and writes the rest of its group', async () => {
      const writer = new AuditWriter(createDb(suite.db.pool, noRoundTrips()));
      const entries = Array.from({ length: 6 }, (_, i) => entry('refused', i));
      // PostgreSQL refuses a 0x00 in text.
      const bad = { ...entry('refused', 3), requestId: 'bad\u0000id' };
      const settled = await Promise.allSettled(entries.map((e, i) => writer.write(i === 3 ? bad : e)));
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      const rows = await written('refused');
      expect(rows.map(({ tx: _, ...r }) => r)).toEqual(await expectedRows(entries.filter((_, i) => i !== 3)));
    });
  });

  it('refuses a cursor beyond the range of an audit entry id with BAD_USER_INPUT', async () => {
    const cursor = (id: string) => Buffer.from(JSON.stringify(['audit', id])).toString('base64url');
    const page = (after: string) =>
      suite.api.gql(`query A($after: String) { auditLog(customerId: "${TOM}", after: $after) { edges { node { id } } } }`, { after });
    const overflow = await page(cursor('9999999999999999999'));
    expect(overflow.status).toBe(200);
    expect(overflow.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'after' } })]);
    const largest = await page(cursor('9223372036854775807'));
    expect(largest.body.errors).toBeUndefined();
    expect(largest.body.data.auditLog.edges.length).toBeGreaterThan(0);
  });

  it('is append-only', async () => {
    await expect(suite.db.pool.query(`UPDATE c360.audit_log SET subject = 'someone else'`)).rejects.toThrow(/append-only/);
    await expect(suite.db.pool.query(`DELETE FROM c360.audit_log`)).rejects.toThrow(/append-only/);
    await expect(suite.db.pool.query(`TRUNCATE c360.audit_log`)).rejects.toThrow(/append-only/);
  });

  it('withholds personal data when the audit log cannot be written', async () => {
    await suite.db.pool.query('ALTER TABLE c360.audit_log RENAME TO audit_log_away');
    try {
      const res = await suite.api.gql(`{ customer(id: "${LINA}") { contact { email } } }`, {}, await bearer(['agent']));
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        data: null,
        errors: [{ message: expect.stringContaining('withheld'), extensions: { code: 'SOURCE_UNAVAILABLE', source: 'audit' } }],
      });
      expect(JSON.stringify(res.body)).not.toContain('lina@example.com');
    } finally {
      await suite.db.pool.query('ALTER TABLE c360.audit_log_away RENAME TO audit_log');
    }
  });
});

describe('query limits', () => {
  const README = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  const examples = [...README.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);

  it("lets the README's full 360 page and the eight-customer example through", async () => {
    for (const query of examples.slice(0, 2)) {
      const res = await suite.api.gql(query);
      expect(res.status).toBe(200);
      expect((res.body.errors ?? []).filter((e) => e.extensions?.code === 'GRAPHQL_VALIDATION_FAILED')).toEqual([]);
    }
  });

  it('refuses alias floods, costly (also through variables) and over-long documents before they run', async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `c${i}: customer(id: "${TOM}") { id }`).join(' ');
    const flood = await suite.api.gql(`{ ${aliases} }`);
    expect(flood.status).toBe(400);
    expect(flood.body.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(flood.roundTrips.crm).toBe(0);

    // 100 customers × 100 orders × their items: refused whether the sizes are literals or variables.
    const nested = (first: string) =>
      `customers(first: ${first}) { edges { node { orders(first: ${first}) { edges { node { items { quantity unitPrice product { name category price } } } } } } } }`;
    const literal = await suite.api.gql(`{ ${nested('100')} }`);
    expect(literal.status).toBe(400);
    expect(literal.body.errors![0]!.message).toMatch(/Cost limit of 250000 exceeded/);
    const viaVariables = await suite.api.gql(`query Q($n: Int) { ${nested('$n')} }`, { n: 100 });
    expect(viaVariables.status).toBe(400);
    expect(viaVariables.body.errors![0]).toMatchObject({
      message: expect.stringMatching(/Cost limit of 250000 exceeded/),
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    expect(viaVariables.roundTrips.crm).toBe(0);
    const small = await suite.api.gql(`query Q($n: Int) { ${nested('$n')} }`, { n: 5 });
    expect(small.status).toBe(200);

    const tokens = await suite.api.gql(`{ customer(id: "${TOM}") { ${'id '.repeat(2100)} } }`);
    expect(tokens.status).toBe(400);
    expect(tokens.body.errors![0]!.message).toMatch(/contains more tha[nt] 2000 tokens/);
  });

  it('counts a list without `first`, or with a null one, at its default size, and says so without "Syntax Error"', async () => {
    const query = (orders: string) =>
      `query Q${orders.includes('$n') ? '($n: Int)' : ''} { customers(first: 100) { edges { node { ${orders} { edges { node { items { quantity unitPrice product { name category price } } } } } } } } }`;
    // 100 customers × 10 orders (the default) with their items: as costly as 100 × 10 given literally.
    for (const [orders, variables] of [
      ['orders', {}],
      ['orders(first: null)', {}],
      ['orders(first: $n)', { n: null }],
      ['orders(first: 10)', {}],
      ['orders(last: 10)', {}],
      ['orders(last: $n)', { n: 10 }],
    ] as const) {
      const res = await suite.api.gql(query(orders), variables);
      expect(res.status).toBe(400);
      expect(res.body.errors![0]!.message).toMatch(/^Query Cost limit of 250000 exceeded, found [\d.]+\.$/);
      expect(res.roundTrips.crm).toBe(0);
    }
    expect((await suite.api.gql(query('orders(first: 2)'))).status).toBe(200);
    expect((await suite.api.gql(query('orders(last: 2)'))).status).toBe(200);
  });

  it('counts a list without a size argument at the size it will have: representations sent, segments(first), @listSize', async () => {
    const orders = 'orders(first: 50) { edges { node { items { quantity unitPrice product { name category price } } } } }';
    const entities = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { ${orders} } } }`;
    const many = await suite.api.gql(entities, { r: Array.from({ length: 100 }, () => ({ __typename: 'Customer', id: TOM })) });
    expect(many.status).toBe(400);
    expect(many.body.errors![0]!.message).toMatch(/^Query Cost limit of 250000 exceeded/);
    expect(many.roundTrips.crm).toBe(0);
    expect((await suite.api.gql(entities, { r: [{ __typename: 'Customer', id: TOM }] })).status).toBe(200);

    const segments = (first: string) =>
      `{ segments${first} { id members(first: 100) { edges { node { id profile { fullName city } purchaseSummary { completedOrders } } } } } }`;
    const all = await suite.api.gql(segments(''));
    expect(all.status).toBe(400);
    expect(all.body.errors![0]!.message).toMatch(/^Query Cost limit of 250000 exceeded/);
    expect((await suite.api.gql(segments('(first: 2)'))).status).toBe(200);

    // customersBy holds at most 20 records: priced at 20, not 1.
    const shared = `{ customersBy(identifier: { kind: EMAIL, value: "a@b.co" }) { orders(first: 100) { edges { node { items { quantity unitPrice product { name category price } } } } } } }`;
    expect((await suite.api.gql(shared)).body.errors?.[0]?.message).toMatch(/^Query Cost limit of 250000 exceeded/);
  });

  it('never suggests field names', async () => {
    const res = await suite.api.gql(`{ customer(id: "${TOM}") { contatc { email } } }`);
    expect(res.status).toBe(400);
    expect(res.body.errors![0]!.message).not.toMatch(/Did you mean/);
  });
});

describe('rate limits and production mode', () => {
  let limited: TestServer;
  beforeAll(async () => {
    const config = testConfig({
      DATABASE_URL: suite.db.url,
      MONGODB_URI: suite.db.config.MONGODB_URI!,
      MONGODB_DB: suite.db.config.MONGODB_DB,
      RATE_LIMIT_PER_MINUTE: '3',
      NODE_ENV: 'production',
    });
    limited = await startTestServer(suite.db, () => NOW, { config });
  });
  afterAll(() => limited?.close());

  it("answers 429 with Retry-After past the subject's rate, per subject", async () => {
    const one = await bearer(['agent'], { sub: 'busy-agent' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await limited.gql(`{ customer(id: "${TOM}") { id } }`, {}, one)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const res = await limited.post(JSON.stringify({ query: `{ customer(id: "${TOM}") { id } }` }), one);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
    expect((await limited.gql(`{ customer(id: "${TOM}") { id } }`, {}, await bearer(['agent'], { sub: 'calm-agent' }))).status).toBe(200);
  });

  it('holds an API key to its own rate', async () => {
    const { body } = await limited.gql(
      `mutation { createApiKey(input: { partner: "Slow Co", scopes: [PROFILE, ORDERS, INSIGHTS], ratePerMinute: 2 }) { key } }`,
    );
    const key = body.data.createApiKey.key;
    const run = () => limited.gql(operation('PartnerCustomer.graphql'), { id: TOM }, { 'x-api-key': key });
    expect([(await run()).status, (await run()).status, (await run()).status]).toEqual([200, 200, 429]);
  });

  it('turns introspection off in production', async () => {
    const res = await limited.gql('{ __schema { types { name } } }', {}, await bearer(['admin'], { sub: 'introspecting-admin' }));
    expect(res.status).toBe(400);
    expect(res.body.errors![0]!.message).toMatch(/introspection/i);
  });

  it('gives the subgraph SDL (with its @auth rules) to service credentials only', async () => {
    for (const role of ['analyst', 'admin'] as const) {
      const res = await limited.gql('{ _service { sdl } }', {}, await bearer([role], { sub: `sdl-${role}` }));
      expect([res.status, res.body]).toEqual([
        403,
        {
          errors: [
            {
              message: 'Not allowed for this caller: Query._service (roles: service).',
              extensions: { code: 'FORBIDDEN', denied: ['Query._service'] },
            },
          ],
        },
      ]);
    }
    const router = await limited.gql('{ _service { sdl } }', {}, await bearer(['service'], { sub: 'router' }));
    expect(router.status).toBe(200);
    expect(router.body.data._service.sdl).toMatch(/@auth\(requires: \[ANALYST, ADMIN\]\)/);
  });

  it('suggests no enum values or input fields when variables do not coerce in production, as it does in development', async () => {
    const badOrder = ['query($o: CustomerOrderBy) { customers(first: 1, orderBy: $o) { totalCount } }', { o: 'ID_AS' }] as const;
    const badFilter = ['query($f: SegmentFilter) { customerStats(filter: $f) { total } }', { f: { stagse: ['ACTIVE'] } }] as const;
    for (const [query, variables] of [badOrder, badFilter]) {
      const production = await limited.gql(query, { ...variables }, await bearer(['admin'], { sub: `coercing-admin-${query.length}` }));
      expect([production.status, production.body.errors![0]!.extensions!.code]).toEqual([400, 'BAD_USER_INPUT']);
      expect(production.body.errors![0]!.message).toMatch(/^Variable "\$[of]" got invalid value .*\.$/);
      expect(production.body.errors![0]!.message).not.toMatch(/Did you mean|ID_ASC|"stages"/);
    }
    // In development graphql-js still suggests enum values (armor masks only field names).
    expect((await suite.api.gql(badOrder[0], { ...badOrder[1] })).body.errors![0]!.message).toMatch(
      /Did you mean the enum value "ID_ASC"\?$/,
    );
  });
});

describe('safelists for other roles (SAFELIST_ROLES)', () => {
  it('holds a role to the safelisted operations when configured, and a caller with another free role not', async () => {
    const config = testConfig({
      DATABASE_URL: suite.db.url,
      MONGODB_URI: suite.db.config.MONGODB_URI!,
      MONGODB_DB: suite.db.config.MONGODB_DB,
      SAFELIST_ROLES: 'analyst',
    });
    const strict = await startTestServer(suite.db, () => NOW, { config });
    try {
      const analyst = await bearer(['analyst']);
      const adHoc = await strict.gql(`{ customer(id: "${TOM}") { id } }`, {}, analyst);
      expect(adHoc.status).toBe(403);
      expect(adHoc.body.errors![0]!.message).toMatch(/may only run safelisted operations/);
      const safelisted = await strict.post(
        JSON.stringify({
          variables: { id: TOM },
          extensions: { persistedQuery: { version: 1, sha256Hash: sha256(operation('PartnerCustomer.graphql')) } },
        }),
        analyst,
      );
      expect(((await safelisted.json()) as any).data.customer.id).toBe(TOM);
      expect((await strict.gql(`{ customer(id: "${TOM}") { id } }`, {}, await bearer(['analyst', 'admin']))).status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describe('distinct customers per caller per hour', () => {
  let budgeted: TestServer;
  const READ = 'query($id: ID!) { customer(id: $id) { id profile { fullName } } }';
  const refusals = async () => {
    const text = await (await fetch(budgeted.url.replace(/\/graphql$/, '/metrics'))).text();
    return Object.fromEntries(
      [...text.matchAll(/^c360_customer_budget_refusals_total\{role="(\w+)"\} (\d+)/gm)].map((m) => [m[1], Number(m[2])]),
    );
  };

  beforeAll(async () => {
    const config = testConfig({
      DATABASE_URL: suite.db.url,
      MONGODB_URI: suite.db.config.MONGODB_URI!,
      MONGODB_DB: suite.db.config.MONGODB_DB,
      AGENT_CUSTOMERS_PER_HOUR: '3',
      PARTNER_CUSTOMERS_PER_HOUR: '2',
    });
    budgeted = await startTestServer(suite.db, () => NOW, { config });
  });
  afterAll(() => budgeted?.close());

  it('refuses an agent its fourth distinct customer in the hour with 429 BUDGET_EXHAUSTED, reading nothing, while re-reads and other callers go on', async () => {
    const agent = await bearer(['agent'], { sub: 'agent-budget' });
    const before = await refusals();
    for (const id of BULK.slice(0, 3)) expect((await budgeted.gql(READ, { id }, agent)).body.data.customer.id).toBe(id);
    const fourth = await budgeted.gql(READ, { id: BULK[3] }, agent);
    expect(fourth.status).toBe(429);
    expect(fourth.body.data).toEqual({ customer: null });
    expect(fourth.body.errors).toEqual([
      expect.objectContaining({
        path: ['customer'],
        extensions: { code: 'BUDGET_EXHAUSTED', retryAfterSeconds: expect.any(Number) },
        message: expect.stringContaining('3 distinct customers'),
      }),
    ]);
    expect(JSON.stringify(fourth.body)).not.toContain('Bulk');
    const { rows } = await suite.db.pool.query(
      `SELECT count(*)::int AS n FROM c360.audit_log WHERE subject = 'agent-budget' AND customer_id = $1`,
      [BULK[3]],
    );
    expect(rows[0].n).toBe(0);
    // A customer read this hour answers again; a search returning one new customer is refused whole.
    expect((await budgeted.gql(READ, { id: BULK[0] }, agent)).body.data.customer.id).toBe(BULK[0]);
    expect((await budgeted.gql('{ searchCustomers(query: "bulk", first: 5) { id } }', {}, agent)).status).toBe(429);
    // Other agents, and analysts (who list by right), are not affected.
    expect((await budgeted.gql(READ, { id: BULK[3] }, await bearer(['agent'], { sub: 'agent-other' }))).status).toBe(200);
    expect((await budgeted.gql(READ, { id: BULK[4] }, await bearer(['analyst'], { sub: 'agent-budget' }))).status).toBe(200);
    expect((await refusals()).agent).toBe((before.agent ?? 0) + 2);
  });

  it("counts a partner key's visible customers only: one who refused partner_sharing costs nothing", async () => {
    await suite.db.pool.query(
      `INSERT INTO consents (customer_id, purpose, granted, updated_at, source) SELECT unnest($1::text[]), 'partner_sharing', true, now(), 'web' ON CONFLICT DO NOTHING`,
      [BULK.slice(10, 13)],
    );
    const { body } = await budgeted.gql(
      `mutation { createApiKey(input: { partner: "Budget Co", scopes: [PROFILE, ORDERS, INSIGHTS], ratePerMinute: 1000 }) { key } }`,
    );
    const partner = { 'x-api-key': body.data.createApiKey.key as string };
    const query = operation('PartnerCustomer.graphql');
    const answers: GqlResult[] = [];
    for (const id of [LINA, 'c_nobody', BULK[10], BULK[11], BULK[10], LINA, 'c_nobody', BULK[12]])
      answers.push(await budgeted.gql(query, { id }, partner));
    expect(answers.slice(0, 5).map((a) => a.body.data.customer?.id ?? null)).toEqual([null, null, BULK[10], BULK[11], BULK[10]]);
    // Once spent, a customer who refused sharing, one who does not exist and one who shares answer alike.
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    const shown = (a: GqlResult) =>
      JSON.stringify({
        ...a.body,
        errors: a.body.errors!.map((e) => ({ ...e, message: '', extensions: { ...e.extensions, retryAfterSeconds: 0 } })),
      });
    expect(new Set(answers.slice(5).map(shown)).size).toBe(1);
  });

  it('answers a spent agent alike for a new customer, an unknown id and an unknown identifier, and writes no link for it', async () => {
    const agent = await bearer(['agent'], { sub: 'agent-oracle' });
    for (const id of BULK.slice(20, 23)) expect((await budgeted.gql(READ, { id }, agent)).status).toBe(200);
    const byMail = 'query($v: String!) { customerBy(identifier: { kind: EMAIL, value: $v }) { id } }';
    const answers = [
      await budgeted.gql(READ, { id: BULK[23] }, agent),
      await budgeted.gql(READ, { id: 'c_nobody' }, agent),
      await budgeted.gql(byMail, { v: 'nobody@example.com' }, agent),
    ];
    expect(answers.map((a) => [a.status, a.body.errors?.[0]?.extensions?.code])).toEqual(Array(3).fill([429, 'BUDGET_EXHAUSTED']));
    const link = await budgeted.gql(
      `mutation { linkIdentity(customerId: "${BULK[24]}", identifier: { kind: DEVICE_ID, value: "dev-over-budget" }, evidence: "seen together") { id } }`,
      {},
      agent,
    );
    expect(link.status).toBe(429);
    const { rows } = await suite.db.pool.query(`SELECT count(*)::int AS n FROM c360.identity_links WHERE value = 'dev-over-budget'`);
    expect(rows[0].n).toBe(0);
  });
});
