import {
  getArgumentValues,
  getNamedType,
  getVariableValues,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { IdentifierKind } from '../enums';
import { answersCustomers, type FieldPolicy } from './policies';
import { canList, isPartnerOnly, type Principal } from './principal';

/** A field the caller may not use, and why. */
export interface Denial {
  coordinate: string;
  /** role/scope: the field's @auth/@scope; lookup: a partner's identifier kind; bulk: more than one customer per request. */
  reason: 'role' | 'scope' | 'lookup' | 'bulk';
  /** What would allow it: the roles, the scope, or the rule in words. */
  needs: string[];
}

/** The searches' largest page for a caller without a listing right. */
const MAX_SEARCH_WITHOUT_LISTING = 10;
/** The search fields, whose `first` that bounds; the connection's other page arguments need a listing right. */
const SEARCHES = new Set(['searchCustomers', 'customerSearch']);
const PAGING = ['after', 'last', 'before'];

/**
 * Every field the operation selects, checked against the caller before anything runs: its roles
 * (@auth) and, for partners, its scope (@scope; a field below a scoped one was reached through it, so
 * it needs nothing more). A field selected on an interface or union is checked on every object type
 * that may answer it. Then the root fields (rootFieldDenials). Nothing is read, so a refusal says
 * nothing about the data. Each fragment is walked once. `variables`: the request's, as sent.
 */
export function checkAccess(
  schema: GraphQLSchema,
  policies: ReadonlyMap<string, FieldPolicy>,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  principal: Principal,
  variables: Record<string, unknown> | undefined,
): Denial[] {
  const denials = new Map<string, Denial>();
  const partner = isPartnerOnly(principal);
  const scopes = principal.partner?.scopes ?? new Set();
  const walked = new Set<string>();
  const root = rootType(schema, operation);
  if (!root) return [];

  const check = (owner: GraphQLObjectType, field: GraphQLField<unknown, unknown>) => {
    const coordinate = `${owner.name}.${field.name}`;
    const policy = policies.get(coordinate);
    if (policy?.roles && ![...policy.roles].some((r) => principal.roles.has(r))) {
      denials.set(coordinate, { coordinate, reason: 'role', needs: [...policy.roles] });
    }
    if (partner && policy?.scope && !scopes.has(policy.scope)) {
      denials.set(coordinate, { coordinate, reason: 'scope', needs: [policy.scope] });
    }
  };
  const walk = (set: SelectionSetNode, type: GraphQLNamedType) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments[sel.name.value];
        if (!fragment || walked.has(sel.name.value)) continue;
        walked.add(sel.name.value);
        walk(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? type);
        continue;
      }
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet, sel.typeCondition ? (schema.getType(sel.typeCondition.name.value) ?? type) : type);
        continue;
      }
      if (sel.name.value.startsWith('__') || !(isObjectType(type) || isAbstractType(type))) continue;
      const owners = isObjectType(type) ? [type] : schema.getPossibleTypes(type);
      for (const owner of owners) {
        const field = owner.getFields()[sel.name.value];
        if (field) check(owner, field);
      }
      // A union has no fields of its own (only __typename); an interface field's type covers its implementations'.
      const own = isObjectType(type) || isInterfaceType(type) ? type.getFields()[sel.name.value] : undefined;
      if (own && sel.selectionSet) walk(sel.selectionSet, getNamedType(own.type));
    }
  };
  walk(operation.selectionSet, root);
  for (const d of rootFieldDenials(schema, root, operation, fragments, principal, variables)) denials.set(d.coordinate, d);
  return [...denials.values()];
}

const rootType = (schema: GraphQLSchema, operation: OperationDefinitionNode) =>
  operation.operation === 'mutation'
    ? schema.getMutationType()
    : operation.operation === 'subscription'
      ? schema.getSubscriptionType()
      : schema.getQueryType();

/** The operation's root fields by response key (fields of one key are merged into one by GraphQL), through fragments. */
function rootFields(operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>): Map<string, FieldNode> {
  const fields = new Map<string, FieldNode>();
  const seen = new Set<string>();
  const collect = (set: SelectionSetNode) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) fields.set(sel.alias?.value ?? sel.name.value, sel);
      else if (sel.kind === Kind.INLINE_FRAGMENT) collect(sel.selectionSet);
      else if (!seen.has(sel.name.value) && fragments[sel.name.value]) {
        seen.add(sel.name.value);
        collect(fragments[sel.name.value]!.selectionSet);
      }
    }
  };
  collect(operation.selectionSet);
  return fields;
}

/**
 * Rules on the root fields' arguments, read from literals and variables alike:
 * - a partner-only caller looks customers up by EXTERNAL_ID only (a contact detail would unmask what
 *   masking hides, a device or anonymous id would track a person);
 * - a caller without a listing right (analyst, admin) reads one customer at a time: at most one root
 *   field returning customers (or a connection of them), and of a search the first page only, with
 *   `first` at most MAX_SEARCH_WITHOUT_LISTING.
 * Variables that do not coerce are left to execution, which refuses them before anything runs.
 */
function rootFieldDenials(
  schema: GraphQLSchema,
  root: GraphQLObjectType,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  principal: Principal,
  variables: Record<string, unknown> | undefined,
): Denial[] {
  const partner = isPartnerOnly(principal);
  const listing = canList(principal);
  if (!partner && listing) return [];
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  const args = (field: GraphQLField<unknown, unknown>, node: FieldNode) =>
    'coerced' in coerced ? getArgumentValues(field, node, coerced.coerced) : {};
  const denials: Denial[] = [];
  const customerFields: string[] = [];
  for (const node of rootFields(operation, fragments).values()) {
    const field = root.getFields()[node.name.value];
    if (!field) continue;
    const coordinate = `${root.name}.${field.name}`;
    const identifierArg = field.args.find((a) => getNamedType(a.type).name === 'IdentifierInput');
    const given = identifierArg && (args(field, node)[identifierArg.name] as { kind?: unknown } | { kind?: unknown }[] | undefined);
    const identifiers = given === undefined ? [] : Array.isArray(given) ? given : [given];
    if (partner && identifiers.some((identifier) => identifier.kind !== IdentifierKind.EXTERNAL_ID)) {
      denials.push({ coordinate, reason: 'lookup', needs: ['partners look customers up by EXTERNAL_ID only'] });
    }
    if (listing || !(answersCustomers(schema, field.type) || getNamedType(field.type).name === 'CustomerConnection')) continue;
    customerFields.push(coordinate);
    if (!SEARCHES.has(field.name)) continue;
    const page = args(field, node);
    if (typeof page.first === 'number' && page.first > MAX_SEARCH_WITHOUT_LISTING) {
      denials.push({
        coordinate,
        reason: 'bulk',
        needs: [`first at most ${MAX_SEARCH_WITHOUT_LISTING} without the analyst or admin role`],
      });
    }
    if (PAGING.some((name) => page[name] != null)) {
      denials.push({
        coordinate,
        reason: 'bulk',
        needs: ['the first page only (no after, last or before) without the analyst or admin role'],
      });
    }
  }
  if (customerFields.length > 1) {
    for (const coordinate of new Set(customerFields)) {
      denials.push({
        coordinate,
        reason: 'bulk',
        needs: ['one root field returning customers per request without the analyst or admin role'],
      });
    }
  }
  return denials;
}

/** One sentence for the client: the fields and what they need, never anything about the data. */
export function describeDenials(denials: Denial[]): string {
  const why = (d: Denial) =>
    d.reason === 'role' ? `roles: ${d.needs.join(', ')}` : d.reason === 'scope' ? `scope: ${d.needs[0]}` : d.needs.join('; ');
  return `Not allowed for this caller: ${denials.map((d) => `${d.coordinate} (${why(d)})`).join('; ')}.`;
}
