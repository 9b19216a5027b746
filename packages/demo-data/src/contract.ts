/**
 * What the demo data must match of the sources' contracts, held here so the package depends on no API
 * module (the API's test/unit/contracts.test.ts checks these against src/sources/).
 */

/** The CRM tables of contracts/crm.sql, parents before children (the load order). */
export const CRM_TABLES = ['customers', 'customer_identities', 'consents', 'products', 'orders', 'order_items', 'support_tickets'] as const;

/** The behaviour events collection of contracts/behaviour.md. */
export const EVENTS = 'events';

/** The indexes contracts/behaviour.md asks of the events collection. */
export const EVENT_INDEXES = [
  { key: { customerId: 1, ts: -1 }, name: 'customerId_1_ts_-1' },
  { key: { anonymousId: 1, ts: -1 }, name: 'anonymousId_1_ts_-1' },
  { key: { deviceId: 1, ts: -1 }, name: 'deviceId_1_ts_-1' },
  { key: { ts: -1 }, name: 'ts_-1' },
] as const;
