import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { mintToken } from '../src/security/tokens';
import { apiEnvironment, ensureDataset, ROOT, startFlags, startStores } from './dataset';
import { cpuSeconds, ioCounts, startService } from './processes';
import { onlyExpectedErrors, sampleInputs, WORKLOAD_NAMES, workloads } from './workloads';
import { integer, oneOf, runCommand, type Values } from '../src/cli/command';

const USAGE = `usage: npm run bench:profile -- [--workload crm-nested] [--target api|raw] [--customers 5000] [--duration 10] [--concurrency 16] [--no-profile]

Starts the stores of the bench dataset and one server (the API's production build, or the raw
handler) under node --cpu-prof, drives one workload with autocannon, stops the server and prints
its CPU milliseconds per request and where they went: self time by package and by function.
Writes the .cpuprofile (open it in Chrome DevTools) and the summary under bench/results/.
--no-profile: no profiler, only throughput, latency and CPU per request.
--gc: also what V8's collections did during the measured seconds (bench/gcStats.cjs preloaded): per
kind, collections and milliseconds; for scavenges, what survived and what was promoted.`;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Where a function lives: a package, the API's own code, Node, or V8's pseudo-frames (GC, program). */
function placeOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node';
  const own = /\/(dist\/)?(src|resolvers|bench)\/(.*)$/.exec(url);
  return own ? `own: ${own[2]}/${own[3]!.replace(/\.js$/, '.ts')}` : url;
}

/** Self time shares of a .cpuprofile, by place and by function, without idle time. */
export function summarise(file: string, top = 25) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (!us || functionName === '(idle)') continue;
    total += us;
    const place = placeOf(url, functionName);
    byPlace.set(place.startsWith('own: ') ? 'own code' : place, (byPlace.get(place.startsWith('own: ') ? 'own code' : place) ?? 0) + us);
    const key = `${functionName || '(anonymous)'} ${place}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const rank = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, percent: Math.round((us / total) * 1000) / 10 }));
  return { busyMs: Math.round(total / 1000), byPlace: rank(byPlace), byFunction: rank(byFunction) };
}

const OPTIONS = {
  workload: { type: 'string', default: 'crm-nested' },
  target: { type: 'string', default: 'api' },
  customers: { type: 'string', default: '5000' },
  duration: { type: 'string', default: '10' },
  concurrency: { type: 'string', default: '16' },
  'no-profile': { type: 'boolean', default: false },
  gc: { type: 'boolean', default: false },
} as const;

interface GcKind {
  collections: number;
  ms: number;
  survivedBytes: number;
  promotedBytes: number;
}

/** bench/gcStats.cjs's summary, per request; null when the server wrote none within 5 s. */
async function gcSummary(file: string, requests: number) {
  for (let i = 0; i < 50 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
  if (!existsSync(file)) return null;
  const kinds = JSON.parse(readFileSync(file, 'utf8')) as Record<string, GcKind>;
  const round = (n: number) => Math.round(n * 100) / 100;
  const s = kinds.Scavenge ?? { collections: 0, ms: 0, survivedBytes: 0, promotedBytes: 0 };
  const major = Object.entries(kinds).filter(([k]) => k !== 'Scavenge');
  return {
    scavenges: s.collections,
    scavengeMsPerRequest: round(s.ms / requests),
    survivedMiBPerScavenge: round(s.collections ? s.survivedBytes / s.collections / 2 ** 20 : 0),
    promotedKiBPerRequest: round(s.promotedBytes / requests / 1024),
    otherCollections: major.reduce((n, [, k]) => n + k.collections, 0),
    otherMsPerRequest: round(major.reduce((n, [, k]) => n + k.ms, 0) / requests),
  };
}

async function main(values: Values<typeof OPTIONS>): Promise<void> {
  const customers = integer('customers', values.customers, 100, 1_000_000);
  const duration = integer('duration', values.duration, 1, 3600);
  const concurrency = integer('concurrency', values.concurrency, 1, 256);
  const target = oneOf('target', values.target, ['api', 'raw'] as const);
  const workloadName = oneOf('workload', values.workload, WORKLOAD_NAMES);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const dataDir = ensureDataset(customers, log);
  const stores = await startStores(dataDir);
  const profDir = mkdtempSync(path.join(os.tmpdir(), 'c360-prof-'));
  const gcFile = path.join(profDir, 'gc.json');
  try {
    const secret = randomBytes(32).toString('base64url');
    const env = { ...apiEnvironment(stores, secret), GC_STATS_FILE: gcFile };
    const prof = [
      ...(values['no-profile'] ? [] : ['--cpu-prof', `--cpu-prof-dir=${profDir}`]),
      ...(values.gc ? ['--require', path.join(ROOT, 'bench', 'gcStats.cjs')] : []),
    ];
    const server =
      target === 'raw'
        ? await startService('raw', [...prof, '--require', 'tsx/cjs', 'bench/raw.ts'], env, /listening on (http\S+)/)
        : await startService('api', [...startFlags(), ...prof, 'dist/src/main.js'], env, /ready at (http:\/\/\S+?\/graphql)/);
    const pool = new pg.Pool({ connectionString: stores.pgUrl, max: 2 });
    const workload = workloads(await sampleInputs(pool)).find((w) => w.name === workloadName)!;
    await pool.end();
    const token = await mintToken(secret, { sub: 'bench-profile', roles: [workload.role], ttlSeconds: 3600 });
    // A 200 answer carrying errors other than the designed ones is an error, as in `npm run bench`.
    let graphqlErrors = 0;
    const drive = (duration: number) =>
      autocannon({
        url: server.url,
        connections: concurrency,
        duration,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            setupRequest: (req) => ({ ...req, body: JSON.stringify({ query: workload.query, variables: workload.variables() }) }),
            onResponse: (status, body) => {
              if (status === 200 && body.includes('"errors"') && !onlyExpectedErrors(body)) graphqlErrors += 1;
            },
          },
        ],
      });
    await drive(2);
    if (values.gc) process.kill(server.pid, 'SIGUSR2');
    const cpu0 = cpuSeconds(server.pid);
    const io0 = ioCounts(server.pid);
    graphqlErrors = 0;
    const result = await drive(duration);
    const cpuMsPerRequest = ((cpuSeconds(server.pid) - cpu0) * 1000) / result.requests.total;
    const io1 = ioCounts(server.pid);
    if (values.gc) process.kill(server.pid, 'SIGUSR2');
    const gc = values.gc ? await gcSummary(gcFile, result.requests.total) : null;
    const gcLine = gc
      ? `\ngc: ${gc.scavenges} scavenges, ${gc.scavengeMsPerRequest} ms a request; ${gc.survivedMiBPerScavenge} MiB survived a scavenge, ${gc.promotedKiBPerRequest} KiB promoted a request; ${gc.otherCollections} other collections, ${gc.otherMsPerRequest} ms a request`
      : '';
    const perRequest = (n: number) => Math.round((n / result.requests.total) * 10) / 10;
    const io = {
      writeCalls: perRequest(io1.syscw - io0.syscw),
      writtenKiB: perRequest((io1.wchar - io0.wchar) / 1024),
      readCalls: perRequest(io1.syscr - io0.syscr),
      readKiB: perRequest((io1.rchar - io0.rchar) / 1024),
    };
    const ioLine = `per request: ${io.writeCalls} write calls (${io.writtenKiB} KiB), ${io.readCalls} read calls (${io.readKiB} KiB)${gcLine}`;
    await server.stop();
    if (values['no-profile']) {
      process.stdout.write(
        `${target} ${workload.name} c=${concurrency} on ${customers} customers: ${result.requests.average} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${result.errors + result.non2xx + graphqlErrors} errors, ${Math.round(cpuMsPerRequest * 100) / 100} CPU ms/request (no profiler)\n${ioLine}\n`,
      );
      return;
    }
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('the server wrote no profile');
    const summary = summarise(path.join(profDir, file));
    const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
    const base = path.join(ROOT, 'bench', 'results', `profile-${stamp}-${target}-${workload.name}`);
    const report = {
      target,
      workload: workload.name,
      concurrency,
      node: process.versions.node,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.non2xx + graphqlErrors,
      cpuMsPerRequest: Math.round(cpuMsPerRequest * 100) / 100,
      io,
      gc,
      ...summary,
    };
    writeFileSync(`${base}.json`, JSON.stringify(report, null, 2));
    writeFileSync(`${base}.cpuprofile`, readFileSync(path.join(profDir, file)));
    process.stdout.write(
      `${target} ${workload.name} c=${concurrency}: ${report.rps} req/s, p50 ${report.p50} ms, p99 ${report.p99} ms, ${report.errors} errors, ${report.cpuMsPerRequest} CPU ms/request\n${ioLine}\n` +
        `self time by place:\n${summary.byPlace.map((p) => `  ${String(p.percent).padStart(5)} %  ${p.name}`).join('\n')}\n` +
        `top functions:\n${summary.byFunction.map((p) => `  ${String(p.percent).padStart(5)} %  ${p.name}`).join('\n')}\n` +
        `written: ${path.relative(ROOT, base)}.json and .cpuprofile\n`,
    );
  } finally {
    await stores.stop();
  }
}

if (require.main === module) runCommand({ name: 'bench:profile', usage: USAGE, options: OPTIONS }, ({ values }) => main(values));
