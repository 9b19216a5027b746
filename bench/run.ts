import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { build as buildHistogram } from 'hdr-histogram-js';
import pg from 'pg';
import { mintToken } from '../src/security/tokens';
import { apiEnvironment, ensureDataset, ROOT, startFlags, startStores } from './dataset';
import { ensureNode, majorOf } from './node';
import { cpuSeconds, postgresCpu, postgresCpuSince, rssMiB, startService, type Service } from './processes';
import { BENCH_TOOLS, ensureBenchTools } from './tools';
import { onlyExpectedErrors, POSTGRAPHILE_CRM_NESTED, sampleInputs, workloads, type Workload } from './workloads';
import { integer, integerList, runCommand, type Values } from '../src/cli/command';

const USAGE = `usage: npm run bench -- [--quick] [--customers N] [--duration S] [--concurrency 1,16,64] [--node-only-machine]

Seeds a fixed dataset once (default 20,000 customers; --quick 5,000) under .bench/, starts the
embedded PostgreSQL, MongoDB-compatible server and social provider as their own processes (once, on
this Node), then for each Node in turn (this one, then Node 24.22.3, fetched once from the npm
registry into .bench/node-24.22.3/) the API (production build) batched and naive (BATCH_LOADS=false),
a raw SQL handler and PostGraphile 5, and drives each with autocannon over loopback for a fixed time
per concurrency. Targets are judged on the Node 24 run. Prints a markdown section per Node and writes
bench/results/<date>-<commit>.json and .md. --node-only-machine: this Node only (a quick local check;
no judged run). Node 24 is not run twice when this Node is a Node 24.`;

interface Cell {
  target: string;
  workload: string;
  concurrency: number;
  seconds: number;
  requests: number;
  /** Answers per second: the requests refused as overloaded (shed) are not answers. */
  rps: number;
  latencyMs: { p50: number; p90: number; p95: number; p99: number; max: number };
  /** Answers that failed: transport errors, timeouts, HTTP errors but the shed, 200s with unexpected GraphQL errors. */
  errors: number;
  /** Requests refused at the door with 503 OVERLOADED (load shedding, docs/operations.md): designed, counted apart. */
  shed: number;
  /** Round trips per request per source, from the server's x-source-round-trips header. */
  roundTrips: { crm: number; behaviour: number; social: number } | null;
  serverCpuPercent: number;
  /** The server process's CPU milliseconds (user + system) per answered request. */
  serverCpuMsPerRequest: number;
  /** PostgreSQL's CPU milliseconds (all its processes) per answered request. */
  postgresCpuMsPerRequest: number;
  /** The embedded MongoDB-compatible server's CPU over the cell (100 = one core). */
  behaviourStoreCpuPercent: number;
  /** The embedded MongoDB-compatible server's CPU milliseconds per answered request. */
  behaviourStoreCpuMsPerRequest: number;
  serverRssMiB: { start: number; end: number };
}

const ROUND_TRIPS = /(crm|behaviour|social)=(\d+)/g;

/** The first unexpected GraphQL errors of the run, for the report. */
const firstErrors: string[] = [];

/** Drives `target` with `workload` at `concurrency` for `seconds`; counts GraphQL errors and round trips from each response. */
async function measure(
  target: Service,
  store: { pid: number },
  label: string,
  workload: Pick<Workload, 'name' | 'query' | 'variables'>,
  headers: Record<string, string>,
  concurrency: number,
  seconds: number,
  progress: (s: string) => void,
): Promise<Cell> {
  const tally = { responses: 0, shed: 0, graphqlErrors: 0, withHeader: 0, crm: 0, behaviour: 0, social: 0 };
  const cpu0 = cpuSeconds(target.pid);
  const pgCpu0 = postgresCpu();
  const storeCpu0 = cpuSeconds(store.pid);
  const rss0 = rssMiB(target.pid);
  // Our own latency histogram (autocannon's settings), for the p95 its summary does not report.
  const latencies = buildHistogram({
    bitBucketSize: 64,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 10000,
    numberOfSignificantValueDigits: 5,
  });
  const t0 = Date.now();
  const ticker = setInterval(
    () =>
      progress(
        `${label.padEnd(28)} c=${String(concurrency).padStart(2)}  ${Math.min(seconds, Math.round((Date.now() - t0) / 1000))}/${seconds} s  ${tally.responses} responses`,
      ),
    500,
  );
  const result = await autocannon({
    // `histograms` (autocannon's own option, missing from its type definitions) records into ours.
    ...({ histograms: { latencies } } as object),
    url: target.url,
    connections: concurrency,
    duration: seconds,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        setupRequest: (req) => ({ ...req, body: JSON.stringify({ query: workload.query, variables: workload.variables() }) }),
        onResponse: (status, body, _context, responseHeaders) => {
          if (status === 503 && body.includes('"OVERLOADED"')) {
            tally.shed += 1;
            return;
          }
          tally.responses += 1;
          if (status === 200 && body.includes('"errors"') && !onlyExpectedErrors(body)) {
            tally.graphqlErrors += 1;
            if (tally.graphqlErrors <= 3)
              firstErrors.push(`${label}: ${body.slice(body.indexOf('"errors"'), body.indexOf('"errors"') + 400)}`);
          }
          const header = responseHeaders?.['x-source-round-trips'];
          if (typeof header === 'string') {
            tally.withHeader += 1;
            for (const [, source, n] of header.matchAll(ROUND_TRIPS)) tally[source as 'crm'] += Number(n);
          }
        },
      },
    ],
  });
  clearInterval(ticker);
  const wall = (Date.now() - t0) / 1000;
  const per = (n: number) => Math.round((n / tally.withHeader) * 100) / 100;
  return {
    target: target.name,
    workload: workload.name,
    concurrency,
    seconds,
    requests: result.requests.total,
    rps: Math.round(((result.requests.total - tally.shed) / seconds) * 10) / 10,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p95: latencies.getValueAtPercentile(95),
      p99: result.latency.p99,
      max: result.latency.max,
    },
    errors: result.errors + result.non2xx - tally.shed + tally.graphqlErrors, // autocannon's errors include its timeouts
    shed: tally.shed,
    roundTrips: tally.withHeader ? { crm: per(tally.crm), behaviour: per(tally.behaviour), social: per(tally.social) } : null,
    serverCpuPercent: Math.round(((cpuSeconds(target.pid) - cpu0) / wall) * 100),
    postgresCpuMsPerRequest: Math.round((postgresCpuSince(pgCpu0) * 100_000) / Math.max(1, tally.responses)) / 100,
    serverCpuMsPerRequest: Math.round(((cpuSeconds(target.pid) - cpu0) * 100_000) / Math.max(1, tally.responses)) / 100,
    behaviourStoreCpuPercent: Math.round(((cpuSeconds(store.pid) - storeCpu0) / wall) * 100),
    behaviourStoreCpuMsPerRequest: Math.round(((cpuSeconds(store.pid) - storeCpu0) * 100_000) / Math.max(1, tally.responses)) / 100,
    serverRssMiB: { start: rss0, end: rssMiB(target.pid) },
  };
}

/**
 * Waits (at most 60 s) until no server process is still busy with the previous cell's requests
 * (under 5 % of a core for half a second), so that no cell pays for the one before.
 */
async function settle(services: { pid: number }[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const before = services.map((s) => cpuSeconds(s.pid));
    await new Promise((r) => setTimeout(r, 500));
    if (services.every((s, i) => cpuSeconds(s.pid) - before[i]! < 0.025)) return;
  }
}

/** The body a server answers to `query` (a GraphQL POST; the raw handler ignores the body), re-serialised compactly. */
async function answerOf(url: string, query: string, headers: Record<string, string>): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return JSON.stringify(await res.json());
}

/** a / b to two decimals; NaN when b is 0 (a target met by nothing is not met). */
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : NaN);

/** The Node the targets are judged on; every server also runs on the machine's Node, for comparison. */
const JUDGED_NODE = '24.22.3';

/** What every Node's run shares: the settings and the stores, started once. */
interface Shared {
  seconds: number;
  levels: number[];
  log: (s: string) => void;
  progress: (s: string) => void;
  stores: Awaited<ReturnType<typeof startStores>>;
  inputs: Awaited<ReturnType<typeof sampleInputs>>;
}

/**
 * One Node's run: starts the API (batched and naive), the raw handler and PostGraphile 5 with the
 * binary `node.bin`, checks their answers, measures every cell, computes the comparisons and the
 * targets, and stops those servers (the stores stay up for the next Node).
 */
async function runOn(node: { version: string; bin: string }, { seconds, levels, log, progress, stores, inputs }: Shared) {
  const { social, mongo, pgUrl } = stores;
  // PostGraphile 5 declares Node >= 22; older Nodes lack Promise.withResolvers, which it needs.
  const polyfill = majorOf(node.version) < 22;
  const secret = randomBytes(32).toString('base64url');
  // The naive way is measured as it costs, not as fast as it fails: without load shedding, and with
  // circuits that do not open (its hundreds of statements a request time out under load).
  const apiEnv = (batch: boolean): NodeJS.ProcessEnv =>
    apiEnvironment(stores, secret, {
      EXPOSE_ROUND_TRIPS: 'true',
      BATCH_LOADS: String(batch),
      ...(batch
        ? {}
        : { OVERLOAD_CRM_WAITING: '0', OVERLOAD_EVENT_LOOP_MS: '0', CRM_BREAKER_FAILURES: '1000', BEHAVIOUR_BREAKER_FAILURES: '1000' }),
    });
  const services: Service[] = [];
  const start = async (name: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp) => {
    const service = await startService(name, args, env, ready, { node: node.bin });
    services.push(service);
    return service;
  };
  try {
    log(`Node ${node.version}: starting the API (batched and naive), the raw baseline and PostGraphile 5 …`);
    const ready = /ready at (http:\/\/\S+?\/graphql)/;
    const api = await start('api', [...startFlags(), 'dist/src/main.js'], apiEnv(true), ready);
    const naive = await start('api-naive', [...startFlags(), 'dist/src/main.js'], apiEnv(false), ready);
    const raw = await start(
      'raw',
      ['--require', 'tsx/cjs', 'bench/raw.ts'],
      { ...process.env, DATABASE_URL: pgUrl },
      /listening on (http\S+)/,
    );
    const rawJson: Service = { ...raw, name: 'raw-json', url: raw.url.replace(/\/rows$/, '/json') };
    const postgraphile = await start(
      'postgraphile',
      [...(polyfill ? ['--import', './bench/promise-with-resolvers.mjs'] : []), 'bench/postgraphile.cjs'],
      { ...process.env, DATABASE_URL: pgUrl, NODE_ENV: 'production' },
      /listening on (http\S+)/,
    );

    const auth = {
      agent: { authorization: `Bearer ${await mintToken(secret, { sub: 'bench-agent', roles: ['agent'], ttlSeconds: 7200 })}` },
      analyst: { authorization: `Bearer ${await mintToken(secret, { sub: 'bench-analyst', roles: ['analyst'], ttlSeconds: 7200 })}` },
    };
    const list = workloads(inputs);

    // Every operation answers without errors before it is measured.
    const once = async (url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string>) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await res.text();
      if (res.status !== 200 || (text.includes('"errors"') && !onlyExpectedErrors(text)))
        throw new Error(`${url} answered ${res.status}: ${text.slice(0, 500)}`);
      return res.headers.get('x-source-round-trips');
    };
    for (const w of list) await once(api.url, w.query, w.variables(), auth[w.role]);
    await once(postgraphile.url, POSTGRAPHILE_CRM_NESTED, {}, {});
    // The hand-written floor answers exactly what the API answers (both variants), or it is no floor.
    const crmNestedAnswer = await answerOf(api.url, list.find((w) => w.name === 'crm-nested')!.query, auth.analyst);
    for (const url of [raw.url, rawJson.url]) {
      const answer = await answerOf(url, '', {});
      if (answer !== crmNestedAnswer) throw new Error(`${url} does not answer what the API answers to crm-nested`);
    }

    // Round trips do not grow with the page: the dashboard page for 1 and for 100 customers.
    const dashboard = list.find((w) => w.name === 'dashboard-page')!;
    const city = inputs.cities[0]!;
    const roundTripsBySize = {
      1: await once(api.url, dashboard.query.replace('first: 100', 'first: 1'), { city }, auth.analyst),
      100: await once(api.url, dashboard.query, { city }, auth.analyst),
    };

    const cells: Cell[] = [];
    const everyProcess = [social, ...services, mongo];
    const run = async (
      target: Service,
      w: Pick<Workload, 'name' | 'query' | 'variables'>,
      headers: Record<string, string>,
      c: number,
      duration = seconds,
    ) => {
      const label = `node ${majorOf(node.version)} ${target.name} ${w.name}`;
      await settle(everyProcess);
      await measure(target, mongo, `${label} (warm-up)`, w, headers, Math.min(c, 4), 1, progress);
      await settle(everyProcess);
      const cell = await measure(target, mongo, label, w, headers, c, duration, progress);
      cells.push(cell);
      log(
        `node ${String(majorOf(node.version)).padEnd(3)} ${cell.target.padEnd(13)} ${cell.workload.padEnd(15)} c=${String(c).padStart(2)}  ${String(cell.rps).padStart(7)} req/s  p50 ${cell.latencyMs.p50} ms  p95 ${cell.latencyMs.p95} ms  p99 ${cell.latencyMs.p99} ms  errors ${cell.errors}${cell.shed ? `  shed ${cell.shed}` : ''}`,
      );
      return cell;
    };
    for (const w of list) for (const c of levels) await run(api, w, auth[w.role], c);
    const C = levels.includes(16) ? 16 : levels[levels.length - 1]!;
    const crmNested = list.find((w) => w.name === 'crm-nested')!;
    const rawCell = await run(raw, crmNested, {}, C);
    const rawJsonCell = await run(rawJson, crmNested, {}, C);
    const pgCell = await run(postgraphile, { name: 'crm-nested', query: POSTGRAPHILE_CRM_NESTED, variables: () => ({}) }, {}, C);
    // Last, as its requests outlive the cell: a naive request takes seconds, so its cell is longer.
    const naiveCell = await run(naive, dashboard, auth.analyst, C, Math.max(seconds, 15));

    const at = (w: string, c: number) => cells.find((x) => x.target === 'api' && x.workload === w && x.concurrency === c)!;
    const postgraphileVersion = BENCH_TOOLS.postgraphile;
    const comparisons = {
      concurrency: C,
      naive: {
        batchedRps: at('dashboard-page', C).rps,
        naiveRps: naiveCell.rps,
        throughputRatio: ratio(at('dashboard-page', C).rps, naiveCell.rps),
        batchedRoundTrips: at('dashboard-page', C).roundTrips,
        naiveRoundTrips: naiveCell.roundTrips,
      },
      raw: {
        apiRps: at('crm-nested', C).rps,
        rawRps: rawCell.rps,
        rawJsonRps: rawJsonCell.rps,
        // The floor is the faster of the two hand-written variants.
        overheadRatio: ratio(at('crm-nested', C).rps, Math.max(rawCell.rps, rawJsonCell.rps)),
        apiCpuMs: at('crm-nested', C).serverCpuMsPerRequest,
        rawCpuMs: rawCell.serverCpuMsPerRequest,
        cpuRatio: ratio(at('crm-nested', C).serverCpuMsPerRequest, rawCell.serverCpuMsPerRequest),
      },
      postgraphile: {
        apiRps: at('crm-nested', C).rps,
        postgraphileRps: pgCell.rps,
        throughputRatio: ratio(at('crm-nested', C).rps, pgCell.rps),
        apiP99: at('crm-nested', C).latencyMs.p99,
        postgraphileP99: pgCell.latencyMs.p99,
        p99Ratio: ratio(pgCell.latencyMs.p99, at('crm-nested', C).latencyMs.p99),
        // Only said where it applies: from Node 22 on, PostGraphile runs as published.
        note: polyfill
          ? `PostGraphile ${postgraphileVersion} declares Node >= 22; on Node ${node.version} it runs with a Promise.withResolvers polyfill (node --import bench/promise-with-resolvers.mjs).`
          : undefined,
      },
    };
    const apiCells = cells.filter((c) => c.target === 'api');
    const peakRss = Math.max(...apiCells.flatMap((c) => [c.serverRssMiB.start, c.serverRssMiB.end]));
    const targets = [
      {
        target: 'round trips per request independent of page size',
        measured: `1 customer: ${roundTripsBySize[1]}; 100: ${roundTripsBySize[100]}`,
        met: roundTripsBySize[1] === roundTripsBySize[100],
      },
      {
        target: 'dashboard-page batched ≥ 10× naive throughput',
        measured: `${comparisons.naive.throughputRatio}×`,
        met: comparisons.naive.throughputRatio >= 10,
      },
      {
        target: 'crm-nested ≥ 0.6× the hand-written floor (the faster raw variant)',
        measured: `${comparisons.raw.overheadRatio}×`,
        met: comparisons.raw.overheadRatio >= 0.6,
      },
      {
        target: 'crm-nested API CPU ms per request ≤ 2× the raw handler (rows)',
        measured: `${comparisons.raw.cpuRatio}× (${comparisons.raw.apiCpuMs} vs ${comparisons.raw.rawCpuMs} ms)`,
        met: comparisons.raw.cpuRatio <= 2,
      },
      {
        target: 'crm-nested ≥ 2× PostGraphile throughput',
        measured: `${comparisons.postgraphile.throughputRatio}×`,
        met: comparisons.postgraphile.throughputRatio >= 2,
      },
      {
        target: `console-360 p99 ≤ 4× p50 at c=${C}`,
        measured: `p99 ${at('console-360', C).latencyMs.p99} ms, p50 ${at('console-360', C).latencyMs.p50} ms`,
        met: at('console-360', C).latencyMs.p99 <= 4 * at('console-360', C).latencyMs.p50,
      },
      {
        target: 'no errors at any concurrency (requests shed as overloaded, 503 with Retry-After, are a designed refusal)',
        measured: `${cells.reduce((n, c) => n + c.errors, 0)} errors; shed ${cells.reduce((n, c) => n + c.shed, 0)}`,
        met: cells.every((c) => c.errors === 0),
      },
      {
        target: 'API RSS bounded (peak < 4 × max(200 MiB, start))',
        measured: `start ${apiCells[0]!.serverRssMiB.start} MiB, peak ${peakRss} MiB, end ${apiCells[apiCells.length - 1]!.serverRssMiB.end} MiB`,
        met: peakRss < 4 * Math.max(200, apiCells[0]!.serverRssMiB.start),
      },
    ];
    return { node: node.version, cells, comparisons, targets, roundTripsBySize };
  } finally {
    for (const s of services.reverse()) await s.stop().catch(() => undefined);
  }
}

type NodeRun = Awaited<ReturnType<typeof runOn>>;

const OPTIONS = {
  quick: { type: 'boolean', default: false },
  customers: { type: 'string' },
  duration: { type: 'string' },
  concurrency: { type: 'string' },
  'node-only-machine': { type: 'boolean', default: false },
} as const;

async function main(values: Values<typeof OPTIONS>): Promise<void> {
  const quick = values.quick;
  const customers = integer('customers', values.customers ?? (quick ? '5000' : '20000'), 100, 1_000_000);
  const seconds = integer('duration', values.duration ?? (quick ? '3' : '10'), 1, 3600);
  const levels = integerList('concurrency', values.concurrency ?? (quick ? '1,16' : '1,16,64'), 1, 256);
  const tty = process.stderr.isTTY;
  const log = (s: string) => process.stderr.write(`${tty ? '\r\x1b[K' : ''}${s}\n`);
  const progress = (s: string) => (tty ? process.stderr.write(`\r\x1b[K${s}`) : undefined);
  const started = Date.now();

  // The machine's Node, then Node 24 (fetched once into .bench/) unless the machine's is a Node 24.
  const machine = process.versions.node;
  const nodes = [{ version: machine, bin: process.execPath }];
  if (values['node-only-machine']) log(`--node-only-machine: the servers run on Node ${machine} only, not on Node ${JUDGED_NODE}`);
  else if (majorOf(machine) !== majorOf(JUDGED_NODE)) nodes.push({ version: JUDGED_NODE, bin: ensureNode(JUDGED_NODE, log) });
  const judgedOn = nodes.find((n) => majorOf(n.version) === majorOf(JUDGED_NODE))?.version ?? null;
  ensureBenchTools(log);

  const dataDir = ensureDataset(customers, log);
  log('starting PostgreSQL, the MongoDB-compatible server and the social provider …');
  const stores = await startStores(dataDir);
  try {
    const pool = new pg.Pool({ connectionString: stores.pgUrl, max: 2 });
    const inputs = await sampleInputs(pool);
    const counts = (
      await pool.query(`SELECT (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM orders)::int AS orders,
      (SELECT count(*) FROM order_items)::int AS items, (SELECT count(*) FROM support_tickets)::int AS tickets`)
    ).rows[0];
    await pool.end();
    const events = await (
      await import('mongodb')
    ).MongoClient.connect(stores.mongo.uri).then(async (c) => {
      const n = await c.db('behaviour').collection('events').estimatedDocumentCount();
      await c.close();
      return n;
    });

    const runs: NodeRun[] = [];
    for (const node of nodes) runs.push(await runOn(node, { seconds, levels, log, progress, stores, inputs }));
    // The top-level fields are the judged run's (the machine's when there is no Node 24 run).
    const judged = runs.find((r) => r.node === judgedOn) ?? runs[0]!;

    const commit =
      execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim() +
      (execFileSync('git', ['status', '--porcelain'], { cwd: ROOT }).toString().trim() ? '-dirty' : '');
    const date = new Date().toISOString().slice(0, 10);
    const results = {
      date: new Date().toISOString(),
      commit,
      node: machine,
      judgedOn,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      dataset: { ...counts, events, seed: 42 },
      settings: {
        quick,
        secondsPerCell: seconds,
        concurrency: levels,
        nodes: nodes.map((n) => n.version),
        loadGenerator: 'autocannon (in the bench process, same machine)',
      },
      roundTripsBySize: judged.roundTripsBySize,
      cells: judged.cells,
      comparisons: judged.comparisons,
      targets: judged.targets,
      runs,
      unexpectedErrors: firstErrors,
      totalSeconds: Math.round((Date.now() - started) / 1000),
    };
    const markdown = toMarkdown(results);
    const out = path.join(ROOT, 'bench', 'results', `${date}-${commit}${quick ? '-quick' : ''}`);
    writeFileSync(`${out}.json`, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(`${out}.md`, markdown);
    log('');
    process.stdout.write(markdown);
    for (const e of firstErrors) log(`unexpected error: ${e}`);
    log(`\nwritten ${path.relative(ROOT, out)}.json and .md in ${results.totalSeconds} s`);
  } finally {
    await stores.stop().catch(() => undefined);
  }
}

/** One Node's run in markdown: its table, its side-by-side lines and its targets. */
function runMarkdown(run: NodeRun, heading: string): string[] {
  const rt = (c: Cell) => (c.roundTrips ? `${c.roundTrips.crm} / ${c.roundTrips.behaviour} / ${c.roundTrips.social}` : '—');
  const { naive, raw, postgraphile } = run.comparisons;
  return [
    heading,
    '',
    '| server | workload | conc. | req/s (answers) | p50 ms | p95 ms | p99 ms | errors | shed (503 OVERLOADED) | round trips / req (crm / behaviour / social) | server CPU % | server CPU ms / req | PostgreSQL CPU ms / req | behaviour store CPU ms / req | server RSS MiB |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|',
    ...run.cells.map(
      (c) =>
        `| ${c.target} | ${c.workload} | ${c.concurrency} | ${c.rps} | ${c.latencyMs.p50} | ${c.latencyMs.p95} | ${c.latencyMs.p99} | ${c.errors} | ${c.shed} | ${rt(c)} | ${c.serverCpuPercent} | ${c.serverCpuMsPerRequest} | ${c.postgresCpuMsPerRequest} | ${c.behaviourStoreCpuMsPerRequest} | ${c.serverRssMiB.start} → ${c.serverRssMiB.end} |`,
    ),
    '',
    `Side by side at concurrency ${run.comparisons.concurrency}, on Node ${run.node}:`,
    '',
    `- batched / naive (dashboard-page): **${naive.throughputRatio}×** throughput (${naive.batchedRps} vs ${naive.naiveRps} req/s)`,
    `- API / hand-written floor (crm-nested), the overhead ratio: **${raw.overheadRatio}×** (${raw.apiRps} req/s vs raw ${raw.rawRps} (3 statements, rows) and raw-json ${raw.rawJsonRps} (1 statement, PostgreSQL builds the JSON)); API CPU per request ${raw.cpuRatio}× the raw handler's (${raw.apiCpuMs} vs ${raw.rawCpuMs} ms)`,
    `- API / PostGraphile 5 (crm-nested): **${postgraphile.throughputRatio}×** throughput (${postgraphile.apiRps} vs ${postgraphile.postgraphileRps} req/s); p99 PostGraphile / API ${postgraphile.p99Ratio}× (${postgraphile.postgraphileP99} vs ${postgraphile.apiP99} ms).${postgraphile.note ? ` ${postgraphile.note}` : ''}`,
    '',
    '| target | measured | met |',
    '|---|---|---|',
    ...run.targets.map((t) => `| ${t.target} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`),
    '',
  ];
}

function toMarkdown(r: {
  date: string;
  commit: string;
  node: string;
  judgedOn: string | null;
  cpus: number;
  cpuModel?: string;
  dataset: Record<string, unknown>;
  settings: { secondsPerCell: number };
  runs: NodeRun[];
}): string {
  const judged = r.judgedOn
    ? `**Targets are judged on the Node ${majorOf(r.judgedOn)} run (Node ${r.judgedOn}).**${r.runs.length > 1 ? ` The Node ${r.node} run (the machine's) is reported for comparison.` : ''}`
    : `**Targets are judged on the Node ${majorOf(JUDGED_NODE)} run, and this run has none (\`--node-only-machine\`):** the targets below, on Node ${r.node}, are not the judged ones.`;
  const lines = [
    `## Benchmark ${r.date.slice(0, 16).replace('T', ' ')} UTC, commit ${r.commit}`,
    '',
    `${r.cpus} × ${r.cpuModel ?? 'cpu'}; dataset ${Object.entries(r.dataset)
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )}; ${r.settings.secondsPerCell} s per cell after a 1 s warm-up. The load generator, PostgreSQL, the MongoDB-compatible server and the social provider run once, on the machine's Node ${r.node}; the servers measured (the API batched and naive, the raw handler, PostGraphile 5) run on ${r.runs.map((x) => `Node ${x.node}`).join(', then on ')}, against the same stores.`,
    '',
    judged,
    '',
    ...r.runs.flatMap((run) =>
      runMarkdown(
        run,
        `### Node ${run.node}${run.node === r.node ? ", the machine's" : ''}${run.node === r.judgedOn ? ': targets judged on this run' : ''}`,
      ),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

runCommand({ name: 'bench', usage: USAGE, options: OPTIONS }, ({ values }) => main(values));
