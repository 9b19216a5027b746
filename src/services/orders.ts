import type { OrderConnectionParent } from '../parents';
import type { OrderStatus, TicketStatus } from '../__generated__/resolvers-types';
import type { Context } from '../context';
import type { OrdersPageRows } from '../sources/crm/loaders';
import { checkFirst, encodeCursor, sliceOf, toPage, type ConnectionArgs } from '../pagination';

/** A customer's orders and tickets, through the request's batched loaders. */

const ORDERS_TAG = 'orders';
const orderCursor = (r: OrdersPageRows[number]) => encodeCursor(ORDERS_TAG, [r.sort_us, r.id]);
const itself = <T>(r: T) => r;

/** Customer.orders: a Relay page of the orders, newest first. Runs once per customer of a page: nothing here allocates what it need not. */
export async function ordersOf(
  ctx: Context,
  customerId: string,
  args: ConnectionArgs & { status?: OrderStatus | null },
): Promise<OrderConnectionParent> {
  const slice = sliceOf(args, ORDERS_TAG, ['int', 'string'], { max: 100, defaultSize: 10 });
  const status = args.status ?? null;
  const after = slice.cursor && { us: slice.cursor[0], id: slice.cursor[1] };
  const rows = await ctx.crm.loaders.ordersPage.load({ customerId, first: slice.size, status, after, backward: slice.backward });
  return Object.assign(toPage(rows, slice, orderCursor, itself), { count: () => ctx.crm.loaders.orderCount.load({ customerId, status }) });
}

const statusesOf = (status: TicketStatus[] | null | undefined) => (status?.length ? [...new Set(status)].sort() : null);

/** Customer.supportTickets (deprecated): the newest `first` tickets, no further. */
export function ticketsOf(ctx: Context, customerId: string, args: { status?: TicketStatus[] | null; first?: number | null }) {
  const first = checkFirst(args.first ?? 20, 100);
  return ctx.crm.loaders.tickets.load({ customerId, first, statuses: statusesOf(args.status), after: null, backward: false });
}

const TICKETS_TAG = 'tickets';

/** Customer.tickets: a Relay page of the tickets, newest first, keyset on (opened_at, id) as orders. */
export async function ticketsPage(ctx: Context, customerId: string, args: ConnectionArgs & { status?: TicketStatus[] | null }) {
  const slice = sliceOf(args, TICKETS_TAG, ['int', 'string'], { max: 100, defaultSize: 20 });
  const after = slice.cursor && { us: slice.cursor[0], id: slice.cursor[1] };
  const rows = await ctx.crm.loaders.tickets.load({
    customerId,
    first: slice.size + 1,
    statuses: statusesOf(args.status),
    after,
    backward: slice.backward,
  });
  return toPage(
    rows,
    slice,
    (r) => encodeCursor(TICKETS_TAG, [r.sort_us, r.id]),
    (r) => r,
  );
}
