import { ApolloArmor } from '@escape.tech/graphql-armor';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { GraphQLError, Kind, validate, visit, type DocumentNode, type GraphQLSchema, type ValueNode } from 'graphql';
import type { Config } from '../config';

/**
 * Query limits checked while the operation is validated, before anything runs (graphql-armor):
 * depth, cost, aliases and directives, and no field suggestions in error messages. Tokens are counted
 * by graphql-js's own parser (`parseOptions.maxTokens` in server.ts): armor's token plugin re-parses
 * in a hook and turns every syntax error into a 500. The cost multiplies a list's cost by its
 * `first`/`last`; armor reads literals only, so costWithVariables repeats the count with the
 * variables' values once they are known. Every `first` is also capped by its field (≤ 100).
 */
const costOptions = (config: Config) => ({ maxCost: config.MAX_QUERY_COST, objectCost: 2, scalarCost: 1, depthCostFactor: 1.5, ignoreIntrospection: true });

export function queryLimits(config: Config) {
  return new ApolloArmor({
    maxDepth: { n: config.MAX_QUERY_DEPTH, ignoreIntrospection: true, flattenFragments: true },
    costLimit: costOptions(config),
    maxAliases: { n: config.MAX_QUERY_ALIASES },
    maxDirectives: { n: config.MAX_QUERY_DIRECTIVES },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: true },
  }).protect();
}

/**
 * The cost check again with each `first`/`last` given by a variable replaced by the variable's value
 * (or its default); null when no list size came from a variable or the cost is within the limit.
 */
export function costWithVariables(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, config: Config): GraphQLError | null {
  const defaults = new Map<string, ValueNode>();
  visit(document, { VariableDefinition: (d) => void (d.defaultValue && defaults.set(d.variable.name.value, d.defaultValue)) });
  let substituted = false;
  const sized = visit(document, {
    Argument(node) {
      if ((node.name.value !== 'first' && node.name.value !== 'last') || node.value.kind !== Kind.VARIABLE) return undefined;
      const name = node.value.name.value;
      const given = variables?.[name];
      const value = Number.isInteger(given) ? { kind: Kind.INT, value: String(given) } : defaults.get(name);
      if (!value || value.kind !== Kind.INT) return undefined;
      substituted = true;
      return { ...node, value };
    },
  });
  if (!substituted) return null;
  let refused: GraphQLError | null = null;
  validate(schema, sized, [costLimitRule({ ...costOptions(config), exposeLimits: true, propagateOnRejection: false, onReject: [(_, e) => void (refused = e)] })]);
  return refused === null ? null : new GraphQLError((refused as GraphQLError).message.replace(/^Syntax Error: /, ''), { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } });
}
