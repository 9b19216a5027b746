import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { spawnEmbeddedMongo, type EmbeddedMongoHandle } from '@c360/mongo-wire';
import { mintToken } from '../src/security/tokens';
import { integer, runCommand, UsageError } from '../src/cli/command';
import { apiEnvironment, ensureDataset, startStores } from './dataset';
import { startService } from './processes';
import { CONSOLE_360, sampleInputs } from './workloads';

const USAGE = `usage: npm run bench:outage -- [--seconds S] [--concurrency N] [--customers N] [--signal SIGKILL|SIGTERM]

A dead behaviour store, as consoles see it: seeds (once) and starts the bench's stores, starts the API
(from source) on them, and runs N concurrent console lookups (bench/workloads.ts CONSOLE_360, default
8) for S seconds (default 10) in each of three phases: MongoDB up, MongoDB killed (--signal, default SIGKILL, at the
phase's start; SIGTERM closes its connections first), and MongoDB back (restarted on its port and data at the phase's start). Prints answers
per second, latency and the error codes of each phase, and how long after the restart the first answer
carried behaviour again. Measures; asserts nothing.`;

interface Phase {
  name: string;
  answers: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  codes: Record<string, number>;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

const options = {
  seconds: { type: 'string', default: '10' },
  concurrency: { type: 'string', default: '8' },
  customers: { type: 'string', default: '2000' },
  signal: { type: 'string', default: 'SIGKILL' },
} as const;

runCommand({ name: 'bench:outage', usage: USAGE, options }, async ({ values }) => {
  const seconds = integer('seconds', values.seconds, 1, 600);
  const concurrency = integer('concurrency', values.concurrency, 1, 256);
  const signal = values.signal;
  if (signal !== 'SIGKILL' && signal !== 'SIGTERM') throw new UsageError(`--signal must be SIGKILL or SIGTERM, got ${signal}`);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const dataDir = ensureDataset(integer('customers', values.customers, 100, 1_000_000), log);
  const stores = await startStores(dataDir);
  let mongo: EmbeddedMongoHandle = stores.mongo;
  const secret = randomBytes(32).toString('base64url');
  const api = await startService(
    'api',
    ['--require', 'tsx/cjs', 'src/main.ts'],
    apiEnvironment(stores, secret),
    /ready at (http:\/\/\S+?\/graphql)/,
  );
  const pool = new pg.Pool({ connectionString: stores.pgUrl, max: 1 });
  try {
    const { identifiers } = await sampleInputs(pool);
    const authorization = `Bearer ${await mintToken(secret, { sub: 'outage-agent', roles: ['agent'], ttlSeconds: 3600 })}`;
    /** One lookup: its duration, its error codes (`CODE:source:reason`), and whether it carried behaviour. */
    const lookup = async () => {
      const started = performance.now();
      const res = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({
          query: CONSOLE_360,
          variables: { identifier: identifiers[Math.floor(Math.random() * identifiers.length)] },
        }),
      });
      const body = (await res.json()) as {
        data?: { customerBy?: { behaviour?: unknown } };
        errors?: { extensions?: Record<string, unknown> }[];
      };
      const codes = (body.errors ?? []).map((e) =>
        [e.extensions?.code, e.extensions?.source, e.extensions?.reason].filter(Boolean).join(':'),
      );
      if (res.status !== 200) codes.push(`HTTP ${res.status}`);
      return { ms: performance.now() - started, codes, behaviour: body.data?.customerBy?.behaviour != null };
    };
    const phase = async (name: string, onAnswer?: (a: Awaited<ReturnType<typeof lookup>>) => void): Promise<Phase> => {
      const until = Date.now() + seconds * 1000;
      const latencies: number[] = [];
      const codes: Record<string, number> = {};
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (Date.now() < until) {
            const a = await lookup();
            latencies.push(a.ms);
            for (const c of a.codes) codes[c] = (codes[c] ?? 0) + 1;
            onAnswer?.(a);
          }
        }),
      );
      latencies.sort((a, b) => a - b);
      const result = {
        name,
        answers: latencies.length,
        perSecond: Math.round(latencies.length / seconds),
        p50Ms: Math.round(percentile(latencies, 50)),
        p99Ms: Math.round(percentile(latencies, 99)),
        codes,
      };
      log(JSON.stringify(result));
      return result;
    };
    for (let i = 0; i < 20; i++) await lookup(); // warm up
    const phases = [await phase('mongodb up')];
    process.kill(mongo.pid, signal);
    phases.push(await phase('mongodb killed'));
    const restarted = Date.now();
    mongo = await spawnEmbeddedMongo({ dbpath: path.join(dataDir, 'mongo'), port: stores.mongo.port, startTimeoutMs: 900_000 });
    const listening = Date.now();
    let recovered: number | null = null;
    phases.push(await phase('mongodb back', (a) => (recovered ??= a.behaviour ? Date.now() : null)));
    const out = {
      signal,
      concurrency,
      seconds,
      phases,
      mongoRestartMs: listening - restarted,
      behaviourBackAfterListeningMs: recovered === null ? null : recovered - listening,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await pool.end();
    await api.stop();
    await mongo.stop();
    await stores.stop();
  }
});
