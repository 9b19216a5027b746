import { compiledExecution } from './execution';
import { installGatewayContext } from './gatewayContext';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { addResolversToSchema } from '@graphql-tools/schema';
import { parse, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { resolvers } from '../resolvers';
import type { Context, Deps } from './context';
import { ERROR_CODES, isExpectedError, SourceError } from './errors';
import { observabilityPlugin } from './observability/plugin';
import { loggablePath } from './logger';
import { loadTypeDefs } from './schema';
import { installGuards } from './security/guards';
import { queryLimits } from './security/limits';
import { securityPlugin } from './security/plugin';
import { resolveEntities } from './services/federation';
import { crmColumnsOf } from './services/columns';
import { describeAccess, readPolicies } from './security/policies';
import { documentFields } from './services/selection';
import { isPartnerOnly } from './security/principal';
import { sharedRegistrations } from './security/registrations';
import { loadSafelist, persistedQueryCache } from './security/safelist';
import { formatRoundTrips } from './sources/roundTrips';

const APQ_TTL_SECONDS = 86_400;

/** Codes a client may see as they are (errors.ts); everything else is an unexpected failure and is masked. */
const CLIENT_CODES: ReadonlySet<string> = new Set(ERROR_CODES.filter((c) => c !== 'INTERNAL_SERVER_ERROR'));

/**
 * Request errors Apollo and graphql-js raise without a code (so they would be masked as internal):
 * the code a client can act on (Apollo Router's name for the hash mismatch).
 */
const UNCODED: ReadonlyMap<string, string> = new Map([
  ['provided sha does not match query', 'PERSISTED_QUERY_HASH_MISMATCH'],
  ['Unsupported persisted query version', 'PERSISTED_QUERY_NOT_SUPPORTED'],
  // graphql-js stops coercing variables after 50 errors and says so in one more error of its own.
  ['Too many errors processing variables, error limit reached. Execution aborted.', 'BAD_USER_INPUT'],
]);

const isClientError = (original: unknown, code: unknown) =>
  isExpectedError(original) ||
  (typeof code === 'string' && CLIENT_CODES.has(code)) ||
  (original instanceof Error && UNCODED.has(original.message));

/**
 * Errors as clients see them: expected ones keep message, code and source; anything else becomes
 * "Internal server error" (logged in full by errorLog, with the request id). Never a stack, SQL or host name.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const uncoded = UNCODED.get(formatted.message);
  if (uncoded) return { message: formatted.message, extensions: { code: uncoded } };
  if (isClientError(unwrapResolverError(error), formatted.extensions?.code)) {
    const { stacktrace: _drop, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

/**
 * graphql-js's "Did you mean …?", which names enum values, fields or types the caller did not write,
 * or what graphql-armor's blockFieldSuggestion leaves of one (it masks `Did you mean "…"` only).
 */
const SUGGESTION = / ?(?:Did you mean [^?]+|\[Suggestion hidden\])\?/g;

/**
 * formatError in production: no suggestion in any error, whatever raised it. Apollo's
 * hideSchemaDetailsFromClientErrors strips validation errors' only; variable coercion (an enum value,
 * an input field) suggests too, and Apollo does not pass graphql-js's `hideSuggestions` to execute.
 */
const formatErrorWithoutSuggestions = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
  const f = formatError(formatted, error);
  return { ...f, message: f.message.replace(SUGGESTION, '') };
};

/** Logs each failed source (warn) and each unexpected error in full (error), with the request id. */
function errorLog(deps: Deps): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ contextValue, errors }) {
          for (const e of errors) {
            const original = unwrapResolverError(e);
            const where = { requestId: contextValue.requestId, path: loggablePath(e.path) };
            if (original instanceof SourceError)
              deps.logger.warn(
                { ...where, source: original.sourceName, reason: original.reason, err: original.originalError },
                'source unavailable',
              );
            else if (!isClientError(original, e.extensions?.code)) deps.logger.error({ ...where, err: original }, 'unexpected error');
          }
        },
      };
    },
  };
}

/**
 * Source round trips of the request as a response header, for tests, the bench and curious operators;
 * never to a partner, whom the count could tell what a null answer hides.
 */
const roundTripsHeader: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        if (isPartnerOnly(contextValue.principal)) return;
        response.http.headers.set('x-source-round-trips', formatRoundTrips(contextValue.roundTrips));
      },
    };
  },
};

/** Tells the request which CRM columns its operation's fields read (Context.selection), before it executes. */
const operationFields: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ contextValue, document, schema }) {
        contextValue.selection.crm = crmColumnsOf(documentFields(schema, document));
      },
    };
  },
};

/** Adds the source failures behind partial answers (Context.reportPartial) to the response's errors. */
const partialErrors: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        if (response.body.kind !== 'single' || contextValue.partialErrors.length === 0) return;
        const result = response.body.singleResult;
        result.errors = [...(result.errors ?? []), ...contextValue.partialErrors];
      },
    };
  },
};

/** The executable schema with its access policies (from @auth, @scope, @pii), described on each field, and their guards installed. */
export function buildSchema() {
  // A federation subgraph (schema/federation.graphql): @apollo/subgraph adds _service and _entities;
  // graphql-tools then adds our resolvers, as it maps enum values (and argument defaults) to the values
  // the code uses, which the subgraph builder does not. The library's _entities throws on the first bad
  // representation and leaves the promises of the ones before it unobserved (an unhandled rejection
  // that ended the process); ours (services/federation.ts) answers each representation on its own.
  const subgraph = buildSubgraphSchema({ typeDefs: parse(loadTypeDefs().join('\n')) });
  const _entities = (_: unknown, { representations }: { representations: unknown[] }, ctx: Context) =>
    resolveEntities(ctx, representations);
  const schema: GraphQLSchema = addResolversToSchema({
    schema: subgraph,
    resolvers: { ...resolvers, Query: { ...resolvers.Query, _entities } } as never,
  });
  const policies = readPolicies(schema);
  return { schema: installGuards(describeAccess(schema, policies), policies), policies };
}

/** The one Apollo Server factory: used by main, tests and the bench. Call `start()` before use. */
export function createApollo(deps: Deps): ApolloServer<Context> {
  const production = deps.config.NODE_ENV === 'production';
  const { schema, policies } = buildSchema();
  const safelist = loadSafelist();
  const limits = queryLimits(deps.config);
  if (deps.config.EXECUTOR === 'jit' && !installGatewayContext())
    deps.logger.warn(
      "Apollo Server's gateway request context could not be replaced (gatewayContext.ts): every request will survive young collections",
    );
  return new ApolloServer<Context>({
    ...(deps.config.EXECUTOR === 'jit' ? { gateway: compiledExecution(schema) } : { schema }),
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: production,
    csrfPrevention: true,
    // Off, and must stay so while the operations of a batch would share one context's loaders and selection (context.ts).
    allowBatchedHttpRequests: false,
    validationRules: limits.validationRules,
    parseOptions: { maxTokens: deps.config.MAX_QUERY_TOKENS },
    // A registration lives a day in the shared Redis (the LRU keeps it while used); a client registers again after a miss.
    persistedQueries: { cache: persistedQueryCache(safelist, deps.redis ? sharedRegistrations(deps.redis) : null), ttl: APQ_TTL_SECONDS },
    formatError: production ? formatErrorWithoutSuggestions : formatError,
    // Compact JSON: Apollo's default pretty-prints every response, ~3 % of a large page's CPU.
    stringifyResult: (result) => JSON.stringify(result),
    plugins: [
      // No HTTP cache hints are set; without this plugin Apollo does not wrap every field's resolver.
      ApolloServerPluginCacheControlDisabled(),
      // No federated tracing (ftv1) either: it would time every field; /metrics and the logs cover it.
      ApolloServerPluginInlineTraceDisabled(),
      // Apollo's landing page loads from a CDN; the offline explorer is at /explorer (src/explorer.ts).
      ApolloServerPluginLandingPageDisabled(),
      errorLog(deps),
      ...limits.plugins,
      securityPlugin({ config: deps.config, crmPool: deps.crmPool, logger: deps.logger, policies, safelist }),
      operationFields,
      partialErrors,
      ...(deps.config.EXPOSE_ROUND_TRIPS ? [roundTripsHeader] : []),
      observabilityPlugin(deps.logger, safelist), // last: it counts and logs the errors the plugins above add
    ],
  });
}
