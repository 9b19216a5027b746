import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { spawnEmbeddedMongo } from '@c360/mongo-wire';
import { loadEvents } from '@c360/demo-data';
import { createBehaviourClient } from '../../src/sources/behaviour/client';
import { fixtureDataset, LINA, LINA_DUP, NOW as CRM_NOW, TOM } from '../fixtures/crm';
import { createCrmDatabase, testConfig } from '../helpers/database';
import { startTestServer, type TestServer } from '../helpers/server';
import { bearer } from '../helpers/tokens';
import {
  BYSTANDER_EVENTS,
  D,
  FAYE_EVENTS,
  NOW,
  OTTO_ON_SAMS_EVENTS,
  P,
  privacyDataset,
  privacyEvents,
  privacySocialAccounts,
  QUINTA_EVENTS,
  RHEA,
  SAM_EVENTS,
} from '../fixtures/privacy';
import { apiSuite } from '../helpers/suite';

// The cache stays on: erasure must empty it.
const suite = apiSuite('privacy', privacyDataset(), {
  events: privacyEvents(),
  clock: () => NOW,
  social: privacySocialAccounts(),
  env: { SOCIAL_CACHE_TTL_MS: '60000' },
});

/** A value as it travels in JSON (dates as ISO strings, ObjectIds as hex). */
const json = (v: unknown) => JSON.parse(JSON.stringify(v));
const iso = (d: Date) => d.toISOString();
const dataset = privacyDataset();
const rowsOf = <T extends { customer_id: string }>(rows: T[], id: string) => json(rows.filter((r) => r.customer_id === id));

const EXPORT = `query Export($id: ID!) { exportCustomerData(id: $id) }`;
const ERASE = `mutation Erase($id: ID!, $reason: String!) { eraseCustomer(id: $id, reason: $reason) {
  id customerId status remaining lastError requestedAt completedAt requestedBy reason possibleDuplicates keptSharedEvents } }`;
const ERASURES = `query Erasures($id: ID!) { erasures(customerId: $id) { id status remaining reason keptSharedEvents } }`;

/** Every event of a customer found through the same identifiers the API links (read straight from MongoDB). */
const eventsVia = (ids: { customerId: string; anonymousIds?: string[]; deviceIds?: string[] }, mongo = suite.db.behaviourDb) =>
  mongo.collection('events').countDocuments({
    $or: [{ customerId: ids.customerId }, { anonymousId: { $in: ids.anonymousIds ?? [] } }, { deviceId: { $in: ids.deviceIds ?? [] } }],
  });
const crmState = async (id: string) => {
  const q = async (sql: string) => (await suite.db.pool.query(sql, [id])).rows;
  return {
    customer: (await q(`SELECT * FROM customers WHERE id = $1`))[0],
    identities: await q(`SELECT kind, value FROM customer_identities WHERE customer_id = $1 ORDER BY kind`),
    consents: await q(`SELECT purpose FROM consents WHERE customer_id = $1 ORDER BY purpose`),
    tickets: await q(`SELECT * FROM support_tickets WHERE customer_id = $1 ORDER BY id`),
    orders: await q(`SELECT id, status, total::text AS total, placed_at FROM orders WHERE customer_id = $1 ORDER BY id`),
    items: await q(
      `SELECT i.order_id, i.line_no, i.quantity, i.unit_price::text AS unit_price FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.customer_id = $1 ORDER BY 1, 2`,
    ),
  };
};

describe('Query.exportCustomerData', () => {
  it('holds the CRM rows, every linked event, social posts, derived values and the audit trail', async () => {
    // An agent reads Quinta's e-mail first: the export must show that read.
    const agentRead = await suite.api.gql(
      `query AgentLookup { customer(id: "${P.QUINTA}") { contact { email } } }`,
      {},
      await bearer(['agent']),
    );
    expect(agentRead.body.errors).toBeUndefined();

    const { body } = await suite.api.gql(EXPORT, { id: P.QUINTA });
    expect(body.errors).toBeUndefined();
    const doc = body.data.exportCustomerData;
    expect(doc.customerId).toBe(P.QUINTA);
    expect(doc.exportedAt).toBe(iso(NOW));
    expect(doc.unavailable).toEqual([]);

    // CRM: the rows as stored, orders with their items and products.
    const products = Object.fromEntries(dataset.products.map((p) => [p.id, p]));
    expect(doc.crm).toEqual({
      customer: json({ ...dataset.customers.find((c) => c.id === P.QUINTA), canonical_id: P.QUINTA }),
      identities: json(
        dataset.customer_identities
          .filter((i) => i.customer_id === P.QUINTA)
          .sort((a, b) => a.kind.localeCompare(b.kind))
          .map((i) => ({ ...i, record_id: P.QUINTA, source: 'crm' })),
      ),
      consents: expect.arrayContaining(rowsOf(dataset.consents, P.QUINTA)),
      orders: rowsOf(dataset.orders, P.QUINTA)
        .reverse()
        .map((o: any) => ({
          ...o,
          items: json(
            dataset.order_items
              .filter((i) => i.order_id === o.id)
              .map(({ product_id, ...i }) => ({
                ...i,
                line_total: (i.quantity * Number(i.unit_price)).toFixed(2),
                product: products[product_id],
              })),
          ),
        })),
      supportTickets: rowsOf(dataset.support_tickets, P.QUINTA),
    });
    expect(doc.crm.consents).toHaveLength(2);

    // Behaviour: the events under her id, her anonymous id and her device, oldest first; nobody else's.
    expect(doc.behaviour).toEqual({ events: json([...QUINTA_EVENTS].reverse()) });

    // Social: the provider's account with every post, also the one older than a year.
    const [account] = privacySocialAccounts();
    expect(doc.social).toEqual({ accounts: [json(account)], unknownHandles: [] });

    // Derived as of NOW. Completed orders: one of 300.00, 10 days ago: R5 F1 M1, a NEW customer, REGULAR.
    // Interests: skincare 1 × 0.5^(1/30) (D1), outdoor 1 × 0.5^(3/30) (D3), normalised.
    const skincare = 0.5 ** (1 / 30);
    const outdoor = 0.5 ** (3 / 30);
    expect(doc.derived).toEqual({
      asOf: iso(NOW),
      rfm: {
        recency: 5,
        frequency: 1,
        monetary: 1,
        score: '511',
        segment: 'NEW_CUSTOMERS',
        daysSinceLastOrder: 10,
        orders365d: 1,
        spend365d: '300.00',
      },
      valueTier: 'REGULAR',
      // Last activity: the product view a day ago (after the order D10 and the brand mention D5).
      lifecycle: {
        stage: 'NEW',
        since: iso(D(10)),
        lastActivityAt: iso(D(1)),
        daysSinceLastActivity: 1,
        partial: false,
        missingSources: [],
      },
      interests: [
        { category: 'skincare', weight: expect.closeTo(skincare / (skincare + outdoor), 10) },
        { category: 'outdoor', weight: expect.closeTo(outdoor / (skincare + outdoor), 10) },
      ],
      // Bought within 30 days, no unresolved or badly rated ticket, a positive brand mention: nothing raises it.
      churnRisk: { score: 0, level: 'LOW', factors: [], partial: false, missingSources: [] },
      tags: expect.anything(),
      withheld: [],
    });
    // Interests ≥ 0.3 in skincare and outdoor, lifecycle NEW, 2 of 3 events of 90 days in the app.
    expect(doc.derived.tags.map((t: { key: string }) => t.key).sort()).toEqual([
      'likes_outdoor',
      'likes_skincare',
      'new_customer',
      'prefers_app',
    ]);
    expect(doc.derived.tags.find((t: { key: string }) => t.key === 'prefers_app').evidence).toEqual([
      { fact: 'behaviour.topChannel', value: '"app"' },
      { fact: 'behaviour.topChannelShare', value: '0.6667' },
    ]);

    // The audit trail: the agent's read (this export is recorded after it is built); neither operation is safelisted.
    expect(doc.auditLog).toEqual([
      expect.objectContaining({
        subject: 'test-agent',
        roles: ['agent'],
        auth: 'jwt',
        partner: null,
        fields: ['Contact.email', 'Customer.contact'],
        masked: false,
        operation: 'other',
      }),
    ]);
    expect(doc.erasures).toEqual([]);

    // The export itself is audited.
    const { rows } = await suite.db.pool.query(`SELECT subject, fields, operation FROM c360.audit_log WHERE customer_id = $1 ORDER BY id`, [
      P.QUINTA,
    ]);
    expect(rows.at(-1)).toEqual({ subject: 'test-admin', fields: ['Query.exportCustomerData'], operation: 'other' });
  });

  it('says which derived values were withheld for lack of profiling consent', async () => {
    const { body } = await suite.api.gql(EXPORT, { id: P.BORIS });
    expect(body.errors).toBeUndefined();
    const doc = body.data.exportCustomerData;
    expect(doc.crm.consents).toEqual([]);
    expect(doc.behaviour).toEqual({ events: [] });
    expect(doc.social).toEqual({ accounts: [], unknownHandles: [] });
    // One completed order 100 days ago: R2 F1 M1, AT_RISK; interests, churn risk and tags withheld.
    expect(doc.derived).toMatchObject({
      rfm: { score: '211', segment: 'ABOUT_TO_SLEEP' },
      valueTier: 'REGULAR',
      lifecycle: { stage: 'AT_RISK' },
      interests: null,
      churnRisk: null,
      tags: null,
      withheld: ['interests', 'churnRisk', 'tags'].map((field) => ({ field, reason: 'CONSENT_REQUIRED', purpose: 'profiling' })),
    });
  });

  it("holds the anonymous events on the person's device and browser, not another customer's events there", async () => {
    const { body } = await suite.api.gql(EXPORT, { id: P.SAM });
    expect(body.errors).toBeUndefined();
    expect(body.data.exportCustomerData.behaviour).toEqual({ events: json([...SAM_EVENTS].reverse()) });
  });

  it('is null for an unknown id', async () => {
    const { body } = await suite.api.gql(EXPORT, { id: 'p_nobody' });
    expect(body).toEqual({ data: { exportCustomerData: null } });
  });
});

describe('privacy operations and roles', () => {
  it.each([['agent'], ['analyst']] as const)('refuses export, erasure and the erasure list to an %s', async (role) => {
    const headers = await bearer([role]);
    for (const [query, vars] of [
      [EXPORT, { id: P.OTTO }],
      [ERASE, { id: P.OTTO, reason: 'test' }],
      [ERASURES, { id: P.OTTO }],
    ] as const) {
      const { status, body } = await suite.api.gql(query, vars, headers);
      expect(status).toBe(403);
      expect(body.data ?? null).toBeNull();
      expect(body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    }
    expect((await crmState(P.OTTO)).customer.status).toBe('active');
  });
});

describe('Mutation.eraseCustomer', () => {
  it('erases the person in every source and keeps the orders', async () => {
    const before = await crmState(P.QUINTA);
    const bystanders = await suite.db.behaviourDb
      .collection('events')
      .countDocuments({ _id: { $in: [...BYSTANDER_EVENTS, ...FAYE_EVENTS].map((e) => e._id) } });
    expect(bystanders).toBe(5);
    // Her social account is in the cache, and her name in the search index.
    const seen = await suite.api.gql(
      `{ customer(id: "${P.QUINTA}") { social { accounts { handle } } } search: searchCustomers(query: "zephyr") { id } }`,
    );
    expect(seen.body.data).toEqual({ customer: { social: { accounts: [{ handle: 'Quinta_Z' }] } }, search: [{ id: P.QUINTA }] });
    expect([...suite.social.cache!.keys()].some((k) => k.startsWith('weibo:quinta_z@'))).toBe(true);

    const { body } = await suite.api.gql(ERASE, { id: P.QUINTA, reason: 'GDPR art. 17 request #1' });
    expect(body.errors).toBeUndefined();
    expect(body.data.eraseCustomer).toEqual({
      id: expect.any(String),
      customerId: P.QUINTA,
      status: 'COMPLETE',
      remaining: [],
      lastError: null,
      requestedAt: expect.any(String),
      completedAt: expect.any(String),
      requestedBy: 'test-admin',
      reason: 'GDPR art. 17 request #1',
      possibleDuplicates: [],
      keptSharedEvents: 0,
    });

    // CRM: personal columns gone, identities and consents deleted, ticket subjects blank, orders kept.
    const after = await crmState(P.QUINTA);
    expect(after.customer).toEqual({
      ...before.customer,
      status: 'erased',
      full_name: 'Erased customer',
      gender: null,
      birth_date: null,
      city: null,
      country: null,
      occupation: null,
      email: null,
      phone: null,
    });
    expect(after.identities).toEqual([]);
    expect(after.consents).toEqual([]);
    expect(after.tickets).toEqual(before.tickets.map((t: object) => ({ ...t, subject: '' })));
    expect(after.orders).toEqual(before.orders);
    expect(after.orders.map((o: { total: string }) => o.total)).toEqual(['300.00', '99.00']);
    expect(after.items).toEqual(before.items);

    // Behaviour: none of her events is left, also those under her anonymous id and device; the others are.
    expect(await eventsVia({ customerId: P.QUINTA, anonymousIds: ['anon-q'], deviceIds: ['dev-q'] })).toBe(0);
    expect(
      await suite.db.behaviourDb
        .collection('events')
        .countDocuments({ _id: { $in: [...BYSTANDER_EVENTS, ...FAYE_EVENTS].map((e) => e._id) } }),
    ).toBe(5);

    // Social cache and search index.
    expect([...suite.social.cache!.keys()].filter((k) => k.startsWith('weibo:quinta_z@'))).toEqual([]);
    expect(
      (
        await suite.db.pool.query(`SELECT count(*)::int AS n FROM c360.customer_search WHERE customer_id = $1 OR doc LIKE '%zephyr%'`, [
          P.QUINTA,
        ])
      ).rows[0].n,
    ).toBe(0);

    // Through the API: ERASED, nothing personal, nothing found by the old name.
    const read = await suite.api.gql(`{ customer(id: "${P.QUINTA}") {
      status profile { fullName gender birthDate city country occupation } contact { email phone } identities { kind } consents { purpose granted }
      supportTickets { subject } purchaseSummary { completedOrders totalSpent } behaviour { lastSeenAt } social { accounts { handle } } }
      search: searchCustomers(query: "zephyr") { id } }`);
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data).toEqual({
      customer: {
        status: 'ERASED',
        profile: { fullName: 'Erased customer', gender: null, birthDate: null, city: null, country: null, occupation: null },
        contact: { email: null, phone: null },
        identities: [],
        consents: ['PROFILING', 'MARKETING', 'PARTNER_SHARING'].map((purpose) => ({ purpose, granted: false })),
        supportTickets: [{ subject: '' }, { subject: '' }],
        purchaseSummary: { completedOrders: 1, totalSpent: '300.00' },
        behaviour: { lastSeenAt: null },
        social: { accounts: [] },
      },
      search: [],
    });
  });

  it('is harmless to run again: a new, complete erasure that changes nothing', async () => {
    const before = await crmState(P.QUINTA);
    const { body } = await suite.api.gql(ERASE, { id: P.QUINTA, reason: 'repeated request' });
    expect(body.errors).toBeUndefined();
    expect(body.data.eraseCustomer).toMatchObject({ status: 'COMPLETE', remaining: [], lastError: null });
    expect(await crmState(P.QUINTA)).toEqual(before);
    const list = await suite.api.gql(ERASURES, { id: P.QUINTA });
    expect(list.body.data.erasures).toEqual([
      { id: body.data.eraseCustomer.id, status: 'COMPLETE', remaining: [], reason: 'repeated request', keptSharedEvents: 0 },
      { id: expect.any(String), status: 'COMPLETE', remaining: [], reason: 'GDPR art. 17 request #1', keptSharedEvents: 0 },
    ]);
    // The export of an erased customer holds no personal data, and says it was erased.
    const exported = (await suite.api.gql(EXPORT, { id: P.QUINTA })).body.data.exportCustomerData;
    expect(exported.crm).toMatchObject({
      customer: { full_name: 'Erased customer', email: null, status: 'erased' },
      identities: [],
      consents: [],
    });
    expect(exported.behaviour).toEqual({ events: [] });
    expect(exported.erasures).toHaveLength(2);
  });

  it("keeps another customer's events on the person's device and browser, and counts them", async () => {
    const events = suite.db.behaviourDb.collection('events');
    const count = (list: typeof SAM_EVENTS) => events.countDocuments({ _id: { $in: list.map((e) => e._id) } });
    expect([await count(SAM_EVENTS), await count(OTTO_ON_SAMS_EVENTS)]).toEqual([3, 2]);

    const { body } = await suite.api.gql(ERASE, { id: P.SAM, reason: 'GDPR request #5' });
    expect(body.errors).toBeUndefined();
    // Otto is no record of Sam's (not a possible duplicate), yet the erasure says it left his 2 events there.
    expect(body.data.eraseCustomer).toMatchObject({ status: 'COMPLETE', possibleDuplicates: [], keptSharedEvents: 2 });
    // His own events are gone; Otto's, though on Sam's phone and in his browser, are Otto's and stay.
    expect(await count(SAM_EVENTS)).toBe(0);
    expect(
      await events
        .find({ _id: { $in: OTTO_ON_SAMS_EVENTS.map((e) => e._id) } })
        .sort({ _id: 1 })
        .toArray(),
    ).toEqual(OTTO_ON_SAMS_EVENTS);
    expect((await suite.db.pool.query(`SELECT kept_shared_events FROM c360.erasures WHERE customer_id = $1`, [P.SAM])).rows).toEqual([
      { kept_shared_events: 2 },
    ]);
  });

  it('refuses an unknown id and an empty reason', async () => {
    const unknown = await suite.api.gql(ERASE, { id: 'p_nobody', reason: 'test' });
    expect(unknown.body.data).toBeNull();
    expect(unknown.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    const blank = await suite.api.gql(ERASE, { id: P.OTTO, reason: '  ' });
    expect(blank.body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect((await crmState(P.OTTO)).customer.status).toBe('active');
  });
});

describe('an erasure while MongoDB is down', () => {
  let dir: string;
  let mongo: Awaited<ReturnType<typeof spawnEmbeddedMongo>> | undefined;
  let client: MongoClient | undefined;
  let down: TestServer | undefined;
  afterAll(async () => {
    await down?.close();
    await client?.close();
    await mongo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stays INCOMPLETE with BEHAVIOUR remaining and the CRM untouched, and completes when run again', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'c360-privacy-'));
    mongo = await spawnEmbeddedMongo({ dbpath: dir });
    const port = mongo.port;
    const config = testConfig({ DATABASE_URL: suite.db.url, MONGODB_URI: mongo.uri, MONGODB_TIMEOUT_MS: '500' });
    client = createBehaviourClient(config, mongo.uri);
    const events = client.db('behaviour');
    await loadEvents(events, FAYE_EVENTS);
    down = await startTestServer(suite.db, () => NOW, { config, behaviourDb: events });
    const before = await crmState(P.FAYE);
    await mongo.stop();

    // The export says what it could not read instead of leaving it out.
    const exported = await down.gql(EXPORT, { id: P.FAYE });
    const doc = exported.body.data.exportCustomerData;
    expect(doc.crm.customer.full_name).toBe('Faye Marlowe');
    expect(doc.behaviour).toBeNull();
    expect(doc.unavailable).toEqual([
      {
        source: 'behaviour',
        reason: expect.stringMatching(/^(unreachable|timeout)$/),
        affects: ['behaviour', 'derived.interests', 'derived.lifecycle', 'derived.tags'],
      },
    ]);
    expect(doc.derived).toMatchObject({
      interests: null,
      lifecycle: { partial: true, missingSources: ['behaviour'] },
      rfm: { frequency: 1 },
    });
    expect(exported.body.errors).toEqual([
      expect.objectContaining({
        path: ['exportCustomerData'],
        extensions: expect.objectContaining({ code: 'SOURCE_UNAVAILABLE', source: 'behaviour' }),
      }),
    ]);

    const failed = await down.gql(ERASE, { id: P.FAYE, reason: 'GDPR request #2' });
    expect(failed.status).toBe(200);
    expect(failed.body.data.eraseCustomer).toMatchObject({
      customerId: P.FAYE,
      status: 'INCOMPLETE',
      remaining: ['BEHAVIOUR', 'SOCIAL', 'CRM'],
      completedAt: null,
      keptSharedEvents: null,
    });
    expect(failed.body.data.eraseCustomer.lastError).toMatch(/^The behaviour source is unavailable \((unreachable|timeout)\)\.$/);
    expect(failed.body.errors).toHaveLength(1);
    expect(failed.body.errors![0]).toMatchObject({
      path: ['eraseCustomer'],
      extensions: { code: 'SOURCE_UNAVAILABLE', source: 'behaviour' },
    });
    expect(JSON.stringify(failed.body)).not.toMatch(/127\.0\.0\.1|Mongo[A-Z]\w+Error|stack|SELECT|UPDATE/);
    expect(await crmState(P.FAYE)).toEqual(before);

    // MongoDB is back (same port, same data): the re-run continues the same erasure and completes it.
    mongo = await spawnEmbeddedMongo({ dbpath: dir, port });
    expect(await eventsVia({ customerId: P.FAYE, anonymousIds: ['anon-f'] }, events)).toBe(2);
    const again = await down.gql(ERASE, { id: P.FAYE, reason: 'a second click' });
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data.eraseCustomer).toMatchObject({
      id: failed.body.data.eraseCustomer.id,
      status: 'COMPLETE',
      remaining: [],
      lastError: null,
      reason: 'GDPR request #2',
      keptSharedEvents: 0,
    });
    expect(await eventsVia({ customerId: P.FAYE, anonymousIds: ['anon-f'] }, events)).toBe(0);
    const after = await crmState(P.FAYE);
    expect(after.customer).toMatchObject({ status: 'erased', full_name: 'Erased customer', email: null });
    expect(after.identities).toEqual([]);
    expect(after.tickets).toEqual([{ ...before.tickets[0], subject: '' }]);
    expect(after.orders).toEqual(before.orders);
  });
});

describe('an erasure of a person with duplicate records', () => {
  let crm: Awaited<ReturnType<typeof createCrmDatabase>>;
  let crmApi: TestServer;
  beforeAll(async () => {
    // The CRM fixture: c_lina2 is Lina again, typed by another agent with her phone in another format.
    crm = await createCrmDatabase('privacy-duplicates', fixtureDataset());
    crmApi = await startTestServer(crm, () => CRM_NOW);
  });
  afterAll(async () => {
    await crmApi?.close();
    await crm?.drop();
  });

  it('names the other records sharing her e-mail, phone or identities, found before her identities are deleted', async () => {
    const { body } = await crmApi.gql(ERASE, { id: LINA, reason: 'GDPR request #3' });
    expect(body.errors).toBeUndefined();
    expect(body.data.eraseCustomer).toMatchObject({ customerId: LINA, status: 'COMPLETE', possibleDuplicates: [LINA_DUP] });
    expect((await crm.pool.query(`SELECT possible_duplicates FROM c360.erasures WHERE customer_id = $1`, [LINA])).rows).toEqual([
      { possible_duplicates: [LINA_DUP] },
    ]);
    expect((await crmApi.gql(`{ erasures(customerId: "${LINA}") { possibleDuplicates } }`)).body.data).toEqual({
      erasures: [{ possibleDuplicates: [LINA_DUP] }],
    });
    // The duplicate itself is untouched: erasing it too is the admin's call.
    expect((await crm.pool.query(`SELECT status, phone FROM customers WHERE id = $1`, [LINA_DUP])).rows).toEqual([
      { status: 'active', phone: '+86-138-0013-8000' },
    ]);
    // A person nobody shares anything with has none.
    const tom = await crmApi.gql(ERASE, { id: TOM, reason: 'GDPR request #4' });
    expect(tom.body.data.eraseCustomer.possibleDuplicates).toEqual([]);
  });
});

describe('an erasure of a person whose merge was undone', () => {
  /** Where her name, e-mail or phone (with or without its spaces) appears in any text, array or JSON column of a c360 table. */
  async function tracesInC360(): Promise<string[]> {
    const trace = 'rhea|quill|2222\\D?3333'; // the e-mail is rhea.quill@…
    const { rows: columns } = await suite.db.pool.query(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'c360' AND data_type IN ('text', 'jsonb', 'ARRAY') ORDER BY 1, 2`,
    );
    const found: string[] = [];
    for (const { table_name: t, column_name: c } of columns) {
      const { rows } = await suite.db.pool.query(`SELECT count(*)::int AS n FROM c360.${t} WHERE ${c}::text ~* $1`, [trace]);
      if (rows[0].n > 0) found.push(`${t}.${c}`);
    }
    return found;
  }

  /** Merges `merged` into `survivor`, then undoes it, both with reasons naming Rhea; the merge's id. */
  async function mergeAndUndo(survivor: string, merged: string): Promise<string> {
    const m = await suite.api.gql(
      `mutation($s: ID!, $m: [ID!]!, $r: String!) { mergeCustomers(survivorId: $s, mergedIds: $m, reason: $r) { id } }`,
      {
        s: survivor,
        m: [merged],
        r: `same e-mail ${RHEA.email}, phone ${RHEA.phone}`,
      },
    );
    expect(m.body.errors).toBeUndefined();
    const u = await suite.api.gql(`mutation($id: ID!, $r: String!) { unmergeCustomers(mergeId: $id, reason: $r) { id } }`, {
      id: m.body.data.mergeCustomers.id,
      r: `${RHEA.name} says ${RHEA.phone.replace(/ /g, '')} is hers alone, the e-mail ${RHEA.email} was typed on both`,
    });
    expect(u.body.errors).toBeUndefined();
    return m.body.data.mergeCustomers.id;
  }

  it('clears the merge and unmerge reasons that named her, and leaves no trace of her anywhere in c360', async () => {
    // Her record was the survivor of one merge and the merged record of another; both were undone.
    const mergeIds = [await mergeAndUndo(P.RHEA, P.RHEA_DUP), await mergeAndUndo(P.RHEA_DUP, P.RHEA)];
    const linked = await suite.api.gql(
      `mutation($id: ID!, $e: String!) { linkIdentity(customerId: $id, identifier: { kind: DEVICE_ID, value: "dev-r" }, evidence: $e) { id } }`,
      {
        id: P.RHEA,
        e: `${RHEA.name} confirmed it on the phone, ${RHEA.phone}`,
      },
    );
    expect(linked.body.errors).toBeUndefined();
    const merges = async () =>
      (
        await suite.db.pool.query(
          `SELECT survivor_id, merged_ids, reason, undo_reason FROM c360.merges WHERE id = ANY($1::int8[]) ORDER BY id`,
          [mergeIds],
        )
      ).rows;
    expect(await tracesInC360()).toEqual([
      'identity_history.after',
      'identity_history.reason',
      'identity_links.evidence',
      'merges.reason',
      'merges.undo_reason',
    ]);

    const { body } = await suite.api.gql(ERASE, { id: P.RHEA, reason: 'GDPR request #6' });
    expect(body.errors).toBeUndefined();
    expect(body.data.eraseCustomer).toMatchObject({ status: 'COMPLETE', possibleDuplicates: [P.RHEA_DUP] });
    // The merges are still recorded (who merged which records, when, and undid them), their free text is not.
    expect(await merges()).toEqual([
      { survivor_id: P.RHEA, merged_ids: [P.RHEA_DUP], reason: '[erased]', undo_reason: '[erased]' },
      { survivor_id: P.RHEA_DUP, merged_ids: [P.RHEA], reason: '[erased]', undo_reason: '[erased]' },
    ]);
    expect(await tracesInC360()).toEqual([]);
  });
});

describe('Query.searchCustomers after an erasure', () => {
  it('never finds an erased customer, even before the search index is refreshed', async () => {
    const search = async () => (await suite.api.gql(`{ searchCustomers(query: "otto bystander") { id } }`)).body.data.searchCustomers;
    expect(await search()).toEqual([{ id: P.OTTO }]);
    await suite.db.pool.query(`UPDATE customers SET status = 'erased' WHERE id = $1`, [P.OTTO]);
    try {
      expect(await search()).toEqual([]);
    } finally {
      await suite.db.pool.query(`UPDATE customers SET status = 'active' WHERE id = $1`, [P.OTTO]);
    }
  });
});
