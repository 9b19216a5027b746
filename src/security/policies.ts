import {
  getDirectiveValues,
  getNamedType,
  isInterfaceType,
  isObjectType,
  type GraphQLDirective,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import type { Maybe } from 'graphql/jsutils/Maybe';
import { isRole, isScope, type Role, type Scope } from './principal';

/** What the schema's directives declare about one field (`Type.field`). */
export interface FieldPolicy {
  /** @auth on the field, else on its type; root fields without one are admin-only. */
  roles?: ReadonlySet<Role>;
  /** @scope: the partner scope the field (and what lies below it) needs. */
  scope?: Scope;
  /** @pii: the kind of personal data it returns. */
  pii?: PiiKind;
}

export const PII_KINDS = ['EMAIL', 'PHONE', 'NAME', 'BIRTHDATE', 'ADDRESS', 'HANDLE', 'IDENTIFIER', 'TEXT'] as const;
export type PiiKind = (typeof PII_KINDS)[number];

const ADMIN_ONLY: ReadonlySet<Role> = new Set(['admin']);

/**
 * The root fields the federation library adds, which have no SDL of ours to carry @auth:
 * - `_service` (the SDL, with every @auth rule) for the `service` role only, a JWT role for a gateway's
 *   or router's own credential (its one use: `rover subgraph introspect`, IntrospectAndCompose) — not
 *   for people, admins included, just as introspection is off in production; `service` reads nothing
 *   else, as no field's @auth names it;
 * - `_entities` for an analyst (masked) or an admin: a router forwards its caller's credentials (or
 *   its own token carries `analyst` beside `service`), never an agent's or a partner's, whose
 *   per-request limits a list of references would bypass.
 */
export const FEDERATION_ROLES: Readonly<Record<string, Role[]>> = {
  'Query._entities': ['analyst', 'admin'],
  'Query._service': ['service'],
};

/**
 * The root field that fetches each Node type: `Query.node` answers an object of that type only to the
 * roles of that field's @auth (guards.ts), so fetching by global id never widens access.
 */
export const NODE_FETCHERS: Readonly<Record<string, string>> = { Customer: 'Query.customer', Segment: 'Query.segment' };

/** Whether a field of this type answers customers: Customer, or an interface Customer implements (Node), in lists or not. */
export function answersCustomers(schema: GraphQLSchema, type: GraphQLOutputType): boolean {
  const named = getNamedType(type);
  return named.name === 'Customer' || (isInterfaceType(named) && schema.getPossibleTypes(named).some((t) => t.name === 'Customer'));
}

function directive(schema: GraphQLSchema, name: string): GraphQLDirective {
  const d = schema.getDirective(name);
  if (!d) throw new Error(`the schema lacks the @${name} directive (schema/base.graphql)`);
  return d;
}

const lower = (v: unknown) => String(v).toLowerCase();

/** Reads @auth, @scope and @pii of every object field once, when the server starts; throws on a misplaced @auth. */
export function readPolicies(schema: GraphQLSchema): Map<string, FieldPolicy> {
  const auth = directive(schema, 'auth');
  const scope = directive(schema, 'scope');
  const pii = directive(schema, 'pii');
  const roots = new Set(
    [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(Boolean).map((t) => t!.name),
  );
  const policies = new Map<string, FieldPolicy>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    // Only the type's own definition is read: an @auth on an extension would be ignored, so it is refused.
    if (type.extensionASTNodes.some((ext) => getDirectiveValues(auth, ext))) {
      throw new Error(`@auth on \`extend type ${type.name}\` is not supported: put it on the type's definition or on each field`);
    }
    const typeAuth = type.astNode ? getDirectiveValues(auth, type.astNode) : undefined;
    for (const field of Object.values(type.getFields())) {
      const node = field.astNode;
      const a = (node && getDirectiveValues(auth, node)) ?? typeAuth;
      const s = node && getDirectiveValues(scope, node);
      const p = node && getDirectiveValues(pii, node);
      const policy: FieldPolicy = {};
      if (a) policy.roles = new Set((a.requires as unknown[]).map(lower).filter(isRole));
      else if (FEDERATION_ROLES[`${type.name}.${field.name}`]) policy.roles = new Set(FEDERATION_ROLES[`${type.name}.${field.name}`]);
      else if (roots.has(type.name)) policy.roles = ADMIN_ONLY;
      if (s) {
        const value = lower(s.requires);
        if (!isScope(value)) throw new Error(`@scope(requires: ${String(s.requires)}) on ${type.name}.${field.name} is not a scope`);
        policy.scope = value;
      }
      if (p) policy.pii = p.kind as PiiKind;
      if (policy.roles || policy.scope || policy.pii) policies.set(`${type.name}.${field.name}`, policy);
    }
  }
  return policies;
}

/**
 * Appends to the description of each field with roles (its @auth, its type's, or a root field's
 * admin-only default) "Access: <roles>.", and of each field with @scope "Partners need the <SCOPE>
 * scope.", and to each type with @auth the roles of its fields without their own: the published schema
 * says what `policies` enforce, read from the same directives, so the two cannot drift.
 */
export function describeAccess(schema: GraphQLSchema, policies: ReadonlyMap<string, FieldPolicy>): GraphQLSchema {
  const auth = directive(schema, 'auth');
  const append = (description: Maybe<string>, line: string) => (description ? `${description}\n\n${line}` : line);
  const roles = (rs: Iterable<string>) => [...rs].map(lower).sort().join(', ');
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const typeAuth = type.astNode ? getDirectiveValues(auth, type.astNode) : undefined;
    if (typeAuth)
      type.description = append(type.description, `Access to fields without their own: ${roles(typeAuth.requires as string[])}.`);
    for (const field of Object.values(type.getFields())) {
      const policy = policies.get(`${type.name}.${field.name}`);
      if (policy?.roles) field.description = append(field.description, `Access: ${roles(policy.roles)}.`);
      if (policy?.scope) field.description = append(field.description, `Partners need the ${policy.scope.toUpperCase()} scope.`);
    }
  }
  return schema;
}
