import type { Db } from 'mongodb';
import { EVENT_INDEXES, EVENTS } from './contract';
import type { SeedEvent } from './events';

const CHUNK = 5000;

/**
 * Writes `events` into the behaviour database with unordered bulk inserts of CHUNK events, after
 * creating the indexes of contracts/behaviour.md (idempotent), so that every request stays short
 * enough for the client's socket timeout. With `replace`, the collection is dropped first.
 */
export async function loadEvents(
  db: Db,
  events: SeedEvent[],
  opts: { replace?: boolean; onProgress?: (p: { table: string; rows: number; total: number }) => void } = {},
): Promise<void> {
  if (opts.replace)
    await db
      .collection(EVENTS)
      .drop()
      .catch(() => undefined);
  const collection = db.collection<SeedEvent>(EVENTS);
  await collection.createIndexes(EVENT_INDEXES.map((i) => ({ key: { ...i.key }, name: i.name })));
  for (let start = 0; start < events.length; start += CHUNK) {
    await collection.insertMany(events.slice(start, start + CHUNK), { ordered: false });
    opts.onProgress?.({ table: EVENTS, rows: Math.min(start + CHUNK, events.length), total: events.length });
  }
}
