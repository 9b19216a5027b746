import pg from 'pg';
import { testConfig } from '../helpers/database';
import { startTestServer } from '../helpers/server';
import { fixtureDataset, LINA, NOW } from '../fixtures/crm';
import { createCrmPool } from '../../src/sources/crm/pool';
import { freePort } from '@c360/dev-postgres';
import { apiSuite } from '../helpers/suite';
import { ApiKeyStore } from '../../src/security/apiKeys';
import { createAuthenticator } from '../../src/security/authenticate';
import { tokenKey } from '../../src/security/tokens';

const suite = apiSuite('errors', fixtureDataset(), { clock: () => NOW });

const NO_LEAKS = /select|from |stack|127\.0\.0\.1|postgres|ECONN|at .*\.ts/i;

describe('a CRM that is down or slow', () => {
  it('answers SOURCE_UNAVAILABLE naming the crm, without internals', async () => {
    const port = await freePort(); // nothing listens there
    const config = testConfig({ DATABASE_URL: `postgres://u:p@127.0.0.1:${port}/x`, DB_CONNECT_TIMEOUT_MS: '500' });
    const pool = createCrmPool(config, config.DATABASE_URL!);
    const down = await startTestServer(suite.db, () => NOW, { config, crmPool: pool });
    try {
      const { status, body } = await down.gql(`{ customer(id: "${LINA}") { id profile { fullName } } }`);
      expect(status).toBe(200);
      expect(body.data).toEqual({ customer: null });
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0]).toEqual({
        message: expect.stringContaining('crm source is unavailable'),
        locations: [{ line: 1, column: 3 }],
        path: ['customer'],
        extensions: { code: 'SOURCE_UNAVAILABLE', source: 'crm', reason: 'unreachable' },
      });
      expect(JSON.stringify(body)).not.toMatch(NO_LEAKS);
    } finally {
      await down.close();
      await pool.end();
    }
  });

  it('refuses an API key it cannot check with 503 SOURCE_UNAVAILABLE and Retry-After, not an internal error', async () => {
    const port = await freePort();
    const config = testConfig({ DATABASE_URL: `postgres://u:p@127.0.0.1:${port}/x`, DB_CONNECT_TIMEOUT_MS: '500' });
    const pool = createCrmPool(config, config.DATABASE_URL!);
    // The keys are looked up in the CRM that is down.
    const auth = createAuthenticator(config, tokenKey(config), new ApiKeyStore(pool, 0));
    const down = await startTestServer(suite.db, () => NOW, { config, crmPool: pool, auth });
    try {
      const key = `c360_k_0123456789ab_${'A'.repeat(43)}`;
      const res = await down.post(JSON.stringify({ query: `{ customer(id: "${LINA}") { id } }` }), { 'x-api-key': key });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      const body = (await res.json()) as { errors: { extensions: unknown }[] };
      expect(body.errors.map((e) => e.extensions)).toEqual([{ code: 'SOURCE_UNAVAILABLE', source: 'crm', reason: 'unreachable' }]);
      expect(JSON.stringify(body)).not.toMatch(NO_LEAKS);
    } finally {
      await down.close();
      await pool.end();
    }
  });

  it('bounds a blocked statement with the statement timeout', async () => {
    const config = testConfig({ DATABASE_URL: suite.db.url, DB_STATEMENT_TIMEOUT_MS: '300' });
    const pool = createCrmPool(config, suite.db.url);
    const slow = await startTestServer(suite.db, () => NOW, { config, crmPool: pool });
    const locker = new pg.Client({ connectionString: suite.db.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE support_tickets IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const { body } = await slow.gql(`{ customer(id: "${LINA}") { id supportTickets { id } purchaseSummary { completedOrders } } }`);
      expect(Date.now() - started).toBeLessThan(5000);
      // Only the field that needs the locked table fails; the rest of the answer is there.
      expect(body.data).toEqual({ customer: { id: LINA, supportTickets: null, purchaseSummary: { completedOrders: 3 } } });
      expect(body.errors).toEqual([
        expect.objectContaining({
          path: ['customer', 'supportTickets'],
          extensions: { code: 'SOURCE_UNAVAILABLE', source: 'crm', reason: 'timeout' },
        }),
      ]);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
      await slow.close();
      await pool.end();
    }
  });
});

describe('unexpected failures', () => {
  it('are masked as INTERNAL_SERVER_ERROR and degrade only their field', async () => {
    await suite.db.pool.query('ALTER TABLE support_tickets RENAME COLUMN subject TO title');
    try {
      const { body } = await suite.api.gql(`{ customer(id: "${LINA}") { id supportTickets { id } } }`);
      expect(body.data).toEqual({ customer: { id: LINA, supportTickets: null } });
      expect(body.errors).toEqual([
        {
          message: 'Internal server error',
          locations: [{ line: 1, column: 31 }],
          path: ['customer', 'supportTickets'],
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
      ]);
    } finally {
      await suite.db.pool.query('ALTER TABLE support_tickets RENAME COLUMN title TO subject');
    }
  });
});

describe('bad requests', () => {
  it('refuses a body over MAX_BODY_BYTES with 413', async () => {
    const res = await suite.api.post(JSON.stringify({ query: `{ customer(id: "${'x'.repeat(1_100_000)}") { id } }` }));
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      errors: [{ message: 'The request body is larger than 1000000 bytes.', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('refuses malformed JSON with 400', async () => {
    const res = await suite.api.post('{"query": ');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });

  it('reports a syntax error with its location and no stack', async () => {
    const { status, body } = await suite.api.gql('{ customer(id: "x") { id ');
    expect(status).toBe(400);
    expect(body.errors![0]).toMatchObject({ extensions: { code: 'GRAPHQL_PARSE_FAILED' }, locations: [{ line: 1, column: 26 }] });
    expect(body.errors![0]!.extensions).not.toHaveProperty('stacktrace');
  });

  it('reports an unknown field as a validation error', async () => {
    const { status, body } = await suite.api.gql('{ customer(id: "x") { salary } }');
    expect(status).toBe(400);
    expect(body.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it.each([
    ['searchCustomers(query:)', '{ searchCustomers(query: "li\\u0000na") { id } }', 'query'],
    ['customers(filter: { city })', '{ customers(filter: { city: "Hang\\u0000zhou" }) { totalCount } }', 'filter.city'],
    ['erasures(customerId:)', '{ erasures(customerId: "c_\\u0000") { id } }', 'customerId'],
  ])('refuses a NUL character in %s as BAD_USER_INPUT, before any source is asked', async (_, query, field) => {
    const { status, body, roundTrips } = await suite.api.gql(query);
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      { message: `\`${field}\` may not contain the NUL character (U+0000).`, extensions: { code: 'BAD_USER_INPUT', field } },
    ]);
    expect(roundTrips).toEqual({ crm: 0, behaviour: 0, social: 0 });
  });

  it("bounds a variable's default value like a value sent", async () => {
    const nul = await suite.api.gql('query($v: String! = "ab\\u0000c") { searchCustomers(query: $v) { id } }');
    expect(nul.status).toBe(400);
    expect(nul.body.errors![0]).toMatchObject({
      message: '`query` may not contain the NUL character (U+0000).',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const long = await suite.api.gql(
      `query($v: String! = "${'a'.repeat(300)}@b.co") { customerBy(identifier: { kind: EMAIL, value: $v }) { id } }`,
    );
    expect(long.body.errors![0]!.message).toBe('`identifier.value` may have at most 254 characters (got 305).');
    expect(long.roundTrips.crm).toBe(0);
  });

  it('bounds literals in a document without variables every time it is sent', async () => {
    const tooLong = `{ customer(id: "${'c'.repeat(65)}") { id } }`;
    const fine = `{ customer(id: "${'c'.repeat(64)}") { id } }`;
    for (let i = 0; i < 2; i++) {
      const refused = await suite.api.gql(tooLong);
      expect(refused.status).toBe(400);
      expect(refused.body.errors!.map((e) => e.message)).toEqual(['`id` may have at most 64 characters (got 65).']);
      const answered = await suite.api.gql(fine);
      expect(answered.body).toEqual({ data: { customer: null } });
    }
  });

  it('bounds strings and lists given as variables, inside input objects and lists', async () => {
    const query = 'query($f: SegmentFilter){ customerStats(filter: $f) { total } }';
    const long = await suite.api.gql(query, { f: { cities: ['Hangzhou', 'x'.repeat(101)] } });
    expect(long.status).toBe(400);
    expect(long.body.errors![0]).toMatchObject({
      message: '`filter.cities.1` may have at most 100 characters (got 101).',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const many = await suite.api.gql(query, { f: { tagsAny: Array.from({ length: 51 }, (_, i) => `t${i}`) } });
    expect(many.body.errors![0]!.message).toBe('`filter.tagsAny` may have at most 50 items (got 51).');
    const plain = await suite.api.gql('query($id: ID!){ customer(id: $id) { id } }', { id: 'c'.repeat(65) });
    expect(plain.body.errors![0]!.message).toBe('`id` may have at most 64 characters (got 65).');
  });

  it('answers a persisted query whose hash does not match its text with PERSISTED_QUERY_HASH_MISMATCH', async () => {
    const res = await suite.api.post(
      JSON.stringify({ query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      errors: [{ message: 'provided sha does not match query', extensions: { code: 'PERSISTED_QUERY_HASH_MISMATCH' } }],
    });
    for (const version of [2, '1']) {
      const other = await suite.api.post(JSON.stringify({ extensions: { persistedQuery: { version, sha256Hash: 'ab' } } }));
      expect(await other.json()).toEqual({
        errors: [{ message: 'Unsupported persisted query version', extensions: { code: 'PERSISTED_QUERY_NOT_SUPPORTED' } }],
      });
    }
  });

  it('answers more than 50 bad variable values with BAD_USER_INPUT only (graphql-js adds an uncoded "too many errors")', async () => {
    const res = await suite.api.gql('query($s: [TicketStatus!]) { customer(id: "c_tom") { supportTickets(status: $s) { id } } }', {
      s: Array(51).fill('NOPE'),
    });
    expect(res.status).toBe(400);
    expect(new Set(res.body.errors!.map((e) => e.extensions?.code))).toEqual(new Set(['BAD_USER_INPUT']));
    expect(res.body.errors).toHaveLength(51);
  });

  it('refuses a DateTime outside the years 1–9999 before PostgreSQL sees it', async () => {
    const res = await suite.api.gql(
      'mutation($at: DateTime) { createSegment(input: { name: "year zero", filter: { lastActivityAfter: $at } }) { id } }',
      { at: '0000-01-01T00:00:00Z' },
    );
    expect(res.status).toBe(400);
    expect(res.body.errors![0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
      message: expect.stringContaining('between the years 1 and 9999'),
    });
    const literal = await suite.api.gql('{ customer(id: "c_tom") { rfm(asOf: "10000-01-01T00:00:00Z") { score } } }');
    expect(literal.status).toBe(400);
    const fine = await suite.api.gql('query($at: DateTime) { customer(id: "c_tom") { rfm(asOf: $at) { score } } }', {
      at: '0001-01-01T00:00:00Z',
    });
    expect(fine.body.errors ?? []).toEqual([]);
  });
});

describe('answers outside GraphQL', () => {
  it('answers an unknown path with a GraphQL-shaped error (errors[], a code), saying where the API is', async () => {
    const res = await fetch(suite.api.url.replace('/graphql', '/nope'));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ errors: [{ message: 'Not found: the API is at /graphql.', extensions: { code: 'NOT_FOUND' } }] });
  });
});
