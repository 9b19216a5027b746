import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { Config } from '../config';

/**
 * Query limits checked while the operation is validated, before anything runs (graphql-armor):
 * depth, cost, aliases and directives, and no field suggestions in error messages. Tokens are counted
 * by graphql-js's own parser (`parseOptions.maxTokens` in server.ts): armor's token plugin re-parses
 * in a hook and turns every syntax error into a 500.
 * The defaults let the console's full 360 query through with room (test/integration/limits.test.ts)
 * and refuse deep, wide or aliased floods. Page sizes are capped by each field (`first` ≤ 100).
 */
export function queryLimits(config: Config) {
  return new ApolloArmor({
    maxDepth: { n: config.MAX_QUERY_DEPTH, ignoreIntrospection: true, flattenFragments: true },
    costLimit: { maxCost: config.MAX_QUERY_COST, objectCost: 2, scalarCost: 1, depthCostFactor: 1.5, ignoreIntrospection: true },
    maxAliases: { n: config.MAX_QUERY_ALIASES },
    maxDirectives: { n: config.MAX_QUERY_DIRECTIVES },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: true },
  }).protect();
}
