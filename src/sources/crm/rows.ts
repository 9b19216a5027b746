/**
 * Rows as the CRM query functions return them (see queries.ts). Column names stay snake_case as in
 * contracts/crm.sql; `numeric` stays a decimal string, `date` a 'YYYY-MM-DD' string, counts numbers.
 */
import type { ConsentPurpose, IdentifierKind, CustomerStatus, Gender, OrderStatus, TicketPriority, TicketStatus } from '../../enums';

export interface CustomerRow {
  /** The record asked for (a merged record's id answers its survivor's row). */
  id: string;
  /** The survivor: `id` unless that record was merged into another. */
  canonical_id: string;
  created_at: Date;
  full_name: string;
  gender: Gender | null;
  birth_date: string | null;
  city: string | null;
  country: string | null;
  occupation: string | null;
  email: string | null;
  phone: string | null;
  status: CustomerStatus;
}

/** A customers list's row when no field reads the profile (CrmColumns.customerProfile). */
export type CustomerKeys = Pick<CustomerRow, 'id' | 'canonical_id'>;

/** Where an identity comes from: the CRM's customer_identities, a link made through the API, a merge. */
export type IdentitySource = 'crm' | 'api' | 'merge';

/**
 * An identity of a customer's person (sources/crm/members.ts): customer_id is the id the customer
 * was asked by, record_id the record holding it. Kind customer_id (source merge) names a record
 * merged into the survivor: its events are the person's too.
 */
export interface IdentityRow {
  customer_id: string;
  record_id: string;
  kind: Exclude<IdentifierKind, IdentifierKind.ORDER_NUMBER> | 'customer_id';
  value: string;
  verified: boolean;
  first_seen_at: Date;
  source: IdentitySource;
}

export interface ConsentRow {
  customer_id: string;
  purpose: ConsentPurpose;
  granted: boolean;
  updated_at: Date | null;
  source: string | null;
}

export interface OrderRow {
  id: string;
  order_number: string;
  customer_id: string;
  status: OrderStatus;
  channel: string;
  placed_at: Date;
  total: string;
}

export interface ProductRow {
  id: string;
  name: string;
  category: string;
  brand: string | null;
  price: string;
}

/**
 * An order's line, its product's columns beside its own under the product's names, and `product`
 * the row itself: no object is made per product, and OrderItem.product needs no resolver (a field
 * with one costs compiled execution a path, a resolve info and three closures per item). Read
 * without product columns (no field asked for the product), it lacks them.
 */
export interface OrderItemRow extends ProductRow {
  order_id: string;
  line_no: number;
  quantity: number;
  unit_price: string;
  line_total: string;
  product: ProductRow;
}

/**
 * An order as GraphQL reads it: `items` (in line order) is set by the statement batch that read the
 * order when the operation reads Order.items (CrmColumns.orderItems), so Order.items needs no resolver;
 * the statement's error in its place when the items could not be read.
 */
export interface OrderWithItems extends OrderRow {
  items?: OrderItemRow[] | Error;
}

/** Columns of an order row beyond its keys (id, customer_id), each read only by the field named in services/columns.ts. */
export type OrderColumn = 'order_number' | 'status' | 'channel' | 'placed_at' | 'total';
export type ItemColumn = 'quantity' | 'unit_price' | 'line_total';
export type ProductColumn = keyof ProductRow;

/**
 * Which columns a unit of work reads (services/columns.ts decides from the operation's fields). A
 * row read with fewer columns lacks the others: only the fields that asked for them read them.
 */
export interface CrmColumns {
  /** Whether the rows of a customers list carry the profile; without it they are not handed to the customer loader. */
  customerProfile: boolean;
  order: readonly OrderColumn[];
  item: readonly ItemColumn[];
  /** [] when no field reads an item's product: the statement then does not join products. */
  product: readonly ProductColumn[];
  /** Whether a field reads Order.items: the batch that reads orders then reads their items too (one statement for all of them). */
  orderItems: boolean;
  /** Whether a field reads an orders page's pageInfo: without, a page reads `first` orders, not one more to tell whether there is a next page. */
  orderPageInfo: boolean;
}

/** Every column: for work that is not a GraphQL operation (exports, the snapshot builder). */
export const ALL_CRM_COLUMNS: CrmColumns = Object.freeze<CrmColumns>({
  customerProfile: true,
  order: ['order_number', 'status', 'channel', 'placed_at', 'total'],
  item: ['quantity', 'unit_price', 'line_total'],
  product: ['id', 'name', 'category', 'brand', 'price'],
  orderItems: true,
  orderPageInfo: true,
});

export interface TicketRow {
  id: string;
  customer_id: string;
  subject: string;
  status: TicketStatus;
  priority: TicketPriority;
  channel: string;
  opened_at: Date;
  resolved_at: Date | null;
  satisfaction: number | null;
}

/** Aggregates over a customer's completed orders; zeros and nulls when there are none. */
export interface PurchaseSummaryRow {
  customer_id: string;
  completed_orders: number;
  total_spent: string;
  average_order_value: string | null;
  first_order_at: Date | null;
  last_order_at: Date | null;
}
