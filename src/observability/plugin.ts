import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from 'pino';
import type { Context } from '../context';
import { isErrorCode } from '../errors';
import { operationLabel, type Safelist } from '../security/safelist';
import { errorsByCode, requestDuration, sourceRoundTrips } from './metrics';

/**
 * What each GraphQL request leaves behind, measured once for both: metrics (its duration by operation,
 * its errors by code, its round trips by source) and one structured log line (request id, caller —
 * subject and roles, never a credential — HTTP method, operation, duration, status, error codes, round trips). No
 * variables, no query text, no answer: personal data never reaches the logs. The line is `info` when
 * the request failed or carried errors, `debug` otherwise (so a busy server logs its problems, not its
 * traffic, at the default level). Every label and logged value comes from a bounded set: the operation
 * is its operationLabel (a safelisted name, `other` or `anonymous`, never the client's own name).
 */
export function observabilityPlugin(logger: Logger, safelist: Safelist): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ contextValue: ctx, request, response, operationName, queryHash }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const operation = operationLabel(safelist, queryHash, operationName);
          const codes = (response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : []).map((e) => e.extensions?.code);
          const errors = codes.map((code) => (isErrorCode(code) ? code : 'OTHER'));
          const status = response.http.status ?? 200;
          requestDuration.observe({ operation }, seconds);
          for (const code of errors) errorsByCode.inc({ code });
          for (const [source, n] of Object.entries(ctx.roundTrips)) if (n > 0) sourceRoundTrips.inc({ source }, n);
          const line = {
            requestId: ctx.requestId,
            method: request.http?.method,
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
