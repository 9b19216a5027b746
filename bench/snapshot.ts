import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import { loadConfig } from '../src/config';
import { migrate } from '../src/db/migrate';
import { DEFAULT_RULES } from '../src/insights/rules';
import { TagRegistry } from '../src/services/tagRegistry';
import { ApiKeyStore } from '../src/security/apiKeys';
import { createAuthenticator } from '../src/security/authenticate';
import { mintToken, tokenKey } from '../src/security/tokens';
import { buildSnapshot } from '../src/snapshot/build';
import { createCrmPool } from '../src/sources/crm/pool';
import { createSocialClient } from '../src/sources/social/client';
import { ensureDataset, ROOT, startFlags, startStores } from './dataset';
import { startService } from './processes';
import { integer, runCommand, type Values } from '../src/cli/command';

const USAGE = `usage: npm run bench:snapshot -- [--customers N] [--requests N]

Builds the profile snapshot of the seeded dataset under .bench/ (default 100,000 customers, with their
events and social accounts; seeded once), full then incremental after new orders, with the embedded
PostgreSQL, MongoDB-compatible server and social provider as their own processes; then times
customerStats and Segment.count through the API (production build), --requests each (default 200),
one at a time. Writes bench/results/snapshot-<date>-<commit>.json and .md.`;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! * 10) / 10;
};

const OPTIONS = {
  customers: { type: 'string', default: '100000' },
  requests: { type: 'string', default: '200' },
} as const;

async function main(values: Values<typeof OPTIONS>): Promise<void> {
  const customers = integer('customers', values.customers, 100, 1_000_000);
  const requests = integer('requests', values.requests, 1, 100_000);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const dataDir = ensureDataset(customers, log);
  const stops: (() => Promise<unknown>)[] = [];
  try {
    log('starting PostgreSQL, the MongoDB-compatible server and the social provider …');
    const stores = await startStores(dataDir);
    stops.push(() => stores.stop());
    const { social, socialToken: token } = stores;
    const pgHandle = { url: stores.pgUrl };
    const { mongo } = stores;

    const secret = randomBytes(32).toString('base64url');
    const env = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: pgHandle.url,
      MONGODB_URI: mongo.uri,
      MONGODB_DB: 'behaviour',
      SOCIAL_API_URL: social.url,
      SOCIAL_API_TOKEN: token,
      JWT_SECRET: secret,
      SEARCH_REFRESH_SECONDS: '0',
      TAG_REFRESH_SECONDS: '0',
      RATE_LIMIT_PER_MINUTE: '1000000',
      // A build reads each batch's events in one aggregation: the embedded server needs longer than a request would get.
      MONGODB_TIMEOUT_MS: '60000',
      SOCIAL_TIMEOUT_MS: '10000',
    };
    const config = loadConfig(env);
    const logger = pino({ level: 'warn' });
    const pool = createCrmPool(config, pgHandle.url);
    await migrate(pool);
    await pool.query('DELETE FROM c360.profile_snapshot; DELETE FROM c360.snapshots');
    const client = await MongoClient.connect(mongo.uri);
    stops.unshift(() => client.close());
    const tags = new TagRegistry(pool, logger);
    await tags.refresh();
    const deps = {
      config,
      crmPool: pool,
      behaviourDb: client.db('behaviour'),
      logger,
      rules: DEFAULT_RULES,
      tags,
      social: createSocialClient(config, { url: social.url, token }, logger),
      auth: createAuthenticator(config, tokenKey(config), new ApiKeyStore(pool, 0)),
    };
    const counts = (
      await pool.query(`SELECT (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM orders)::int AS orders`)
    ).rows[0];
    const events = await client.db('behaviour').collection('events').estimatedDocumentCount();

    log(`full build of ${counts.customers} customers …`);
    const now = new Date();
    let lastLog = 0;
    const full = (await buildSnapshot(deps, {
      now,
      onProgress: (p) => {
        if (Date.now() - lastLog > 10_000) {
          lastLog = Date.now();
          log(`  ${p.done}/${p.total}`);
        }
      },
    }))!;
    // New activity: an order each for 100 customers, then an incremental build an hour on.
    await pool.query(
      `INSERT INTO orders (id, order_number, customer_id, status, channel, placed_at, total)
      SELECT 'bench-' || id, 'SOBENCH' || id, id, 'completed', 'web', $1, 99.00 FROM customers ORDER BY md5(id) LIMIT 100`,
      [new Date(now.getTime() + 30 * 60_000)],
    );
    log('incremental build …');
    const incremental = (await buildSnapshot(deps, { now: new Date(now.getTime() + 3_600_000), incremental: true }))!;
    await pool.query(`DELETE FROM orders WHERE id LIKE 'bench-%'`);

    log('timing customerStats and Segment.count through the API …');
    const api = await startService(
      'api',
      [...startFlags(), 'dist/src/main.js'],
      { ...process.env, ...env, PORT: '0', LOG_LEVEL: 'info' },
      /ready at (http:\/\/\S+?\/graphql)/,
    );
    stops.unshift(() => api.stop());
    const auth = {
      authorization: `Bearer ${await mintToken(secret, { sub: 'bench-analyst', roles: ['analyst'], ttlSeconds: 3600 })}`,
      'content-type': 'application/json',
    };
    const gql = async (query: string, variables: Record<string, unknown> = {}) => {
      const res = await fetch(api.url, { method: 'POST', headers: auth, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { data?: any; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    const segment = (
      await gql(
        `mutation { createSegment(input: { name: "bench win-back", filter: { stages: [AT_RISK, DORMANT], tiers: [HIGH_VALUE, REGULAR], recency: { max: 3 } } }) { id } }`,
      )
    ).createSegment.id;
    const timed = async (query: string, variables: Record<string, unknown>) => {
      const ms: number[] = [];
      for (let i = 0; i < requests; i++) {
        const t = process.hrtime.bigint();
        await gql(query, variables);
        ms.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      return { p50: pct(ms, 50), p99: pct(ms, 99) };
    };
    const statsAll = await timed(
      `{ customerStats { total byStage { stage count } byTier { tier count } byTag(first: 20) { key count } byCity(first: 20) { key count } rfmGrid { recency frequency count monetary } transitions { from to count } snapshot { asOf ageSeconds } } }`,
      {},
    );
    const statsFiltered = await timed(
      `query($f: SegmentFilter) { customerStats(filter: $f) { total byStage { stage count } rfmGrid { recency frequency count monetary } } }`,
      { f: { cities: ['Shanghai'], tagsAny: ['rfm_loyal', 'price_sensitive'] } },
    );
    const segmentCount = await timed(`query($id: ID!) { segment(id: $id) { count } }`, { id: segment });
    await pool.end();

    const commit =
      execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim() +
      (execFileSync('git', ['status', '--porcelain'], { cwd: ROOT }).toString().trim() ? '-dirty' : '');
    const results = {
      date: new Date().toISOString(),
      commit,
      node: process.versions.node,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      dataset: { ...counts, events },
      full: { ...full, perSecond: Math.round((full.computed * 1000) / full.ms) },
      incremental,
      requests,
      customerStatsAll: statsAll,
      customerStatsFiltered: statsFiltered,
      segmentCount,
    };
    const md = `## Profile snapshot ${results.date.slice(0, 16).replace('T', ' ')} UTC, commit ${commit}

Node ${results.node}, ${results.cpus} × ${results.cpuModel}; embedded PostgreSQL, the embedded MongoDB-compatible server and the
bundled social provider, each its own process. ${counts.customers} customers, ${counts.orders} orders, ${events} events.

| build | customers computed | copied | time | rate |
|---|---:|---:|---:|---:|
| full | ${full.computed} | 0 | ${(full.ms / 1000).toFixed(1)} s | ${results.full.perSecond}/s |
| incremental (100 new orders, an hour on) | ${incremental.computed} | ${incremental.copied} | ${(incremental.ms / 1000).toFixed(1)} s | ${Math.round((incremental.computed * 1000) / incremental.ms)}/s |

Through the API, ${requests} requests each, one at a time (ms):

| query | p50 | p99 |
|---|---:|---:|
| customerStats, everyone: total, stages, tiers, tags, cities, RFM grid, transitions | ${statsAll.p50} | ${statsAll.p99} |
| customerStats, city + tags filter: total, stages, RFM grid | ${statsFiltered.p50} | ${statsFiltered.p99} |
| Segment.count (stages, tiers, recency) | ${segmentCount.p50} | ${segmentCount.p99} |
`;
    const out = path.join(ROOT, 'bench', 'results', `snapshot-${results.date.slice(0, 10)}-${commit}`);
    writeFileSync(`${out}.json`, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(`${out}.md`, md);
    process.stdout.write(md);
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
  }
}

runCommand({ name: 'bench:snapshot', usage: USAGE, options: OPTIONS }, ({ values }) => main(values));
