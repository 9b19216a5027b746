import { ApolloArmor } from '@escape.tech/graphql-armor';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import {
  getDirectiveValues,
  GraphQLError,
  Kind,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLSchema,
  type ValueNode,
} from 'graphql';
import type { Config } from '../config';

/**
 * Query limits checked while the operation is validated, before anything runs (graphql-armor):
 * depth, cost, aliases and directives, and no field suggestions in error messages. Tokens are counted
 * by graphql-js's own parser (`parseOptions.maxTokens` in server.ts): armor's token plugin re-parses
 * in a hook and turns every syntax error into a 500. The cost multiplies a list's cost by its
 * `first`/`last`; armor reads literals only, so costWithVariables repeats the count with the
 * variables' values, the arguments' defaults, or a connection's @listSize once they are known. Every `first` is also capped by
 * its field (its doc string says how far).
 */
const costOptions = (config: Config) => ({
  maxCost: config.MAX_QUERY_COST,
  objectCost: 2,
  scalarCost: 1,
  depthCostFactor: 1.5,
  ignoreIntrospection: true,
  exposeLimits: true,
});

/** Armor's refusal as a validation error (HTTP 400), without the "Syntax Error: " armor puts before it. */
const costError = (e: GraphQLError) =>
  new GraphQLError(e.message.replace(/^Syntax Error: /, ''), { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } });

export function queryLimits(config: Config) {
  return new ApolloArmor({
    maxDepth: { n: config.MAX_QUERY_DEPTH, ignoreIntrospection: true, flattenFragments: true },
    costLimit: {
      ...costOptions(config),
      propagateOnRejection: false,
      onReject: [
        (context, e) => {
          if (context) context.reportError(costError(e));
          else throw costError(e);
        },
      ],
    },
    maxAliases: { n: config.MAX_QUERY_ALIASES },
    maxDirectives: { n: config.MAX_QUERY_DIRECTIVES },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: true },
  }).protect();
}

/**
 * The cost check again, with each list's size as it will be at execution: `first`/`last` given by a
 * variable replaced by the variable's value (or its default), and a missing or null one by the
 * argument's default in the schema (armor counts both as 1); a list of objects without them by its
 * @listSize, and _entities and lookupCustomers by the number of representations or identifiers sent. Null when no size changed or the
 * cost is within the limit.
 */
export function costWithVariables(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  config: Config,
): GraphQLError | null {
  // Without variables the answer depends on the document alone (Apollo hands every request with the
  // same text the same document object): one that passed once passes again.
  const fixed = document.definitions.every((d) => d.kind !== Kind.OPERATION_DEFINITION || !d.variableDefinitions?.length);
  let passed = passedWithoutVariables.get(config);
  if (!passed) passedWithoutVariables.set(config, (passed = new WeakSet()));
  if (fixed && passed.has(document)) return null;
  const refused = pricedWithVariables(schema, document, variables, config);
  if (fixed && refused === null) passed.add(document);
  return refused;
}

/** Lists as long as one of their arguments: an item per representation, per identifier. */
const SIZED_BY_ARGUMENT: Record<string, string> = { _entities: 'representations', lookupCustomers: 'identifiers', nodes: 'ids' };

/** Per configuration (its cost limit), the documents without variables whose priced copy passed. */
const passedWithoutVariables = new WeakMap<Config, WeakSet<DocumentNode>>();

function pricedWithVariables(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  config: Config,
): GraphQLError | null {
  const defaults = new Map<string, ValueNode>();
  visit(document, { VariableDefinition: (d) => void (d.defaultValue && defaults.set(d.variable.name.value, d.defaultValue)) });
  const sizeOf = (value: ValueNode | undefined): ValueNode | undefined => {
    if (value?.kind !== Kind.VARIABLE) return value?.kind === Kind.NULL ? undefined : value;
    const given = variables?.[value.name.value];
    return Number.isInteger(given) ? { kind: Kind.INT, value: String(given) } : given === null ? undefined : defaults.get(value.name.value);
  };
  const listSize = schema.getDirective('listSize');
  /** The size of a list without `first`/`last`: _entities' representations, lookupCustomers' identifiers or nodes' ids as sent, else the field's @listSize. */
  const unslicedSize = (def: GraphQLField<unknown, unknown>, node: FieldNode): number | undefined => {
    const batch = SIZED_BY_ARGUMENT[def.name];
    if (batch) {
      const reps = node.arguments?.find((a) => a.name.value === batch)?.value;
      const given = reps?.kind === Kind.VARIABLE ? variables?.[reps.name.value] : undefined;
      return reps?.kind === Kind.LIST ? reps.values.length : Array.isArray(given) ? given.length : undefined;
    }
    const assumed = def.astNode && listSize ? getDirectiveValues(listSize, def.astNode)?.assumedSize : undefined;
    return typeof assumed === 'number' ? assumed : undefined;
  };
  const withSize = (node: FieldNode, size: number): FieldNode => ({
    ...node,
    arguments: [
      ...(node.arguments ?? []),
      { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'first' }, value: { kind: Kind.INT, value: String(size) } },
    ],
  });
  let substituted = false;
  const typeInfo = new TypeInfo(schema);
  const sized = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const def = typeInfo.getFieldDef();
        if (!node.selectionSet || !def) return undefined;
        const sizes = def.args.filter((a) => a.name === 'first' || a.name === 'last');
        if (sizes.length === 0) {
          // Armor multiplies by a `first` it finds in the node, whatever the schema says: this copy is only priced.
          const size = unslicedSize(def, node);
          if (size === undefined) return undefined;
          substituted = true;
          return withSize(node, size);
        }
        const args = [...(node.arguments ?? [])];
        let changed = false;
        let sized = false;
        for (const def of sizes) {
          const at = args.findIndex((a) => a.name.value === def.name);
          const given = at < 0 ? undefined : args[at]!;
          if (given?.value.kind === Kind.INT) {
            sized = true;
            continue;
          }
          const size =
            sizeOf(given?.value) ?? (Number.isInteger(def.defaultValue) ? { kind: Kind.INT, value: String(def.defaultValue) } : undefined);
          if (size?.kind !== Kind.INT) continue;
          const arg: ArgumentNode = { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: def.name }, value: size };
          if (at < 0) args.push(arg);
          else args[at] = arg;
          changed = sized = true;
        }
        // A connection asked for without `first` or `last` answers its default page: its @listSize.
        const fallback = sized ? undefined : unslicedSize(def, node);
        if (fallback !== undefined) {
          substituted = true;
          return withSize({ ...node, arguments: args.filter((a) => a.name.value !== 'first' && a.name.value !== 'last') }, fallback);
        }
        substituted ||= changed;
        return changed ? { ...node, arguments: args } : undefined;
      },
    }),
  );
  if (!substituted) return null;
  let refused: GraphQLError | null = null;
  validate(schema, sized, [
    costLimitRule({ ...costOptions(config), propagateOnRejection: false, onReject: [(_, e) => void (refused = costError(e))] }),
  ]);
  return refused;
}
