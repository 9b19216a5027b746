import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getCountryCallingCode, type CountryCode } from 'libphonenumber-js';
import { loadConfig } from '../src/config';
import { migrate } from '../src/db/migrate';
import { startEmbeddedPostgres } from '@c360/dev-postgres';
import { generateCrmDatasetWithPersonas, loadCrmDataset, type PlantedDuplicate } from '@c360/demo-data';
import { createDb, type Db } from '../src/sources/crm/db';
import { createCrmTables } from '../src/sources/crm/ddl';
import {
  DEFAULT_MIN_SCORE,
  duplicateCandidates,
  type DuplicateCandidate,
  type DuplicateCandidatesOptions,
  type DuplicateEvidenceKind,
} from '../src/sources/crm/duplicates';
import { createCrmPool } from '../src/sources/crm/pool';
import { refreshSearchIndex } from '../src/sources/crm/searchIndex';
import { toQuery, type Sql } from '../src/sources/crm/sql';
import { noRoundTrips } from '../src/sources/roundTrips';
import { integer, integerList, runCommand, share as shareOf, UsageError, type Values } from '../src/cli/command';

const USAGE = `usage: npm run bench:duplicates -- [--customers N] [--duplicates SHARE] [--first 100,1000]

Generates N customers (default 100,000, seed 42) with planted duplicates for SHARE of them (default
0.02), loads the CRM tables into a throwaway embedded PostgreSQL, runs the migrations and the search
index refresh, then walks every page of duplicateCandidates at the default minScore for each page
size, explains one page, and scores the pairs against the planted ones (precision and recall, overall
and per kind of evidence). Writes bench/results/duplicates-<date>-<commit>.json and .md.`;

const ROOT = path.resolve(__dirname, '..');
const KINDS: DuplicateEvidenceKind[] = ['email', 'phone', 'device_id', 'name_birth_date', 'name_city'];
/** The planted fact each kind of evidence should find. */
const PLANTED_AS: Record<DuplicateEvidenceKind, keyof PlantedDuplicate['shared']> = {
  email: 'email',
  phone: 'phone',
  device_id: 'deviceId',
  name_birth_date: 'birthDate',
  name_city: 'city',
};

const pairKey = (a: string, b: string) => (a < b ? `${a} ${b}` : `${b} ${a}`);
const ratio = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 1000) / 1000 : null);
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

/** Every page at the default minScore, `first` at a time: the pairs and each page's milliseconds. */
async function walk(db: Db, first: number, countryCallingCode: string): Promise<{ pairs: DuplicateCandidate[]; pageMs: number[] }> {
  const pairs: DuplicateCandidate[] = [];
  const pageMs: number[] = [];
  let after: DuplicateCandidatesOptions['after'] = null;
  for (;;) {
    const t0 = performance.now();
    const rows = await duplicateCandidates(db, { minScore: DEFAULT_MIN_SCORE, first, after, countryCallingCode });
    pageMs.push(Math.round(performance.now() - t0));
    pairs.push(...rows.slice(0, first));
    if (rows.length <= first) return { pairs, pageMs };
    const last = pairs[pairs.length - 1]!;
    after = { score: last.score, a: last.a, b: last.b };
  }
}

interface PlanNode {
  'Node Type': string;
  'Subplan Name'?: string;
  'Actual Total Time': number;
  Plans?: PlanNode[];
}

/** EXPLAIN ANALYZE of the first page: execution time and the time spent in each CTE (instrumented, including the CTEs it reads). */
async function explainFirstPage(db: Db, first: number, countryCallingCode: string) {
  let plan: { Plan: PlanNode; 'Execution Time': number } | undefined;
  const explaining: Db = async <R>(statement: string | Sql, values?: unknown[]) => {
    const q = typeof statement === 'string' ? { text: statement, values } : toQuery(statement);
    const [row] = await db<{ 'QUERY PLAN': [typeof plan] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${q.text}`, q.values);
    plan = row!['QUERY PLAN'][0];
    return [] as R[];
  };
  await duplicateCandidates(explaining, { minScore: DEFAULT_MIN_SCORE, first, after: null, countryCallingCode });
  const ctes = (plan!.Plan.Plans ?? [])
    .filter((p) => p['Subplan Name']?.startsWith('CTE '))
    .map((p) => ({ cte: p['Subplan Name']!.slice(4), ms: Math.round(p['Actual Total Time']) }));
  return { executionMs: Math.round(plan!['Execution Time']), ctes };
}

/** Precision and recall of `pairs` against the planted duplicates, overall, per kind of evidence, and what was missed. */
function score(pairs: DuplicateCandidate[], planted: PlantedDuplicate[]) {
  const truth = new Map(planted.map((p) => [pairKey(p.original, p.duplicate), p]));
  const found = new Map(pairs.map((c) => [pairKey(c.a, c.b), c]));
  const hits = pairs.filter((c) => truth.has(pairKey(c.a, c.b))).length;
  const perKind = KINDS.map((kind) => {
    const withKind = pairs.filter((c) => c.evidence.some((e) => e.kind === kind));
    const plantedKind = planted.filter((p) => p.shared[PLANTED_AS[kind]]);
    const foundKind = plantedKind.filter((p) => found.get(pairKey(p.original, p.duplicate))?.evidence.some((e) => e.kind === kind));
    return {
      kind,
      candidates: withKind.length,
      precision: ratio(withKind.filter((c) => truth.has(pairKey(c.a, c.b))).length, withKind.length),
      planted: plantedKind.length,
      recall: ratio(foundKind.length, plantedKind.length),
    };
  });
  const tally = (keys: string[]) =>
    Object.fromEntries([...keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>())].sort((x, y) => y[1] - x[1]));
  const missed = planted.filter((p) => !found.has(pairKey(p.original, p.duplicate)));
  const describe = (p: PlantedDuplicate) => {
    const s = p.shared;
    const identifier = s.email || s.phone || s.deviceId ? 'an identifier' : 'no identifier';
    return `name ${p.name}, ${identifier}, ${s.birthDate ? 'same' : 'no'} birth date, ${s.city ? 'same' : 'no'} city`;
  };
  return {
    minScore: DEFAULT_MIN_SCORE,
    candidates: pairs.length,
    planted: planted.length,
    truePairs: hits,
    precision: ratio(hits, pairs.length),
    recall: ratio(hits, planted.length),
    perKind,
    missed: tally(missed.map(describe)),
    falsePairsByEvidence: tally(pairs.filter((c) => !truth.has(pairKey(c.a, c.b))).map((c) => c.evidence.map((e) => e.kind).join(' + '))),
  };
}

const OPTIONS = {
  customers: { type: 'string', default: '100000' },
  duplicates: { type: 'string', default: '0.02' },
  first: { type: 'string', default: '100,1000' },
} as const;

async function main(values: Values<typeof OPTIONS>): Promise<void> {
  const customers = integer('customers', values.customers, 100, 1_000_000);
  const share = shareOf('duplicates', values.duplicates);
  if (share === 0) throw new UsageError('--duplicates must be more than 0: the bench measures how planted duplicates are found');
  const pageSizes = integerList('first', values.first, 1, 100_000);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const started = Date.now();
  const config = loadConfig({ NODE_ENV: 'production' });
  const countryCallingCode = getCountryCallingCode(config.DEFAULT_PHONE_REGION as CountryCode);

  const parent = mkdtempSync(path.join(os.tmpdir(), 'c360-bench-duplicates-'));
  chmodSync(parent, 0o755); // PostgreSQL runs as its own user when the bench runs as root
  const pgHandle = await startEmbeddedPostgres({ dir: path.join(parent, 'pg'), database: 'duplicates', persistent: false });
  // Loading and indexing take longer than a request may: a pool without the API's timeouts for them.
  const setup = createCrmPool(loadConfig({ NODE_ENV: 'production', DB_STATEMENT_TIMEOUT_MS: '600000' }), pgHandle.url);
  // The API's pool: its search path and statement timeout (DB_STATEMENT_TIMEOUT_MS) bound every page.
  const pool = createCrmPool(config, pgHandle.url);
  try {
    log(`generating ${customers} customers with planted duplicates for ${share * 100}% of them …`);
    let t = Date.now();
    const { dataset, duplicates: planted } = generateCrmDatasetWithPersonas({ customers, seed: 42, now: new Date(), duplicates: share });
    const generateMs = Date.now() - t;
    log('loading the CRM tables, migrating, refreshing the search index …');
    t = Date.now();
    await createCrmTables(setup);
    await migrate(setup);
    const client = await setup.connect();
    try {
      await loadCrmDataset(client, dataset);
      await client.query('ANALYZE');
    } finally {
      client.release();
    }
    await refreshSearchIndex(setup);
    const loadMs = Date.now() - t;
    const {
      rows: [counts],
    } = await setup.query<{ customers: number; identities: number; same_name_city_pairs: number }>(`
      SELECT (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM customer_identities)::int AS identities,
             (SELECT sum(n * (n - 1) / 2) FROM (SELECT count(*) AS n FROM customers WHERE city IS NOT NULL GROUP BY lower(city), full_name) g)::int
               AS same_name_city_pairs`);

    const roundTrips = noRoundTrips();
    const db = createDb(pool, roundTrips);
    log('warming up (one page) …');
    await duplicateCandidates(db, { minScore: DEFAULT_MIN_SCORE, first: 1, after: null, countryCallingCode });
    const walks = [];
    let reference: DuplicateCandidate[] | null = null;
    for (const first of pageSizes) {
      log(`walking every page of ${first} …`);
      roundTrips.crm = 0;
      const { pairs, pageMs } = await walk(db, first, countryCallingCode);
      if (reference && JSON.stringify(pairs) !== JSON.stringify(reference))
        throw new Error(`pages of ${first} list other pairs than pages of ${pageSizes[0]}`);
      reference ??= pairs;
      walks.push({
        first,
        pages: pageMs.length,
        statements: roundTrips.crm,
        pairs: pairs.length,
        totalMs: pageMs.reduce((a, b) => a + b, 0),
        pageMs: { p50: percentile(pageMs, 50), max: Math.max(...pageMs) },
      });
    }
    log('explaining one page …');
    const explain = await explainFirstPage(db, pageSizes[0]!, countryCallingCode);

    const commit =
      execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim() +
      (execFileSync('git', ['status', '--porcelain'], { cwd: ROOT }).toString().trim() ? '-dirty' : '');
    const results = {
      date: new Date().toISOString(),
      commit,
      node: process.versions.node,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      dataset: { ...counts!, seed: 42, plantedShare: share, planted: planted.length, generateMs, loadMs },
      settings: {
        countryCallingCode,
        statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
        workMem: (await pool.query<{ work_mem: string }>('SHOW work_mem')).rows[0]!.work_mem,
      },
      walks,
      explain,
      quality: score(reference!, planted),
      totalSeconds: Math.round((Date.now() - started) / 1000),
    };
    const markdown = toMarkdown(results);
    const out = path.join(ROOT, 'bench', 'results', `duplicates-${results.date.slice(0, 10)}-${commit}`);
    writeFileSync(`${out}.json`, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(`${out}.md`, markdown);
    process.stdout.write(markdown);
    log(`\nwritten ${path.relative(ROOT, out)}.json and .md in ${results.totalSeconds} s`);
  } finally {
    await pool.end();
    await setup.end();
    await pgHandle.stop();
    rmSync(parent, { recursive: true, force: true });
  }
}

function toMarkdown(r: {
  date: string;
  commit: string;
  node: string;
  cpus: number;
  cpuModel?: string;
  dataset: Record<string, number>;
  settings: { countryCallingCode: string; statementTimeoutMs: number; workMem: string };
  walks: { first: number; pages: number; statements: number; pairs: number; totalMs: number; pageMs: { p50: number; max: number } }[];
  explain: Awaited<ReturnType<typeof explainFirstPage>>;
  quality: ReturnType<typeof score>;
}): string {
  const d = r.dataset;
  const q = r.quality;
  const lines = [
    `## Duplicate candidates ${r.date.slice(0, 16).replace('T', ' ')} UTC, commit ${r.commit}`,
    '',
    `Node ${r.node}, ${r.cpus} × ${r.cpuModel ?? 'cpu'}; PostgreSQL 17 (embedded), work_mem ${r.settings.workMem}, statement timeout ${r.settings.statementTimeoutMs} ms.`,
    `${d.customers} customers (${d.planted} of them planted duplicates, seed ${d.seed}), ${d.identities} identities; generated in ${d.generateMs} ms, loaded, migrated and indexed in ${d.loadMs} ms.`,
    '',
    `Every page at minScore ${q.minScore}, one statement each:`,
    '',
    '| page size | pages | statements | pairs | all pages ms | page p50 ms | page max ms |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...r.walks.map((w) => `| ${w.first} | ${w.pages} | ${w.statements} | ${w.pairs} | ${w.totalMs} | ${w.pageMs.p50} | ${w.pageMs.max} |`),
    '',
    `EXPLAIN ANALYZE of the first page: ${r.explain.executionMs} ms; time inside each CTE (ms, instrumented, including the CTEs it reads): ${r.explain.ctes.map((c) => `${c.cte} ${c.ms}`).join(', ')}.`,
    '',
    `Against the planted pairs: **precision ${q.precision}, recall ${q.recall}** (${q.truePairs} of ${q.candidates} pairs planted; ${q.planted} planted).`,
    '',
    '| evidence | pairs with it | precision | planted sharing it | recall |',
    '|---|---:|---:|---:|---:|',
    ...q.perKind.map((k) => `| ${k.kind} | ${k.candidates} | ${k.precision ?? '—'} | ${k.planted} | ${k.recall ?? '—'} |`),
    '',
    `Missed planted pairs: ${
      Object.entries(q.missed)
        .map(([k, n]) => `${n} × ${k}`)
        .join('; ') || 'none'
    }.`,
    '',
    `Pairs not planted, by evidence: ${
      Object.entries(q.falsePairsByEvidence)
        .map(([k, n]) => `${n} × ${k}`)
        .join('; ') || 'none'
    }.`,
    '',
    `Same full name and city (name_city alone would propose these): ${d.same_name_city_pairs} pairs.`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}

runCommand({ name: 'bench:duplicates', usage: USAGE, options: OPTIONS }, ({ values }) => main(values));
