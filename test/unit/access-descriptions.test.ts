import { isObjectType, Kind, parse, type ConstDirectiveNode, type FieldDefinitionNode } from 'graphql';
import { loadTypeDefs } from '../../src/schema';
import { buildSchema } from '../../src/server';

/**
 * The published schema says who may use each field: its description ends with "Access: <roles>.",
 * generated from @auth at schema build. Expected here from the SDL files directly: the field's @auth,
 * else its type's, else admin-only for a root field.
 */
const { schema } = buildSchema();
const roots = new Set(['Query', 'Mutation']);
const rolesOf = (d: ConstDirectiveNode | undefined) => {
  const list = d?.arguments?.find((a) => a.name.value === 'requires')?.value;
  return list?.kind === Kind.LIST ? list.values.map((v) => (v.kind === Kind.ENUM ? v.value.toLowerCase() : '?')).sort() : undefined;
};
const authOf = (node: { directives?: readonly ConstDirectiveNode[] }) => rolesOf(node.directives?.find((d) => d.name.value === 'auth'));

function expectedAccess(): Map<string, string[]> {
  const typeAuth = new Map<string, string[]>();
  const fields: [string, FieldDefinitionNode][] = [];
  for (const sdl of loadTypeDefs()) {
    for (const def of parse(sdl).definitions) {
      if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
      const roles = def.kind === Kind.OBJECT_TYPE_DEFINITION ? authOf(def) : undefined;
      if (roles) typeAuth.set(def.name.value, roles);
      for (const f of def.fields ?? []) fields.push([def.name.value, f]);
    }
  }
  const out = new Map<string, string[]>();
  for (const [type, f] of fields) {
    const roles = authOf(f) ?? typeAuth.get(type) ?? (roots.has(type) ? ['admin'] : undefined);
    if (roles) out.set(`${type}.${f.name.value}`, roles);
  }
  return out;
}

describe('access in the published descriptions', () => {
  const expected = expectedAccess();

  it('ends every field with @auth (or a root field without) with its roles, and says nothing on the others', () => {
    expect(expected.size).toBeGreaterThan(25);
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('_')) continue;
      for (const field of Object.values(type.getFields())) {
        const coordinate = `${type.name}.${field.name}`;
        if (field.name.startsWith('_')) continue;
        const roles = expected.get(coordinate);
        const access = /(?:^|\n\n)Access: ([a-z, ]+)\.(?:\n\n|$)/.exec(field.description ?? '')?.[1];
        expect({ coordinate, access: access?.split(', ') }).toEqual({ coordinate, access: roles });
      }
    }
  });

  it.each([
    ['Mutation.createSegment', 'admin, analyst'],
    ['Mutation.linkIdentity', 'admin, agent'],
    ['Mutation.eraseCustomer', 'admin'],
    ['Query.node', 'admin, agent, analyst, partner'],
  ])('says %s is for %s', (coordinate, roles) => {
    const [type, name] = coordinate.split('.') as [string, string];
    const field = (schema.getType(type) as { getFields(): Record<string, { description?: string | null }> }).getFields()[name]!;
    expect(field.description).toMatch(new RegExp(`\\n\\nAccess: ${roles}\\.$|^Access: ${roles}\\.$`));
  });

  it('gives a partner the scope a Customer field needs', () => {
    const customer = schema.getType('Customer');
    expect(isObjectType(customer) && customer.getFields().orders!.description).toMatch(/Partners need the ORDERS scope\.$/);
  });
});
