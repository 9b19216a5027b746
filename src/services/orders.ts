import type { OrderConnectionParent } from '../parents';
import type { OrderStatus, TicketStatus } from '../__generated__/resolvers-types';
import type { Context } from '../context';
import { checkFirst, decodeCursor, encodeCursor, toPage } from '../pagination';

/** A customer's orders and tickets, through the request's batched loaders. */

const ORDERS_TAG = 'orders';

export async function ordersOf(
  ctx: Context,
  customerId: string,
  args: { first?: number | null; after?: string | null; status?: OrderStatus | null },
): Promise<OrderConnectionParent> {
  const first = checkFirst(args.first ?? 10, 100);
  let after: { us: number; id: string } | null = null;
  if (args.after != null) {
    const [us, id] = decodeCursor(ORDERS_TAG, args.after, ['int', 'string']);
    after = { us, id };
  }
  const status = args.status ?? null;
  const rows = await ctx.crm.loaders.ordersPage.load({ customerId, first, status, after });
  return {
    ...toPage(
      rows,
      first,
      (r) => encodeCursor(ORDERS_TAG, [r.sort_us, r.id]),
      (r) => r,
    ),
    count: () => ctx.crm.loaders.orderCount.load({ customerId, status }),
  };
}

export function ticketsOf(ctx: Context, customerId: string, args: { status?: TicketStatus[] | null; first?: number | null }) {
  const first = checkFirst(args.first ?? 20, 100);
  const statuses = args.status?.length ? [...new Set(args.status)].sort() : null;
  return ctx.crm.loaders.tickets.load({ customerId, first, statuses });
}
