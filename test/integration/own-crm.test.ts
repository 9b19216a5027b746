import pino from 'pino';
import { loadCrmDataset } from '@c360/demo-data';
import { closeSources, openCrm } from '../../src/bootstrap';
import { createCrmPool } from '../../src/sources/crm/pool';
import { createCrmTables } from '../../src/sources/crm/ddl';
import { createCrmDatabase, createTestDatabase, suiteStores, testConfig, type TestStores } from '../helpers/database';
import { startTestServer, type TestServer } from '../helpers/server';
import { fixtureDataset, LINA, NOW, TOM } from '../fixtures/crm';
import { fixtureEvents } from '../fixtures/events';

/**
 * An adopter's CRM: its own tables (contacts, contact_ids, gdpr_flags, catalogue, sales_orders,
 * sales_order_lines, cases) in its own schema, with its own column names and types (a bigint
 * quantity, varchar ids), and views with the contract's names in a schema of their own (CRM_SCHEMA),
 * as docs/own-crm.md says. The API must answer on it exactly what it answers on the contract's tables.
 */
const ADOPTER = `
  CREATE SCHEMA sales;
  ALTER TABLE customers SET SCHEMA sales;            ALTER TABLE sales.customers RENAME TO contacts;
  ALTER TABLE sales.contacts RENAME COLUMN full_name TO display_name;
  ALTER TABLE sales.contacts ALTER COLUMN id TYPE varchar(40);
  ALTER TABLE customer_identities SET SCHEMA sales;  ALTER TABLE sales.customer_identities RENAME TO contact_ids;
  ALTER TABLE consents SET SCHEMA sales;             ALTER TABLE sales.consents RENAME TO gdpr_flags;
  ALTER TABLE products SET SCHEMA sales;             ALTER TABLE sales.products RENAME TO catalogue;
  ALTER TABLE orders SET SCHEMA sales;               ALTER TABLE sales.orders RENAME TO sales_orders;
  ALTER TABLE sales.sales_orders RENAME COLUMN order_number TO number;
  ALTER TABLE order_items SET SCHEMA sales;          ALTER TABLE sales.order_items RENAME TO sales_order_lines;
  ALTER TABLE sales.sales_order_lines ALTER COLUMN quantity TYPE bigint;
  ALTER TABLE support_tickets SET SCHEMA sales;      ALTER TABLE sales.support_tickets RENAME TO cases;
  DROP INDEX sales.orders_order_number_lookup;
  CREATE INDEX ON sales.sales_orders ((coalesce(nullif(upper(regexp_replace(number, '[^A-Za-z0-9]', '', 'g')), ''), number)));

  CREATE SCHEMA crm;
  CREATE VIEW crm.customers AS SELECT id::text AS id, created_at, display_name AS full_name, gender, birth_date, city, country, occupation, email, phone, status FROM sales.contacts;
  CREATE VIEW crm.customer_identities AS SELECT * FROM sales.contact_ids;
  CREATE VIEW crm.consents AS SELECT * FROM sales.gdpr_flags;
  CREATE VIEW crm.products AS SELECT * FROM sales.catalogue;
  CREATE VIEW crm.orders AS SELECT id, number AS order_number, customer_id, status, channel, placed_at, total FROM sales.sales_orders;
  CREATE VIEW crm.order_items AS SELECT order_id, line_no, product_id, quantity::int AS quantity, unit_price FROM sales.sales_order_lines;
  CREATE VIEW crm.support_tickets AS SELECT * FROM sales.cases;`;

/** The stores of a database whose CRM is the adopter's: its own tables in `sales`, behind views in `crm` (CRM_SCHEMA). */
async function adopterStores(): Promise<TestStores> {
  const db = await createTestDatabase('own_crm');
  const config = testConfig({
    DATABASE_URL: db.url,
    MONGODB_URI: process.env.C360_TEST_MONGO_URL!,
    MONGODB_DB: db.name,
    CRM_SCHEMA: 'crm',
  });
  const setup = createCrmPool(testConfig({ DATABASE_URL: db.url }), db.url);
  // As most databases have it: pg_trgm already installed, in public.
  await setup.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public`);
  await createCrmTables(setup);
  const client = await setup.connect();
  await loadCrmDataset(client, fixtureDataset());
  client.release();
  await setup.query(ADOPTER);
  await setup.end();
  // The start the API makes: catalogue, lookup index and erasure checks, then the c360 migrations over the views.
  const warnings: string[] = [];
  const crm = await openCrm(config, pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line).msg) }));
  expect(warnings).toEqual([]);
  await closeSources([crm]);
  return suiteStores(db, config, createCrmPool(config, db.url), fixtureEvents());
}

let own: TestStores;
let reference: TestStores;
let api: TestServer;
let contract: TestServer;
beforeAll(async () => {
  own = await adopterStores();
  reference = await createCrmDatabase('own_crm_reference', fixtureDataset(), fixtureEvents());
  api = await startTestServer(own, () => NOW);
  contract = await startTestServer(reference, () => NOW);
});
afterAll(async () => {
  await api?.close();
  await contract?.close();
  await own?.drop();
  await reference?.drop();
});

const READS: [string, string][] = [
  [
    'a profile with orders, items, tickets, consents and insights',
    `{ customer(id: "${LINA}") { id status profile { fullName gender age city } contact { email phone } consents { purpose granted }
       orders(first: 3) { totalCount edges { node { orderNumber status total items { quantity unitPrice lineTotal product { name category } } } } }
       purchaseSummary { completedOrders totalSpent lastOrderAt } supportTickets { subject status priority }
       rfm { score segment } valueTier lifecycle { stage since } churnRisk { level } tags { key } identities { kind value } } }`,
  ],
  [
    'lookups of every kind, as callers type them',
    `{ e: customerBy(identifier: { kind: EMAIL, value: " Lina@Example.COM " }) { id }
       p: customerBy(identifier: { kind: PHONE, value: "+86 138 0013 8000" }) { id }
       o: customerBy(identifier: { kind: ORDER_NUMBER, value: "so 2026-000002" }) { id }
       s: customerBy(identifier: { kind: SOCIAL, value: "weibo:@lina_88" }) { id }
       x: customerBy(identifier: { kind: EXTERNAL_ID, value: "EXT-001" }) { id }
       search: searchCustomers(query: "lina") { id } }`,
  ],
  [
    'a page of customers with a filter',
    `{ customers(first: 5, filter: { hasCompletedOrders: true }) { totalCount edges { node { id valueTier } } } }`,
  ],
  ['duplicate candidates', `{ duplicateCandidates(first: 5) { edges { node { score a { id } b { id } evidence { kind similarity } } } } }`],
];

describe('a CRM behind views in a schema of its own (CRM_SCHEMA)', () => {
  it.each(READS)('answers %s exactly as on the contract tables, in the same round trips', async (_, query) => {
    const [mine, theirs] = [await api.gql(query), await contract.gql(query)];
    // Only the social provider is missing here (no provider in this suite), on both servers alike.
    expect((mine.body.errors ?? []).filter((e) => e.extensions?.source !== 'social')).toEqual([]);
    expect(mine.body).toEqual(theirs.body);
    expect(mine.roundTrips).toEqual(theirs.roundTrips);
  });

  it('erases a customer through the views: the adopter tables hold the erasure', async () => {
    const { body } = await api.gql(`mutation { eraseCustomer(id: "${TOM}", reason: "request 7") { status remaining lastError } }`);
    expect(body).toEqual({ data: { eraseCustomer: { status: 'COMPLETE', remaining: [], lastError: null } } });
    const { rows } = await own.pool.query(`SELECT display_name, email, status FROM sales.contacts WHERE id = $1`, [TOM]);
    expect(rows).toEqual([{ display_name: 'Erased customer', email: null, status: 'erased' }]);
    expect((await own.pool.query(`SELECT count(*)::int AS n FROM sales.contact_ids WHERE customer_id = $1`, [TOM])).rows[0].n).toBe(0);
  });

  it('refuses an erasure the views cannot take before touching any source, and says why', async () => {
    // A view that joins is not updatable: the erasure's UPDATE of the tickets' subjects would fail.
    await own.pool.query(
      `CREATE OR REPLACE VIEW crm.support_tickets AS SELECT c.* FROM sales.cases c JOIN sales.contacts k ON k.id = c.customer_id`,
    );
    const events = () => own.behaviourDb.collection('events').countDocuments({ customerId: LINA });
    const before = await events();
    expect(before).toBeGreaterThan(0);
    const { body } = await api.gql(`mutation { eraseCustomer(id: "${LINA}", reason: "request 8") { status } }`);
    expect(body.data).toBeNull();
    expect(body.errors).toEqual([
      {
        message: expect.stringMatching(
          /^The CRM refuses the erasure's writes \(cannot update view "support_tickets"\); nothing was erased\./,
        ),
        locations: [{ line: 1, column: 12 }],
        path: ['eraseCustomer'],
        extensions: { code: 'SOURCE_UNAVAILABLE', source: 'crm', reason: 'not_writable' },
      },
    ]);
    expect(await events()).toBe(before);
    expect((await own.pool.query(`SELECT count(*)::int AS n FROM c360.erasures WHERE customer_id = $1`, [LINA])).rows[0].n).toBe(0);
    // And the start says so.
    const warnings: { msg: string; refusal?: string }[] = [];
    const crm = await openCrm(own.config, pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) }));
    await closeSources([crm]);
    expect(warnings).toEqual([expect.objectContaining({ refusal: 'cannot update view "support_tickets"' })]);
  });
});
