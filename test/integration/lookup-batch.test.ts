import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BULK, fixtureDataset, LINA, NOW, TOM } from '../fixtures/crm';
import { apiSuite } from '../helpers/suite';

/** The fixture with external ids for Tom and the bulk customers, partner_sharing granted by Tom, refused by Lina. */
function dataset() {
  const data = fixtureDataset();
  const at = new Date('2025-11-20T15:30:00Z');
  data.customer_identities.push(
    { customer_id: TOM, kind: 'external_id' as never, value: 'EXT-TOM', verified: true, first_seen_at: at },
    ...BULK.map((id) => ({ customer_id: id, kind: 'external_id' as never, value: `EXT-${id}`, verified: true, first_seen_at: at })),
  );
  data.consents.push(
    { customer_id: TOM, purpose: 'partner_sharing', granted: true, updated_at: at, source: 'web' },
    { customer_id: LINA, purpose: 'partner_sharing', granted: false, updated_at: at, source: 'app' },
  );
  return data;
}

const suite = apiSuite('lookup_batch', dataset(), { clock: () => NOW });

const LOOKUP = `query Lookup($ids: [IdentifierInput!]!) { lookupCustomers(identifiers: $ids) { id } }`;
const PARTNER_LOOKUP = readFileSync(path.resolve(__dirname, '../../operations/PartnerLookupCustomers.graphql'), 'utf8');

describe('Query.lookupCustomers', () => {
  it('answers one item per identifier, in order, with the errors of the others at their index', async () => {
    const { status, body, roundTrips } = await suite.api.gql(LOOKUP, {
      ids: [
        { kind: 'EMAIL', value: ' Lina@Example.COM ' },
        { kind: 'PHONE', value: 'call me' },
        { kind: 'EXTERNAL_ID', value: 'EXT-TOM' },
        { kind: 'ORDER_NUMBER', value: 'SO0000' },
        // Lina's phone is also on her duplicate record c_lina2: two people as far as the CRM knows.
        { kind: 'PHONE', value: '+86 138 0013 8000' },
        { kind: 'ORDER_NUMBER', value: 'so 2026-000002' },
      ],
    });
    expect(status).toBe(200);
    expect(body.data).toEqual({ lookupCustomers: [{ id: LINA }, null, { id: TOM }, null, null, { id: LINA }] });
    expect(body.errors).toEqual([
      {
        message: '"call me" is not a phone number (use E.164 like +8613800138000, or a national number of CN).',
        locations: [{ line: 1, column: 43 }],
        path: ['lookupCustomers', 1],
        extensions: { code: 'BAD_USER_INPUT', field: 'identifier.value' },
      },
      {
        message: 'No customer has this identifier.',
        locations: [{ line: 1, column: 43 }],
        path: ['lookupCustomers', 3],
        extensions: { code: 'NOT_FOUND' },
      },
      {
        message: 'This identifier belongs to 2 people; customersBy lists them.',
        locations: [{ line: 1, column: 43 }],
        path: ['lookupCustomers', 4],
        extensions: { code: 'AMBIGUOUS' },
      },
    ]);
    expect(roundTrips.crm).toBe(1);
  });

  it('costs the same round trips for 500 mixed identifiers as for 1', async () => {
    const kinds = (i: number, id: string) =>
      [
        { kind: 'EXTERNAL_ID', value: `EXT-${id}` },
        { kind: 'ORDER_NUMBER', value: `SOB${id.slice(3)}1` },
        { kind: 'EMAIL', value: `nobody${i}@example.com` },
        { kind: 'PHONE', value: `+86 139 0000 ${String(1000 + i)}` },
      ][i % 4]!;
    const many = Array.from({ length: 500 }, (_, i) => kinds(i, BULK[i % BULK.length]!));
    const one = await suite.api.gql(
      `query L($ids: [IdentifierInput!]!) { lookupCustomers(identifiers: $ids) { id orders(first: 1) { totalCount } } }`,
      {
        ids: many.slice(0, 1),
      },
    );
    const all = await suite.api.gql(
      `query L($ids: [IdentifierInput!]!) { lookupCustomers(identifiers: $ids) { id orders(first: 1) { totalCount } } }`,
      {
        ids: many,
      },
    );
    expect(all.status).toBe(200);
    expect(all.body.data.lookupCustomers).toHaveLength(500);
    // External ids and order numbers name the bulk customers; the made-up e-mails and phones nobody.
    expect(all.body.data.lookupCustomers.filter((c: unknown) => c !== null)).toHaveLength(250);
    expect(all.body.errors?.map((e) => e.extensions?.code)).toEqual(Array(250).fill('NOT_FOUND'));
    expect(all.body.data.lookupCustomers[1]).toEqual({ id: BULK[1], orders: { totalCount: 2 } });
    expect(all.roundTrips).toEqual(one.roundTrips);
  });

  it('refuses more than 500 identifiers before reading anything', async () => {
    const { status, body, roundTrips } = await suite.api.gql(LOOKUP, {
      ids: Array.from({ length: 501 }, (_, i) => ({ kind: 'EXTERNAL_ID', value: `EXT-${i}` })),
    });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(roundTrips.crm).toBe(0);
  });
});

describe('Query.lookupCustomers for a partner (safelisted PartnerLookupCustomers)', () => {
  let key: string;
  beforeAll(async () => {
    const { body } = await suite.api.gql(
      `mutation { createApiKey(input: { partner: "Batch Co", scopes: [PROFILE, INSIGHTS], ratePerMinute: 1000 }) { key } }`,
    );
    key = body.data.createApiKey.key;
  });

  it('answers the customers who granted partner_sharing; the others exactly as identifiers nobody has', async () => {
    const { status, body } = await suite.api.gql(
      PARTNER_LOOKUP,
      { identifiers: ['EXT-TOM', 'EXT-001', 'EXT-NOBODY'].map((value) => ({ kind: 'EXTERNAL_ID', value })) },
      { 'x-api-key': key },
    );
    expect(status).toBe(200);
    expect(body.data.lookupCustomers).toEqual([{ id: TOM, valueTier: expect.any(String), lifecycle: expect.any(Object) }, null, null]);
    const [lina, nobody] = (body.errors as { path: unknown[]; extensions?: { source?: string } }[]).filter(
      (e) => e.extensions?.source !== 'social',
    );
    expect({ ...lina, path: null }).toEqual({ ...nobody, path: null });
    expect([lina!.path, nobody!.path]).toEqual([
      ['lookupCustomers', 1],
      ['lookupCustomers', 2],
    ]);
    expect(lina).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });

  it('refuses any kind but EXTERNAL_ID in the batch before anything is read', async () => {
    const { status, body, roundTrips } = await suite.api.gql(
      PARTNER_LOOKUP,
      {
        identifiers: [
          { kind: 'EXTERNAL_ID', value: 'EXT-TOM' },
          { kind: 'EMAIL', value: 'tom.baker@example.org' },
        ],
      },
      { 'x-api-key': key },
    );
    expect(status).toBe(403);
    expect(body.errors).toEqual([
      {
        message: 'Not allowed for this caller: Query.lookupCustomers (partners look customers up by EXTERNAL_ID only).',
        extensions: { code: 'FORBIDDEN', denied: ['Query.lookupCustomers'] },
      },
    ]);
    expect(roundTrips).toEqual({ crm: 0, behaviour: 0, social: 0 });
  });
});
