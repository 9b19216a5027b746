import { emailSql, phoneSql } from '../../src/sources/crm/identifiers';
import { refreshSearchIndex } from '../../src/sources/crm/searchIndex';
import { fixtureDataset, LINA, LINA_DUP, NOW, TOM } from '../fixtures/crm';
import { apiSuite } from '../helpers/suite';
import { graphql } from '../__generated__';
import type { IdentifierKind } from '../__generated__/graphql';

const suite = apiSuite('lookup', fixtureDataset(), { clock: () => NOW });

const BY = graphql(`
  query By($kind: IdentifierKind!, $value: String!) {
    customerBy(identifier: { kind: $kind, value: $value }) {
      id
    }
  }
`);
const ALL = graphql(`
  query All($kind: IdentifierKind!, $value: String!) {
    customersBy(identifier: { kind: $kind, value: $value }) {
      id
    }
  }
`);
const find = async (kind: IdentifierKind, value: string) => (await suite.api.gql(BY, { kind, value })).body;

describe('Query.customerBy', () => {
  it.each<[IdentifierKind, string, string]>([
    ['EMAIL', ' Lina@Example.COM ', LINA],
    ['EMAIL', 'lina@example.com', LINA],
    ['EMAIL', 'TOM.BAKER@example.org', TOM],
    // Lina's CRM phone is "138 0013 8000"; her duplicate's "+86-138-0013-8000": the older record wins.
    ['PHONE', '+86 138 0013 8000', LINA],
    ['PHONE', '13800138000', LINA],
    ['PHONE', '0086 138-0013-8000', LINA],
    // Tom: CRM "+1 (415) 555-0132", identity "415.555.0132" (stored without country code).
    ['PHONE', '+14155550132', TOM],
    // Tom's identity "+44 (0)20 7946 0958": the "(0)" is a trunk prefix, not a digit of the number.
    ['PHONE', '+442079460958', TOM],
    ['PHONE', '0044 20 7946 0958', TOM],
    ['PHONE', '+44 (0)20 7946 0958', TOM],
    ['ORDER_NUMBER', ' so2026000002 ', LINA],
    ['ORDER_NUMBER', 'SO 2026-000002', LINA],
    ['DEVICE_ID', 'dev-lina-1', LINA],
    ['ANONYMOUS_ID', 'anon-lina', LINA],
    ['SOCIAL', 'Weibo:@lina_88', LINA],
    ['EXTERNAL_ID', 'EXT-001', LINA],
  ])('%s %j → %s', async (kind, value, id) => {
    expect(await find(kind, value)).toEqual({ data: { customerBy: { id } } });
  });

  it.each<[IdentifierKind, string]>([
    ['EMAIL', 'nobody@example.com'],
    ['PHONE', '+86 139 0000 0000'],
    // Same digits as Lina's national "138 0013 8000", but a US number: never matched to a CN one.
    ['PHONE', '+1 380-013-8000'],
    ['ORDER_NUMBER', 'SO0000'],
    ['DEVICE_ID', 'DEV-LINA-1'],
    ['SOCIAL', 'x:lina_88'],
  ])('%s %j → null', async (kind, value) => {
    expect(await find(kind, value)).toEqual({ data: { customerBy: null } });
  });

  it.each<[IdentifierKind, string, RegExp]>([
    ['EMAIL', 'lina.example.com', /not an e-mail address/],
    ['EMAIL', '   ', /empty/],
    ['PHONE', '12', /not a phone number/],
    ['PHONE', 'call me', /not a phone number/],
    ['SOCIAL', 'lina_88', /platform:handle/],
  ])('%s %j is refused with BAD_USER_INPUT', async (kind, value, message) => {
    const body = await find(kind, value);
    expect(body.data).toEqual({ customerBy: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({ path: ['customerBy'], extensions: { code: 'BAD_USER_INPUT' } });
    expect(body.errors![0]!.message).toMatch(message);
  });

  it.each<[IdentifierKind, string]>([
    ['EMAIL', 'a@' + '.'.repeat(40_000) + '@'],
    ['PHONE', '1'.repeat(255)],
    ['ORDER_NUMBER', 'SO-'.repeat(100)],
  ])('refuses a %s value over 254 characters before parsing it, and runs nothing', async (kind, value) => {
    const { status, body, roundTrips } = await suite.api.gql(BY, { kind, value });
    expect(status).toBe(400);
    expect(body.errors).toEqual([
      {
        message: `\`identifier.value\` may have at most 254 characters (got ${value.length.toLocaleString('en')}).`,
        extensions: { code: 'BAD_USER_INPUT', field: 'identifier.value' },
      },
    ]);
    expect(roundTrips).toEqual({ crm: 0, behaviour: 0, social: 0 });
  });

  it('refuses a malformed e-mail of the longest allowed size (the check is linear in its length)', async () => {
    // 254 characters of dots made the old pattern try every split; the new one fails at the first dot.
    const body = await find('EMAIL', 'a@' + '.'.repeat(251) + '@');
    expect(body.errors![0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
      message: expect.stringMatching(/not an e-mail address/),
    });
    for (const [email, ok] of [
      ['a@b.co', true],
      ['lina.zhang@mail.example.cn', true],
      ['a@b..c', false],
      ['a@.b.c', false],
      ['a@b', false],
      ['a@b.c.', false],
    ] as const) {
      const found = await find('EMAIL', email);
      expect([email, found.errors?.[0]?.extensions?.code ?? 'ok']).toEqual([email, ok ? 'ok' : 'BAD_USER_INPUT']);
    }
  });

  it('refuses an unknown identifier kind before running anything', async () => {
    // Not an IdentifierKind: sent as a client may, for the server to refuse.
    const { status, body, roundTrips } = await suite.api.gql(BY, { kind: 'FAX' as IdentifierKind, value: '1' });
    expect(status).toBe(400);
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(roundTrips.crm).toBe(0);
  });
});

describe('Query.customersBy', () => {
  it('lists every record sharing an identifier, active and oldest first', async () => {
    const { body } = await suite.api.gql(ALL, { kind: 'PHONE', value: '13800138000' });
    expect(body).toEqual({ data: { customersBy: [{ id: LINA }, { id: LINA_DUP }] } });
  });

  it('resolves several identifiers of different kinds in one CRM round trip', async () => {
    const { body, roundTrips } = await suite.api.gql(
      graphql(`
        query Identifiers {
          a: customerBy(identifier: { kind: EMAIL, value: "lina@example.com" }) {
            id
          }
          b: customerBy(identifier: { kind: PHONE, value: "+14155550132" }) {
            id
          }
          c: customerBy(identifier: { kind: ORDER_NUMBER, value: "SO2026000001" }) {
            id
          }
          d: customerBy(identifier: { kind: SOCIAL, value: "weibo:lina_88" }) {
            id
          }
        }
      `),
    );
    expect(body.data).toEqual({ a: { id: LINA }, b: { id: TOM }, c: { id: LINA }, d: { id: LINA } });
    expect(roundTrips.crm).toBe(1);
  });
});

describe('order numbers as CRMs store them', () => {
  // Stored as real CRMs keep them: dashes, a leading #, lower case; the fixture's SO2026000002 has none.
  const STORED: [string, string][] = [
    ['o_dash', 'DE-2024-00017'],
    ['o_hash', '#1001'],
    ['o_lower', 'de-2024-17'],
    ['o_so', 'SO-2026-000099'],
  ];
  beforeAll(async () => {
    for (const [id, number] of STORED)
      await suite.db.pool.query(
        `INSERT INTO orders (id, order_number, customer_id, status, channel, placed_at, total) VALUES ($1, $2, $3, 'completed', 'web', now(), 10)`,
        [id, number, TOM],
      );
  });
  afterAll(async () => {
    await suite.db.pool.query(`DELETE FROM orders WHERE id = ANY($1)`, [STORED.map(([id]) => id)]);
  });

  it.each([
    ['DE-2024-00017', TOM],
    ['de 2024 00017', TOM],
    ['DE202400017', TOM],
    ['#1001', TOM],
    ['1001', TOM],
    ['de-2024-17', TOM],
    ['DE-2024-17', TOM],
    ['so 2026-000099', TOM],
    ['SO-2026-000002', LINA], // stored without dashes, typed with them
  ])('%j → %s', async (value, id) => {
    expect(await find('ORDER_NUMBER', value)).toEqual({ data: { customerBy: { id } } });
  });

  it.each(['DE-2024-0017', 'DE-2024-000017', '#100', 'D-E'])('%j → null (leading zeros and letters count)', async (value) => {
    expect(await find('ORDER_NUMBER', value)).toEqual({ data: { customerBy: null } });
  });

  it('is an index probe on the normalised number, not a scan of the orders', async () => {
    const client = await suite.db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      const { rows } = await client.query(
        `EXPLAIN (FORMAT JSON) SELECT customer_id FROM orders o
          WHERE coalesce(nullif(upper(regexp_replace(o.order_number, '[^A-Za-z0-9]', '', 'g')), ''), o.order_number) = ANY($1::text[])`,
        [['DE202400017']],
      );
      expect(JSON.stringify(rows[0]['QUERY PLAN'])).toContain('orders_order_number_lookup');
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});

describe("phones stored in national format, read in the customer's country", () => {
  // DEFAULT_PHONE_REGION is CN: a German customer's "030 1234567" is +49 30 1234567, not +86 30 1234567.
  beforeAll(async () => {
    await suite.db.pool.query(
      `INSERT INTO customers (id, created_at, full_name, country, phone, status) VALUES
         ('c_de', now(), 'Jana Schmidt', 'de', '030 1234567', 'active'),
         ('c_unknown', now(), 'No Country', 'Atlantis', '021 5555 0199', 'active')`,
    );
    await suite.db.pool.query(
      `INSERT INTO customer_identities (customer_id, kind, value, first_seen_at) VALUES ('c_de', 'phone', '0151 23456789', now())`,
    );
  });
  afterAll(async () => {
    await suite.db.pool.query(`DELETE FROM customer_identities WHERE customer_id = 'c_de'`);
    await suite.db.pool.query(`DELETE FROM customers WHERE id IN ('c_de', 'c_unknown')`);
  });

  it.each([
    ['+49 30 1234567', 'c_de'],
    ['0049 30 1234567', 'c_de'],
    ['+49 151 23456789', 'c_de'], // an identity, stored nationally too
    ['+86 21 5555 0199', 'c_unknown'], // a country nobody knows: read in the default region
    ['021 5555 0199', 'c_unknown'],
  ])('%j → %s', async (value, id) => {
    expect(await find('PHONE', value)).toEqual({ data: { customerBy: { id } } });
  });

  it.each(['030 1234567', '+86 30 1234567'])('%j (a Chinese number, read in the default region) → null', async (value) => {
    expect(await find('PHONE', value)).toEqual({ data: { customerBy: null } });
  });

  it("shows the stored number in E.164 of the customer's country", async () => {
    const { body } = await suite.api.gql(
      `{ de: customer(id: "c_de") { contact { phone } } unknown: customer(id: "c_unknown") { contact { phone } } }`,
    );
    expect(body).toEqual({ data: { de: { contact: { phone: '+49301234567' } }, unknown: { contact: { phone: '+862155550199' } } } });
  });
});

describe('lookups between rebuilds of the identifier index', () => {
  it('find what changed since the last rebuild, and never what is gone', async () => {
    const by = async (kind: IdentifierKind, value: string) =>
      (await suite.api.gql(ALL, { kind, value })).body.data!.customersBy.map((c) => c.id);
    await suite.db.pool.query(
      `INSERT INTO customers (id, created_at, full_name, email, phone, status) VALUES ('c_new', now(), 'New Person', ' New@Example.com', '021 5555 0101', 'active')`,
    );
    await suite.db.pool.query(`UPDATE customers SET email = 'tom.new@example.org' WHERE id = $1`, [TOM]);
    try {
      // Not in the index yet: found on the live rows.
      expect(await by('EMAIL', 'new@example.com')).toEqual(['c_new']);
      expect(await by('PHONE', '+86 21 5555 0101')).toEqual(['c_new']);
      expect(await by('EMAIL', 'tom.new@example.org')).toEqual([TOM]);
      // Still in the index, no longer in the CRM: not found.
      expect(await by('EMAIL', 'tom.baker@example.org')).toEqual([]);
      const { rows } = await suite.db.pool.query(
        `SELECT customer_id FROM c360.identifier_lookup WHERE kind = 'email' AND key = 'tom.baker@example.org'`,
      );
      expect(rows).toEqual([{ customer_id: TOM }]);
    } finally {
      await suite.db.pool.query(`UPDATE customers SET email = 'tom.baker@example.org' WHERE id = $1`, [TOM]);
      await suite.db.pool.query(`DELETE FROM customers WHERE id = 'c_new'`);
    }
  });
});

describe('c360.identifier_lookup', () => {
  it('holds exactly what emailSql and phoneSql make of the live rows (migration 7 spells them out)', async () => {
    const live = `SELECT 'email' AS kind, ${emailSql('c.email')} AS key, c.id AS customer_id FROM customers c WHERE c.email IS NOT NULL
      UNION SELECT 'email', ${emailSql('i.value')}, i.customer_id FROM customer_identities i WHERE i.kind = 'email'
      UNION SELECT 'phone', ${phoneSql('c.phone')}, c.id FROM customers c WHERE c.phone IS NOT NULL
      UNION SELECT 'phone', ${phoneSql('i.value')}, i.customer_id FROM customer_identities i WHERE i.kind = 'phone'`;
    await refreshSearchIndex(suite.db.pool, { wait: true });
    const { rows } = await suite.db.pool.query(`SELECT
      (SELECT count(*) FROM (SELECT kind, key, customer_id FROM c360.identifier_lookup EXCEPT (${live})) x)::int AS extra,
      (SELECT count(*) FROM ((${live}) EXCEPT SELECT kind, key, customer_id FROM c360.identifier_lookup) y)::int AS missing,
      (SELECT count(*) FROM c360.identifier_lookup)::int AS total`);
    expect(rows[0]).toEqual({ extra: 0, missing: 0, total: expect.any(Number) });
    expect(rows[0].total).toBeGreaterThan(100);
  });
});
