import { randomUUID } from 'node:crypto';
import { checkInvariants, checkInvariantsOf, type InvariantReport } from '../../src/invariants/check';
import { createDb } from '../../src/sources/crm/db';
import { noRoundTrips } from '../../src/sources/roundTrips';
import { buildSnapshot } from '../../src/snapshot/build';
import { BULK, LINA, LINA_DUP, NOW, TOM } from '../fixtures/crm';
import { ANA, identityDataset, identityEvents, identitySocialAccounts, LINA3 } from '../fixtures/identity';
import { testDeps } from '../helpers/server';
import { apiSuite } from '../helpers/suite';

/**
 * The invariant checker on a database the API wrote (merges, an unmerge, a link, erasures, a snapshot,
 * an audited read): clean; then each kind of corruption planted in a transaction rolled back after
 * the check, and seen.
 */

const suite = apiSuite('invariants', identityDataset(), { events: identityEvents(), clock: () => NOW, social: identitySocialAccounts() });

const MERGE = `mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m, reason: "same person") { id } }`;
const UNMERGE = `mutation($id: ID!) { unmergeCustomers(mergeId: $id, reason: "not the same person") { id } }`;
const LINK = `mutation($id: ID!) { linkIdentity(customerId: $id, identifier: { kind: ANONYMOUS_ID, value: "anon-ana" }, evidence: "logged in") { id } }`;
const ERASE = `mutation($id: ID!) { eraseCustomer(id: $id, reason: "asked to be forgotten") { status } }`;

/** The x-request-id of a read of personal data (Lina's name and e-mail), which the audit log must hold. */
let readId: string;

beforeAll(async () => {
  const ok = async (query: string, variables: Record<string, unknown>) => {
    const r = await suite.api.gql(query, variables);
    expect(r.body.errors).toBeUndefined();
    return r.body.data;
  };
  await ok(MERGE, { s: LINA, m: [LINA_DUP] });
  const second = await ok(MERGE, { s: LINA, m: [LINA3] });
  await ok(UNMERGE, { id: second.mergeCustomers.id });
  await ok(MERGE, { s: TOM, m: [LINA] }); // Lina's merge is superseded by this one: both stay in force
  await ok(LINK, { id: ANA });
  await ok(ERASE, { id: BULK[0] });
  await buildSnapshot(await testDeps(suite.db, { social: suite.social }), { now: NOW });
  await ok(ERASE, { id: BULK[1] }); // after the snapshot: its row goes, the version stays complete
  const res = await suite.api.post(JSON.stringify({ query: `{ customer(id: "${LINA}") { profile { fullName } contact { email } } }` }));
  expect(res.status).toBe(200);
  readId = res.headers.get('x-request-id')!;
});

/** The report over the suite's database after `plant` (statements), in a transaction rolled back afterwards. */
async function planted(plant: string[], requestIds = [readId]): Promise<InvariantReport> {
  const client = await suite.db.pool.connect();
  try {
    await client.query('BEGIN');
    for (const statement of plant) await client.query(statement);
    return await checkInvariants(createDb(client, noRoundTrips()), requestIds);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

const violated = (report: InvariantReport) => report.results.filter((r) => r.violations > 0).map((r) => r.name);
const examplesOf = (report: InvariantReport, name: string) => report.results.find((r) => r.name === name)!.examples;

it('reports the database the API wrote clean, its audited read matched', async () => {
  const report = await checkInvariantsOf(suite.db.pool, [readId]);
  expect(violated(report)).toEqual([]);
  expect(report).toMatchObject({ clean: true, requestsMatched: 1 });
});

it('sees an order counted twice across a merge (a record linked to two survivors)', async () => {
  const report = await planted([
    // The unique index on active links is what normally prevents it; the checker does not rely on it.
    `DROP INDEX c360.identity_links_active`,
    `INSERT INTO c360.identity_links (kind, value, customer_id, source, confidence, merge_id, created_by)
     SELECT 'customer_id', '${LINA_DUP}', '${ANA}', 'merge', 1, id, 'planted' FROM c360.merges WHERE survivor_id = '${LINA}' AND undone_at IS NULL`,
  ]);
  expect(violated(report)).toEqual(expect.arrayContaining(['orders counted once', 'events counted once']));
  expect(examplesOf(report, 'orders counted once')).toContainEqual({ order_id: 'o7', record: LINA_DUP, counted: 2, people: [ANA, TOM] });
});

it('sees identity links pointing at an erased and at a missing record', async () => {
  const report = await planted([
    `INSERT INTO c360.identity_links (kind, value, customer_id, source, confidence, created_by)
     VALUES ('anonymous_id', 'anon-planted', '${BULK[0]}', 'api', 1, 'planted'), ('device_id', 'dev-planted', 'c_nobody', 'api', 1, 'planted')`,
  ]);
  expect(violated(report)).toEqual(['links to live records']);
  expect(examplesOf(report, 'links to live records').map((e) => [e.record, e.problem])).toEqual(
    expect.arrayContaining([
      [BULK[0], 'erased'],
      ['c_nobody', 'missing'],
    ]),
  );
});

it('sees a half merge and a half undone one', async () => {
  const report = await planted([
    // A merge recorded without its links or history, and the undone merge's link made active again.
    `INSERT INTO c360.merges (survivor_id, merged_ids, reason, created_by) VALUES ('${ANA}', '{${BULK[5]}}', 'planted', 'planted')`,
    `UPDATE c360.identity_links SET removed_at = NULL WHERE value = '${LINA3}' AND kind = 'customer_id'`,
  ]);
  // The revived link points Lina's third record at Lina, who is merged into Tom: a chain the reads do not follow, so its order is lost.
  expect(violated(report)).toEqual(['orders counted once', 'events counted once', 'merges whole or undone']);
  expect(examplesOf(report, 'orders counted once')).toEqual([{ order_id: 'o8', record: LINA3, counted: 0, people: [] }]);
  const problems = examplesOf(report, 'merges whole or undone').map((e) => e.problem);
  expect(problems).toEqual(
    expect.arrayContaining([
      `merged record ${BULK[5]} has no link of the merge`,
      'no merge in the identity history',
      expect.stringMatching(/^undone, but its link \d+ is active$/),
    ]),
  );
});

it('sees a read of personal data with no audit row', async () => {
  const unaudited = randomUUID();
  const report = await planted([], [readId, unaudited]);
  expect(violated(report)).toEqual(['one audit row set per personal-data read']);
  expect(examplesOf(report, 'one audit row set per personal-data read')).toEqual([{ request_id: unaudited, problem: 'no audit row' }]);
});

it('sees a complete snapshot version missing rows', async () => {
  const report = await planted([`DELETE FROM c360.profile_snapshot WHERE customer_id IN ('${BULK[10]}', '${BULK[11]}')`]);
  expect(violated(report)).toEqual(['snapshots complete or invisible']);
  expect(examplesOf(report, 'snapshots complete or invisible')).toEqual([
    { version: 1, problem: expect.stringMatching(/^complete, \d+ rows of \d+ customers \(1 erased since\)$/) },
  ]);
});
