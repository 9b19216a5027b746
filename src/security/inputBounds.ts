import {
  getDirectiveValues,
  getNamedType,
  GraphQLError,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  TypeInfo,
  valueFromASTUntyped,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLArgument,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

/**
 * How long a string and how long a list an argument may be, checked on the request's values (literals
 * and variables as sent) before anything parses or runs them: an identifier regex, a phone parser, a
 * CEL compiler or SQL only ever see bounded input, and a refusal is BAD_USER_INPUT (HTTP 400) naming
 * the argument. `@constraint(maxLength:, maxItems:)` on an argument or input field sets its bounds;
 * without one, a string gets its scalar's default and a list DEFAULT_MAX_ITEMS. No string may hold
 * U+0000 (PostgreSQL text cannot). One pass over the values: linear in the request's size.
 */
export const DEFAULT_MAX_LENGTH: Readonly<Record<string, number>> = { ID: 64, String: 256, DateTime: 64, Date: 32, Money: 32 };
/** A string of any other scalar or enum. */
const FALLBACK_MAX_LENGTH = 256;
export const DEFAULT_MAX_ITEMS = 100;
/** A scalar given an object or a list (`_Any`: federation representations) holds free JSON: its strings, keys per object and nesting are bounded too. */
const JSON_MAX_KEYS = 32;
const JSON_MAX_DEPTH = 8;

interface Bounds {
  maxLength?: number;
  maxItems?: number;
}

const refuse = (where: string, why: string) =>
  new GraphQLError(`\`${where}\` ${why}`, { extensions: { code: 'BAD_USER_INPUT', field: where, http: { status: 400 } } });

const plural = (n: number, unit: string) => `${n.toLocaleString('en')} ${unit}${n === 1 ? '' : 's'}`;

/**
 * The variables an operation runs with: those sent, and for each one not sent its definition's
 * default (a default is input too: `query($q: String = "…")` must be bounded like a value sent).
 */
export function effectiveVariables(operation: OperationDefinitionNode, sent: Record<string, unknown> | undefined): Record<string, unknown> {
  const variables = { ...sent };
  for (const d of operation.variableDefinitions ?? []) {
    const name = d.variable.name.value;
    if (d.defaultValue && !(name in variables)) variables[name] = valueFromASTUntyped(d.defaultValue);
  }
  return variables;
}

/** Per schema, the documents declaring no variable that passed: their answer depends on the document alone. */
const passedWithoutVariables = new WeakMap<GraphQLSchema, WeakSet<DocumentNode>>();

const declaresVariables = (document: DocumentNode) =>
  document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.variableDefinitions?.length);

/**
 * The first value of the operation that breaks its bounds, as a BAD_USER_INPUT error; null when all
 * hold. `variables`: effectiveVariables. A document without variables that passed is not walked again
 * (Apollo hands every request with the same text the same document object).
 */
export function checkInputBounds(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
): GraphQLError | null {
  if (declaresVariables(document)) return firstOutOfBounds(schema, document, variables);
  let passed = passedWithoutVariables.get(schema);
  if (!passed) passedWithoutVariables.set(schema, (passed = new WeakSet()));
  if (passed.has(document)) return null;
  // A refusal is made afresh each time: the error object goes out with one response.
  const refusal = firstOutOfBounds(schema, document, undefined);
  if (!refusal) passed.add(document);
  return refusal;
}

function firstOutOfBounds(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
): GraphQLError | null {
  const constraint = schema.getDirective('constraint');
  if (!constraint) throw new Error('the schema lacks the @constraint directive (schema/base.graphql)');
  const boundsOf = (def: GraphQLArgument | GraphQLInputField): Bounds => (def.astNode && getDirectiveValues(constraint, def.astNode)) ?? {};

  const checkString = (value: string, max: number, where: string) => {
    if (value.length > max) throw refuse(where, `may have at most ${plural(max, 'character')} (got ${value.length.toLocaleString('en')}).`);
    if (value.includes('\u0000')) throw refuse(where, 'may not contain the NUL character (U+0000).');
  };
  const checkJson = (value: unknown, where: string, depth: number): void => {
    if (typeof value === 'string') return checkString(value, FALLBACK_MAX_LENGTH, where);
    if (typeof value !== 'object' || value === null) return;
    if (depth > JSON_MAX_DEPTH) throw refuse(where, `may nest at most ${JSON_MAX_DEPTH} levels.`);
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    if (entries.length > JSON_MAX_KEYS) throw refuse(where, `may have at most ${JSON_MAX_KEYS} entries.`);
    for (const [key, v] of entries) {
      checkString(key, FALLBACK_MAX_LENGTH, where);
      checkJson(v, `${where}.${key}`, depth + 1);
    }
  };
  const check = (value: unknown, type: GraphQLInputType, bounds: Bounds, where: string): void => {
    if (value === null || value === undefined) return;
    if (isNonNullType(type)) return check(value, type.ofType, bounds, where);
    if (isListType(type)) {
      if (!Array.isArray(value)) return check(value, type.ofType, { maxLength: bounds.maxLength }, where);
      const max = bounds.maxItems ?? DEFAULT_MAX_ITEMS;
      if (value.length > max) throw refuse(where, `may have at most ${plural(max, 'item')} (got ${value.length.toLocaleString('en')}).`);
      value.forEach((item, i) => check(item, type.ofType, { maxLength: bounds.maxLength }, `${where}.${i}`));
      return;
    }
    if (isInputObjectType(type)) {
      if (typeof value !== 'object' || Array.isArray(value)) return; // coercion refuses it later
      for (const field of Object.values(type.getFields())) {
        check((value as Record<string, unknown>)[field.name], field.type, boundsOf(field), `${where}.${field.name}`);
      }
      return;
    }
    if (typeof value === 'object') return checkJson(value, where, 0);
    if (typeof value === 'string')
      checkString(value, bounds.maxLength ?? DEFAULT_MAX_LENGTH[getNamedType(type).name] ?? FALLBACK_MAX_LENGTH, where);
  };

  const typeInfo = new TypeInfo(schema);
  try {
    visit(
      document,
      visitWithTypeInfo(typeInfo, {
        Argument(node) {
          const def = typeInfo.getArgument();
          if (def) check(valueFromASTUntyped(node.value, variables), def.type, boundsOf(def), node.name.value);
        },
      }),
    );
    return null;
  } catch (e) {
    if (e instanceof GraphQLError) return e;
    throw e;
  }
}
