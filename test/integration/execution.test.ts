import type { Role } from '../../src/security/principal';
import { startTestServer, type TestServer } from '../helpers/server';
import { apiSuite } from '../helpers/suite';
import { bearer } from '../helpers/tokens';
import { fixtureDataset, LINA, NOW, TOM } from '../fixtures/crm';

/**
 * The compiled executor (EXECUTOR=jit, the default) answers exactly what graphql-js answers: data,
 * errors (messages, paths, locations, codes, sources) and HTTP status, for answers and for every kind
 * of failure: variables, defaults, non-null bubbling, resolver errors, masking, partial failure.
 */
const suite = apiSuite('execution', fixtureDataset(), { clock: () => NOW });
let reference: TestServer;
beforeAll(async () => {
  reference = await startTestServer(suite.db, () => NOW, { config: { ...suite.db.config, EXECUTOR: 'graphql-js' } });
});
afterAll(() => reference?.close());

const CASES: [string, string, Record<string, unknown>?, Role[]?][] = [
  [
    'a profile with orders and insights',
    `{ customer(id: "${LINA}") { id status profile { fullName age } orders(first: 2) { totalCount edges { cursor node { orderNumber total placedAt items { quantity product { name } } } } } rfm(asOf: "2026-06-15T12:00:00Z") { score segment } lifecycle { stage since } tags { key family } } }`,
  ],
  [
    'aliases, fragments, @include and @skip',
    `query($yes: Boolean!) { a: customer(id: "${LINA}") { ...P } b: customer(id: "${TOM}") { ...P contact @include(if: $yes) { email } } } fragment P on Customer { id profile @skip(if: $yes) { fullName } }`,
    { yes: true },
  ],
  [
    'variables with defaults, enums and lists',
    `query($id: ID! = "${TOM}", $s: [TicketStatus!] = [OPEN, PENDING], $n: Int = 1) { customer(id: $id) { supportTickets(status: $s) { subject status } orders(first: $n) { edges { node { status } } } } }`,
  ],
  [
    'an identifier lookup by variable',
    `query($i: IdentifierInput!) { customerBy(identifier: $i) { id } }`,
    { i: { kind: 'EMAIL', value: 'LINA@example.com ' } },
  ],
  [
    'a variable of the wrong type',
    `query($i: IdentifierInput!) { customerBy(identifier: $i) { id } }`,
    { i: { kind: 'EMAIL', value: [] } },
  ],
  ['a missing required variable', `query($id: ID!) { customer(id: $id) { id } }`],
  [
    'an unknown enum value in a variable',
    `query($s: [TicketStatus!]) { customer(id: "${TOM}") { supportTickets(status: $s) { id } } }`,
    { s: ['LOST'] },
  ],
  ['a resolver refusing its arguments', `{ customer(id: "${TOM}") { orders(first: -1) { totalCount } } }`],
  ['an unknown customer', `{ customer(id: "c_nobody") { id profile { fullName } } }`],
  [
    'bad federation representations',
    `query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Customer { id profile { fullName } } } }`,
    { r: [{ __typename: 'Customer', id: LINA }, {}, { __typename: 'Order', id: 'x' }] },
  ],
  ['a masked read by an agent', `{ customer(id: "${LINA}") { contact { email phone } } }`, undefined, ['agent']],
  ['a field the role may not read', `{ auditLog(customerId: "${LINA}") { edges { node { subject } } } }`, undefined, ['agent']],
  ['a dead social provider (partial failure)', `{ customer(id: "${LINA}") { id social { accounts { handle } } } }`],
  [
    'a batch lookup with per-item errors',
    `query($ids: [IdentifierInput!]!) { lookupCustomers(identifiers: $ids) { id profile { fullName } } }`,
    {
      ids: [
        { kind: 'EMAIL', value: 'lina@example.com' },
        { kind: 'PHONE', value: 'x' },
        { kind: 'EXTERNAL_ID', value: 'none' },
        { kind: 'PHONE', value: '13800138000' },
      ],
    },
  ],
  ['introspection', `{ __type(name: "Customer") { name fields { name type { kind name ofType { name } } } } }`],
];

describe.each(CASES)('%s', (_, query, variables, roles) => {
  it('answers the same under graphql-jit as under graphql-js', async () => {
    const headers = roles ? await bearer(roles, { sub: 'exec-test' }) : undefined;
    const [jit, js] = [await suite.api.gql(query, variables, headers), await reference.gql(query, variables, headers)];
    expect(jit.status).toBe(js.status);
    expect(jit.body).toEqual(js.body);
  });
});
