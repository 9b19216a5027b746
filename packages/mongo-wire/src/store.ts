import { BSON, ObjectId, type Document } from 'bson';
import { Aggregator as MingoAggregator } from 'mingo';
import { Aggregator } from 'mingo/aggregator';
import { ProcessingMode } from 'mingo/core';
import { Query } from 'mingo/query';
import { cloneDeep } from 'mingo/util';
import { CommandError } from './errors';
import { EMBEDDED_CONTEXT, isSimplePipeline } from './fastOperators';
import { ID_INDEX, Index, type IndexSpec } from './indexes';
import { planFilter } from './planner';

/** Writes the store makes durable, in order; persistence.ts appends them to its log. */
export type Change =
  | { op: 'create'; db: string; coll: string }
  | { op: 'put'; db: string; coll: string; doc: Document }
  | { op: 'del'; db: string; coll: string; id: unknown }
  | { op: 'createIndex'; db: string; coll: string; spec: IndexSpec }
  | { op: 'dropIndex'; db: string; coll: string; name: string }
  | { op: 'dropCollection'; db: string; coll: string }
  | { op: 'dropDatabase'; db: string };

export type ChangeListener = (change: Change) => void;

/** A deep copy through BSON, so stored documents never share objects with callers or mingo. */
export const cloneDocument = (doc: Document): Document => BSON.deserialize(BSON.serialize(doc));

/** Filters and pipelines run with MongoDB's strict semantics; `$where`/`$function` are refused. */
const QUERY_OPTIONS = { scriptEnabled: false, useStrictMode: true, context: EMBEDDED_CONTEXT } as const;

export function compileFilter(filter: Document): Query {
  try {
    return new Query(filter, QUERY_OPTIONS);
  } catch (error) {
    throw new CommandError('BadValue', (error as Error).message);
  }
}

/**
 * One collection: documents by row number (insertion order is the natural order), and its indexes.
 * Every write goes through here so that indexes and the change log stay exact.
 */
export class Collection {
  private readonly rows = new Map<number, Document>();
  private nextRow = 0;
  readonly indexes: Index[] = [new Index(ID_INDEX)];

  constructor(
    readonly db: string,
    readonly name: string,
    private readonly emit: ChangeListener,
  ) {}

  get size(): number {
    return this.rows.size;
  }

  get idIndex(): Index {
    return this.indexes[0]!;
  }

  /**
   * Documents matching `filter` in natural order, using indexes when the filter allows (`plan` names
   * them; empty for a collection scan); `docsExamined` counts documents tested, as explain reports it.
   */
  match(filter: Document = {}): { rows: number[]; docs: Document[]; plan: string[]; docsExamined: number; keysExamined: number } {
    const query = compileFilter(filter);
    const plan = planFilter(filter, this.indexes);
    const candidates = plan ? [...plan.rows].sort((a, b) => a - b) : [...this.rows.keys()];
    const rows: number[] = [];
    const docs: Document[] = [];
    for (const row of candidates) {
      const doc = this.rows.get(row)!;
      if (query.test(doc)) {
        rows.push(row);
        docs.push(doc);
      }
    }
    return { rows, docs, plan: plan ? [...plan.indexNames] : [], docsExamined: candidates.length, keysExamined: plan?.keysExamined ?? 0 };
  }

  all(): Document[] {
    return [...this.rows.values()];
  }

  get(row: number): Document | undefined {
    return this.rows.get(row);
  }

  /**
   * Inserts a copy of `input` (an ObjectId `_id` is added when missing); throws DuplicateKey on a
   * unique clash. `owned`: the caller hands over a document nobody else holds (a freshly decoded log
   * record), stored without copying.
   */
  insert(input: Document, owned = false): Document {
    const withId = input._id === undefined ? { _id: new ObjectId(), ...input } : input;
    const doc = owned ? withId : cloneDocument(withId);
    if (Array.isArray(doc._id)) throw new CommandError('BadValue', "can't use an array for _id");
    this.checkUnique(doc);
    const row = this.nextRow++;
    this.rows.set(row, doc);
    for (const index of this.indexes) index.add(row, doc);
    this.emit({ op: 'put', db: this.db, coll: this.name, doc });
    return doc;
  }

  /** Replaces the document at `row` with a copy of `next`, which keeps its `_id`. */
  replace(row: number, next: Document): Document {
    const previous = this.rows.get(row)!;
    const doc = cloneDocument(next);
    if (!sameValue(doc._id, previous._id)) {
      throw new CommandError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
    }
    this.checkUnique(doc, row);
    for (const index of this.indexes) index.remove(row, previous);
    this.rows.set(row, doc);
    for (const index of this.indexes) index.add(row, doc);
    this.emit({ op: 'put', db: this.db, coll: this.name, doc });
    return doc;
  }

  remove(row: number): void {
    const doc = this.rows.get(row);
    if (!doc) return;
    for (const index of this.indexes) index.remove(row, doc);
    this.rows.delete(row);
    this.emit({ op: 'del', db: this.db, coll: this.name, id: doc._id });
  }

  /** The row holding `_id` (replaying the log uses it to apply `put` as an upsert and `del`). */
  rowOfId(id: unknown): number | undefined {
    return this.idIndex.rowOf(id);
  }

  /** Builds an index over every document; fails without changing anything when a unique key repeats. */
  createIndex(spec: IndexSpec): void {
    const index = new Index(spec);
    for (const [row, doc] of this.rows) {
      const clash = index.check(doc, row);
      if (clash) {
        throw new CommandError(
          'DuplicateKey',
          `E11000 duplicate key error collection: ${this.db}.${this.name} index: ${spec.name} dup key: ${BSON.EJSON.stringify(clash)}`,
          {
            keyPattern: spec.key,
            keyValue: clash,
          },
        );
      }
      index.add(row, doc);
    }
    this.indexes.push(index);
    this.emit({ op: 'createIndex', db: this.db, coll: this.name, spec });
  }

  dropIndex(name: string): void {
    const at = this.indexes.findIndex((i) => i.name === name);
    if (at <= 0)
      throw new CommandError(
        at === 0 ? 'InvalidOptions' : 'IndexNotFound',
        at === 0 ? 'cannot drop _id index' : `index not found with name [${name}]`,
      );
    this.indexes.splice(at, 1);
    this.emit({ op: 'dropIndex', db: this.db, coll: this.name, name });
  }

  private checkUnique(doc: Document, ownRow?: number): void {
    for (const index of this.indexes) {
      const clash = index.check(doc, ownRow);
      if (clash) {
        throw new CommandError(
          'DuplicateKey',
          `E11000 duplicate key error collection: ${this.db}.${this.name} index: ${index.name} dup key: ${BSON.EJSON.stringify(clash)}`,
          { keyPattern: index.spec.key, keyValue: clash },
        );
      }
    }
  }
}

/** Equal as BSON: same fields, order and types. */
export function sameDocument(a: Document, b: Document): boolean {
  return Buffer.from(BSON.serialize(a)).equals(BSON.serialize(b));
}

const sameValue = (a: unknown, b: unknown): boolean => sameDocument({ v: a }, { v: b });

/** Databases by name, each a map of collections. Creating on first write, as MongoDB does. */
export class Store {
  private readonly dbs = new Map<string, Map<string, Collection>>();
  private listener: ChangeListener = () => undefined;

  /** Every later write is reported to `listener` (set once persistence has replayed its log). */
  onChange(listener: ChangeListener): void {
    this.listener = listener;
  }

  databases(): string[] {
    return [...this.dbs.keys()].filter((name) => this.dbs.get(name)!.size > 0);
  }

  collections(db: string): Collection[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  collection(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  /** The collection, created (with its `_id` index) when missing. */
  ensureCollection(db: string, name: string): Collection {
    validateName(db, name);
    let collections = this.dbs.get(db);
    if (!collections) this.dbs.set(db, (collections = new Map()));
    let collection = collections.get(name);
    if (!collection) {
      collection = new Collection(db, name, (change) => this.listener(change));
      collections.set(name, collection);
      this.listener({ op: 'create', db, coll: name });
    }
    return collection;
  }

  dropCollection(db: string, name: string): boolean {
    const dropped = this.dbs.get(db)?.delete(name) ?? false;
    if (dropped) this.listener({ op: 'dropCollection', db, coll: name });
    return dropped;
  }

  dropDatabase(db: string): void {
    if (this.dbs.delete(db)) this.listener({ op: 'dropDatabase', db });
  }

  /** Runs an aggregation; a leading `$match` is served by the collection's indexes. */
  aggregate(db: string, name: string, pipeline: Document[], variables?: Document): Document[] {
    const collection = this.collection(db, name);
    const first = pipeline[0];
    // A leading $match is answered by the collection (with its indexes) and not evaluated twice.
    const leadingMatch = first !== undefined && '$match' in first;
    const input = !collection ? [] : leadingMatch ? collection.match(first.$match as Document).docs : collection.all();
    try {
      const stages = leadingMatch ? pipeline.slice(1) : pipeline;
      const options = {
        ...QUERY_OPTIONS,
        processingMode: ProcessingMode.CLONE_INPUT, // stages never mutate stored documents
        variables,
        // Copies: a $lookup puts these documents in its output, where later stages may change them.
        collectionResolver: (other: string) => (this.collection(db, other)?.all() ?? []).map((d) => cloneDeep(d) as Document),
      };
      const aggregator = isSimplePipeline(stages)
        ? new Aggregator(stages, options)
        : new MingoAggregator(stages, { ...options, context: undefined });
      return aggregator.run(input) as Document[];
    } catch (error) {
      if (error instanceof CommandError) throw error;
      throw new CommandError('BadValue', (error as Error).message);
    }
  }
}

function validateName(db: string, coll: string): void {
  if (!db || /[/\\. "$]/.test(db)) throw new CommandError('InvalidNamespace', `Invalid database name: '${db}'`);
  if (!coll || coll.includes('$') || coll.includes('\0')) throw new CommandError('InvalidNamespace', `Invalid collection name: '${coll}'`);
}
