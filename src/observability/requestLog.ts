import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from 'pino';
import type { Context } from '../context';

/**
 * One structured line per GraphQL request: request id, caller (subject and roles, never a credential),
 * operation name, duration, status, error codes and round trips. No variables, no query text, no
 * answer: personal data never reaches the logs. `info` when the request failed or carried errors,
 * `debug` otherwise (so a busy server logs its problems, not its traffic, at the default level).
 */
export function requestLogPlugin(logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ contextValue: ctx, response, operationName }) {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const status = response.http.status ?? 200;
          const line = {
            requestId: ctx.requestId,
            subject: ctx.principal.subject,
            roles: [...ctx.principal.roles],
            operation: (operationName ?? 'anonymous').slice(0, 64),
            durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10,
            status,
            errors: errors.map((e) => String(e.extensions?.code ?? 'UNKNOWN')),
            roundTrips: ctx.roundTrips,
          };
          if (status >= 400 || errors.length) logger.info(line, 'graphql request');
          else logger.debug(line, 'graphql request');
        },
      };
    },
  };
}
