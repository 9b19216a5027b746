import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { generatePersistedQueryIdsFromManifest } from '@apollo/persisted-query-lists';
import { sha256 } from '../../src/sha256';
import { fixtureDataset, LINA, NOW, TOM } from '../fixtures/crm';
import { apiSuite } from '../helpers/suite';

/** The fixture, with external ids for Tom and Lina, partner_sharing granted by Tom and refused by Lina. */
function dataset() {
  const data = fixtureDataset();
  const at = new Date('2025-11-20T15:30:00Z');
  data.customer_identities.push({ customer_id: TOM, kind: 'external_id' as never, value: 'EXT-TOM', verified: true, first_seen_at: at });
  data.consents.push(
    { customer_id: TOM, purpose: 'partner_sharing', granted: true, updated_at: at, source: 'web' },
    { customer_id: LINA, purpose: 'partner_sharing', granted: false, updated_at: at, source: 'app' },
  );
  return data;
}

const suite = apiSuite('persisted_queries', dataset(), { clock: () => NOW });
const OPERATIONS = path.resolve(__dirname, '../../operations');

interface Manifest {
  format: string;
  version: number;
  operations: { id: string; name: string; type: string; body: string }[];
}

let key: string;
let manifest: Manifest;
beforeAll(async () => {
  const { body } = await suite.api.gql(
    `mutation { createApiKey(input: { partner: "Apollo Shop", scopes: [PROFILE, ORDERS, INSIGHTS], ratePerMinute: 1000 }) { key } }`,
  );
  key = body.data.createApiKey.key;
  manifest = (await (await fetch(suite.api.url.replace('/graphql', '/persisted-queries.json'))).json()) as Manifest;
});

describe("the safelist as Apollo's persisted query list", () => {
  it('is published at /persisted-queries.json without credentials, one entry per operations/ file, id = SHA-256 of the body', () => {
    const files = readdirSync(OPERATIONS)
      .filter((f) => f.endsWith('.graphql'))
      .sort();
    expect(manifest.format).toBe('apollo-persisted-query-manifest');
    expect(manifest.version).toBe(1);
    expect(manifest.operations).toEqual(
      files.map((f) => {
        const body = readFileSync(path.join(OPERATIONS, f), 'utf8');
        return { id: sha256(body).toString('hex'), name: f.replace(/\.graphql$/, ''), type: 'query', body };
      }),
    );
  });

  it("runs partner operations by id from Apollo Client's persisted queries link: no query text sent", async () => {
    const sent: unknown[] = [];
    const recording: typeof fetch = (url, init) => {
      sent.push(JSON.parse(String(init?.body)));
      return fetch(url, init);
    };
    const client = new ApolloClient({
      cache: new InMemoryCache(),
      link: new PersistedQueryLink(generatePersistedQueryIdsFromManifest({ loadManifest: async () => manifest })).concat(
        new HttpLink({ uri: suite.api.url, fetch: recording, headers: { 'x-api-key': key } }),
      ),
    });
    const body = (name: string) => manifest.operations.find((o) => o.name === name)!.body;

    // errorPolicy all: this suite has no social provider, so lifecycle says it did without it.
    const one = await client.query({
      query: gql(body('PartnerCustomer')),
      variables: { id: TOM },
      fetchPolicy: 'no-cache',
      errorPolicy: 'all',
    });
    expect(one.data).toMatchObject({ customer: { id: TOM, profile: { fullName: 'T. B.' } } });

    const batch = await client.query({
      query: gql(body('PartnerLookupCustomers')),
      variables: { identifiers: ['EXT-TOM', 'EXT-NOBODY'].map((value) => ({ kind: 'EXTERNAL_ID', value })) },
      fetchPolicy: 'no-cache',
      errorPolicy: 'all',
    });
    expect((batch.data as { lookupCustomers: ({ id: string } | null)[] }).lookupCustomers.map((c) => c?.id ?? null)).toEqual([TOM, null]);

    const ids = Object.fromEntries(manifest.operations.map((o) => [o.name, o.id]));
    const what = (b: { operationName?: string; query?: string; extensions?: { persistedQuery?: unknown } }) => ({
      operationName: b.operationName,
      query: b.query,
      persistedQuery: b.extensions?.persistedQuery,
    });
    expect((sent as Parameters<typeof what>[0][]).map(what)).toEqual([
      { operationName: 'PartnerCustomer', query: undefined, persistedQuery: { version: 1, sha256Hash: ids.PartnerCustomer } },
      { operationName: 'PartnerLookupCustomers', query: undefined, persistedQuery: { version: 1, sha256Hash: ids.PartnerLookupCustomers } },
    ]);
  });

  it('accepts the exact published body as well, and refuses a partner any other text', async () => {
    const body = manifest.operations.find((o) => o.name === 'PartnerCustomer')!.body;
    const exact = await suite.api.gql(body, { id: TOM }, { 'x-api-key': key });
    expect(exact.body.data.customer.id).toBe(TOM);
    const edited = await suite.api.gql(body.replace('valueTier', 'valueTier\n    id'), { id: TOM }, { 'x-api-key': key });
    expect(edited.status).toBe(403);
    expect(edited.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
