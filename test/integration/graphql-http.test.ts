import { auditServer } from 'graphql-http';
import { fixtureDataset, NOW } from '../fixtures/crm';
import { bearer } from '../helpers/tokens';
import { apiSuite } from '../helpers/suite';

const suite = apiSuite('graphql_http', fixtureDataset(), { clock: () => NOW });

/**
 * What the server does not do of the spec's SHOULDs and MAYs, on purpose (docs/operations.md "GraphQL over HTTP").
 */
const KNOWN = [
  // Apollo Server answers a document it cannot parse or validate, or variables it cannot coerce,
  // with 400 whatever the Accept header: a client sees the failure in the status too.
  'SHOULD use 200 status code on document parsing failure when accepting application/json',
  'SHOULD use 200 status code on document validation failure when accepting application/json',
  'SHOULD use a status code of 200 on variable coercion failure when accepting application/json',
  // CSRF prevention refuses GETs that a browser could send cross-site without a preflight (no
  // content-type, no x-apollo-operation-name / apollo-require-preflight header).
  'MAY accept application/x-www-form-urlencoded formatted GET requests',
  'MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/graphql-response+json',
  'MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/json',
];

describe('GraphQL over HTTP', () => {
  it('passes every MUST of the graphql-http audit suite, and misses only the documented SHOULDs and MAYs', async () => {
    const admin = await bearer(['admin']);
    const results = await auditServer({
      url: suite.api.url,
      fetchFn: (input: Parameters<typeof fetch>[0], init?: RequestInit) =>
        fetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers).entries()), ...admin } }),
    });
    const failed = results.filter((r) => r.status !== 'ok').map((r) => r.name);
    expect(failed.filter((name) => name.startsWith('MUST'))).toEqual([]);
    expect(failed.sort()).toEqual([...KNOWN].sort());
  });
});
