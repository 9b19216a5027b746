import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type FragmentDefinitionNode } from 'graphql';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Context } from '../context';
import { forbidden } from '../errors';
import { createDb } from '../sources/crm/db';
import { noRoundTrips } from '../sources/roundTrips';
import { checkAccess, describeDenials } from './access';
import { AuditWriter } from './audit';
import { checkInputBounds, effectiveVariables } from './inputBounds';
import { costWithVariables } from './limits';
import type { FieldPolicy } from './policies';
import type { Principal, Role } from './principal';
import { operationLabel, type Safelist } from './safelist';

/** A caller every one of whose roles is held to the safelist (SAFELIST_ROLES, partners always). */
const heldToSafelist = (p: Principal, roles: readonly Role[]) => [...p.roles].every((r) => r === 'partner' || roles.includes(r));

const NOT_SAFELISTED =
  'This caller may only run safelisted operations (operations/*.graphql); send one of them, or its sha256Hash as a persisted query.';

/**
 * Security around each operation: as soon as its text is known, the safelist for partners (before
 * parsing, so a partner learns nothing from syntax or validation errors); before it runs, the bounds
 * of every argument's value (inputBounds.ts), the cost with the variables' list sizes and the caller's
 * roles, scopes and root-field rules against every selected field (HTTP 403, nothing read); after it
 * ran, the audit trail is written before the response leaves — if that fails, the data is withheld
 * (HTTP 503). The trail names the operation by operationLabel, never by the client's own name (the
 * audit log is append-only: erasure cannot reach it).
 */
export function securityPlugin(deps: {
  config: Config;
  crmPool: pg.Pool;
  logger: Logger;
  policies: ReadonlyMap<string, FieldPolicy>;
  safelist: Safelist;
}): ApolloServerPlugin<Context> {
  // The audit write is not one of the request's source round trips.
  const auditWriter = new AuditWriter(createDb(deps.crmPool, noRoundTrips()));
  return {
    async requestDidStart() {
      // Set as soon as the text is known; the answer is then this refusal, whatever parsing or validation said.
      let notSafelisted = false;
      return {
        async didResolveSource({ contextValue: ctx, queryHash }) {
          notSafelisted = heldToSafelist(ctx.principal, deps.config.SAFELIST_ROLES) && !deps.safelist.byHash.has(queryHash);
          if (notSafelisted)
            deps.logger.warn(
              { requestId: ctx.requestId, subject: ctx.principal.subject, reason: 'not_safelisted' },
              'request refused: forbidden',
            );
        },
        async didResolveOperation({ contextValue: ctx, document, operation, schema, request }) {
          if (notSafelisted) throw forbidden(NOT_SAFELISTED, {}, 403);
          if (!operation) return; // Apollo has already refused the request
          const variables = effectiveVariables(operation, request.variables);
          const outOfBounds = checkInputBounds(schema, document, variables);
          if (outOfBounds) throw outOfBounds;
          const tooCostly = costWithVariables(schema, document, variables, deps.config);
          if (tooCostly) throw tooCostly;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
          const denials = checkAccess(schema, deps.policies, operation, fragments, ctx.principal, request.variables);
          if (denials.length === 0) return;
          const denied = denials.map((d) => d.coordinate);
          deps.logger.warn(
            { requestId: ctx.requestId, subject: ctx.principal.subject, reason: 'denied', denied },
            'request refused: forbidden',
          );
          throw forbidden(describeDenials(denials), { denied }, 403);
        },
        async willSendResponse({ contextValue: ctx, response, operationName, queryHash }) {
          response.http.headers.set('x-request-id', ctx.requestId);
          if (notSafelisted) {
            response.http.status = 403;
            response.body = { kind: 'single', singleResult: { errors: [forbidden(NOT_SAFELISTED).toJSON()] } };
            return;
          }
          if (ctx.audit.empty) return;
          try {
            await ctx.audit.flush(
              auditWriter,
              ctx.principal,
              ctx.requestId,
              operationLabel(deps.safelist, queryHash, operationName),
              ctx.maskPii,
            );
          } catch (err) {
            deps.logger.error({ err, requestId: ctx.requestId }, 'audit log write failed; personal data withheld');
            response.http.status = 503;
            response.body = {
              kind: 'single',
              singleResult: {
                data: null,
                errors: [
                  {
                    message: 'The answer holds personal data and the audit log cannot be written; it was withheld.',
                    extensions: { code: 'SOURCE_UNAVAILABLE', source: 'audit' },
                  },
                ],
              },
            };
          }
        },
      };
    },
  };
}
