import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { BSON, type Document } from 'bson';
import type { Change, Store } from './store';

const LOG_FILE = 'changes.bson';

/**
 * Durability for `--dbpath`: every change is appended to one log of BSON documents; at start the log
 * is replayed, then rewritten compactly (one `create`, `createIndex` and `put` per live object) into a
 * temporary file that atomically replaces it. A torn last record (a crash mid-write) is dropped.
 * Writes are not fsynced one by one (this is a development server); `close()` syncs.
 */
export class Persistence {
  private fd: number | undefined;

  private constructor(private readonly file: string) {}

  /** Loads `dir` into `store` and starts logging its changes there. Returns the number of documents loaded. */
  static open(dir: string, store: Store): { persistence: Persistence; documents: number } {
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, LOG_FILE);
    const replayed = existsSync(file) ? replay(readFileSync(file), store) : { records: 0, torn: false };
    const persistence = new Persistence(file);
    const collections = store.databases().flatMap((db) => store.collections(db));
    const documents = collections.reduce((n, c) => n + c.size, 0);
    const live = documents + collections.reduce((n, c) => n + c.indexes.length, 0);
    // Rewrite only when a quarter of the log is history (or its tail is torn); else keep appending.
    if (replayed.torn || replayed.records > live * 1.25 + 100) persistence.compact(store);
    else persistence.fd = openSync(file, 'a');
    store.onChange((change) => persistence.append(change));
    return { persistence, documents };
  }

  private append(change: Change): void {
    const bytes = BSON.serialize(change);
    writeSync(this.fd!, bytes, 0, bytes.length);
  }

  /** Writes the store's current state as a fresh log and swaps it in. */
  private compact(store: Store): void {
    const temp = `${this.file}.tmp`;
    const fd = openSync(temp, 'w');
    const write = (change: Change) => {
      const bytes = BSON.serialize(change);
      writeSync(fd, bytes, 0, bytes.length);
    };
    for (const db of store.databases()) {
      for (const collection of store.collections(db)) {
        write({ op: 'create', db, coll: collection.name });
        for (const index of collection.indexes.slice(1)) write({ op: 'createIndex', db, coll: collection.name, spec: index.spec });
        for (const doc of collection.all()) write({ op: 'put', db, coll: collection.name, doc });
      }
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, this.file);
    this.fd = openSync(this.file, 'a');
  }

  close(): void {
    if (this.fd === undefined) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Applies the log's records in order; `torn` when trailing bytes do not form a whole record. */
function replay(bytes: Buffer, store: Store): { records: number; torn: boolean } {
  let offset = 0;
  let records = 0;
  while (offset + 4 <= bytes.length) {
    const size = bytes.readInt32LE(offset);
    if (size < 5 || offset + size > bytes.length) break;
    let change: Change & Document;
    try {
      change = BSON.deserialize(bytes.subarray(offset, offset + size)) as Change & Document;
    } catch {
      break; // its length made it to disk, its bytes did not (unsynced blocks read back as zeros): torn too
    }
    apply(change, store);
    offset += size;
    records++;
  }
  return { records, torn: offset !== bytes.length };
}

function apply(change: Change, store: Store): void {
  switch (change.op) {
    case 'create':
      store.ensureCollection(change.db, change.coll);
      return;
    case 'put': {
      const collection = store.ensureCollection(change.db, change.coll);
      const row = collection.rowOfId(change.doc._id);
      if (row === undefined) collection.insert(change.doc, true);
      else collection.replace(row, change.doc);
      return;
    }
    case 'del': {
      const collection = store.collection(change.db, change.coll);
      const row = collection?.rowOfId(change.id);
      if (collection && row !== undefined) collection.remove(row);
      return;
    }
    case 'createIndex':
      store.ensureCollection(change.db, change.coll).createIndex(change.spec);
      return;
    case 'dropIndex':
      store.collection(change.db, change.coll)?.dropIndex(change.name);
      return;
    case 'dropCollection':
      store.dropCollection(change.db, change.coll);
      return;
    case 'dropDatabase':
      store.dropDatabase(change.db);
  }
}
