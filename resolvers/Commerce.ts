import type {
  ConsentResolvers,
  CustomerConnectionResolvers,
  IdentityResolvers,
  OrderConnectionResolvers,
  OrderItemResolvers,
  OrderResolvers,
  PurchaseSummaryResolvers,
  SupportTicketResolvers,
} from '../src/__generated__/resolvers-types';

export const Order: OrderResolvers = {
  orderNumber: (r) => r.order_number,
  placedAt: (r) => r.placed_at,
  // items: the order row's own (OrderWithItems), read with the orders.
};

export const OrderItem: OrderItemResolvers = {
  lineNo: (r) => r.line_no,
  unitPrice: (r) => r.unit_price,
  lineTotal: (r) => r.line_total,
};

export const OrderConnection: OrderConnectionResolvers = {
  totalCount: (p) => p.count(),
};

export const CustomerConnection: CustomerConnectionResolvers = {
  totalCount: (p) => p.count(),
};

export const PurchaseSummary: PurchaseSummaryResolvers = {
  completedOrders: (r) => r.completed_orders,
  totalSpent: (r) => r.total_spent,
  averageOrderValue: (r) => r.average_order_value,
  firstOrderAt: (r) => r.first_order_at,
  lastOrderAt: (r) => r.last_order_at,
  currency: (_, __, ctx) => ctx.config.CURRENCY,
};

export const SupportTicket: SupportTicketResolvers = {
  openedAt: (r) => r.opened_at,
  resolvedAt: (r) => r.resolved_at,
};

export const Identity: IdentityResolvers = {
  firstSeenAt: (r) => r.first_seen_at,
  recordId: (r) => r.record_id,
};

export const Consent: ConsentResolvers = {
  updatedAt: (r) => r.updated_at,
};
