import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type FragmentDefinitionNode } from 'graphql';
import type { Context } from '../context';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { checkAccess, describeDenials } from './access';
import { costWithVariables } from './limits';
import type { FieldPolicy } from './policies';
import { isPartnerOnly } from './principal';
import type { Safelist } from './safelist';

const refuse = (message: string, extensions: Record<string, unknown> = {}) =>
  new GraphQLError(message, { extensions: { code: 'FORBIDDEN', ...extensions, http: { status: 403 } } });

/**
 * Security around each operation: before it runs, the cost with the variables' list sizes, the caller's roles and scopes against every
 * selected field, and the safelist for partners (HTTP 403, nothing read); after it ran, the audit
 * trail is written before the response leaves — if that fails, the data is withheld (HTTP 503).
 */
export function securityPlugin(deps: { config: Config; crmPool: pg.Pool; logger: Logger; policies: ReadonlyMap<string, FieldPolicy>; safelist: Safelist }): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue: ctx, document, operation, schema, queryHash, request }) {
          if (!operation) return; // Apollo has already refused the request
          const tooCostly = costWithVariables(schema, document, request.variables, deps.config);
          if (tooCostly) throw tooCostly;
          if (isPartnerOnly(ctx.principal) && !deps.safelist.byHash.has(queryHash)) {
            throw refuse('Partners may only run safelisted operations (operations/*.graphql); send one of them, or its sha256Hash as a persisted query.');
          }
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
          const denials = checkAccess(schema, deps.policies, operation, fragments, ctx.principal);
          if (denials.length) throw refuse(describeDenials(denials), { denied: denials.map((d) => d.coordinate) });
        },
        async willSendResponse({ contextValue: ctx, response, operationName }) {
          response.http.headers.set('x-request-id', ctx.requestId);
          if (ctx.audit.empty) return;
          try {
            await ctx.audit.flush(deps.crmPool, ctx.principal, ctx.requestId, operationName ?? null);
          } catch (err) {
            deps.logger.error({ err, requestId: ctx.requestId }, 'audit log write failed; personal data withheld');
            response.http.status = 503;
            response.body = {
              kind: 'single',
              singleResult: {
                data: null,
                errors: [{ message: 'The answer holds personal data and the audit log cannot be written; it was withheld.', extensions: { code: 'SOURCE_UNAVAILABLE', source: 'audit' } }],
              },
            };
          }
        },
      };
    },
  };
}
