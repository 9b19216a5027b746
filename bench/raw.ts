import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

/**
 * The floor of crm-nested's cost: what a careful engineer would hand-write for that screen, with no
 * GraphQL, auth, audit or loaders, over a plain pg pool (DATABASE_URL). Two variants, by path:
 *
 * - `/rows` (the default): three statements selecting only the columns the answer shows: the page of
 *   50 customers; their orders, the 5 newest each, by row_number() in one statement; those orders'
 *   items joined to their products in one statement. Rows grouped in Node, JSON.stringify.
 * - `/json`: one statement in which PostgreSQL builds the whole answer (json_agg), passed through.
 *
 * Both write exactly the JSON the API answers to CRM_NESTED (the bench checks it before measuring).
 */
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

const CUSTOMERS = `SELECT id FROM customers ORDER BY id LIMIT 50`;
const ORDERS = `SELECT id, customer_id FROM (
    SELECT id, customer_id, row_number() OVER (PARTITION BY customer_id ORDER BY placed_at DESC, id DESC) AS n
      FROM orders WHERE customer_id = ANY($1::text[])) o
  WHERE n <= 5 ORDER BY customer_id, n`;
const ITEMS = `SELECT i.order_id, p.name FROM order_items i JOIN products p ON p.id = i.product_id
  WHERE i.order_id = ANY($1::text[]) ORDER BY i.order_id, i.line_no`;

async function rows(): Promise<string> {
  const customers = (await pool.query<{ id: string }>(CUSTOMERS)).rows;
  const orders = (await pool.query<{ id: string; customer_id: string }>(ORDERS, [customers.map((c) => c.id)])).rows;
  const items = (await pool.query<{ order_id: string; name: string }>(ITEMS, [orders.map((o) => o.id)])).rows;
  const itemsOf = new Map<string, { product: { name: string } }[]>();
  for (const i of items) {
    let list = itemsOf.get(i.order_id);
    if (!list) itemsOf.set(i.order_id, (list = []));
    list.push({ product: { name: i.name } });
  }
  const ordersOf = new Map<string, { node: { id: string; items: { product: { name: string } }[] } }[]>();
  for (const o of orders) {
    let list = ordersOf.get(o.customer_id);
    if (!list) ordersOf.set(o.customer_id, (list = []));
    list.push({ node: { id: o.id, items: itemsOf.get(o.id) ?? [] } });
  }
  const edges = customers.map((c) => ({ node: { id: c.id, orders: { edges: ordersOf.get(c.id) ?? [] } } }));
  return JSON.stringify({ data: { customers: { edges } } });
}

const JSON_ANSWER = `SELECT json_build_object('data', json_build_object('customers', json_build_object('edges', coalesce(json_agg(
    json_build_object('node', json_build_object('id', c.id, 'orders', json_build_object('edges', (
      SELECT coalesce(json_agg(json_build_object('node', json_build_object('id', o.id, 'items', (
          SELECT coalesce(json_agg(json_build_object('product', json_build_object('name', p.name)) ORDER BY i.line_no), '[]')
            FROM order_items i JOIN products p ON p.id = i.product_id WHERE i.order_id = o.id)))
        ORDER BY o.placed_at DESC, o.id DESC), '[]')
        FROM (SELECT id, placed_at FROM orders WHERE customer_id = c.id ORDER BY placed_at DESC, id DESC LIMIT 5) o))))
    ORDER BY c.id), '[]'))))::text AS answer
  FROM (SELECT id FROM customers ORDER BY id LIMIT 50) c`;

async function json(): Promise<string> {
  return (await pool.query<{ answer: string }>(JSON_ANSWER)).rows[0]!.answer;
}

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    (req.url === '/json' ? json() : rows()).then(
      (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(body),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
});
server.listen(0, '127.0.0.1', () =>
  process.stdout.write(`raw baseline listening on http://127.0.0.1:${(server.address() as AddressInfo).port}/rows\n`),
);
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
