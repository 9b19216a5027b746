import { buildSchema, parse } from 'graphql';
import { crmColumnsOf } from '../../src/services/columns';
import { documentFields } from '../../src/services/selection';
import { ALL_CRM_COLUMNS } from '../../src/sources/crm/rows';

const schema = buildSchema(`
  type Query { customers: [Customer!]! node: Node priced: [Priced!]! }
  interface Priced { total: String! }
  type PageInfo { hasNextPage: Boolean! }
  type OrderConnection { edges: [Order!]! pageInfo: PageInfo! }
  interface Node { id: ID! }
  type Customer implements Node { id: ID! createdAt: String! orders: [Order!]! orderPage: OrderConnection! }
  type Order implements Node & Priced { id: ID! orderNumber: String! total: String! placedAt: String! items: [OrderItem!]! }
  type OrderItem { lineNo: Int! quantity: Int! product: Product! }
  type Product { name: String! price: String! }
`);
const columns = (query: string) => crmColumnsOf(documentFields(schema, parse(query)));

describe('crmColumnsOf(documentFields(...))', () => {
  it('reads only the columns the selected fields need, in a fixed order', () => {
    expect(columns(`{ customers { id orders { total id orderNumber items { lineNo product { name } } } } }`)).toEqual({
      customerProfile: false,
      order: ['order_number', 'total'],
      item: [],
      product: ['name'],
      orderItems: true,
      orderPageInfo: false,
    });
  });

  it('counts fields of fragments, of interfaces for each implementation, and of skipped selections', () => {
    expect(
      columns(`query { customers { ...C } node { ... on Node { id } ... on Order { placedAt } } }
        fragment C on Customer { createdAt orders @skip(if: true) { items { quantity } } }`),
    ).toEqual({ customerProfile: true, order: ['placed_at'], item: ['quantity'], product: [], orderItems: true, orderPageInfo: false });
    expect(columns(`{ priced { total } }`).order).toEqual(['total']);
  });

  it('reads one order more than a page only when a field reads its page info', () => {
    expect(columns(`{ customers { orderPage { edges { id } } } }`).orderPageInfo).toBe(false);
    expect(columns(`{ customers { orderPage { pageInfo { hasNextPage } } } }`).orderPageInfo).toBe(true);
  });

  it('reads the items of orders only when a field reads them', () => {
    expect(columns(`{ customers { orders { id } } }`).orderItems).toBe(false);
    expect(columns(`{ customers { orderPage { edges { items { lineNo } } } } }`).orderItems).toBe(true);
  });

  it('joins no product when no field reads it', () => {
    expect(columns(`{ customers { orders { items { quantity } } } }`).product).toEqual([]);
  });

  it('reads every column of a type when a field is not in its map (a field added later), and outside an operation', () => {
    expect(crmColumnsOf(new Map([['Order', new Set(['id', 'giftMessage'])]])).order).toEqual(ALL_CRM_COLUMNS.order);
    expect(crmColumnsOf(null)).toBe(ALL_CRM_COLUMNS);
  });

  it('is computed once per parsed document', () => {
    const document = parse(`{ customers { id } }`);
    expect(documentFields(schema, document)).toBe(documentFields(schema, document));
    expect(crmColumnsOf(documentFields(schema, document))).toBe(crmColumnsOf(documentFields(schema, document)));
  });
});
