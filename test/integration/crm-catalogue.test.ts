import pg from 'pg';
import { checkCrmCatalogue, CRM_COLUMNS } from '../../src/sources/crm/catalogue';
import { CRM_TABLES, createCrmTables } from '../../src/sources/crm/ddl';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let db: TestDatabase;
let pool: pg.Pool;
beforeAll(async () => {
  db = await createTestDatabase('catalogue');
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

/** The API's reading of the CRM (CRM_COLUMNS) against contracts/crm.sql as PostgreSQL itself reads it. */
describe('the live catalogue of contracts/crm.sql', () => {
  beforeAll(() => createCrmTables(pool));

  it('has exactly the tables and columns the API reads, of types it reads', async () => {
    expect(await checkCrmCatalogue(pool, 'public')).toEqual({ missingTables: [], mismatches: [] });
    const { rows } = await pool.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
    );
    const live = Object.fromEntries(CRM_TABLES.map((t) => [t, rows.filter((r) => r.table_name === t).map((r) => r.column_name)]));
    expect(live).toEqual(Object.fromEntries(CRM_TABLES.map((t) => [t, Object.keys(CRM_COLUMNS[t])])));
  });

  it('accepts the same columns renamed behind views in a schema of their own, with varchar, domains and extra columns', async () => {
    await pool.query(`CREATE SCHEMA mapped; CREATE DOMAIN mapped.money AS numeric(14, 4)`);
    for (const t of CRM_TABLES) await pool.query(`CREATE VIEW mapped.${t} AS SELECT *, 1 AS extra FROM public.${t}`);
    await pool.query(
      `CREATE TABLE mapped.sales_orders (no varchar(32), buyer varchar(32), st text, ch text, at timestamptz, amount mapped.money, pk text)`,
    );
    await pool.query(`DROP VIEW mapped.orders`);
    await pool.query(
      `CREATE VIEW mapped.orders AS SELECT pk AS id, no AS order_number, buyer AS customer_id, st AS status, ch AS channel, at AS placed_at, amount AS total FROM mapped.sales_orders`,
    );
    expect(await checkCrmCatalogue(pool, 'mapped')).toEqual({ missingTables: [], mismatches: [] });
  });
});
