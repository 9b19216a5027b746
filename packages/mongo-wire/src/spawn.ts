import { spawn } from 'node:child_process';
import path from 'node:path';

export interface EmbeddedMongoHandle {
  uri: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

const READY = /embedded-mongo listening on (mongodb:\/\/\S+)/;
const START_TIMEOUT_MS = 60_000;

/**
 * Starts the embedded MongoDB-compatible server in a child process (its CPU never competes with the
 * API's event loop) and resolves once it listens. It runs in a process group of its own, so a
 * terminal's Ctrl-C reaches only the parent, which stops it after closing its clients; it exits with
 * its parent anyway (IPC disconnect).
 * From TypeScript sources (tests, `tsx`) the child runs cli.ts through tsx; from the build, cli.js.
 */
export function spawnEmbeddedMongo(opts: {
  dbpath?: string;
  port?: number;
  onLog?: (line: string) => void;
  startTimeoutMs?: number;
}): Promise<EmbeddedMongoHandle> {
  const startTimeout = opts.startTimeoutMs ?? START_TIMEOUT_MS;
  const fromSource = __filename.endsWith('.ts');
  const cli = path.join(__dirname, fromSource ? 'cli.ts' : 'cli.js');
  const args = [...(fromSource ? ['--require', require.resolve('tsx/cjs')] : []), cli, '--port', String(opts.port ?? 0)];
  if (opts.dbpath) args.push('--dbpath', opts.dbpath);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const output: string[] = [];

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`embedded MongoDB did not start within ${startTimeout} ms`)), startTimeout);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    const onLine = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        output.push(line);
        opts.onLog?.(line);
        const ready = READY.exec(line);
        if (!ready) continue;
        clearTimeout(timer);
        const uri = ready[1]!;
        resolve({
          uri,
          port: Number(new URL(uri).port),
          pid: child.pid!,
          async stop() {
            if (child.exitCode === null && child.signalCode === null) {
              child.kill('SIGTERM');
              const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
              await exited;
              clearTimeout(killer);
            }
          },
        });
      }
    };
    child.stdout!.on('data', onLine);
    child.stderr!.on('data', onLine);
    child.once('error', fail);
    child.once('exit', (code) =>
      fail(new Error(`embedded MongoDB exited with code ${String(code)} before it was ready: ${output.slice(-5).join(' | ')}`)),
    );
  });
}
