import type { CustomerRef } from '../parents';
import type { Context } from '../context';
import { badUserInput } from '../errors';
import { customerById } from './customers';

/** Entity types this subgraph resolves by reference (schema/federation.graphql: Customer @key(fields: "id")). */
const ENTITY_TYPES = new Set(['Customer']);

type Entity = (CustomerRef & { __typename: string }) | null;

/**
 * Query._entities with each representation checked on its own: one that is not an object with a
 * known `__typename` and a non-empty string `id` answers BAD_USER_INPUT at its index (graphql-js
 * turns an Error item into a located error), the others still resolve. Never throws, so no sibling's
 * promise is left unobserved. The list's length is bounded before execution (security/inputBounds.ts).
 */
export function resolveEntities(ctx: Context, representations: readonly unknown[]): (Promise<Entity> | Error)[] {
  return representations.map((rep, i) => {
    const at = `representations.${i}`;
    if (typeof rep !== 'object' || rep === null || Array.isArray(rep)) return badUserInput(`Representation ${i} is not an object.`, at);
    const { __typename: typename, id } = rep as Record<string, unknown>;
    if (typeof typename !== 'string' || !ENTITY_TYPES.has(typename)) {
      return badUserInput(`Representation ${i} needs a \`__typename\` this subgraph resolves (${[...ENTITY_TYPES].join(', ')}).`, at);
    }
    if (typeof id !== 'string' || id === '') return badUserInput(`Representation ${i} needs its key \`id\` as a non-empty string.`, at);
    return customerById(ctx, id).then((c) => c && { ...c, __typename: typename });
  });
}
