import {
  buildSchema as buildSdl,
  getNamedType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type OperationDefinitionNode,
} from 'graphql';
import { checkAccess } from '../../src/security/access';
import { readPolicies } from '../../src/security/policies';
import type { Principal } from '../../src/security/principal';
import { FEDERATION_ROLES } from '../../src/security/policies';
import { buildSchema } from '../../src/server';

/**
 * The schema declares access for every field that needs it, so a new field cannot forget it: these
 * walks fail when one does.
 */
const { schema, policies } = buildSchema();
const objectTypes = Object.values(schema.getTypeMap()).filter((t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith('__'));
const fieldsOf = (t: GraphQLObjectType) => Object.values(t.getFields()).map((f) => ({ coordinate: `${t.name}.${f.name}`, field: f }));

/** Names that say "a person's data" unless the field is known not to be (with the reason). */
const PERSONAL = /(e-?mail|phone|name|birth|address|street|handle|url|text|query|subject|value|number|session(id)?)$/i;
const NOT_PERSONAL: Record<string, string> = {
  'Product.name': 'a catalogue entry',
  'TagDefinition.label': 'rule metadata',
  'Tag.label': 'rule metadata',
  'TagEvidence.value': 'derived facts (ages, counts, city), no contact data or names',
  'AuditEntry.subject': 'the employee or key that read, not the customer',
  'ApiKey.partner': 'a company',
  'AuditEntry.partner': 'a company',
  'Segment.name': 'a segment a business user named',
  'Experiment.name': 'an experiment an admin named',
  'ExperimentVariant.name': 'a variant of an experiment, named by an admin',
  'SocialTopic.topic': 'a topic label',
  'PurchaseSummary.averageOrderValue': 'an amount',
  'ChurnFactor.name': 'a factor code',
};

describe('schema access declarations', () => {
  it('gives every Query and Mutation field an explicit @auth', () => {
    const missing = [schema.getQueryType()!, schema.getMutationType()!]
      .flatMap(fieldsOf)
      .filter(({ field }) => !field.astNode?.directives?.some((d) => d.name.value === 'auth'))
      .filter(({ coordinate }) => coordinate.startsWith('Query.'));
    // Only the fields the federation library adds, whose roles policies.ts states.
    expect(missing.map((m) => m.coordinate)).toEqual(Object.keys(FEDERATION_ROLES));
    for (const coordinate of Object.keys(FEDERATION_ROLES))
      expect([...policies.get(coordinate)!.roles!]).toEqual(FEDERATION_ROLES[coordinate]);
    // Mutation carries a type-level @auth(requires: [ADMIN]); every mutation ends up with a role set.
    for (const { coordinate } of fieldsOf(schema.getMutationType()!)) expect(policies.get(coordinate)?.roles?.size).toBeGreaterThan(0);
  });

  it('puts every Customer field but its id under a partner scope', () => {
    const unscoped = fieldsOf(schema.getType('Customer') as GraphQLObjectType).filter(
      ({ coordinate }) => coordinate !== 'Customer.id' && !policies.get(coordinate)?.scope,
    );
    expect(unscoped.map((u) => u.coordinate)).toEqual([]);
  });

  it('marks every field that returns personal data with @pii', () => {
    const unmarked = objectTypes
      .flatMap(fieldsOf)
      .filter(({ coordinate, field }) => PERSONAL.test(field.name) && !(coordinate in NOT_PERSONAL) && !policies.get(coordinate)?.pii)
      .filter(({ coordinate }) => !coordinate.startsWith('Query.') && !coordinate.startsWith('Mutation.'));
    expect(unmarked.map((u) => u.coordinate)).toEqual([]);
    expect(policies.get('Contact.email')?.pii).toBe('EMAIL');
  });

  it('only holds @pii fields below a Customer, so every read is attributed to a person', () => {
    // Walk from the roots without entering Customer: no @pii field may be reachable that way, except
    // below root fields about one customer that attribute their answer to it (the customerId argument).
    const attributed = new Set(['Query.identityHistory']);
    const reachable = new Set<string>();
    const visit = (type: GraphQLObjectType) => {
      if (reachable.has(type.name) || type.name === 'Customer') return;
      reachable.add(type.name);
      for (const f of Object.values(type.getFields())) {
        if (attributed.has(`${type.name}.${f.name}`)) continue;
        const named = getNamedType(f.type);
        if (isObjectType(named)) visit(named);
      }
    };
    visit(schema.getQueryType()!);
    visit(schema.getMutationType()!);
    const exposed = [...reachable]
      .flatMap((name) => fieldsOf(schema.getType(name) as GraphQLObjectType))
      .filter(({ coordinate }) => policies.get(coordinate)?.pii);
    expect(exposed.map((e) => e.coordinate)).toEqual([]);
  });
});

describe('query cost declarations', () => {
  it('sizes every list of objects: by first/last, by @listSize, or (edges) by its connection', () => {
    const unsized = objectTypes
      .flatMap(fieldsOf)
      .filter(({ field }) => {
        const type = isNonNullType(field.type) ? field.type.ofType : field.type;
        return isListType(type) && !isLeafType(getNamedType(type));
      })
      .filter(
        ({ field }) =>
          !field.args.some((a) => a.name === 'first' || a.name === 'last') &&
          !field.astNode?.directives?.some((d) => d.name.value === 'listSize'),
      )
      .map(({ coordinate }) => coordinate)
      .filter((c) => !/Connection\.edges$/.test(c));
    // _entities is priced by the representations sent (security/limits.ts).
    expect(unsized).toEqual(['Query._entities']);
  });
});

describe('access checks beyond plain object types', () => {
  const SDL = `
    directive @auth(requires: [Role!]!) on FIELD_DEFINITION | OBJECT
    directive @scope(requires: PartnerScope!) on FIELD_DEFINITION
    directive @pii(kind: PiiKind!) on FIELD_DEFINITION
    enum Role { AGENT ANALYST PARTNER ADMIN }
    enum PartnerScope { PROFILE }
    enum PiiKind { EMAIL }
    interface Party { id: ID! secret: String }
    type Open implements Party { id: ID! secret: String }
    type Guarded implements Party { id: ID! secret: String @auth(requires: [ADMIN]) }
    union Anything = Open | Guarded
    type Query { party: Party @auth(requires: [AGENT, ADMIN]) any: Anything @auth(requires: [AGENT, ADMIN]) }`;
  const small = buildSdl(SDL);
  const agent: Principal = { subject: 'a', roles: new Set(['agent']), auth: 'jwt' };
  const denied = (query: string) => {
    const doc = parse(query);
    const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
    const fragments = Object.fromEntries(
      doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
    );
    return checkAccess(small, readPolicies(small), operation, fragments, agent, {}).map((d) => d.coordinate);
  };

  it('checks a field selected on an interface on every object type that may answer it', () => {
    expect(denied('{ party { id secret } }')).toEqual(['Guarded.secret']);
    expect(denied('query { party { ...P } } fragment P on Party { secret }')).toEqual(['Guarded.secret']);
    expect(denied('{ party { id } any { __typename ... on Open { secret } } }')).toEqual([]);
    expect(denied('{ any { ... on Guarded { secret } } }')).toEqual(['Guarded.secret']);
  });

  it('refuses a type-level @auth on a type extension instead of ignoring it', () => {
    expect(() => readPolicies(buildSdl(`${SDL}\n extend type Open @auth(requires: [ADMIN])`))).toThrow(
      /@auth on `extend type Open` is not supported/,
    );
  });
});
