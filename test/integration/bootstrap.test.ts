import pino from 'pino';
import { closeSources, openCrm } from '../../src/bootstrap';
import { migrations } from '../../src/db/migrations';
import { createCrmPool } from '../../src/sources/crm/pool';
import { CRM_TABLES, createCrmTables } from '../../src/sources/crm/ddl';
import { ORDER_NUMBER_INDEX } from '../../src/sources/crm/identifiers';
import { loadCrmDataset } from '@c360/demo-data';
import { createTestDatabase, testConfig, type TestDatabase } from '../helpers/database';
import { fixtureDataset } from '../fixtures/crm';

const logger = pino({ level: 'silent' });

describe('openCrm with DATABASE_URL', () => {
  let db: TestDatabase;
  afterEach(async () => db?.drop());

  it('serves an existing CRM as it is and adds only the c360 schema, once', async () => {
    db = await createTestDatabase('existing');
    const config = testConfig({ DATABASE_URL: db.url });
    const setup = createCrmPool(config, db.url);
    await createCrmTables(setup);
    const client = await setup.connect();
    await loadCrmDataset(client, fixtureDataset());
    client.release();
    const before = (await setup.query('SELECT count(*)::int AS n FROM customers')).rows[0].n;
    const relationsOf = (pool: typeof setup) =>
      pool.query(
        `SELECT relname, relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'public' ORDER BY 1`,
      );
    const publicBefore = (await relationsOf(setup)).rows;

    const crm = await openCrm(config, logger);
    try {
      expect(crm.embedded).toBe(false);
      const schemas = await crm.pool.query(
        `SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1`,
      );
      expect(schemas.rows.map((r) => r.nspname)).toEqual(['c360', 'public']);
      // Not a table, index, view or sequence added to the CRM's schema.
      expect((await relationsOf(crm.pool)).rows).toEqual(publicBefore);
      expect(
        publicBefore
          .filter((r) => r.relkind === 'r')
          .map((r) => r.relname)
          .sort(),
      ).toEqual([...CRM_TABLES].sort());
      expect((await crm.pool.query('SELECT count(*)::int AS n FROM customers')).rows[0].n).toBe(before);
      const versions = await crm.pool.query('SELECT version FROM c360.schema_migrations ORDER BY 1');
      expect(versions.rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    } finally {
      await closeSources([crm]);
    }
    // A second start applies nothing again.
    const again = await openCrm(config, logger);
    expect((await again.pool.query('SELECT count(*)::int AS n FROM c360.schema_migrations')).rows[0].n).toBe(migrations.length);
    await closeSources([again]);
    await setup.end();
  });

  it('refuses a database without the CRM tables, one line per missing table', async () => {
    db = await createTestDatabase('empty');
    const error = await openCrm(testConfig({ DATABASE_URL: db.url }), logger).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message.split('\n')).toEqual([
      'the database at DATABASE_URL does not match contracts/crm.sql in schema "public" (see docs/own-crm.md):',
      ...CRM_TABLES.map((t) => `  ${t}: no table or view of that name`),
    ]);
  });

  it('refuses a CRM behind views whose columns or types the API cannot read, one line each', async () => {
    db = await createTestDatabase('mismatched');
    const setup = createCrmPool(testConfig({ DATABASE_URL: db.url }), db.url);
    await createCrmTables(setup);
    await setup.query(`CREATE SCHEMA crm`);
    // Every contract table as a view in crm, then three of them spoiled the way an adopter's mapping goes wrong.
    for (const t of CRM_TABLES) await setup.query(`CREATE VIEW crm.${t} AS SELECT * FROM public.${t}`);
    await setup.query(`DROP VIEW crm.support_tickets`);
    await setup.query(`DROP VIEW crm.customers`);
    await setup.query(
      `CREATE VIEW crm.customers AS SELECT id, created_at, full_name, gender, birth_date, city, country, occupation, phone, status FROM public.customers`,
    );
    await setup.query(`DROP VIEW crm.order_items`);
    await setup.query(
      `CREATE VIEW crm.order_items AS SELECT order_id, line_no, product_id, quantity::bigint AS quantity, unit_price::float8 AS unit_price FROM public.order_items`,
    );
    await setup.query(`DROP VIEW crm.orders`);
    await setup.query(
      `CREATE VIEW crm.orders AS SELECT id, order_number::varchar(40) AS order_number, customer_id, status, channel, placed_at::timestamp AS placed_at, total FROM public.orders`,
    );
    await setup.end();
    const error = await openCrm(testConfig({ DATABASE_URL: db.url, CRM_SCHEMA: 'crm' }), logger).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message.split('\n')).toEqual([
      'the database at DATABASE_URL does not match contracts/crm.sql in schema "crm" (see docs/own-crm.md):',
      '  support_tickets: no table or view of that name',
      '  customers.email: missing (expected text or character varying or citext)',
      "  orders.placed_at: timestamp without time zone, expected timestamp with time zone (cast it in a view: placed_at::timestamptz (or AT TIME ZONE 'UTC' for a timestamp without time zone))",
      '  order_items.quantity: bigint, expected integer or smallint (cast it in a view: quantity::int (a bigint would be read as a string))',
      '  order_items.unit_price: double precision, expected numeric (cast it in a view: unit_price::numeric)',
    ]);
  });

  it('warns, with the statement to run, when order-number lookups would scan the orders (also behind a view)', async () => {
    db = await createTestDatabase('no_lookup_index');
    const setup = createCrmPool(testConfig({ DATABASE_URL: db.url }), db.url);
    await createCrmTables(setup);
    await setup.query(`CREATE SCHEMA crm`);
    for (const t of CRM_TABLES) await setup.query(`CREATE VIEW crm.${t} AS SELECT * FROM public.${t}`);
    const warnings = async (schema: string) => {
      const lines: { msg: string; statement?: string }[] = [];
      const captured = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
      const crm = await openCrm(testConfig({ DATABASE_URL: db.url, CRM_SCHEMA: schema }), captured);
      await closeSources([crm]);
      return lines.filter((l) => /order-number lookups/.test(l.msg)).map((l) => l.statement);
    };
    expect(await warnings('crm')).toEqual([]); // the index on public.orders serves the view
    await setup.query(`DROP INDEX orders_order_number_lookup`);
    await setup.end();
    expect(await warnings('crm')).toEqual([ORDER_NUMBER_INDEX]);
    expect(await warnings('public')).toEqual([ORDER_NUMBER_INDEX]);
  });

  it('refuses, saying what to do, a pg_trgm installed in a schema its connections do not search', async () => {
    db = await createTestDatabase('trgm_elsewhere');
    const setup = createCrmPool(testConfig({ DATABASE_URL: db.url }), db.url);
    await createCrmTables(setup);
    await setup.query(`CREATE SCHEMA extensions; CREATE EXTENSION pg_trgm SCHEMA extensions`);
    await setup.end();
    await expect(openCrm(testConfig({ DATABASE_URL: db.url }), logger)).rejects.toThrow(
      /^pg_trgm is installed in schema "extensions", which the API's connections do not search \(public, c360\); move it/,
    );
  });

  it('refuses an unreachable database clearly', async () => {
    await expect(
      openCrm(testConfig({ DATABASE_URL: 'postgres://u:p@127.0.0.1:1/x', DB_CONNECT_TIMEOUT_MS: '500' }), logger),
    ).rejects.toThrow(/^cannot reach the CRM database at DATABASE_URL/);
  });
});
