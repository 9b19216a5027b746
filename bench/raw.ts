import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config';
import { createDb } from '../src/sources/crm/db';
import { createCrmPool } from '../src/sources/crm/pool';
import * as q from '../src/sources/crm/queries';
import { noRoundTrips } from '../src/sources/roundTrips';

/**
 * The floor of crm-nested's cost: a bare Node HTTP handler that runs the same three statements the
 * API runs for it (the page of 50 customers, their 5 newest orders, the orders' items with products)
 * and writes the same JSON. No GraphQL, no auth, no loaders. DATABASE_URL as for the API.
 */
const config = loadConfig({ ...process.env, NODE_ENV: 'production' });
const pool = createCrmPool(config, process.env.DATABASE_URL!);
const db = createDb(pool, noRoundTrips());

async function crmNested(): Promise<unknown> {
  const customers = (await q.listCustomers(db, {}, 'id_asc', 51, null)).slice(0, 50);
  const orders = await q.ordersPages(
    db,
    customers.map((c) => ({ customerId: c.id, afterUs: null, afterId: null })),
    6,
    null,
  );
  const firstFive = orders.filter((o, i) => i < 5 || orders[i - 5]!.k !== o.k);
  const items = await q.itemsByOrderIds(
    db,
    firstFive.map((o) => o.id),
  );
  const itemsOf = new Map<string, { product: { name: string } }[]>();
  for (const i of items) itemsOf.set(i.order_id, [...(itemsOf.get(i.order_id) ?? []), { product: { name: i.p_name } }]);
  const ordersOf = new Map<number, unknown[]>();
  for (const o of firstFive) ordersOf.set(o.k, [...(ordersOf.get(o.k) ?? []), { node: { id: o.id, items: itemsOf.get(o.id) ?? [] } }]);
  return { data: { customers: { edges: customers.map((c, k) => ({ node: { id: c.id, orders: { edges: ordersOf.get(k) ?? [] } } })) } } };
}

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    crmNested().then(
      (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
});
server.listen(0, '127.0.0.1', () =>
  process.stdout.write(`raw baseline listening on http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql\n`),
);
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
