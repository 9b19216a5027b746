import type { GqlResult } from '../helpers/server';
import { NOW } from '../fixtures/crm';
import { ANA, identityDataset, identityEvents, identitySocialAccounts, LINA, LINA3, LINA_DUP } from '../fixtures/identity';
import { bearer } from '../helpers/tokens';
import { apiSuite } from '../helpers/suite';

/** Identity resolution: links, merges, unmerges and their history. Expected values from fixtures/identity.ts by hand. */

const suite = apiSuite('identity', identityDataset(), { events: identityEvents(), clock: () => NOW, social: identitySocialAccounts() });

const PERSON = `query Person($id: ID!) {
  customer(id: $id) {
    id canonicalId mergedFrom
    profile { fullName city }
    purchaseSummary { completedOrders totalSpent averageOrderValue lastOrderAt }
    orders(first: 20) { edges { node { orderNumber status total } } }
    supportTickets { subject status }
    consents { purpose granted source }
    identities { kind value source recordId }
    behaviour { lastSeenAt eventCounts(days: 365) { type count } }
    social { accounts { platform handle followers } engagement(days: 90) { posts brandMentions likes } }
    rfm { orders365d spend365d }
    lifecycle { stage since lastActivityAt }
  }
}`;

const person = async (id: string) => (await suite.api.gql(PERSON, { id })).body;
const MERGE = `mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m, reason: "same person, checked by phone") { id survivor { id } merged { id } } }`;
const UNMERGE = `mutation($id: ID!, $cascade: Boolean) { unmergeCustomers(mergeId: $id, reason: "not the same person", cascade: $cascade) { id undoneAt } }`;
const merge = async (survivor: string, merged: string[]) => suite.api.gql(MERGE, { s: survivor, m: merged });
const unmerge = async (id: string, cascade = false) => suite.api.gql(UNMERGE, { id, cascade });
const codeOf = (r: { body: { errors?: { extensions?: Record<string, unknown> }[] } }) => r.body.errors?.[0]?.extensions?.code;

/**
 * Starts the requests while this test holds FOR UPDATE locks on the CRM rows of `ids`, waits until
 * `waiting` backends are blocked on a lock, then releases: the requests overlap for certain.
 */
async function whileLocked<T>(ids: string[], waiting: number, start: () => [Promise<T>, Promise<T>]): Promise<[T, T]> {
  const holder = await suite.db.pool.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM customers WHERE id = ANY($1) FOR UPDATE', [ids]);
    const requests = start();
    for (let i = 0; i < 200; i++) {
      const { rows } = await suite.db.pool.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      if (rows[0].n >= waiting) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await holder.query('COMMIT');
    return await Promise.all(requests);
  } finally {
    holder.release();
  }
}

describe('merging duplicate records', () => {
  let before: Record<string, unknown>;
  let firstMerge: string;

  beforeAll(async () => {
    before = Object.fromEntries(await Promise.all([LINA, LINA_DUP, LINA3].map(async (id) => [id, await person(id)])));
  });

  it('answers for the survivor with the union of both records', async () => {
    const r = await merge(LINA, [LINA_DUP]);
    expect(r.body.errors).toBeUndefined();
    firstMerge = r.body.data.mergeCustomers.id;
    expect(r.body.data.mergeCustomers).toMatchObject({ survivor: { id: LINA }, merged: [{ id: LINA_DUP }] });

    const { data } = await person(LINA);
    const c = data.customer;
    expect(c.canonicalId).toBe(LINA);
    expect(c.mergedFrom).toEqual([LINA_DUP]);
    // Lina's completed o1 200.00, o2 2999.00, o6 149.70 and the duplicate's o7 500.00: 3848.70 over 4, avg 962.175 → 962.18.
    expect(c.purchaseSummary).toEqual({
      completedOrders: 4,
      totalSpent: '3848.70',
      averageOrderValue: '962.18',
      lastOrderAt: '2026-06-05T10:00:00.000Z',
    });
    expect(c.orders.edges.map((e: { node: { orderNumber: string } }) => e.node.orderNumber)).toEqual([
      'SO2026000005',
      'SO2026000007',
      'SO2026000001',
      'SO2026000002',
      'SO2026000003',
      'SO2026000004',
      'SO2025000006',
    ]);
    expect(c.supportTickets.map((t: { subject: string }) => t.subject)).toEqual([
      'Second account question',
      'Cream arrived damaged',
      'Refund too slow',
      'Invoice copy',
    ]);
    // The most restrictive answer of the two records: granted only when both granted. Lina refused
    // marketing (her refusal shows); profiling only Lina granted and partner_sharing only the duplicate
    // (the other record has none: not granted, with no date or source).
    expect(c.consents).toEqual([
      { purpose: 'PROFILING', granted: false, source: null },
      { purpose: 'MARKETING', granted: false, source: 'app' },
      { purpose: 'PARTNER_SHARING', granted: false, source: null },
    ]);
    expect(c.identities).toContainEqual({ kind: 'DEVICE_ID', value: 'dev-lina-2', source: 'CRM', recordId: LINA_DUP });
    // Lina's events in 365 days: e1..e6, e9 (7; e7 is after NOW), plus the duplicate's page_view of 2026-06-12.
    const counts = Object.fromEntries(c.behaviour.eventCounts.map((x: { type: string; count: number }) => [x.type, x.count]));
    expect(counts).toEqual({ product_view: 2, add_to_cart: 1, search: 2, page_view: 2, click: 1 });
    // Lina's Weibo and the duplicate's Douyin; 90 days: Lina's l1, l2, l3 (12 + 30 + 5 likes, 2 mention the brand) and d1 (4 likes).
    expect(c.social.accounts).toEqual([
      { platform: 'weibo', handle: 'Lina_88', followers: 1520 },
      { platform: 'douyin', handle: 'lina_shop', followers: 80 },
    ]);
    expect(c.social.engagement).toEqual({ posts: 4, brandMentions: 3, likes: 51 });
    // 365 days: o1, o2, o7 (o6 is older): 3 orders, 3699.00.
    expect(c.rfm).toEqual({ orders365d: 3, spend365d: '3699.00' });
  });

  it('resolves the merged id to the survivor, keeping the id asked for', async () => {
    const { data } = await person(LINA_DUP);
    expect(data.customer.id).toBe(LINA_DUP);
    expect(data.customer.canonicalId).toBe(LINA);
    expect(data.customer.mergedFrom).toEqual([LINA_DUP]);
    expect(data.customer.profile).toEqual({ fullName: '李娜', city: 'Shanghai' });
    expect(data.customer.purchaseSummary.completedOrders).toBe(4);
  });

  it('lists and finds only survivors', async () => {
    const list = await suite.api.gql(`{ customers(first: 100, filter: { city: "shanghai" }) { totalCount edges { node { id } } } }`);
    expect(list.body.data.customers.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([LINA, LINA3]);
    expect(list.body.data.customers.totalCount).toBe(2);
    const found = await suite.api.gql(`{
      phone: customersBy(identifier: { kind: PHONE, value: "+86 138 0013 8000" }) { id }
      device: customerBy(identifier: { kind: DEVICE_ID, value: "dev-lina-2" }) { id canonicalId }
      order: customerBy(identifier: { kind: ORDER_NUMBER, value: "SO2026000007" }) { id }
      search: searchCustomers(query: "li na") { id }
    }`);
    const { search, ...lookups } = found.body.data;
    expect(lookups).toEqual({ phone: [{ id: LINA }], device: { id: LINA, canonicalId: LINA }, order: { id: LINA } });
    // "Li Na" is the duplicate's name: found as its survivor, once; "LI NA" is c_lina3's.
    expect(search.map((c: { id: string }) => c.id).sort()).toEqual([LINA, LINA3]);
  });

  it('refuses merging a merged record, into a merged record, and cycles', async () => {
    expect(codeOf(await merge(LINA3, [LINA_DUP]))).toBe('CONFLICT');
    expect(codeOf(await merge(LINA_DUP, [LINA3]))).toBe('CONFLICT');
    expect(codeOf(await merge(LINA, [LINA]))).toBe('BAD_USER_INPUT');
    expect(codeOf(await merge(LINA, ['c_nobody']))).toBe('BAD_USER_INPUT');
  });

  it('flattens chains: the survivor merged elsewhere takes its merged records along', async () => {
    const second = await merge(LINA3, [LINA]);
    expect(second.body.errors).toBeUndefined();
    for (const id of [LINA, LINA_DUP]) {
      expect((await person(id)).data.customer).toMatchObject({ canonicalId: LINA3, mergedFrom: [LINA, LINA_DUP] });
    }
    // A cycle would need merging into a merged record: refused.
    expect(codeOf(await merge(LINA, [LINA3]))).toBe('CONFLICT');
    const c = (await person(LINA3)).data.customer;
    expect(c.purchaseSummary.completedOrders).toBe(5); // + o8
    // Undoing the first merge alone would leave c_lina2 with c_lina3: refused, naming the merge that depends on it.
    const refused = await unmerge(firstMerge);
    expect(codeOf(refused)).toBe('CONFLICT');
    expect(refused.body.errors![0]!.extensions!.dependentMerges).toEqual([second.body.data.mergeCustomers.id]);
  });

  it('unmerging everything (cascade) restores byte-for-byte the answers of before', async () => {
    const r = await unmerge(firstMerge, true);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.unmergeCustomers).toHaveLength(2);
    for (const id of [LINA, LINA_DUP, LINA3]) expect(JSON.stringify(await person(id))).toBe(JSON.stringify(before[id]));
    expect(codeOf(await unmerge(firstMerge))).toBe('CONFLICT'); // already undone
  });

  it('unmerging only the later merge restores the first one', async () => {
    const m1 = (await merge(LINA, [LINA_DUP])).body.data.mergeCustomers.id;
    const m2 = (await merge(LINA3, [LINA])).body.data.mergeCustomers.id;
    expect((await unmerge(m2)).body.errors).toBeUndefined();
    expect((await person(LINA_DUP)).data.customer.canonicalId).toBe(LINA);
    expect((await person(LINA3)).data.customer.mergedFrom).toEqual([]);
    expect((await unmerge(m1)).body.errors).toBeUndefined();
    expect(JSON.stringify(await person(LINA))).toBe(JSON.stringify(before[LINA]));
  });

  it('serialises concurrent merges of the same records: one wins, the other is refused', async () => {
    // Both requests are made to wait on a row lock held here, so they really run at the same time.
    const [ab, ba] = await whileLocked([LINA], 2, () => [merge(LINA, [LINA_DUP]), merge(LINA_DUP, [LINA])]);
    const won = [ab, ba].filter((r) => !r.body.errors);
    expect(won).toHaveLength(1);
    expect(codeOf([ab, ba].find((r) => r.body.errors)!)).toBe('CONFLICT');
    const survivor = won[0]!.body.data.mergeCustomers.survivor.id;
    for (const id of [LINA, LINA_DUP]) expect((await person(id)).data.customer.canonicalId).toBe(survivor);
    expect((await unmerge(won[0]!.body.data.mergeCustomers.id)).body.errors).toBeUndefined();
  });

  it('records every merge and unmerge in the history, newest first', async () => {
    const r = await suite.api.gql(
      `query($id: ID!) { identityHistory(customerId: $id, first: 50) { edges { node { id action actor reason mergeId customerIds before after } } } }`,
      { id: LINA_DUP },
    );
    const actions = r.body.data.identityHistory.edges.map((e: { node: { action: string } }) => e.node.action);
    // Newest first: the concurrent winner and its undoing; the two merges undone one by one; the chain undone by cascade (later merge first).
    expect(actions).toEqual(['UNMERGE', 'MERGE', 'UNMERGE', 'UNMERGE', 'MERGE', 'MERGE', 'UNMERGE', 'UNMERGE', 'MERGE', 'MERGE']);
    const [chainUndone, chainMade] = [r.body.data.identityHistory.edges[7].node, r.body.data.identityHistory.edges[8].node];
    expect(chainMade).toMatchObject({ actor: 'test-admin', reason: 'same person, checked by phone', customerIds: [LINA, LINA_DUP, LINA3] });
    expect(chainMade.before).toEqual({ merges: [[LINA_DUP, LINA]] });
    expect(chainMade.after).toEqual({
      merges: [
        [LINA, LINA3],
        [LINA_DUP, LINA3],
      ],
    });
    expect(chainUndone).toMatchObject({ reason: 'not the same person', before: chainMade.after, after: chainMade.before });
    // Backward in pages of 4 from the oldest end: the same changes, each page newest first.
    const ids = r.body.data.identityHistory.edges.map((e: { node: { id: string } }) => e.node.id);
    const pages: string[][] = [];
    let before: string | null = null;
    do {
      const page: GqlResult = await suite.api.gql(
        `query($id: ID!, $before: String) { identityHistory(customerId: $id, last: 4, before: $before) { edges { node { id } } pageInfo { hasPreviousPage startCursor } } }`,
        { id: LINA_DUP, before },
      );
      const h = page.body.data.identityHistory;
      pages.unshift(h.edges.map((e: { node: { id: string } }) => e.node.id));
      before = h.pageInfo.hasPreviousPage ? h.pageInfo.startCursor : null;
    } while (before);
    expect(pages.flat()).toEqual(ids);
  });

  it('is for admins only; erasing a merged record is refused until it is unmerged', async () => {
    const analyst = await bearer(['analyst']);
    expect((await suite.api.gql(MERGE, { s: LINA, m: [LINA_DUP] }, analyst)).status).toBe(403);
    const m = (await merge(LINA, [LINA_DUP])).body.data.mergeCustomers.id;
    const erase = await suite.api.gql(`mutation { eraseCustomer(id: "${LINA_DUP}", reason: "asked") { status } }`);
    expect(codeOf(erase)).toBe('CONFLICT');
    expect((await unmerge(m)).body.errors).toBeUndefined();
  });
});

describe('linking identifiers', () => {
  const LINK = `mutation($id: ID!, $kind: IdentifierKind!, $value: String!) {
    linkIdentity(customerId: $id, identifier: { kind: $kind, value: $value }, evidence: "customer confirmed on the phone") { id identities { kind value source } lifecycle { stage since } }
  }`;
  const UNLINK = `mutation($id: ID!, $kind: IdentifierKind!, $value: String!) {
    unlinkIdentity(customerId: $id, identifier: { kind: $kind, value: $value }, reason: "linked by mistake") { id lifecycle { stage } }
  }`;

  it('moves an anonymous browser and its old events to the customer: dormant becomes reactivated', async () => {
    // 287 days since the order of 2025-09-01: DORMANT since the day it aged past 180 days (+181 d).
    expect((await person(ANA)).data.customer.lifecycle).toEqual({
      stage: 'DORMANT',
      since: '2026-03-01T10:00:00.000Z',
      lastActivityAt: '2025-09-01T10:00:00.000Z',
    });
    const r = await suite.api.gql(LINK, { id: ANA, kind: 'ANONYMOUS_ID', value: 'anon-ana' });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.linkIdentity.identities).toContainEqual({ kind: 'ANONYMOUS_ID', value: 'anon-ana', source: 'API' });
    // The browser's product view of 2026-06-01 comes 273 days after the order of 2025-09-01 (≥ 180): REACTIVATED since then.
    expect(r.body.data.linkIdentity.lifecycle).toEqual({ stage: 'REACTIVATED', since: '2026-06-01T09:00:00.000Z' });
    const unlinked = await suite.api.gql(UNLINK, { id: ANA, kind: 'ANONYMOUS_ID', value: 'anon-ana' });
    expect(unlinked.body.data.unlinkIdentity.lifecycle).toEqual({ stage: 'DORMANT' });
  });

  it('finds the customer by every kind of linked identifier, normalised', async () => {
    const links: [string, string, string][] = [
      ['EMAIL', ' Ana.Wu@Work.example ', 'ana.wu@work.example'],
      ['PHONE', '+86 139-0000-1111', '13900001111'],
      ['DEVICE_ID', 'dev-ana-1', 'dev-ana-1'],
      ['ANONYMOUS_ID', 'anon-ana', 'anon-ana'],
      ['SOCIAL', 'Weibo:@ana_wu', 'weibo:ana_wu'],
      ['EXTERNAL_ID', 'EXT-ANA', 'EXT-ANA'],
    ];
    for (const [kind, value] of links) expect((await suite.api.gql(LINK, { id: ANA, kind, value })).body.errors).toBeUndefined();
    for (const [kind, , typed] of links) {
      const r = await suite.api.gql(
        `query($kind: IdentifierKind!, $value: String!) { customerBy(identifier: { kind: $kind, value: $value }) { id } }`,
        { kind, value: typed },
      );
      expect([kind, r.body.data.customerBy]).toEqual([kind, { id: ANA }]);
    }
    // Linked again: nothing changes; the history has one LINK per link made (anon-ana twice: linked, unlinked, linked).
    expect((await suite.api.gql(LINK, { id: ANA, kind: 'DEVICE_ID', value: 'dev-ana-1' })).body.errors).toBeUndefined();
    const h = await suite.api.gql(`{ identityHistory(customerId: "${ANA}") { edges { node { action } } } }`);
    expect(h.body.data.identityHistory.edges.map((e: { node: { action: string } }) => e.node.action)).toEqual([
      ...Array(6).fill('LINK'),
      'UNLINK',
      'LINK',
    ]);
  });

  it('refuses an identifier that belongs to someone else, and linking to a merged record', async () => {
    const taken = await suite.api.gql(LINK, { id: ANA, kind: 'ANONYMOUS_ID', value: 'anon-lina' });
    expect(codeOf(taken)).toBe('CONFLICT');
    expect(taken.body.errors![0]!.extensions!.linkedTo).toEqual([LINA]);
    // Naming the holder is a read of the holder: audited (and counted in an agent's hourly budget).
    const { rows } = await suite.db.pool.query(`SELECT fields FROM c360.audit_log WHERE customer_id = $1 ORDER BY id DESC LIMIT 1`, [LINA]);
    expect(rows[0]?.fields).toEqual(['Mutation.linkIdentity']);
    expect(codeOf(await suite.api.gql(LINK, { id: LINA, kind: 'DEVICE_ID', value: 'dev-ana-1' }))).toBe('CONFLICT');
    const m = (await merge(LINA, [LINA_DUP])).body.data.mergeCustomers.id;
    expect(codeOf(await suite.api.gql(LINK, { id: LINA_DUP, kind: 'DEVICE_ID', value: 'dev-new' }))).toBe('CONFLICT');
    // The duplicate's own identifiers are the survivor's now: linking one to it changes nothing.
    expect((await suite.api.gql(LINK, { id: LINA, kind: 'DEVICE_ID', value: 'dev-lina-2' })).body.errors).toBeUndefined();
    expect((await unmerge(m)).body.errors).toBeUndefined();
    expect(codeOf(await suite.api.gql(LINK, { id: ANA, kind: 'ORDER_NUMBER', value: 'SO2025000009' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await suite.api.gql(UNLINK, { id: ANA, kind: 'EMAIL', value: 'ana@example.com' }))).toBe('BAD_USER_INPUT'); // the CRM's own
  });

  it('runs an unlink and an unmerge of the same person one after the other, never a 500', async () => {
    expect((await suite.api.gql(LINK, { id: LINA_DUP, kind: 'DEVICE_ID', value: 'dev-race' })).body.errors).toBeUndefined();
    const m = (await merge(LINA, [LINA_DUP])).body.data.mergeCustomers.id;
    const [unlinked, unmerged] = await whileLocked([LINA, LINA_DUP], 2, () => [
      suite.api.gql(UNLINK, { id: LINA, kind: 'DEVICE_ID', value: 'dev-race' }),
      unmerge(m),
    ]);
    expect(unmerged.body.errors).toBeUndefined();
    // Whichever ran first, the other saw its result: unlinked through the survivor, or refused once the records were apart.
    expect([undefined, 'BAD_USER_INPUT']).toContain(codeOf(unlinked));
    const left = (await suite.api.gql(`{ customerBy(identifier: { kind: DEVICE_ID, value: "dev-race" }) { id } }`)).body.data.customerBy;
    expect(left).toEqual(unlinked.body.errors ? { id: LINA_DUP } : null);
  });

  it('forgets linked identifiers when the person is erased: links, history values and reasons', async () => {
    const id = 'c_b120';
    const r = await suite.api.gql(LINK, { id, kind: 'EMAIL', value: 'b120.private@mail.example' });
    expect(r.body.errors).toBeUndefined();
    const erased = await suite.api.gql(`mutation { eraseCustomer(id: "${id}", reason: "asked to be forgotten") { status } }`);
    expect(erased.body.data.eraseCustomer.status).toBe('COMPLETE');
    expect(
      (await suite.api.gql(`{ customerBy(identifier: { kind: EMAIL, value: "b120.private@mail.example" }) { id } }`)).body.data.customerBy,
    ).toBeNull();
    const links = await suite.db.pool.query(
      `SELECT value, evidence, removed_at IS NOT NULL AS removed FROM c360.identity_links WHERE customer_id = $1`,
      [id],
    );
    expect(links.rows).toEqual([{ value: expect.stringMatching(/^erased:/), evidence: null, removed: true }]);
    const history = await suite.db.pool.query(`SELECT reason, after FROM c360.identity_history WHERE $1 = ANY(customer_ids)`, [id]);
    expect(history.rows).toHaveLength(1);
    expect(history.rows[0].reason).toBe('[erased]');
    expect(history.rows[0].after.link).toMatchObject({ value: '[erased]', evidence: null, kind: 'email', customerId: id });
    // Outside an erasure the history stays append-only.
    await expect(suite.db.pool.query(`UPDATE c360.identity_history SET reason = 'x' WHERE $1 = ANY(customer_ids)`, [id])).rejects.toThrow(
      /append-only/,
    );
  });

  it('answers each write of a mutation from what the writes before it left', async () => {
    // Two writes in one operation: the second's fields must not reuse what the first loaded.
    const r = await suite.api.gql(`mutation {
      a: linkIdentity(customerId: "${ANA}", identifier: { kind: DEVICE_ID, value: "dev-twice" }, evidence: "x") { identities { value } }
      b: unlinkIdentity(customerId: "${ANA}", identifier: { kind: DEVICE_ID, value: "dev-twice" }, reason: "y") { identities { value } }
    }`);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.a.identities.map((i: { value: string }) => i.value)).toContain('dev-twice');
    expect(r.body.data.b.identities.map((i: { value: string }) => i.value)).not.toContain('dev-twice');
  });

  it('lets agents link, one customer at a time', async () => {
    const agent = await bearer(['agent']);
    const r = await suite.api.gql(LINK, { id: ANA, kind: 'DEVICE_ID', value: 'dev-ana-2' }, agent);
    expect(r.body.errors).toBeUndefined();
    expect((await suite.api.gql(UNLINK, { id: ANA, kind: 'DEVICE_ID', value: 'dev-ana-2' }, agent)).body.errors).toBeUndefined();
  });
});

describe('round trips with merges present', () => {
  it('stay constant in page size', async () => {
    const m = (await merge(LINA, [LINA_DUP])).body.data.mergeCustomers.id;
    const page = (n: number) =>
      suite.api.gql(
        `{ customers(first: ${n}) { edges { node { id canonicalId mergedFrom purchaseSummary { completedOrders } orders(first: 2) { edges { node { id } } } identities { kind } behaviour { lastSeenAt } rfm { score } lifecycle { stage } } } } }`,
      );
    const small = await page(2);
    const large = await page(100);
    expect(small.body.errors).toBeUndefined();
    expect(large.body.data.customers.edges).toHaveLength(100);
    expect(large.roundTrips).toEqual(small.roundTrips);
    expect((await unmerge(m)).body.errors).toBeUndefined();
  });
});

describe('Query.duplicateCandidates', () => {
  const DUPLICATES = `query($min: Float) { duplicateCandidates(first: 5, minScore: $min) {
    edges { node { a { id } b { id } score evidence { kind similarity } } } pageInfo { hasNextPage }
  } }`;

  it('finds the records sharing a phone typed differently, and forgets them once merged', async () => {
    const r = await suite.api.gql(DUPLICATES, {}, await bearer(['analyst']));
    expect(r.body.errors).toBeUndefined();
    // '138 0013 8000' and '+86-138-0013-8000' are one E.164 number; the names 李娜 / Li Na share no trigram.
    expect(r.body.data.duplicateCandidates).toEqual({
      edges: [{ node: { a: { id: LINA }, b: { id: LINA_DUP }, score: 1, evidence: [{ kind: 'PHONE', similarity: null }] } }],
      pageInfo: { hasNextPage: false },
    });
    expect(r.roundTrips.crm).toBe(1); // one statement; a and b are asked only their ids
    const m = (await merge(LINA, [LINA_DUP])).body.data.mergeCustomers.id;
    expect((await suite.api.gql(DUPLICATES)).body.data.duplicateCandidates.edges).toEqual([]);
    expect((await unmerge(m)).body.errors).toBeUndefined();
  });

  it('checks its arguments and who asks', async () => {
    expect(codeOf(await suite.api.gql(DUPLICATES, { min: 0 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await suite.api.gql(DUPLICATES, { min: 1.5 }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await suite.api.gql(`{ duplicateCandidates(after: "nonsense") { edges { cursor } } }`))).toBe('BAD_USER_INPUT');
    expect((await suite.api.gql(DUPLICATES, {}, await bearer(['agent']))).status).toBe(403);
  });
});
