import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { startMongo, startPostgres, startSocial, type startStores } from './dataset';

/**
 * The soak's faults, each on the real processes of the stores: PostgreSQL and the MongoDB-compatible
 * server killed with SIGKILL and started again on the same port and data (PostgreSQL recovers from
 * its WAL; mongo-wire replays its append-only log under --dbpath, which a kill leaves whole but for a
 * torn last record), the social provider hanging then failing then well (restarted with its CLI's
 * switches on the same port), and a side client holding a lock the API's statements wait on, so
 * they hold its pool. Each fault resolves with when its source was back.
 */

type Stores = Awaited<ReturnType<typeof startStores>>;

export interface Fault {
  name: string;
  /** The source the fault takes away. */
  source: 'crm' | 'behaviour' | 'social';
  /**
   * Whether the source is down for its whole window (so /readyz must say so); false for a fault that
   * only may make it unusable (a held pool: a request or a readiness check finds a free connection or not).
   */
  down: boolean;
  /** Runs the fault: takes the source away for `downMs`, brings it back, resolves once it is back. */
  run(downMs: number): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The process ids of `pid`'s children, from /proc (PostgreSQL's backends are its postmaster's). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const kill9 = (pid: number) => {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
};

/** Retries `start` until it succeeds (a killed PostgreSQL's backends take a moment to release its shared memory), for at most a minute. */
async function again<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (e) {
      if (attempt >= 60) throw e;
      await sleep(1000);
    }
  }
}

export function faults(stores: Stores, dataDir: string): Fault[] {
  return [
    {
      name: 'PostgreSQL killed (SIGKILL) and restarted',
      source: 'crm',
      down: true,
      async run(downMs) {
        const { pid, port } = stores.postgres;
        const backends = childrenOf(pid);
        kill9(pid);
        for (const b of backends) kill9(b);
        await stores.postgres.stop(); // the handle's bookkeeping: the process is gone already
        await sleep(downMs);
        stores.postgres = await again(() => startPostgres(dataDir, port));
      },
    },
    {
      name: 'MongoDB-compatible server killed (SIGKILL) and restarted',
      source: 'behaviour',
      down: true,
      async run(downMs) {
        const { pid, port } = stores.mongo;
        kill9(pid);
        await stores.mongo.stop();
        await sleep(downMs);
        stores.mongo = await again(() => startMongo(dataDir, port));
      },
    },
    {
      name: 'social provider hangs, then answers 500, then recovers',
      source: 'social',
      down: true,
      async run(downMs) {
        const port = Number(new URL(stores.social.url).port);
        const restart = async (flags: string[]) => {
          await stores.social.stop();
          stores.social = await again(() => startSocial(dataDir, stores.socialToken, { port, flags }));
        };
        await restart(['--hang']);
        await sleep(downMs / 2);
        await restart(['--error-rate', '1']);
        await sleep(downMs / 2);
        await restart([]);
      },
    },
    {
      name: 'a slow query holds the CRM pool (orders locked, pg_sleep)',
      source: 'crm',
      down: false,
      async run(downMs) {
        // Through the API's own DATABASE_URL: its statements on orders wait on the lock, holding their connections.
        const client = new pg.Client({ connectionString: stores.postgres.url });
        client.on('error', () => undefined); // its session ends with the fault
        await client.connect();
        try {
          await client.query('BEGIN');
          await client.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
          await client.query('SELECT pg_sleep($1)', [downMs / 1000]);
          await client.query('ROLLBACK');
        } finally {
          await client.end();
        }
      },
    },
  ];
}
