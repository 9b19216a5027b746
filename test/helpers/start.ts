import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { developmentSecret } from '../../src/security/devSecret';
import { bearer } from './tokens';

export const ROOT = path.resolve(__dirname, '../..');

/** `npm start`'s process, spawned as the start tests run it, and everything it wrote so far. */
export interface Start {
  child: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/**
 * The environment of `npm start` with no configuration: every source embedded, data in `dataDir`, any
 * free port; no event-loop load shedding (tsx compiles modules on first use, stalling the loop of a
 * child on a busy test machine: see testConfig).
 */
export function startEnv(dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: '0',
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    OVERLOAD_EVENT_LOOP_MS: '0',
    ...extra,
  };
  for (const name of ['DEMO_CUSTOMERS', 'DEMO_SEED', 'LOG_FORMAT', 'DATABASE_URL', 'MONGODB_URI', 'SOCIAL_API_URL', 'SOCIAL_API_TOKEN'])
    if (!(name in extra)) delete env[name];
  return env;
}

/**
 * Runs the API's entry (src/main.ts through tsx) with `env`, stdout and stderr piped (not a
 * terminal), in a process group of its own as a terminal's foreground job is (ctrlC signals it all),
 * and resolves once it logs that it is ready.
 */
export function start(env: NodeJS.ProcessEnv): Promise<Start> {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ctrlC(child);
      reject(new Error(`not ready after 60 s:\n${stdout}${stderr}`));
    }, 60_000);
    const onData = () => {
      const ready = /ready at (http:\/\/\S+?\/graphql)/.exec(stdout);
      if (!ready) return;
      clearTimeout(timer);
      resolve({ child, url: ready[1]!, stdout: () => stdout, stderr: () => stderr, exited });
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onData();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    void exited.then((code) => reject(new Error(`exited with ${code} before ready:\n${stdout}${stderr}`)));
  });
}

/** What a terminal does on Ctrl-C: SIGINT to every process of the foreground group. */
export const ctrlC = (child: ChildProcess) => process.kill(-child.pid!, 'SIGINT');

/** Headers of the development admin the start would print on a terminal (`npm run token -- --role admin` mints the like). */
export const devAdmin = async (dataDir: string) => ({
  'content-type': 'application/json',
  ...(await bearer(['admin'], { sub: 'dev-admin', secret: developmentSecret({ DATA_DIR: dataDir }) })),
});
