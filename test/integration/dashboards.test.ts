import http from 'node:http';
import type { Deps } from '../../src/context';
import type { RunningSocialProvider } from '@c360/social-provider';
import { buildSnapshot } from '../../src/snapshot/build';
import { I, insightsDataset, insightsEvents, insightsSocialAccounts, NOW } from '../fixtures/insights';
import { createCrmDatabase } from '../helpers/database';
import { startTestServer, testDeps, withSocialProvider, type GqlResult, type TestServer } from '../helpers/server';
import { bearer } from '../helpers/tokens';

/**
 * Dashboards and segments over the profile snapshot, on the insights fixture (customers around every
 * derivation boundary). Expected counts are tallied here from the API's own lazy, per-customer
 * fields (a different path: the resolvers, not the snapshot's SQL) and from the fixture's rows.
 */
const LATER = new Date(NOW.getTime() + 40 * 86_400_000);

let db: Awaited<ReturnType<typeof createCrmDatabase>>;
let provider: RunningSocialProvider;
let api: TestServer;
let later: TestServer;
let deps: Deps;

beforeAll(async () => {
  db = await createCrmDatabase('dashboards', insightsDataset(), insightsEvents());
  const source = await withSocialProvider(db, insightsSocialAccounts(), { RATE_LIMIT_PER_MINUTE: '100000' });
  provider = source.provider;
  const { config, social } = source;
  deps = await testDeps(db, { config, social });
  api = await startTestServer(db, () => NOW, { config, social });
  later = await startTestServer(db, () => LATER, { config, social });
});
afterAll(async () => {
  await api?.close();
  await later?.close();
  await provider?.close();
  await db?.drop();
});

interface Lazy {
  id: string;
  city: string | null;
  stage: string;
  tier: string;
  recency: number;
  frequency: number;
  spend: string;
  tags: string[];
}

/** Every customer's derived fields as the API computes them one by one (the reference the snapshot must match). */
async function lazyProfiles(server: TestServer): Promise<Lazy[]> {
  const out: Lazy[] = [];
  let after: string | null = null;
  for (;;) {
    const r: GqlResult = await server.gql(
      `query($after: String) { customers(first: 10, after: $after) {
      edges { node { id profile { city } lifecycle { stage } valueTier rfm { recency frequency spend365d } tags { key } } }
      pageInfo { hasNextPage endCursor } } }`,
      { after },
    );
    // Tags are withheld (CONSENT_REQUIRED) for those who did not grant profiling: no tags for them.
    expect((r.body.errors ?? []).every((e) => e.extensions?.code === 'CONSENT_REQUIRED')).toBe(true);
    for (const { node: n } of r.body.data.customers.edges) {
      out.push({
        id: n.id,
        city: n.profile.city,
        stage: n.lifecycle.stage,
        tier: n.valueTier,
        recency: n.rfm.recency,
        frequency: n.rfm.frequency,
        spend: n.rfm.spend365d,
        tags: (n.tags ?? []).map((t: { key: string }) => t.key),
      });
    }
    if (!r.body.data.customers.pageInfo.hasNextPage) return out;
    after = r.body.data.customers.pageInfo.endCursor;
  }
}

const tally = (keys: (string | null)[]) => {
  const m = new Map<string | null, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
};
const asMap = (rows: { count: number }[], key: string) =>
  new Map(rows.map((r) => [(r as unknown as Record<string, string>)[key]!, r.count]));
const codeOf = (r: { body: { errors?: { extensions?: Record<string, unknown> }[] } }) => r.body.errors?.[0]?.extensions?.code;

const STATS = `query($filter: SegmentFilter) { customerStats(filter: $filter) {
  snapshot { version asOf ageSeconds kind customers } previousSnapshot { version }
  total byStage { stage count } byTier { tier count } byCity { key count } byTag(first: 100) { key count }
  rfmGrid { recency frequency count monetary } byPreferredChannel { key count }
} }`;

describe('before any snapshot', () => {
  it('says there is none and how to build one', async () => {
    const r = await api.gql(STATS);
    expect(r.body.errors![0]!.extensions).toMatchObject({ code: 'SOURCE_UNAVAILABLE', source: 'snapshot', reason: 'not_built' });
  });
});

describe('customerStats over a full snapshot', () => {
  let lazy: Lazy[];
  beforeAll(async () => {
    const built = await buildSnapshot(deps, { now: NOW, batchSize: 7 });
    expect(built).toMatchObject({ kind: 'full', resumed: false, copied: 0 });
    lazy = await lazyProfiles(api);
  });

  it('counts what the per-customer fields say, with the snapshot and its age', async () => {
    const r = await api.gql(STATS);
    expect(r.body.errors).toBeUndefined();
    const s = r.body.data.customerStats;
    expect(s.snapshot).toEqual({ version: 1, asOf: NOW.toISOString(), ageSeconds: 0, kind: 'FULL', customers: lazy.length });
    expect(s.previousSnapshot).toBeNull();
    expect(s.total).toBe(insightsDataset().customers.length);
    expect(asMap(s.byStage, 'stage')).toEqual(tally(lazy.map((c) => c.stage)));
    expect(asMap(s.byTier, 'tier')).toEqual(tally(lazy.map((c) => c.tier)));
    expect(asMap(s.byCity, 'key')).toEqual(tally(lazy.map((c) => c.city)));
    expect(asMap(s.byTag, 'key')).toEqual(tally(lazy.flatMap((c) => c.tags)));
    const grid = new Map<string, { count: number; monetary: number }>();
    for (const c of lazy) {
      const cell = grid.get(`${c.recency}${c.frequency}`) ?? { count: 0, monetary: 0 };
      grid.set(`${c.recency}${c.frequency}`, { count: cell.count + 1, monetary: cell.monetary + Number(c.spend) });
    }
    expect(
      new Map(
        s.rfmGrid.map((g: { recency: number; frequency: number; count: number; monetary: string }) => [
          `${g.recency}${g.frequency}`,
          { count: g.count, monetary: Number(g.monetary) },
        ]),
      ),
    ).toEqual(grid);
    // Seconds since the snapshot, on a clock 40 days on.
    expect((await later.gql(STATS)).body.data.customerStats.snapshot.ageSeconds).toBe(40 * 86_400);
  });

  it('answers everyone from the counts written with the version, equal to the same statistics over its rows', async () => {
    const everyone = (await api.gql(STATS)).body.data.customerStats;
    const ALL_STAGES = ['PROSPECT', 'NEW', 'ACTIVE', 'AT_RISK', 'DORMANT', 'CHURNED', 'REACTIVATED'];
    const scanned = (await api.gql(STATS, { filter: { stages: ALL_STAGES } })).body.data.customerStats;
    const sortBy = (rows: { count: number }[]) => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    for (const field of ['byStage', 'byTier', 'byCity', 'byTag', 'rfmGrid', 'byPreferredChannel'])
      expect([field, sortBy(everyone[field])]).toEqual([field, sortBy(scanned[field])]);
    expect(everyone.total).toBe(scanned.total);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM c360.snapshot_counts WHERE version = 1`)).rows[0].n).toBeGreaterThan(0);
  });

  it('filters: every condition must hold', async () => {
    const filter = { stages: ['ACTIVE', 'NEW'], tiers: ['HIGH_VALUE', 'REGULAR'], recency: { min: 4 } };
    const r = await api.gql(`query($f: SegmentFilter) { customerStats(filter: $f) { total } }`, { f: filter });
    const expected = lazy.filter((c) => filter.stages.includes(c.stage) && filter.tiers.includes(c.tier) && c.recency >= 4).length;
    expect(expected).toBeGreaterThan(0);
    expect(r.body.data.customerStats.total).toBe(expected);
  });

  it('saves segments whose members equal their count, also as a customers filter', async () => {
    const created = await api.gql(
      `mutation($input: SegmentInput!) { createSegment(input: $input) { id version name count exportPath } }`,
      { input: { name: 'Win-back', description: 'dormant or at risk', filter: { stages: ['DORMANT', 'AT_RISK', 'CHURNED'] } } },
      await bearer(['analyst']),
    );
    expect(created.body.errors).toBeUndefined();
    const segment = created.body.data.createSegment;
    const expected = lazy
      .filter((c) => ['DORMANT', 'AT_RISK', 'CHURNED'].includes(c.stage))
      .map((c) => c.id)
      .sort();
    expect(segment).toMatchObject({
      version: 1,
      name: 'Win-back',
      count: expected.length,
      exportPath: `/exports/segments/${segment.id}.csv`,
    });
    const ids: string[] = [];
    let after: string | null = null;
    do {
      const page: GqlResult = await api.gql(
        `query($id: ID!, $after: String) { segment(id: $id) { members(first: 4, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } } }`,
        { id: segment.id, after },
      );
      const m = page.body.data.segment.members;
      expect(m.totalCount).toBe(expected.length);
      ids.push(...m.edges.map((e: { node: { id: string } }) => e.node.id));
      after = m.pageInfo.hasNextPage ? m.pageInfo.endCursor : null;
    } while (after);
    expect(ids).toEqual(expected);
    // Backward from the end, in pages of 3: the same members, each page in id order.
    const back: string[][] = [];
    let before: string | null = null;
    do {
      const page: GqlResult = await api.gql(
        `query($id: ID!, $before: String) { segment(id: $id) { members(last: 3, before: $before) { edges { node { id } } pageInfo { hasPreviousPage startCursor } } } }`,
        { id: segment.id, before },
      );
      const m = page.body.data.segment.members;
      back.unshift(m.edges.map((e: { node: { id: string } }) => e.node.id));
      before = m.pageInfo.hasPreviousPage ? m.pageInfo.startCursor : null;
    } while (before);
    expect(back.flat()).toEqual(expected);
    const listed = await api.gql(
      `query($s: ID!) { customers(first: 100, filter: { segment: $s }) { totalCount edges { node { id } } snapshot { version } } }`,
      { s: segment.id },
    );
    expect(listed.body.data.customers.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(expected);
    expect(listed.body.data.customers.snapshot).toEqual({ version: 1 });
    const updated = await api.gql(
      `mutation($id: ID!) { updateSegment(id: $id, input: { name: "Win-back", filter: { stages: [DORMANT] } }) { version count } }`,
      { id: segment.id },
    );
    expect(updated.body.data.updateSegment).toEqual({ version: 2, count: lazy.filter((c) => c.stage === 'DORMANT').length });
    const byStage = await api.gql(
      `{ customers(first: 100, filter: { stage: ACTIVE, tier: HIGH_VALUE }) { totalCount snapshot { version } } }`,
    );
    expect(byStage.body.data.customers.totalCount).toBe(lazy.filter((c) => c.stage === 'ACTIVE' && c.tier === 'HIGH_VALUE').length);
  });

  it('rejects bad filters and inputs with BAD_USER_INPUT', async () => {
    for (const f of [
      { recency: { min: 0 } },
      { frequency: { min: 4, max: 2 } },
      { cities: [''] },
      { lastActivityAfter: NOW.toISOString(), lastActivityBefore: NOW.toISOString() },
    ]) {
      expect([f, codeOf(await api.gql(`query($f: SegmentFilter) { customerStats(filter: $f) { total } }`, { f }))]).toEqual([
        f,
        'BAD_USER_INPUT',
      ]);
    }
    expect(codeOf(await api.gql(`mutation { createSegment(input: { name: " ", filter: {} }) { id } }`))).toBe('BAD_USER_INPUT');
    expect(codeOf(await api.gql(`{ customers(filter: { segment: "seg_000000000000" }) { totalCount } }`))).toBe('BAD_USER_INPUT');
    expect((await api.gql(`{ customerStats { total } }`, {}, await bearer(['agent']))).status).toBe(403);
  });
});

describe('who may update a segment', () => {
  const SEGMENT = `query($id: ID!) { segment(id: $id) { version name filter createdBy } }`;
  const UPDATE = `mutation($id: ID!, $input: SegmentInput!) { updateSegment(id: $id, input: $input) { version name createdBy } }`;
  const create = async (name: string, headers?: Record<string, string>) =>
    (
      await api.gql(
        `mutation($name: String!) { createSegment(input: { name: $name, filter: { stages: [ACTIVE] } }) { id } }`,
        { name },
        headers,
      )
    ).body.data.createSegment.id as string;
  const rename = (id: string, name: string, headers?: Record<string, string>) =>
    api.gql(UPDATE, { id, input: { name, filter: {} } }, headers);

  it("refuses an analyst's update of an admin's segment (it feeds CSV exports): FORBIDDEN, nothing saved", async () => {
    const id = await create('Export: active');
    const before = (await api.gql(SEGMENT, { id })).body.data.segment;
    const res = await rename(id, 'Export: everyone', await bearer(['analyst'], { sub: 'analyst-mallory' }));
    expect(res.body).toEqual({
      data: { updateSegment: null },
      errors: [
        expect.objectContaining({
          message: `Only the segment's owner (test-admin) or an admin may update segment "${id}".`,
          extensions: { code: 'FORBIDDEN' },
        }),
      ],
    });
    expect((await api.gql(SEGMENT, { id })).body.data.segment).toEqual(before);
  });

  it('lets the owner and admins update it, and keeps its owner through their updates', async () => {
    const owner = await bearer(['analyst'], { sub: 'analyst-olga' });
    const id = await create('Olga: active', owner);
    expect((await rename(id, 'Olga: everyone', owner)).body.data.updateSegment).toEqual({
      version: 2,
      name: 'Olga: everyone',
      createdBy: 'analyst-olga',
    });
    expect((await rename(id, 'Olga: reviewed', await bearer(['admin'], { sub: 'admin-ada' }))).body.data.updateSegment).toEqual({
      version: 3,
      name: 'Olga: reviewed',
      createdBy: 'admin-ada',
    });
    expect(codeOf(await rename(id, 'Not yours', await bearer(['analyst'], { sub: 'analyst-mallory' })))).toBe('FORBIDDEN');
    expect((await rename(id, 'Olga: again', owner)).body.data.updateSegment.version).toBe(4);
    expect((await api.gql(`query($id: ID!) { segment(id: $id) { owner createdBy } }`, { id })).body.data.segment).toEqual({
      owner: 'analyst-olga',
      createdBy: 'analyst-olga',
    });
  });
});

describe('building snapshots', () => {
  it('shows stage transitions between the two latest snapshots', async () => {
    const built = await buildSnapshot(deps, { now: LATER });
    expect(built!.version).toBe(2);
    const r = await later.gql(`{ customerStats { transitions { from to count } previousSnapshot { version } snapshot { version } } }`);
    const s = r.body.data.customerStats;
    expect([s.previousSnapshot.version, s.snapshot.version]).toEqual([1, 2]);
    // Each customer's stage then and now, as the lifecycle field says (asOf = the first snapshot's instant).
    const moves: string[] = [];
    let after: string | null = null;
    do {
      const page: GqlResult = await later.gql(
        `query($after: String, $then: DateTime) { customers(first: 20, after: $after) {
        edges { node { then: lifecycle(asOf: $then) { stage } now: lifecycle { stage } } } pageInfo { hasNextPage endCursor } } }`,
        { after, then: NOW.toISOString() },
      );
      moves.push(
        ...page.body.data.customers.edges.map(
          (e: { node: { then: { stage: string }; now: { stage: string } } }) => `${e.node.then.stage}>${e.node.now.stage}`,
        ),
      );
      after = page.body.data.customers.pageInfo.hasNextPage ? page.body.data.customers.pageInfo.endCursor : null;
    } while (after);
    expect(new Map(s.transitions.map((t: { from: string; to: string; count: number }) => [`${t.from}>${t.to}`, t.count]))).toEqual(
      tally(moves),
    );
    // The same from the version's rows (a filter that keeps everyone goes the scanning way).
    const scanned = await later.gql(`query($f: SegmentFilter) { customerStats(filter: $f) { transitions { from to count } } }`, {
      f: { stages: ['PROSPECT', 'NEW', 'ACTIVE', 'AT_RISK', 'DORMANT', 'CHURNED', 'REACTIVATED'] },
    });
    expect(
      new Map(
        scanned.body.data.customerStats.transitions.map((t: { from: string; to: string; count: number }) => [`${t.from}>${t.to}`, t.count]),
      ),
    ).toEqual(tally(moves));
    expect(moves.some((m) => m.split('>')[0] !== m.split('>')[1])).toBe(true);
  });

  it('switches atomically: a reader during a rebuild sees the previous snapshot whole', async () => {
    const seen: unknown[] = [];
    await buildSnapshot(deps, {
      now: LATER,
      batchSize: 5,
      onProgress: async () => {
        if (seen.length === 0)
          seen.push((await later.gql(`{ customerStats { total snapshot { version customers } } }`)).body.data.customerStats);
      },
    });
    const total = insightsDataset().customers.length;
    expect(seen[0]).toEqual({ total, snapshot: { version: 2, customers: total } });
    expect((await later.gql(`{ customerStats { total snapshot { version } } }`)).body.data.customerStats).toEqual({
      total,
      snapshot: { version: 3 },
    });
  });

  it('resumes a killed build from its cursor, to the same rows as a clean build', async () => {
    let batches = 0;
    await expect(
      buildSnapshot(deps, {
        now: LATER,
        batchSize: 5,
        onProgress: () => {
          batches += 1;
          if (batches === 2) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const {
      rows: [unfinished],
    } = await db.pool.query(`SELECT version, status, customers, cursor FROM c360.snapshots WHERE status = 'building'`);
    expect(unfinished).toMatchObject({ version: 4, customers: 10 });
    expect((await later.gql(`{ customerStats { snapshot { version } } }`)).body.data.customerStats.snapshot.version).toBe(3);
    const resumed = await buildSnapshot(deps, { now: LATER, batchSize: 5 });
    const total = insightsDataset().customers.length;
    expect(resumed).toMatchObject({ version: 4, resumed: true, computed: total - 10 });
    const rows = async (v: number) =>
      (await db.pool.query(`SELECT to_jsonb(p) - 'version' AS r FROM c360.profile_snapshot p WHERE version = $1 ORDER BY customer_id`, [v]))
        .rows;
    expect(await rows(4)).toEqual(await rows(3));
  });

  it('refreshes incrementally: a new order is picked up, the unchanged rows are copied', async () => {
    await db.pool.query(
      `INSERT INTO orders (id, order_number, customer_id, status, channel, placed_at, total) VALUES ('io_new', 'SO-NEW-1', $1, 'completed', 'web', $2, 100.00)`,
      [I.P_OLD, new Date(LATER.getTime() + 30 * 60_000)],
    );
    const AFTER = new Date(LATER.getTime() + 3_600_000);
    const built = await buildSnapshot(deps, { now: AFTER, incremental: true });
    const total = insightsDataset().customers.length;
    expect(built).toMatchObject({ kind: 'incremental', version: 5 });
    expect(built!.computed + built!.copied).toBe(total);
    expect(built!.computed).toBeLessThan(total / 2);
    const { rows } = await db.pool.query(
      `SELECT lifecycle_stage, as_of FROM c360.profile_snapshot WHERE version = 5 AND customer_id = $1`,
      [I.P_OLD],
    );
    expect(rows[0]).toEqual({ lifecycle_stage: 'NEW', as_of: AFTER });
    // The three latest versions are kept.
    expect((await db.pool.query(`SELECT array_agg(DISTINCT version ORDER BY version) AS v FROM c360.profile_snapshot`)).rows[0].v).toEqual([
      3, 4, 5,
    ]);
  });

  it('builds in full instead when the last full build is a day old, or a tag definition changed', async () => {
    const dayOn = await buildSnapshot(deps, { now: new Date(LATER.getTime() + 25 * 3_600_000), incremental: true });
    expect(dayOn).toMatchObject({ kind: 'full', version: 6 });
    const changed = await api.gql(
      `mutation { upsertTagDefinition(input: { key: "dash_test", label: "Dash test", family: VALUE, description: "a test rule", expression: "facts.orders.spend365d >= 1000000.0" }) { key } }`,
    );
    expect(changed.body.errors).toBeUndefined();
    await deps.tags.refresh();
    const afterChange = await buildSnapshot(deps, { now: new Date(LATER.getTime() + 26 * 3_600_000), incremental: true });
    expect(afterChange).toMatchObject({ kind: 'full', version: 7 });
    expect(await buildSnapshot(deps, { now: new Date(LATER.getTime() + 27 * 3_600_000), incremental: true })).toMatchObject({
      kind: 'incremental',
      version: 8,
    });
  });
});

describe('GET /exports/segments/:id.csv', () => {
  let id: string;
  let origin: string;
  beforeAll(async () => {
    id = (await api.gql(`mutation { createSegment(input: { name: "Everyone", filter: {} }) { id } }`)).body.data.createSegment.id;
    origin = new URL(api.url).origin;
    await db.pool.query(
      `UPDATE customers SET email = ' Champ@Example.COM ', phone = '138 0013 8000', full_name = '=HYPERLINK("x")' WHERE id = $1`,
      [I.CHAMPION],
    );
  });
  /** The body and the trailers (fetch does not expose trailers). */
  const get = (headers: Record<string, string>) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; trailers: NodeJS.Dict<string> }>((resolve, reject) => {
      http
        .get(`${origin}/exports/segments/${id}.csv`, { headers }, (res) => {
          let body = '';
          res
            .setEncoding('utf8')
            .on('data', (c: string) => (body += c))
            .on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, trailers: res.trailers }));
        })
        .on('error', reject);
    });
  const rowsOf = (body: string) =>
    body
      .trimEnd()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(','));
  const marketing = () =>
    new Set(
      insightsDataset()
        .consents.filter((c) => c.purpose === 'marketing' && c.granted)
        .map((c) => c.customer_id),
    );

  it('streams the members who granted marketing consent, masked for analysts, with the row count in a trailer', async () => {
    const res = await get(await bearer(['analyst'], { sub: 'csv-analyst' }));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.body.split('\r\n')[0]).toBe('customer_id,full_name,email,phone,city,lifecycle_stage,value_tier,rfm_score,churn_level,tags');
    const rows = rowsOf(res.body);
    expect(rows.map((r) => r[0])).toEqual([...marketing()].sort());
    expect(res.trailers['x-row-count']).toBe(String(rows.length));
    expect(rows.map((r) => r[0])).not.toContain(I.NO_CONSENT);
    const champ = rows.find((r) => r[0] === I.CHAMPION)!;
    expect([champ[2], champ[3]]).toEqual(['c***@example.com', '+86 138****8000']);
    const audited = await db.pool.query(
      `SELECT count(DISTINCT customer_id)::int AS n FROM c360.audit_log WHERE subject = 'csv-analyst' AND operation = $1`,
      [`export:${id}`],
    );
    expect(audited.rows[0].n).toBe(rows.length);
  });

  it('gives admins the contacts cleaned, neutralises formulas, and reads consent live', async () => {
    await db.pool.query(`UPDATE consents SET granted = false, updated_at = now() WHERE customer_id = $1 AND purpose = 'marketing'`, [
      I.WINDOW,
    ]);
    const res = await get(await bearer(['admin']));
    const rows = rowsOf(res.body);
    const champ = rows.find((r) => r[0] === I.CHAMPION)!;
    expect(champ.slice(1, 4)).toEqual(['"\'=HYPERLINK(""x"")"', 'champ@example.com', '+8613800138000']);
    // Withdrawn after the snapshot was built: not exported.
    expect(rows.map((r) => r[0])).toEqual([...marketing()].filter((c) => c !== I.WINDOW).sort());
  });

  it('gives the marketer role (campaign tools) the contacts unmasked, audited per row as unmasked reads, and nothing else', async () => {
    const marketer = await bearer(['marketer'], { sub: 'csv-marketer' });
    const res = await get(marketer);
    expect(res.status).toBe(200);
    const rows = rowsOf(res.body);
    expect(rows.find((r) => r[0] === I.CHAMPION)!.slice(2, 4)).toEqual(['champ@example.com', '+8613800138000']);
    const audited = await db.pool.query(
      `SELECT count(DISTINCT customer_id)::int AS n, bool_and(NOT masked) AS unmasked FROM c360.audit_log WHERE subject = 'csv-marketer'`,
    );
    expect(audited.rows[0]).toEqual({ n: rows.length, unmasked: true });
    // Nothing else: every GraphQL root field is refused before anything runs.
    for (const query of [
      '{ customers(first: 1) { edges { node { id } } } }',
      '{ segments { id name } }',
      `{ customer(id: "${I.CHAMPION}") { id } }`,
    ]) {
      const answer = await api.gql(query, {}, marketer);
      expect([query, answer.status, answer.body.errors?.[0]?.extensions?.code]).toEqual([query, 403, 'FORBIDDEN']);
    }
  });

  it('is refused without credentials, to other roles, and for an unknown segment', async () => {
    expect((await fetch(`${origin}/exports/segments/${id}.csv`)).status).toBe(401);
    expect((await get(await bearer(['agent']))).status).toBe(403);
    expect((await fetch(`${origin}/exports/segments/seg_000000000000.csv`, { headers: await bearer(['admin']) })).status).toBe(404);
  });
});

describe('segment names and filters', () => {
  const CREATE = `mutation($input: SegmentInput!) { createSegment(input: $input) { id name filter } }`;
  const UPDATE = `mutation($id: ID!, $input: SegmentInput!) { updateSegment(id: $id, input: $input) { id version name filter } }`;

  it('keeps names unique, case-insensitively: a clash is a CONFLICT naming the segment that has the name', async () => {
    const first = (await api.gql(CREATE, { input: { name: 'VIP Shanghai', filter: { cities: ['Shanghai'] } } })).body.data.createSegment;
    const again = await api.gql(CREATE, { input: { name: '  vip shanghai ', filter: {} } });
    expect(again.body.data).toBeNull();
    expect(again.body.errors![0]).toMatchObject({
      message: `The segment "VIP Shanghai" (${first.id}) already has this name (names are unique, case-insensitively): choose another.`,
      extensions: { code: 'CONFLICT', segmentId: first.id },
    });
    const other = (await api.gql(CREATE, { input: { name: 'VIP Beijing', filter: {} } })).body.data.createSegment;
    const renamed = await api.gql(UPDATE, { id: other.id, input: { name: 'Vip SHANGHAI', filter: {} } });
    expect(renamed.body.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', segmentId: first.id });
    // A segment may change the case of its own name, and a name let go of is free again.
    expect((await api.gql(UPDATE, { id: first.id, input: { name: 'VIP SHANGHAI', filter: {} } })).body.data.updateSegment.version).toBe(2);
    expect((await api.gql(UPDATE, { id: first.id, input: { name: 'VIP Shanghai (old)', filter: {} } })).body.errors).toBeUndefined();
    expect((await api.gql(UPDATE, { id: other.id, input: { name: 'vip shanghai', filter: {} } })).body.data.updateSegment.name).toBe(
      'vip shanghai',
    );
  });

  it('lets one of two concurrent creations of a name win', async () => {
    const results = await Promise.all([1, 2, 3].map(() => api.gql(CREATE, { input: { name: 'Race', filter: {} } })));
    expect(results.filter((r) => r.body.data?.createSegment)).toHaveLength(1);
    expect(results.filter((r) => r.body.errors?.[0]?.extensions?.code === 'CONFLICT')).toHaveLength(2);
  });

  it('echoes the filter in its input form, which can be sent back unchanged', async () => {
    const filter = {
      stages: ['DORMANT', 'AT_RISK'],
      tiers: ['HIGH_VALUE'],
      tagsAll: ['tier1_city'],
      churnLevels: ['HIGH', 'MEDIUM'],
      cities: ['Shanghai'],
      recency: { min: 1, max: 3 },
      lastActivityBefore: '2026-05-01T00:00:00.000Z',
      consents: ['MARKETING', 'PARTNER_SHARING'],
    };
    const created = (await api.gql(CREATE, { input: { name: 'Echo', filter } })).body.data.createSegment;
    expect(created.filter).toEqual(filter);
    const read = await api.gql(`query($id: ID!) { segment(id: $id) { filter } }`, { id: created.id });
    expect(read.body.data.segment.filter).toEqual(filter);
    const resent = await api.gql(UPDATE, { id: created.id, input: { name: 'Echo', filter: read.body.data.segment.filter } });
    expect(resent.body.errors).toBeUndefined();
    expect(resent.body.data.updateSegment).toMatchObject({ version: 2, filter });
  });
});
