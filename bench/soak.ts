import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { integer, runCommand, type Values } from '../src/cli/command';
import { checkInvariantsOf, type InvariantReport } from '../src/invariants/check';
import { ApiKeyStore } from '../src/security/apiKeys';
import { mintToken } from '../src/security/tokens';
import { faults, type Fault } from './chaos';
import { apiEnvironment, ensureDataset, ROOT, startFlags, startStores } from './dataset';
import { startService } from './processes';
import { ANSWERS, driveMix, soakInputs, soakOperations, type Role, type Sample } from './soakLoad';
import { chartSvg, toMarkdown, type Scrape, type Window } from './soakReport';

const USAGE = `usage: npm run soak -- [--minutes 10] [--quick] [--chaos] [--concurrency 8] [--customers 2000]

Runs the API's production build for N minutes (--quick: 2) against the embedded PostgreSQL,
MongoDB-compatible server and social provider (each its own process, on a copy of the bench dataset
under .bench/, so the dataset stays as seeded), with a mixed workload at a set concurrency over every
role: console lookups by every identifier kind, dashboards, search, partner operations,
lookupCustomers, and writes (links, merges, segments, tag definitions, erasures) while the snapshot
scheduler builds. Samples /metrics every 5 s (heap after GC, RSS, event-loop delay p99, open handles,
CRM pool, requests in flight, errors by code) and /readyz every second. --chaos: at spaced times,
kills PostgreSQL and the MongoDB-compatible server with SIGKILL and starts them again, makes the
provider hang then fail then recover, and holds the CRM pool with a slow query; each fault's window is
measured (codes, max latency, /readyz, recovery). After the run, the invariant checker. Writes
bench/results/soak-<date>-<commit>[-chaos].json, .svg and .md.`;

const OPTIONS = {
  minutes: { type: 'string' },
  quick: { type: 'boolean', default: false },
  chaos: { type: 'boolean', default: false },
  concurrency: { type: 'string', default: '8' },
  customers: { type: 'string', default: '2000' },
} as const;

/** How often /metrics is scraped and /readyz polled. */
const SCRAPE_MS = 5000;
const READY_MS = 1000;
/** A fault takes its source away this long; the next starts this long after the previous one's start. */
const DOWN_MS = 6000;
const SLOT_MS = 22_000;
/** After a source returns, answers may still degrade this long and count as the fault's (its recovery is measured, target 5 s). */
const GRACE_MS = 15_000;
/** Requests are abandoned after this (a TIMEOUT: something hung). */
const CLIENT_TIMEOUT_MS = 30_000;

/** Value of the sample line `name` (with its labels) in a Prometheus exposition; NaN when absent. */
const metric = (text: string, name: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : NaN;
};

function parseScrape(t: number, text: string): Scrape {
  const errorsByCode: Record<string, number> = {};
  for (const m of text.matchAll(/^c360_graphql_errors_total\{code="([^"]+)"\} (\S+)$/gm)) errorsByCode[m[1]!] = Number(m[2]);
  const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  return {
    t,
    heapAfterGcMiB: mib(metric(text, 'c360_heap_used_after_gc_bytes')),
    rssMiB: mib(metric(text, 'process_resident_memory_bytes')),
    eventLoopP99Ms: Math.round(metric(text, 'nodejs_eventloop_lag_p99_seconds') * 10_000) / 10,
    handles: metric(text, 'nodejs_active_handles_total'),
    poolInUse: metric(text, 'c360_crm_pool_connections{state="in_use"}'),
    poolWaiting: metric(text, 'c360_crm_pool_connections{state="waiting"}'),
    inFlight: metric(text, 'c360_http_requests_in_flight'),
    errorsByCode,
  };
}

interface ReadyPoll {
  t: number;
  http: number;
  status: string;
  crm: string;
  behaviour: string;
  social: string;
}

async function main(values: Values<typeof OPTIONS>): Promise<void> {
  const minutes = values.quick ? 2 : integer('minutes', values.minutes ?? '10', 1, 600);
  const concurrency = integer('concurrency', values.concurrency, 1, 256);
  const customers = integer('customers', values.customers, 500, 1_000_000);
  const durationMs = minutes * 60_000;
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const started = Date.now();
  const now = () => Date.now() - started;

  // A copy of the dataset: the soak writes (merges, erasures), the benches' dataset must stay as seeded. cp -a keeps PostgreSQL's owner.
  const seeded = ensureDataset(customers, log);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'c360-soak-'));
  execFileSync('cp', ['-a', `${seeded}/.`, dataDir]);
  log(`stores on a copy of ${path.relative(ROOT, seeded)} in ${dataDir}`);
  const stores = await startStores(dataDir);
  const secret = randomBytes(32).toString('base64url');
  const metricsToken = randomBytes(16).toString('hex');
  const admin = new pg.Pool({ connectionString: stores.pgUrl, max: 2 });
  admin.on('error', () => undefined); // an idle connection lost when chaos kills PostgreSQL: the next query reconnects
  let api: Awaited<ReturnType<typeof startService>> | null = null;
  try {
    api = await startService(
      'api',
      [...startFlags(), 'dist/src/main.js'],
      apiEnvironment(stores, secret, { METRICS_TOKEN: metricsToken, SNAPSHOT_INTERVAL_MINUTES: '1' }),
      /ready at (http:\/\/\S+?\/graphql)/,
    );
    const base = api.url.replace(/\/graphql$/, '');
    const inputs = await soakInputs(admin, 'CN');
    const token = (role: Role) => mintToken(secret, { sub: `soak-${role}`, roles: [role], ttlSeconds: 2 * 3600 + minutes * 60 });
    const partnerKey = await new ApiKeyStore(admin, 0).create(
      { partner: 'soak', scopes: ['profile', 'contact', 'orders', 'insights'], ratePerMinute: 100_000 },
      'soak',
    );
    const headers: Record<Role, Record<string, string>> = {
      agent: { authorization: `Bearer ${await token('agent')}` },
      analyst: { authorization: `Bearer ${await token('analyst')}` },
      admin: { authorization: `Bearer ${await token('admin')}` },
      partner: { 'x-api-key': partnerKey.key },
    };

    const samples: Sample[] = [];
    const scrapes: Scrape[] = [];
    const polls: ReadyPoll[] = [];
    const windows: Window[] = [];
    const scrape = async () => {
      const t = now();
      const res = await fetch(`${base}/metrics`, {
        headers: { authorization: `Bearer ${metricsToken}` },
        signal: AbortSignal.timeout(4000),
      });
      scrapes.push(parseScrape(t, await res.text()));
    };
    const poll = async () => {
      const t = now();
      try {
        const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(READY_MS * 3) });
        const body = (await res.json()) as { status: string; sources: Record<string, { status: string }> };
        polls.push({
          t,
          http: res.status,
          status: body.status,
          crm: body.sources.crm!.status,
          behaviour: body.sources.behaviour!.status,
          social: body.sources.social!.status,
        });
      } catch {
        polls.push({ t, http: 0, status: 'no answer', crm: '?', behaviour: '?', social: '?' });
      }
    };
    const timers = [
      setInterval(() => void scrape().catch(() => undefined), SCRAPE_MS),
      setInterval(() => void poll(), READY_MS),
      setInterval(
        () =>
          log(
            `${Math.round(now() / 1000)} s: ${samples.length} requests, ${samples.filter((s) => s.status !== 200).length} not 200, ${windows.length} faults`,
          ),
        30_000,
      ),
    ];
    // The first scrape's window is the API's start-up (nothing served yet): charted, not judged.
    await scrape();
    const loadFrom = now();
    const mix = driveMix({
      url: api.url,
      concurrency,
      operations: soakOperations(inputs),
      headers,
      timeoutMs: CLIENT_TIMEOUT_MS,
      now,
      record: (s) => samples.push(s),
    });
    log(`soak: ${minutes} min at concurrency ${concurrency}${values.chaos ? ', with chaos' : ''} …`);
    const chaos = values.chaos ? runChaos(faults(stores, dataDir), durationMs, now, windows, log) : Promise.resolve();
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    await chaos;
    await mix.stop();
    await scrape();
    for (const t of timers) clearInterval(t);
    await api.stop();
    api = null;

    const piiReads = samples.flatMap((s) => (s.piiRequestId ? [s.piiRequestId] : []));
    log(`checking the invariants (${piiReads.length} reads of personal data against the audit log) …`);
    const invariants: InvariantReport = await checkInvariantsOf(admin, piiReads);
    const snapshots = (
      await admin.query<{ version: number; kind: string; status: string; customers: number }>(
        `SELECT version, kind, status, customers FROM c360.snapshots ORDER BY version`,
      )
    ).rows;
    const commit =
      execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim() +
      (execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT }).toString().trim() ? '-dirty' : '');
    const results = analyse({ samples, scrapes, polls, windows, durationMs, loadFrom, invariants, snapshots });
    const report = {
      date: new Date().toISOString(),
      commit,
      node: process.versions.node,
      cpus: os.cpus().length,
      settings: { minutes, concurrency, customers, chaos: values.chaos, scrapeSeconds: SCRAPE_MS / 1000, faultDownSeconds: DOWN_MS / 1000 },
      ...results,
      scrapes,
      readiness: polls,
    };
    const out = path.join(
      ROOT,
      'bench',
      'results',
      `soak-${report.date.slice(0, 10)}-${commit}${values.chaos ? '-chaos' : ''}${values.quick ? '-quick' : ''}`,
    );
    writeFileSync(`${out}.json`, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(`${out}.svg`, await chartSvg(scrapes, samples, windows, `Soak ${report.date.slice(0, 16)} (${commit})`));
    const markdown = toMarkdown(report, path.basename(`${out}.svg`));
    writeFileSync(`${out}.md`, markdown);
    process.stdout.write(markdown);
    log(`written ${path.relative(ROOT, out)}.json, .svg and .md`);
    if (!report.passed) process.exitCode = 1;
  } finally {
    await api?.stop().catch(() => undefined);
    await admin.end().catch(() => undefined);
    await stores.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The faults in turn, one every SLOT_MS from 15 s on, until the last would end within 20 s of the run's end; each window recorded. */
async function runChaos(list: Fault[], durationMs: number, now: () => number, windows: Window[], log: (s: string) => void) {
  let next = 15_000;
  for (let i = 0; next + SLOT_MS <= durationMs - 5_000; i++, next += SLOT_MS) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - now())));
    const fault = list[i % list.length]!;
    const start = now();
    log(`${Math.round(start / 1000)} s: ${fault.name}`);
    await fault.run(DOWN_MS);
    windows.push({ name: fault.name, source: fault.source, down: fault.down, start, returned: now() });
  }
}

const median = (xs: number[]) => percentile(xs, 50);
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

/** Sum of the budgets a request may spend in turn (CRM statement and connection, behaviour, social with its retries): beyond it, it hung. */
const HANG_MS = 5000 + 2000 + 2000 + 800 * 3;

/** Which requests the faults explain, what else went wrong, recovery and /readyz per fault, and the targets. */
function analyse(r: {
  samples: Sample[];
  scrapes: Scrape[];
  polls: ReadyPoll[];
  windows: Window[];
  durationMs: number;
  /** When the load started (the scrapes before it cover the API's start-up). */
  loadFrom: number;
  invariants: InvariantReport;
  snapshots: { version: number; kind: string; status: string; customers: number }[];
}) {
  const inWindow = (from: number, to: number) => r.windows.find((w) => from <= w.returned + GRACE_MS && to >= w.start);
  const designed = (s: Sample) =>
    s.codes.every((c) => ANSWERS.has(c) || c === 'SOURCE_UNAVAILABLE') && (s.status === 200 || s.status === 503);
  const clean = (s: Sample) => s.status === 200 && s.codes.every((c) => ANSWERS.has(c));
  // Before the first snapshot is built, stats answer SOURCE_UNAVAILABLE (source snapshot, not built): designed, not a fault.
  const firstSnapshotAt = r.samples.find((s) => s.op === 'stats' && clean(s))?.start ?? Infinity;
  const unexpected = r.samples.filter((s) => {
    if (clean(s)) return false;
    if (s.op === 'stats' && s.start < firstSnapshotAt && s.unavailable.every((u) => u === 'snapshot') && designed(s)) return false;
    return !(inWindow(s.start, s.end) && designed(s));
  });
  const codes = (list: Sample[]) => {
    const out: Record<string, number> = {};
    const add = (c: string) => (out[c] = (out[c] ?? 0) + 1);
    for (const s of list) {
      s.codes.forEach(add);
      if (s.status !== 200 && s.status !== 0) add(`HTTP ${s.status}`);
    }
    return out;
  };
  const faults = r.windows.map((w) => {
    const during = r.samples.filter((s) => s.start <= w.returned + GRACE_MS && s.end >= w.start);
    // The first console answer started after the source returned and whole (every source answered).
    const recovered = r.samples.filter((s) => s.op === 'console' && s.start >= w.returned && clean(s)).sort((a, b) => a.end - b.end)[0];
    const sourceUp = (p: ReadyPoll) =>
      w.source === 'crm' ? p.crm === 'up' : w.source === 'behaviour' ? p.behaviour === 'up' : p.social === 'up';
    const downPolls = r.polls.filter((p) => p.t >= w.start && p.t <= w.returned);
    const upAgain = r.polls.find((p) => p.t >= w.returned && sourceUp(p));
    return {
      name: w.name,
      source: w.source,
      startS: Math.round(w.start / 100) / 10,
      downS: Math.round((w.returned - w.start) / 100) / 10,
      requests: during.length,
      codes: codes(during),
      unavailableBySource: during
        .flatMap((s) => s.unavailable)
        .reduce<Record<string, number>>((m, u) => ({ ...m, [u]: (m[u] ?? 0) + 1 }), {}),
      maxLatencyMs: Math.max(0, ...during.map((s) => s.end - s.start)),
      hung: during.filter((s) => s.end - s.start > HANG_MS || s.codes.includes('TIMEOUT')).length,
      unexpected: during.filter((s) => !designed(s)).length,
      recoveryMs: recovered ? recovered.end - w.returned : null,
      readyz: {
        mustSeeDown: w.down,
        sawSourceDown: downPolls.some((p) => !sourceUp(p)),
        statusesWhileDown: [...new Set(downPolls.map((p) => `${p.http} ${p.status}`))],
        upAgainAfterMs: upAgain ? upAgain.t - w.returned : null,
      },
    };
  });
  const outside = r.scrapes.filter((s) => s.t > r.loadFrom && !inWindow(s.t - SCRAPE_MS, s.t));
  const startUp = r.scrapes.filter((s) => s.t <= r.loadFrom);
  // The heap after GC over a minute (its median outside the fault windows, whose requests in flight hold memory): one scrape is noise.
  const heapAround = (from: number, to: number) => {
    const all = r.scrapes.filter((s) => s.t >= from && s.t <= to);
    const calm = all.filter((s) => outside.includes(s));
    return { t: (from + to) / 2, heapAfterGcMiB: median((calm.length ? calm : all).map((s) => s.heapAfterGcMiB)) };
  };
  const earlyAt = Math.min(120_000, r.durationMs * 0.25);
  const early = heapAround(earlyAt - 30_000, earlyAt + 30_000);
  const last = heapAround(r.durationMs - 60_000, Infinity);
  const heapGrowth = Math.round((last.heapAfterGcMiB / early.heapAfterGcMiB - 1) * 1000) / 10;
  const loopP99 = Math.max(0, ...outside.map((s) => s.eventLoopP99Ms));
  const latencies = r.samples.map((s) => s.end - s.start);
  const byOp: Record<string, { requests: number; p50: number; p99: number; notClean: number }> = {};
  for (const op of new Set(r.samples.map((s) => s.op))) {
    const list = r.samples.filter((s) => s.op === op);
    const ms = list.map((s) => s.end - s.start);
    byOp[op] = { requests: list.length, p50: percentile(ms, 50), p99: percentile(ms, 99), notClean: list.filter((s) => !clean(s)).length };
  }
  const recoveries = faults.map((f) => f.recoveryMs);
  const targets = [
    {
      target: 'zero unexpected errors (only designed partials during the faults)',
      measured: `${unexpected.length}`,
      met: unexpected.length === 0,
    },
    {
      target: `heap after GC in the last minute within 10 % of minute ${Math.round(early.t / 6000) / 10} (medians outside the fault windows)`,
      measured: `${early.heapAfterGcMiB} → ${last.heapAfterGcMiB} MiB (${heapGrowth >= 0 ? '+' : ''}${heapGrowth} %)`,
      met: Math.abs(heapGrowth) <= 10,
    },
    {
      target: 'event-loop delay p99 under 100 ms outside the fault windows (under load)',
      measured: `max ${loopP99} ms; start-up, before the load: ${startUp.map((s) => `${s.eventLoopP99Ms} ms`).join(', ') || '—'}`,
      met: loopP99 < 100,
    },
    {
      target: "nothing hangs past its budgets (no request over the sum of its sources' budgets, no client timeout)",
      measured: `max ${Math.max(0, ...latencies)} ms, ${r.samples.filter((s) => s.end - s.start > HANG_MS || s.codes.includes('TIMEOUT')).length} over ${HANG_MS} ms`,
      met: r.samples.every((s) => s.end - s.start <= HANG_MS && !s.codes.includes('TIMEOUT')),
    },
    ...(faults.length
      ? [
          {
            target: 'recovery after each source returns under 5 s (first whole console answer)',
            measured: recoveries.map((ms) => (ms === null ? 'never' : `${Math.round(ms / 100) / 10} s`)).join(', '),
            met: recoveries.every((ms) => ms !== null && ms < 5000),
          },
          {
            target: '/readyz follows the truth (a source taken down seen down while it was, up again within 5 s of its return)',
            measured: faults
              .map(
                (f) =>
                  `${f.source}: ${f.readyz.sawSourceDown ? 'down seen' : `down not seen${f.readyz.mustSeeDown ? '' : ' (pool held, not down)'}`}, up after ${f.readyz.upAgainAfterMs ?? '—'} ms`,
              )
              .join('; '),
            met: faults.every(
              (f) =>
                (f.readyz.sawSourceDown || !f.readyz.mustSeeDown) && f.readyz.upAgainAfterMs !== null && f.readyz.upAgainAfterMs < 5000,
            ),
          },
        ]
      : []),
    {
      target: 'invariant checker clean',
      measured: r.invariants.clean
        ? 'clean'
        : r.invariants.results
            .filter((x) => x.violations)
            .map((x) => `${x.name}: ${x.violations}`)
            .join('; '),
      met: r.invariants.clean,
    },
  ];
  return {
    passed: targets.every((t) => t.met),
    targets,
    totals: {
      requests: r.samples.length,
      perSecond: Math.round((r.samples.length / (r.durationMs / 1000)) * 10) / 10,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      codes: codes(r.samples),
      piiReads: r.samples.filter((s) => s.piiRequestId).length,
    },
    byOperation: byOp,
    faults,
    unexpected: unexpected.slice(0, 20),
    unexpectedCount: unexpected.length,
    snapshots: r.snapshots,
    invariants: r.invariants,
  };
}

export type SoakResults = ReturnType<typeof analyse>;

runCommand({ name: 'soak', usage: USAGE, options: OPTIONS }, ({ values }) => main(values));
