import pino from 'pino';
import { openCrm } from '../../src/bootstrap';
import { migrations } from '../../src/db/migrations';
import { createCrmPool } from '../../src/sources/crm/pool';
import { CRM_TABLES, createCrmTables } from '../../src/sources/crm/ddl';
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
      await crm.close();
    }
    // A second start applies nothing again.
    const again = await openCrm(config, logger);
    expect((await again.pool.query('SELECT count(*)::int AS n FROM c360.schema_migrations')).rows[0].n).toBe(migrations.length);
    await again.close();
    await setup.end();
  });

  it('refuses a database without the CRM tables, saying which are missing', async () => {
    db = await createTestDatabase('empty');
    await expect(openCrm(testConfig({ DATABASE_URL: db.url }), logger)).rejects.toThrow(
      /lacks the CRM tables customers, customer_identities, consents, products, orders, order_items, support_tickets in schema "public"/,
    );
  });

  it('refuses an unreachable database clearly', async () => {
    await expect(
      openCrm(testConfig({ DATABASE_URL: 'postgres://u:p@127.0.0.1:1/x', DB_CONNECT_TIMEOUT_MS: '500' }), logger),
    ).rejects.toThrow(/^cannot reach the CRM database at DATABASE_URL/);
  });
});
