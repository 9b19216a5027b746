import type { Order, OrderItem, Product } from '../__generated__/resolvers-types';
import { ALL_CRM_COLUMNS, type CrmColumns, type ItemColumn, type OrderColumn, type ProductColumn } from '../sources/crm/rows';
import type { DocumentFields } from './selection';

/**
 * Which CRM columns an operation reads, from the fields it selects (selection.ts documentFields).
 * Each map names the column a field's resolver reads, null for none; the maps must name every field
 * of their type (a field added to the schema does not compile until mapped). A field missing from a
 * map all the same reads every column of that type: speed lost, never an answer.
 */
type FieldColumns<T, C> = { [F in keyof T]-?: C | null };

const ORDER: FieldColumns<Order, OrderColumn> = {
  __typename: null,
  id: null,
  items: null,
  orderNumber: 'order_number',
  status: 'status',
  channel: 'channel',
  placedAt: 'placed_at',
  total: 'total',
};
const ITEM: FieldColumns<OrderItem, ItemColumn> = {
  __typename: null,
  lineNo: null,
  product: null,
  quantity: 'quantity',
  unitPrice: 'unit_price',
  lineTotal: 'line_total',
};
const PRODUCT: FieldColumns<Product, ProductColumn> = {
  __typename: null,
  id: 'id',
  name: 'name',
  category: 'category',
  brand: 'brand',
  price: 'price',
};
/** The Customer fields that read the customer's row (resolvers/Customer.ts: through customerRow). */
const CUSTOMER_ROW_FIELDS = ['createdAt', 'status', 'profile', 'contact', 'canonicalId', 'mergedFrom'];

/** The columns of `all` the fields of `type` read, in `all`'s order; every one when a field is not in `map`. */
function columnsFor<C extends string>(
  fields: DocumentFields,
  type: string,
  map: Record<string, C | null>,
  all: readonly C[],
): readonly C[] {
  const selected = fields.get(type);
  if (!selected) return [];
  const wanted = new Set<C>();
  for (const name of selected) {
    if (!Object.hasOwn(map, name)) return all;
    const column = map[name];
    if (column) wanted.add(column);
  }
  return all.filter((c) => wanted.has(c));
}

const byFields = new WeakMap<DocumentFields, CrmColumns>();

/** The CRM columns of an operation selecting `fields`; every column outside an operation (null). */
export function crmColumnsOf(fields: DocumentFields | null): CrmColumns {
  if (!fields) return ALL_CRM_COLUMNS;
  let columns = byFields.get(fields);
  if (columns) return columns;
  const customer = fields.get('Customer');
  columns = {
    customerProfile: CUSTOMER_ROW_FIELDS.some((f) => customer?.has(f)),
    order: columnsFor(fields, 'Order', ORDER, ALL_CRM_COLUMNS.order),
    item: columnsFor(fields, 'OrderItem', ITEM, ALL_CRM_COLUMNS.item),
    product: fields.get('OrderItem')?.has('product') ? columnsFor(fields, 'Product', PRODUCT, ALL_CRM_COLUMNS.product) : [],
    orderItems: fields.get('Order')?.has('items') ?? false,
    orderPageInfo: fields.get('OrderConnection')?.has('pageInfo') ?? false,
  };
  byFields.set(fields, columns);
  return columns;
}
