import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import {
  generateCrmDatasetWithPersonas,
  generateEvents,
  loadCrmDataset,
  loadEvents,
  type CrmDataset,
  type SeedEvent,
} from '@c360/demo-data';
import { startEmbeddedPostgres } from '@c360/dev-postgres';
import { spawnEmbeddedMongo } from '@c360/mongo-wire';
import { integer, runCommand, type Values } from '../src/cli/command';
import { loadConfig } from '../src/config';
import type { Deps } from '../src/context';
import { migrate } from '../src/db/migrate';
import { createHttpServer } from '../src/http';
import { parseRules, type DerivationRules } from '../src/insights/rules';
import { ApiKeyStore } from '../src/security/apiKeys';
import { createAuthenticator } from '../src/security/authenticate';
import { mintToken, tokenKey } from '../src/security/tokens';
import { createApollo } from '../src/server';
import { TagRegistry } from '../src/services/tagRegistry';
import { buildRecommendations } from '../src/snapshot/recommendations';
import { createCrmTables } from '../src/sources/crm/ddl';
import { createCrmPool } from '../src/sources/crm/pool';
import { createSocialClient } from '../src/sources/social/client';
import { ROOT } from './dataset';

const USAGE = `usage: npm run bench:reco -- [--customers N] [--seed N] [--rules FILE] [--precompute-customers N]

Offline evaluation of Customer.recommendations on the demo generator's data (default 20,000 customers,
seed 42; --rules: a DERIVATION_RULES file over the defaults, e.g. to try weights on another seed): each customer's last completed order is held out (with its later orders and events), the
rest loaded into a throwaway embedded PostgreSQL and MongoDB-compatible server, the recommendation
build run, then every customer's top 10 asked for through the API in pages of 100, for the full
recommender, co-purchase alone, interests alone and the popularity baseline (overall). Prints and
writes hit rate@10, NDCG@10 and catalogue coverage, for all evaluated customers and for cold-start
ones (at most one earlier completed order), the latency of a page of 100, and the build's time at
--precompute-customers (default 100,000; 0 skips it) to bench/results/reco-<date>-<commit>.json and .md.`;

const OPTIONS = {
  customers: { type: 'string', default: '20000' },
  seed: { type: 'string', default: '42' },
  rules: { type: 'string' },
  'precompute-customers': { type: 'string', default: '100000' },
} as const;

const NOW = new Date('2026-12-01T00:00:00Z');
const log = (s: string) => process.stderr.write(`${s}\n`);

/** The held-out orders' products per customer, and the dataset and events without them (nor anything of the customer after). */
function holdOut(ds: CrmDataset, events: SeedEvent[]) {
  const last = new Map<string, CrmDataset['orders'][number]>();
  for (const o of ds.orders)
    if (o.status === 'completed' && (!last.has(o.customer_id) || o.placed_at >= last.get(o.customer_id)!.placed_at))
      last.set(o.customer_id, o);
  const cut = (customerId: string, t: Date) => {
    const h = last.get(customerId);
    return h !== undefined && t.getTime() >= h.placed_at.getTime() - 3_600_000;
  };
  const dropped = new Set(ds.orders.filter((o) => cut(o.customer_id, o.placed_at)).map((o) => o.id));
  const heldOrders = new Map([...last.values()].map((o) => [o.id, o.customer_id]));
  const held = new Map<string, Set<string>>();
  for (const i of ds.order_items) {
    const customerId = heldOrders.get(i.order_id);
    if (customerId) held.set(customerId, (held.get(customerId) ?? new Set()).add(i.product_id));
  }
  const train: CrmDataset = {
    ...ds,
    orders: ds.orders.filter((o) => !dropped.has(o.id)),
    order_items: ds.order_items.filter((i) => !dropped.has(i.order_id)),
  };
  const earlier = new Map<string, number>();
  for (const o of train.orders) if (o.status === 'completed') earlier.set(o.customer_id, (earlier.get(o.customer_id) ?? 0) + 1);
  return { train, held, earlier, events: events.filter((e) => !(e.customerId && cut(e.customerId, e.ts))) };
}

/** The full recommender with `overrides` (a DERIVATION_RULES file's), and each signal alone on top of them. */
const variants = (overrides: Record<string, any>): { name: string; rules: DerivationRules }[] => [
  { name: 'full', rules: parseRules(overrides) },
  ...(
    [
      ['co-purchase only', { coPurchase: 1, interests: 0, popularity: 0 }],
      ['interests only', { coPurchase: 0, interests: 1, popularity: 0 }],
      ['popularity (overall)', { coPurchase: 0, interests: 0, popularity: 1 }],
    ] as const
  ).map(([name, weights]) => ({
    name,
    rules: parseRules({
      ...overrides,
      recommendations: {
        ...overrides.recommendations,
        weights,
        coldStartWeights: weights,
        ...(weights.popularity ? { segmentMinCustomers: 1_000_000_000 } : {}),
      },
    }),
  })),
];

interface Metrics {
  customers: number;
  hitRate: number;
  ndcg: number;
  coverage: number;
}

function score(lists: Map<string, string[]>, held: Map<string, Set<string>>, who: string[], catalogue: number): Metrics {
  let hits = 0;
  let ndcg = 0;
  const seen = new Set<string>();
  for (const id of who) {
    const list = lists.get(id) ?? [];
    const truth = held.get(id)!;
    list.forEach((p) => seen.add(p));
    if (list.some((p) => truth.has(p))) hits += 1;
    const dcg = list.reduce((s, p, i) => s + (truth.has(p) ? 1 / Math.log2(i + 2) : 0), 0);
    let ideal = 0;
    for (let i = 0; i < Math.min(truth.size, 10); i++) ideal += 1 / Math.log2(i + 2);
    ndcg += dcg / ideal;
  }
  const n = Math.max(1, who.length);
  return { customers: who.length, hitRate: hits / n, ndcg: ndcg / n, coverage: seen.size / catalogue };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

async function main(values: Values<typeof OPTIONS>): Promise<void> {
  const customers = integer('customers', values.customers, 1000, 200_000);
  const precomputeCustomers = integer('precompute-customers', values['precompute-customers'], 0, 1_000_000);
  const seed = integer('seed', values.seed, 1, 2 ** 31 - 1);
  const VARIANTS = variants(values.rules ? (JSON.parse(readFileSync(values.rules, 'utf8')) as Record<string, any>) : {});
  // The code measured: the commit at the start (and whether the tree differed from it then).
  const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT }).toString().trim() ? '-dirty' : '';
  const name = `reco-${new Date().toISOString().slice(0, 10)}-${rev}${dirty}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'c360-reco-'));
  chmodSync(dir, 0o755); // PostgreSQL runs as its own user when the bench runs as root
  const stops: (() => Promise<unknown>)[] = [];
  try {
    log(`generating ${customers} customers (seed ${seed}) and holding out each one's last completed order …`);
    const { dataset, personas, tastes } = generateCrmDatasetWithPersonas({ customers, seed, now: NOW });
    const { train, held, earlier, events } = holdOut(dataset, generateEvents({ dataset, personas, tastes, seed, now: NOW }));

    const postgres = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), database: 'reco', persistent: false });
    stops.unshift(() => postgres.stop());
    const mongo = await spawnEmbeddedMongo({ dbpath: path.join(dir, 'mongo'), startTimeoutMs: 120_000 });
    stops.unshift(() => mongo.stop());
    const env = { NODE_ENV: 'production', LOG_LEVEL: 'warn', DATABASE_URL: postgres.url, MONGODB_URI: mongo.uri, MONGODB_DB: 'behaviour' };
    const config = loadConfig({
      ...env,
      JWT_SECRET: 'bench-reco-secret-bench-reco-secret-0123',
      RATE_LIMIT_PER_MINUTE: '1000000',
      DB_STATEMENT_TIMEOUT_MS: '600000',
      MONGODB_TIMEOUT_MS: '60000',
      // One request at a time in the bench's own process, after it generated and loaded the data: shedding is not what is measured.
      OVERLOAD_EVENT_LOOP_MS: '0',
      SEARCH_REFRESH_SECONDS: '0',
      TAG_REFRESH_SECONDS: '0',
    });
    const pool = createCrmPool(config, postgres.url);
    stops.unshift(() => pool.end());
    await createCrmTables(pool);
    await migrate(pool);
    const client = await pool.connect();
    await loadCrmDataset(client, train).finally(() => client.release());
    await pool.query('ANALYZE');
    const mongoClient = await MongoClient.connect(mongo.uri);
    stops.unshift(() => mongoClient.close());
    log(`loading ${events.length} events …`);
    await loadEvents(mongoClient.db('behaviour'), events, { replace: true });

    let t = Date.now();
    const build = (await buildRecommendations({ crmPool: pool, rules: VARIANTS[0]!.rules }, { asOf: NOW }))!;
    const buildMs = Date.now() - t;
    log(`build at ${customers}: ${buildMs} ms (${build.products} products, ${build.pairs} pairs)`);

    const logger = pino({ level: 'warn' });
    const tags = new TagRegistry(pool, logger);
    await tags.refresh();
    const token = await mintToken(config.JWT_SECRET!, { sub: 'bench-reco', roles: ['admin'], ttlSeconds: 3600 });
    const evaluated = [...held.keys()].sort();
    const cold = evaluated.filter((id) => (earlier.get(id) ?? 0) <= 1);
    const catalogue = dataset.products.length;
    const results: { variant: string; all: Metrics; coldStart: Metrics }[] = [];
    let latency: { p50: number; p99: number; pages: number } | null = null;
    for (const variant of VARIANTS) {
      const deps: Deps = {
        config,
        crmPool: pool,
        behaviourDb: mongoClient.db('behaviour'),
        logger,
        social: createSocialClient(config, { url: 'http://127.0.0.1:9', token: 'none' }, logger),
        rules: variant.rules,
        tags,
        auth: createAuthenticator(config, tokenKey(config), new ApiKeyStore(pool, 0)),
      };
      const apollo = createApollo(deps);
      await apollo.start();
      const server = createHttpServer(apollo, deps);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
      const lists = new Map<string, string[]>();
      const ms: number[] = [];
      let after: string | null = null;
      t = Date.now();
      do {
        const started = process.hrtime.bigint();
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({
            query: `query Page($after: String, $asOf: DateTime) { customers(first: 100, after: $after) { pageInfo { hasNextPage endCursor }
              edges { node { id recommendations(first: 10, asOf: $asOf) { product { id } } } } } }`,
            variables: { after, asOf: NOW.toISOString() },
          }),
        });
        const body = (await res.json()) as { data?: any; errors?: unknown[] };
        ms.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 500));
        for (const e of body.data.customers.edges)
          lists.set(
            e.node.id,
            e.node.recommendations.map((r: { product: { id: string } }) => r.product.id),
          );
        after = body.data.customers.pageInfo.hasNextPage ? body.data.customers.pageInfo.endCursor : null;
      } while (after);
      await apollo.stop();
      await new Promise((resolve) => server.close(resolve));
      if (variant.name === 'full') latency = { p50: pct(ms, 50), p99: pct(ms, 99), pages: ms.length };
      results.push({
        variant: variant.name,
        all: score(lists, held, evaluated, catalogue),
        coldStart: score(lists, held, cold, catalogue),
      });
      log(`${variant.name}: ${ms.length} pages in ${Date.now() - t} ms; hit rate@10 ${results.at(-1)!.all.hitRate.toFixed(3)}`);
    }

    let precompute: { customers: number; ms: number; pairs: number } | null = null;
    if (precomputeCustomers > 0) {
      log(`precompute at ${precomputeCustomers} customers: generating and loading the CRM …`);
      const big = generateCrmDatasetWithPersonas({ customers: precomputeCustomers, seed: 42, now: NOW }).dataset;
      const c = await pool.connect();
      await loadCrmDataset(c, big, { replace: true }).finally(() => c.release());
      await pool.query('ANALYZE');
      t = Date.now();
      const b = (await buildRecommendations({ crmPool: pool, rules: VARIANTS[0]!.rules }, { asOf: NOW }))!;
      precompute = { customers: precomputeCustomers, ms: Date.now() - t, pairs: b.pairs };
      log(`build at ${precomputeCustomers}: ${precompute.ms} ms`);
    }

    const f = (x: number) => x.toFixed(3);
    const popularity = results.find((r) => r.variant.startsWith('popularity'))!;
    const full = results.find((r) => r.variant === 'full')!;
    const md = [
      `# Recommendations, offline (${name})`,
      '',
      `Demo data, ${customers} customers (seed ${seed}), as of ${NOW.toISOString()}; each customer's last completed order held out ` +
        `(${evaluated.length} customers evaluated, ${cold.length} of them cold start: at most one earlier completed order). ` +
        `Catalogue: ${catalogue} products. ${values.rules ? `Rules: ${values.rules}` : 'Default rules'} for "full"; the others keep one signal (popularity: overall only).`,
      '',
      '| recommender | hit rate@10 | NDCG@10 | coverage | cold start: hit rate@10 | NDCG@10 | coverage |',
      '|---|---|---|---|---|---|---|',
      ...results.map(
        (r) =>
          `| ${r.variant} | ${f(r.all.hitRate)} | ${f(r.all.ndcg)} | ${f(r.all.coverage)} | ${f(r.coldStart.hitRate)} | ${f(r.coldStart.ndcg)} | ${f(r.coldStart.coverage)} |`,
      ),
      '',
      `Full / popularity hit rate@10: ${(full.all.hitRate / popularity.all.hitRate).toFixed(2)}x (target ≥ 2x); ` +
        `cold start ${(full.coldStart.hitRate / popularity.coldStart.hitRate).toFixed(2)}x (target ≥ 1x).`,
      '',
      `A page of 100 customers with their top 10 (full, in-process server, one request at a time, ${latency!.pages} pages): ` +
        `p50 ${latency!.p50.toFixed(1)} ms, p99 ${latency!.p99.toFixed(1)} ms.`,
      '',
      `Build (npm run recommendations) at ${customers} customers: ${(buildMs / 1000).toFixed(1)} s (${build.pairs} pairs)` +
        (precompute ? `; at ${precompute.customers} customers: ${(precompute.ms / 1000).toFixed(1)} s (${precompute.pairs} pairs).` : '.'),
      '',
      `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}.`,
      '',
    ].join('\n');
    mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench', 'results', `${name}.md`), md);
    writeFileSync(
      path.join(ROOT, 'bench', 'results', `${name}.json`),
      JSON.stringify(
        { customers, asOf: NOW, evaluated: evaluated.length, coldStart: cold.length, results, latency, buildMs, precompute },
        null,
        2,
      ),
    );
    process.stdout.write(md);
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

runCommand({ name: 'bench:reco', usage: USAGE, options: OPTIONS }, ({ values }) => main(values));
