/** The CRM rows the generator writes, shaped as the CRM contract's tables (contract.ts names them). */

export type Gender = 'female' | 'male' | 'other' | 'unknown';
export type IdentityKind = 'email' | 'phone' | 'device_id' | 'anonymous_id' | 'social' | 'external_id';
export type ConsentPurpose = 'profiling' | 'marketing' | 'partner_sharing';
export type OrderStatus = 'pending' | 'completed' | 'cancelled' | 'refunded';
export type TicketStatus = 'open' | 'pending' | 'resolved' | 'closed';
export type TicketPriority = 'low' | 'normal' | 'high' | 'urgent';

export interface CustomerRow {
  id: string;
  created_at: Date;
  full_name: string;
  gender: Gender | null;
  /** 'YYYY-MM-DD' */
  birth_date: string | null;
  city: string | null;
  country: string | null;
  occupation: string | null;
  /** As entered: any case, may have surrounding spaces. */
  email: string | null;
  /** As entered: any format. */
  phone: string | null;
  status: 'active' | 'merged' | 'erased';
}

export interface IdentityRow {
  customer_id: string;
  kind: IdentityKind;
  /** Normalised: e-mails lower-cased and trimmed, phones E.164, social 'platform:handle'. */
  value: string;
  verified: boolean;
  first_seen_at: Date;
}

export interface ConsentRow {
  customer_id: string;
  purpose: ConsentPurpose;
  granted: boolean;
  updated_at: Date;
  source: string | null;
}

export interface ProductRow {
  id: string;
  name: string;
  category: string;
  brand: string | null;
  /** Decimal with 2 places, e.g. '129.90'. */
  price: string;
}

export interface OrderRow {
  id: string;
  order_number: string;
  customer_id: string;
  status: OrderStatus;
  channel: string;
  placed_at: Date;
  /** Decimal with 2 places: the sum of quantity × unit_price over the order's items. */
  total: string;
}

export interface OrderItemRow {
  order_id: string;
  line_no: number;
  product_id: string;
  quantity: number;
  /** Decimal with 2 places. */
  unit_price: string;
}

export interface TicketRow {
  id: string;
  customer_id: string;
  subject: string;
  status: TicketStatus;
  priority: TicketPriority;
  channel: string;
  opened_at: Date;
  /** Set exactly when status is 'resolved' or 'closed'. */
  resolved_at: Date | null;
  satisfaction: number | null;
}

export interface CrmDataset {
  customers: CustomerRow[];
  customer_identities: IdentityRow[];
  consents: ConsentRow[];
  products: ProductRow[];
  orders: OrderRow[];
  order_items: OrderItemRow[];
  support_tickets: TicketRow[];
}
