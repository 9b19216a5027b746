import { prettyFactory } from 'pino-pretty';

/** One JSON log record, as pino writes it. */
type LogRecord = Record<string, unknown> & { msg?: string };

/**
 * A GraphQL request's record as the terminal shows it: `graphql POST Lookup 200 12.3 ms agent`
 * (HTTP method, operation label, status, duration, roles) and its error codes. Its request id,
 * subject and round trips stay in the JSON format.
 */
function requestLine(r: LogRecord): LogRecord {
  const errors = Array.isArray(r.errors) && r.errors.length ? ` errors=${r.errors.join(',')}` : '';
  const roles = Array.isArray(r.roles) ? r.roles.join(',') : '';
  return {
    level: r.level,
    time: r.time,
    msg: `graphql ${String(r.method ?? '')} ${String(r.operation)} ${String(r.status)} ${String(r.durationMs)} ms ${roles}${errors}`,
  };
}

/**
 * The terminal's log format (LOG_FORMAT=pretty): one line per record, time, level and message, then
 * the record's other fields on the same line; a GraphQL request as requestLine. It renders the JSON
 * format's records, so it shows nothing they do not hold (no personal data, no credential).
 */
export function prettyLines(out: NodeJS.WritableStream, colorize: boolean): { write(json: string): void } {
  const pretty = prettyFactory({ singleLine: true, colorize, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' });
  return {
    write(json) {
      const record = JSON.parse(json) as LogRecord;
      out.write(pretty(record.msg === 'graphql request' ? requestLine(record) : record));
    },
  };
}
