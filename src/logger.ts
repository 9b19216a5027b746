import pino, { type Logger } from 'pino';
import type { Config } from './config';
import { prettyLines } from './logFormat';
import { loadTypeDefs } from './schema';

/**
 * How an error is logged (the `err` field): its class, message and code. Never its stack, nor its
 * other properties: a pg error carries its Client (connection, socket, secret key), others requests
 * or sockets.
 */
export function errorSummary(e: unknown): { type: string; message: string; code?: string | number } {
  if (!(e instanceof Error)) return { type: typeof e, message: String(e) };
  const { code } = e as { code?: unknown };
  return { type: e.name, message: e.message, ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}) };
}

/**
 * Logs to stdout: JSON lines, or with LOG_FORMAT=pretty one human-readable line per record
 * (logFormat.ts). LOG_FORMAT unset: pretty on a terminal in development, JSON otherwise. Either way
 * records reach stdout in order, the one logged just before process.exit included: both write
 * synchronously from this thread (no transport worker to outlive).
 */
export function createLogger(config: Pick<Config, 'LOG_LEVEL' | 'LOG_FORMAT' | 'NODE_ENV'>): Logger {
  const tty = process.stdout.isTTY === true;
  const format = config.LOG_FORMAT ?? (config.NODE_ENV === 'development' && tty ? 'pretty' : 'json');
  const options = { level: config.LOG_LEVEL, serializers: { err: errorSummary } };
  // JSON through a synchronous destination: records reach stdout in the order logged. An asynchronous
  // one lets the flush at process.exit overtake a write still in flight (CI saw `stopped` land first).
  return format === 'pretty' ? pino(options, prettyLines(process.stdout, tty)) : pino(options, pino.destination({ dest: 1, sync: true }));
}

let fieldNames: ReadonlySet<string> | undefined;

/**
 * A response path as logs may keep it: list indexes and the schema's own field names, every other key
 * (an alias: the client's free text, which may name a person) as `<alias>`. Logs cannot be erased.
 */
export function loggablePath(path: readonly (string | number)[] | undefined): (string | number)[] | undefined {
  // Federation's root fields are not in our SDL; every field of it is.
  fieldNames ??= new Set([
    '_entities',
    '_service',
    ...loadTypeDefs().flatMap((sdl) => [...sdl.matchAll(/^\s+([_A-Za-z][_0-9A-Za-z]*)\s*[(:]/gm)].map((m) => m[1]!)),
  ]);
  return path?.map((key) => (typeof key === 'number' || fieldNames!.has(key) ? key : '<alias>'));
}
