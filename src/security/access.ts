import {
  getNamedType, isObjectType, Kind, type FragmentDefinitionNode, type GraphQLNamedType, type GraphQLSchema,
  type OperationDefinitionNode, type SelectionSetNode,
} from 'graphql';
import type { FieldPolicy } from './policies';
import { isPartnerOnly, type Principal } from './principal';

/** A field the caller may not use, and why. */
export interface Denial {
  coordinate: string;
  reason: 'role' | 'scope';
  /** The roles or the scope that would allow it. */
  needs: string[];
}

/**
 * Every field the operation selects, checked against the caller before anything runs: its roles
 * (@auth) and, for partners, its scope (@scope; a field below a scoped one was reached through it, so
 * it needs nothing more). Nothing is read, so a refusal says nothing about the data. Each fragment is
 * walked once.
 */
export function checkAccess(
  schema: GraphQLSchema,
  policies: ReadonlyMap<string, FieldPolicy>,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  principal: Principal,
): Denial[] {
  const denials = new Map<string, Denial>();
  const partner = isPartnerOnly(principal);
  const scopes = principal.partner?.scopes ?? new Set();
  const walked = new Set<string>();
  const root = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  if (!root) return [];

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
      if (!isObjectType(type) || sel.name.value.startsWith('__')) continue;
      const field = type.getFields()[sel.name.value];
      if (!field) continue;
      const coordinate = `${type.name}.${field.name}`;
      const policy = policies.get(coordinate);
      if (policy?.roles && ![...policy.roles].some((r) => principal.roles.has(r))) {
        denials.set(coordinate, { coordinate, reason: 'role', needs: [...policy.roles] });
      }
      if (partner && policy?.scope && !scopes.has(policy.scope)) {
        denials.set(coordinate, { coordinate, reason: 'scope', needs: [policy.scope] });
      }
      if (sel.selectionSet) walk(sel.selectionSet, getNamedType(field.type));
    }
  };
  walk(operation.selectionSet, root);
  return [...denials.values()];
}

/** One sentence for the client: the fields and what they need, never anything about the data. */
export function describeDenials(denials: Denial[]): string {
  const parts = denials.map((d) => (d.reason === 'role' ? `${d.coordinate} (roles: ${d.needs.join(', ')})` : `${d.coordinate} (scope: ${d.needs[0]})`));
  return `Not allowed for this caller: ${parts.join('; ')}.`;
}
