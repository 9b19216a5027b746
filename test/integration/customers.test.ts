import { BULK, fixtureDataset, LINA, LINA_DUP, NOW, TOM } from '../fixtures/crm';
import type { GqlResult } from '../helpers/server';
import { apiSuite } from '../helpers/suite';
import { graphql } from '../__generated__';
import type { CustomerFilter, PageQuery, PageQueryVariables } from '../__generated__/graphql';

const suite = apiSuite('customers', fixtureDataset(), { clock: () => NOW });
const ALL_IDS = [...BULK, LINA, LINA_DUP, TOM].sort();

const PAGE = graphql(`
  query Page($filter: CustomerFilter, $orderBy: CustomerOrderBy, $first: Int, $after: String) {
    customers(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node {
          id
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

async function walk(variables: PageQueryVariables): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 50; pages += 1) {
    const result: GqlResult<PageQuery> = await suite.api.gql(PAGE, { ...variables, after });
    expect(result.body.errors).toBeUndefined();
    const page: PageQuery['customers'] = result.body.data!.customers;
    ids.push(...page.edges.map((e) => e.node.id));
    if (!page.pageInfo.hasNextPage) return ids;
    after = page.pageInfo.endCursor;
  }
  throw new Error('pagination did not end');
}

describe('Query.customers', () => {
  it('walks every customer exactly once, by id, in pages of 7', async () => {
    expect(await walk({ first: 7 })).toEqual(ALL_IDS);
  });

  it('walks by creation time both ways, ties broken by id', async () => {
    const data = fixtureDataset().customers;
    const asc = [...data].sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || a.id.localeCompare(b.id)).map((c) => c.id);
    expect(await walk({ first: 25, orderBy: 'CREATED_AT_ASC' })).toEqual(asc);
    expect(await walk({ first: 25, orderBy: 'CREATED_AT_DESC' })).toEqual([...asc].reverse());
  });

  it('ends with hasNextPage false exactly on the last page, and an empty page has no endCursor', async () => {
    // 123 customers: a full page of 100 has a next page, and the remaining 23 fill the last one exactly.
    const full = await suite.api.gql(PAGE, { first: 100 });
    expect(full.body.data!.customers.pageInfo.hasNextPage).toBe(true);
    expect(full.body.data!.customers.totalCount).toBe(123);
    const last = await suite.api.gql(PAGE, { first: 23, after: full.body.data!.customers.pageInfo.endCursor });
    expect(last.body.data!.customers.edges.map((e) => e.node.id)).toEqual(ALL_IDS.slice(100));
    expect(last.body.data!.customers.pageInfo).toEqual({ hasNextPage: false, endCursor: last.body.data!.customers.edges[22]!.cursor });
    const empty = await suite.api.gql(PAGE, { filter: { city: 'Atlantis' } });
    expect(empty.body.data!.customers).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it.each<[CustomerFilter, string[]]>([
    [{ city: 'SHANGHAI' }, [LINA, LINA_DUP]],
    [{ country: 'us' }, [TOM]],
    [{ gender: 'FEMALE' }, [LINA]],
    [{ createdAfter: '2025-01-01T00:00:00Z', createdBefore: '2025-12-31T00:00:00Z' }, [LINA_DUP, TOM]],
    [{ hasOrders: false }, [LINA_DUP, TOM]],
    [{ hasCompletedOrders: true, city: 'Shanghai' }, [LINA]],
    [{ status: 'MERGED' }, []],
  ])('filters %j', async (filter, ids) => {
    const { body } = await suite.api.gql(PAGE, { filter, first: 100 });
    expect(body.errors).toBeUndefined();
    expect(body.data!.customers.edges.map((e) => e.node.id)).toEqual([...ids].sort());
    expect(body.data!.customers.totalCount).toBe(ids.length);
  });

  it.each<[PageQueryVariables, RegExp]>([
    [{ first: 0 }, /between 1 and 100/],
    [{ first: 101 }, /between 1 and 100/],
    [{ after: 'garbage' }, /not a cursor of this list/],
    [{ filter: { country: 'China' } }, /ISO 3166-1/],
    [{ filter: { createdAfter: '2026-01-01T00:00:00Z', createdBefore: '2025-01-01T00:00:00Z' } }, /before/],
  ])('refuses %j with BAD_USER_INPUT', async (variables, message) => {
    const { body, roundTrips } = await suite.api.gql(PAGE, variables);
    expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.message).toMatch(message);
    expect(roundTrips.crm).toBe(0);
  });

  it('refuses a cursor from another order', async () => {
    const first = await suite.api.gql(PAGE, { first: 2 });
    const cursor = first.body.data!.customers.pageInfo.endCursor;
    const { body } = await suite.api.gql(PAGE, { first: 2, after: cursor, orderBy: 'CREATED_AT_DESC' });
    expect(body.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
  });

  it('refuses a malformed date-time before running', async () => {
    const { status, body } = await suite.api.gql(PAGE, { filter: { createdAfter: 'yesterday' } });
    expect(status).toBe(400);
    expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });
});

describe('Query.searchCustomers', () => {
  const SEARCH = graphql(`
    query Search($q: String!, $first: Int) {
      searchCustomers(query: $q, first: $first) {
        id
      }
    }
  `);
  it.each([
    ['lina@example.com', LINA],
    ['tom.bak', TOM],
    ['Tom Baker', TOM],
    ['SO2026000003', LINA],
    ['138 0013 8000', LINA],
    ['李娜', LINA],
  ])('%j finds %s first', async (q, id) => {
    const { body } = await suite.api.gql(SEARCH, { q });
    expect(body.errors).toBeUndefined();
    expect(body.data!.searchCustomers[0]).toEqual({ id });
  });

  it('finds nothing for an unrelated text and refuses a one-letter query', async () => {
    expect((await suite.api.gql(SEARCH, { q: 'zzzqqq' })).body).toEqual({ data: { searchCustomers: [] } });
    const { body } = await suite.api.gql(SEARCH, { q: 'l' });
    expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('returns at most `first`, and loads the fields of the hits without another trip', async () => {
    const { body, roundTrips } = await suite.api.gql(
      graphql(`
        query BulkSearch {
          searchCustomers(query: "bulk customer", first: 5) {
            id
            profile {
              city
            }
          }
        }
      `),
    );
    expect(body.data!.searchCustomers).toHaveLength(5);
    expect(body.data!.searchCustomers.every((c) => c.profile.city === 'Hangzhou')).toBe(true);
    expect(roundTrips.crm).toBe(1);
  });
});
