import pino, { type Logger } from 'pino';
import type { Config } from './config';
import { loadTypeDefs } from './schema';

/** JSON logs to stdout; human-readable lines on a terminal in development. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL' | 'NODE_ENV'>): Logger {
  const pretty = config.NODE_ENV === 'development' && process.stdout.isTTY;
  return pino({
    level: config.LOG_LEVEL,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { ignore: 'pid,hostname', translateTime: 'HH:MM:ss' } } } : {}),
  });
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
