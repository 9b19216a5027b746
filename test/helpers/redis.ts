import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Debian's redis-server on this machine, or null. */
function findRedisServer(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

const redisServer = findRedisServer();

/**
 * `describe` when redis-server is installed, else `describe.skip` with a message; with REQUIRE_REDIS=1
 * (CI sets it, after installing it) a missing redis-server fails the suite instead.
 */
export function describeWithRedis(file: string): jest.Describe {
  if (!redisServer && process.env.REQUIRE_REDIS === '1')
    throw new Error('REQUIRE_REDIS=1 but no redis-server found (apt-get install redis-server)');
  if (!redisServer) console.warn(`${file}: no redis-server on this machine (apt-get install redis-server); its Redis tests are skipped`);
  return redisServer ? describe : describe.skip;
}

export interface RunningRedis {
  url: string;
  /** SIGSTOP: the server keeps its connections and answers nothing until `resume`. */
  pause(): void;
  resume(): void;
  /** SIGKILL, as a crash: connections drop at once. */
  kill(): Promise<void>;
  /** Stops it (if still running) and removes its directory. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));

/** A redis-server of its own on a free loopback port, in a temporary directory, persisting nothing. */
export async function startRedis(): Promise<RunningRedis> {
  if (!redisServer) throw new Error('no redis-server on this machine');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'c360-redis-'));
  const port = await freePort();
  const child = spawn(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`)));
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
    async stop() {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
