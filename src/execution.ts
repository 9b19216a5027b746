import type { GatewayInterface, GatewayExecutor } from '@apollo/server-gateway-interface';
import { type DocumentNode, type ExecutionResult, getVariableValues, GraphQLError, type GraphQLSchema, printSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { effectiveVariables } from './security/inputBounds';

/**
 * Compiled execution: each operation is compiled once by graphql-jit into a function that walks its
 * selection without graphql-js's per-field interpretation, then run for every request with that
 * document. Served to Apollo Server through its gateway interface, the one place it lets the executor
 * be replaced; parsing, validation, plugins, error formatting and HTTP stay Apollo's. The schema's
 * resolvers (with their guards) are the same ones graphql-js would call.
 *
 * What a client sees is graphql-js's: variables are coerced by graphql-js first (its errors, messages
 * and HTTP 400 unchanged; graphql-jit then coerces the same, valid, values), and every error comes out
 * as a graphql-js GraphQLError (graphql-jit's own are frozen, which plugins that edit messages trip on).
 *
 * Compiled operations are kept per document object: Apollo's document store hands the same object to
 * every request with the same query text, so the cache is as bounded as that store (a WeakMap: an
 * evicted document frees its compiled operation).
 */
export function compiledExecution(schema: GraphQLSchema): GatewayInterface {
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery>>();
  const executor: GatewayExecutor = async ({ document, operation, operationName, request, context }) => {
    const variables = request.variables ?? {};
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
    if (coerced.errors) return { errors: coerced.errors };
    let byName = compiled.get(document);
    if (!byName) compiled.set(document, (byName = new Map()));
    const name = operationName ?? '';
    let query = byName.get(name);
    if (!query) {
      const result = compileQuery(schema, document, operationName ?? undefined);
      if (!isCompiledQuery(result)) return withGraphQLErrors(result);
      byName.set(name, (query = result));
    }
    // graphql-jit refuses a non-null variable left out even when it has a default; graphql-js applies
    // the default, so the variables it gets are the sent ones with the defaults filled in.
    return withGraphQLErrors(await query.query(undefined, context, effectiveVariables(operation, variables)));
  };
  return {
    load: () => Promise.resolve({ executor }),
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => undefined;
    },
    stop: () => Promise.resolve(),
  };
}

/** The result with graphql-jit's errors as graphql-js GraphQLErrors: same message, path, locations, original error and extensions. */
function withGraphQLErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  const errors = result.errors.map((e) => {
    const error = new GraphQLError(e.message, { path: e.path, originalError: e.originalError ?? undefined, extensions: e.extensions });
    if (e.locations) (error as { locations?: unknown }).locations = e.locations;
    return error;
  });
  return { ...result, errors };
}
