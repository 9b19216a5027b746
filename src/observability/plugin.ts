import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from 'pino';
import type { Context } from '../context';
import { errorsByCode, requestDuration, sourceRoundTrips } from './metrics';

/**
 * What each GraphQL request leaves behind, measured once for both: metrics (its duration by operation
 * name, its errors by code, its round trips by source) and one structured log line (request id,
 * caller — subject and roles, never a credential — operation, duration, status, error codes, round
 * trips). No variables, no query text, no answer: personal data never reaches the logs. The line is
 * `info` when the request failed or carried errors, `debug` otherwise (so a busy server logs its
 * problems, not its traffic, at the default level). Operation names come from the caller: cut to 64
 * characters, `anonymous` when absent.
 */
export function observabilityPlugin(logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ contextValue: ctx, response, operationName }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const operation = (operationName ?? 'anonymous').slice(0, 64);
          const errors = (response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : []).map((e) => String(e.extensions?.code ?? 'UNKNOWN'));
          const status = response.http.status ?? 200;
          requestDuration.observe({ operation }, seconds);
          for (const code of errors) errorsByCode.inc({ code });
          for (const [source, n] of Object.entries(ctx.roundTrips)) if (n > 0) sourceRoundTrips.inc({ source }, n);
          const line = {
            requestId: ctx.requestId,
            subject: ctx.principal.subject,
            roles: [...ctx.principal.roles],
            operation,
            durationMs: Math.round(seconds * 10_000) / 10,
            status,
            errors,
            roundTrips: ctx.roundTrips,
          };
          if (status >= 400 || errors.length) logger.info(line, 'graphql request');
          else logger.debug(line, 'graphql request');
        },
      };
    },
  };
}
