import { BSON, Long, type Document } from 'bson';
import { CommandError } from './errors';

/** A reply must stay under maxBsonObjectSize (16 MiB); this leaves room for the envelope. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 16 * 1024;
/** The first batch of find/aggregate holds 101 documents unless told otherwise, as in MongoDB. */
const DEFAULT_FIRST_BATCH = 101;
/** An idle cursor is dropped after this long (MongoDB's cursorTimeoutMillis default). */
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

interface OpenCursor {
  ns: string;
  docs: Document[];
  position: number;
  touched: number;
}

/**
 * Server-side cursors over fully computed results: the first batch goes out with the command's reply,
 * the rest by getMore. Ids are positive int64 values, sent as BSON Long.
 */
export class Cursors {
  private readonly open = new Map<string, OpenCursor>();
  private nextId = 1n;

  /** The `cursor` reply of find/aggregate/list*: `{ id, ns, firstBatch }`, keeping a cursor open when documents remain. */
  first(ns: string, docs: Document[], batchSize?: number, singleBatch = false): Document {
    this.sweep();
    const cursor: OpenCursor = { ns, docs, position: 0, touched: Date.now() };
    const firstBatch = take(cursor, batchSize ?? DEFAULT_FIRST_BATCH);
    let id = 0n;
    if (!singleBatch && cursor.position < docs.length) {
      id = this.nextId++;
      this.open.set(id.toString(), cursor);
    }
    return { id: Long.fromBigInt(id), ns, firstBatch };
  }

  /** The `cursor` reply of getMore: `{ id, ns, nextBatch }`; id 0 once exhausted. */
  more(id: Long | number | bigint, ns: string, batchSize?: number): Document {
    const key = BigInt(id.toString()).toString();
    const cursor = this.open.get(key);
    if (!cursor || cursor.ns !== ns) throw new CommandError('CursorNotFound', `cursor id ${key} not found`);
    cursor.touched = Date.now();
    const nextBatch = take(cursor, batchSize ?? Number.MAX_SAFE_INTEGER);
    const exhausted = cursor.position >= cursor.docs.length;
    if (exhausted) this.open.delete(key);
    return { id: Long.fromBigInt(exhausted ? 0n : BigInt(key)), ns, nextBatch };
  }

  /** Closes the given cursors; returns which were open and which were not. */
  kill(ids: (Long | number | bigint)[]): { killed: Long[]; notFound: Long[] } {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const id of ids) {
      const key = BigInt(id.toString()).toString();
      (this.open.delete(key) ? killed : notFound).push(Long.fromString(key));
    }
    return { killed, notFound };
  }

  private sweep(): void {
    const cutoff = Date.now() - IDLE_TIMEOUT_MS;
    for (const [key, cursor] of this.open) if (cursor.touched < cutoff) this.open.delete(key);
  }
}

/** Up to `count` documents from the cursor's position, fewer when the batch would pass the byte limit. */
function take(cursor: OpenCursor, count: number): Document[] {
  const batch: Document[] = [];
  let bytes = 0;
  while (batch.length < count && cursor.position < cursor.docs.length) {
    const doc = cursor.docs[cursor.position]!;
    bytes += BSON.calculateObjectSize(doc);
    if (batch.length > 0 && bytes > MAX_BATCH_BYTES) break;
    batch.push(doc);
    cursor.position++;
  }
  return batch;
}
