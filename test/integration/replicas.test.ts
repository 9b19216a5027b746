import { execFile } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { RunningSocialProvider } from '@c360/social-provider';
import pino from 'pino';
import type { Config } from '../../src/config';
import type { Deps } from '../../src/context';
import { openRedis, type SharedRedis } from '../../src/redis';
import { buildSnapshot } from '../../src/snapshot/build';
import { scheduleSnapshots } from '../../src/snapshot/schedule';
import { sha256 } from '../../src/sha256';
import { createCrmPool, endCrmPool } from '../../src/sources/crm/pool';
import type { SocialClient } from '../../src/sources/social/client';
import { BULK, fixtureDataset, TOM } from '../fixtures/crm';
import { createCrmDatabase, type TestStores } from '../helpers/database';
import { describeWithRedis, startRedis, type RunningRedis } from '../helpers/redis';
import { SOCIAL_TOKEN, startTestServer, testDeps, withSocialProvider, type TestServer } from '../helpers/server';
import { bearer } from '../helpers/tokens';

/**
 * Two API servers (replicas A and B: each its own pools and Redis client, as two processes have) on
 * one database and one redis-server of the test's own: what the service holds once, whichever
 * replica a request reaches. Requests alternate between the replicas.
 */
const ROOT = path.resolve(__dirname, '../..');
const LIMIT = 5;
const BUDGET = 3;

describeWithRedis('replicas.test')('two replicas on one database and one Redis', () => {
  let db: TestStores;
  let redis: RunningRedis;
  let provider: RunningSocialProvider;
  let social: SocialClient;
  let config: Config;
  const shared: SharedRedis[] = [];
  const replicas: TestServer[] = [];
  const on = (i: number) => replicas[i % 2]!;

  beforeAll(async () => {
    db = await createCrmDatabase('replicas', fixtureDataset());
    redis = await startRedis();
    const source = await withSocialProvider(db, [], {
      REDIS_URL: redis.url,
      REDIS_TIMEOUT_MS: '200',
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
      AGENT_CUSTOMERS_PER_HOUR: String(BUDGET),
    });
    ({ provider, social, config } = source);
    for (let i = 0; i < 2; i++) {
      const store = openRedis(config, pino({ level: 'silent' }))!;
      shared.push(store);
      if (!store.client.isReady) await new Promise((resolve) => store.client.once('ready', resolve));
      replicas.push(await startTestServer(db, undefined, { config, social, redis: store, crmPool: createCrmPool(config, db.url) }));
    }
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    await Promise.all(shared.map((s) => s.disconnect()));
    await redis?.stop();
    await provider?.close();
    await db?.drop();
  });

  const fallbacks = async (use: string) => {
    const text = await (await fetch(replicas[0]!.url.replace(/\/graphql$/, '/metrics'))).text();
    return Number(new RegExp(`^c360_shared_store_fallbacks_total\\{use="${use}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  };

  it(`admits ${LIMIT} requests a minute of one caller across both replicas, not ${2 * LIMIT}`, async () => {
    const agent = await bearer(['agent'], { sub: 'rate-agent' });
    const statuses: number[] = [];
    for (let i = 0; i < 2 * LIMIT; i++) statuses.push((await on(i).gql('{ __typename }', {}, agent)).status);
    expect(statuses).toEqual([...Array(LIMIT).fill(200), ...Array(LIMIT).fill(429)]);
  });

  it(`holds an agent to ${BUDGET} distinct customers an hour across both replicas; a customer read on one answers on the other`, async () => {
    const agent = await bearer(['agent'], { sub: 'budget-agent' });
    const read = (i: number, id: string) => on(i).gql('query($id: ID!) { customer(id: $id) { id } }', { id }, agent);
    for (let i = 0; i < BUDGET; i++) expect((await read(i, BULK[i]!)).body.data.customer.id).toBe(BULK[i]);
    const over = await read(BUDGET, BULK[BUDGET]!);
    expect([over.status, over.body.errors?.[0]?.extensions?.code]).toEqual([429, 'BUDGET_EXHAUSTED']);
    // BULK[1] was read on B: A answers it as a customer read this hour.
    expect((await read(0, BULK[1]!)).body.data.customer.id).toBe(BULK[1]);
  });

  it('serves on replica B a persisted query registered on replica A', async () => {
    const admin = await bearer(['admin'], { sub: 'apq-admin' });
    const query = `query ReplicaProbe { customer(id: "${TOM}") { id } }`;
    const persisted = { persistedQuery: { version: 1, sha256Hash: sha256(query).toString('hex') } };
    const byHash = async (i: number) => (await on(i).post(JSON.stringify({ extensions: persisted }), admin)).json() as Promise<any>;
    expect((await byHash(1)).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(((await (await on(0).post(JSON.stringify({ query, extensions: persisted }), admin)).json()) as any).data.customer.id).toBe(TOM);
    expect((await byHash(1)).data.customer.id).toBe(TOM);
  });

  it('builds one snapshot at a time: while replica A builds, B, its scheduler and `npm run snapshot` each build nothing', async () => {
    const logs: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _, done) => (logs.push(chunk.toString()), done()) });
    const depsOf = async (pool: Deps['crmPool'], logger = pino({ level: 'silent' })) =>
      testDeps(db, { config, social, crmPool: pool, logger });
    const poolB = createCrmPool(config, db.url);
    const a = await depsOf(db.pool);
    const b = await depsOf(poolB, pino({ level: 'info' }, sink));
    let during: { b: unknown; scheduled: boolean; cli: { code: number | null; stderr: string } } | null = null;
    try {
      const built = await buildSnapshot(a, {
        batchSize: 2,
        onProgress: async () => {
          if (during) return;
          const b2 = await buildSnapshot(b);
          const stop = scheduleSnapshots(b, 60, { embedded: false, firstDelayMs: 0 });
          while (!logs.some((l) => l.includes('profile snapshot build skipped'))) await new Promise((r) => setTimeout(r, 50));
          await stop();
          during = { b: b2, scheduled: true, cli: await snapshotCli() };
        },
      });
      expect(built).not.toBeNull();
      expect(during).toEqual({
        b: null,
        scheduled: true,
        cli: { code: 1, stderr: expect.stringContaining('another snapshot build is running') },
      });
      const { rows } = await db.pool.query(`SELECT status, count(*)::int AS n FROM c360.snapshots GROUP BY status`);
      expect(rows).toEqual([{ status: 'complete', n: 1 }]);
    } finally {
      await endCrmPool(poolB);
    }
  }, 90_000); // `npm run snapshot` compiles its imports (tsx) first

  /** `npm run snapshot` (as its script runs it) on this suite's stores. */
  const snapshotCli = () =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const env = {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: db.url,
        MONGODB_URI: db.config.MONGODB_URI!,
        MONGODB_DB: db.config.MONGODB_DB,
        SOCIAL_API_URL: provider.url,
        SOCIAL_API_TOKEN: SOCIAL_TOKEN,
      };
      execFile(path.join(ROOT, 'node_modules/.bin/tsx'), ['src/snapshot/cli.ts'], { cwd: ROOT, env }, (err, _stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr }),
      );
    });

  it('keeps serving on both replicas when Redis hangs and when it dies, each replica counting alone meanwhile', async () => {
    const agent = await bearer(['agent'], { sub: 'outage-agent' });
    const admin = await bearer(['admin'], { sub: 'outage-admin' });
    const before = await fallbacks('rate_limit');
    redis.pause(); // hung: every call waits out REDIS_TIMEOUT_MS
    try {
      expect([(await on(0).gql('{ __typename }', {}, agent)).status, (await on(1).gql('{ __typename }', {}, agent)).status]).toEqual([
        200, 200,
      ]);
      expect((await on(0).gql('query($id: ID!) { customer(id: $id) { id } }', { id: TOM }, agent)).status).toBe(200);
    } finally {
      redis.resume();
    }
    await redis.kill(); // gone: every call fails at once
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await on(i).gql('{ __typename }', {}, admin)).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(await fallbacks('rate_limit')).toBeGreaterThanOrEqual(before + 6);
    // A query registered before the outage still runs by hash on both (each replica keeps what it saw).
    const query = `query ReplicaProbe { customer(id: "${TOM}") { id } }`;
    const persisted = { persistedQuery: { version: 1, sha256Hash: sha256(query).toString('hex') } };
    for (const i of [0, 1]) {
      const res = (await (await on(i).post(JSON.stringify({ extensions: persisted }), admin)).json()) as any;
      expect(res.data.customer.id).toBe(TOM);
    }
    // One registered during the outage runs on its replica; the other asks for the text, as for any unknown hash.
    const apqBefore = await fallbacks('persisted_queries');
    const late = `query LateProbe { customer(id: "${TOM}") { id } }`;
    const lateHash = { persistedQuery: { version: 1, sha256Hash: sha256(late).toString('hex') } };
    const register = await on(0).post(JSON.stringify({ query: late, extensions: lateHash }), admin);
    expect(((await register.json()) as any).data.customer.id).toBe(TOM);
    const byHash = async (i: number) => (await on(i).post(JSON.stringify({ extensions: lateHash }), admin)).json() as Promise<any>;
    expect((await byHash(0)).data.customer.id).toBe(TOM);
    expect((await byHash(1)).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(await fallbacks('persisted_queries')).toBeGreaterThan(apqBefore);
  });
});
