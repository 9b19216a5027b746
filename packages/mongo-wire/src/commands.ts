import { BSON, ObjectId, type Document } from 'bson';
import { Aggregator, find as mingoFind, update as applyOperators } from 'mingo';
import { Cursors } from './cursors';
import { CommandError } from './errors';
import { isPlainObject, valuesAtPath, encodeKey, type IndexSpec } from './indexes';
import { cloneDocument, compileFilter, sameDocument, type Collection, type Store } from './store';
import { MAX_MESSAGE_BYTES } from './wire';

/** MongoDB 7.0's wire version; the driver (7.x) needs at least 9. */
const MAX_WIRE_VERSION = 21;
const SERVER_VERSION = '7.0.0';
const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
const MAX_WRITE_BATCH_SIZE = 100_000;

/** What one connection contributes to a command: its id for `hello`. */
export interface Session {
  connectionId: number;
}

type Handler = (body: Document, db: string, session: Session) => Document;

const asDocument = (value: unknown, field: string): Document => {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw new CommandError('TypeMismatch', `'${field}' must be an object`);
  return value;
};

const asArray = (value: unknown, field: string): unknown[] => {
  if (!Array.isArray(value)) throw new CommandError('TypeMismatch', `'${field}' must be an array`);
  return value;
};

const asCollectionName = (value: unknown, command: string): string => {
  if (typeof value !== 'string' || value === '') throw new CommandError('InvalidNamespace', `'${command}' must name a collection`);
  return value;
};

const optionalNumber = (value: unknown): number | undefined => (value === undefined || value === null ? undefined : Number(value));

/**
 * The commands this server implements, dispatched by the first key of the body (case as MongoDB
 * spells it). Anything else is CommandNotFound: never a silent, wrong answer.
 */
export class Commands {
  private readonly cursors = new Cursors();
  private readonly handlers: Record<string, Handler>;

  constructor(private readonly store: Store) {
    const hello: Handler = (body, _db, session) => this.hello(body, session);
    this.handlers = {
      hello,
      isMaster: hello,
      ismaster: hello,
      ping: () => ({}),
      buildInfo: () => ({
        version: SERVER_VERSION,
        versionArray: [7, 0, 0, 0],
        gitVersion: 'customer-360-embedded',
        bits: 64,
        maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
        storageEngines: ['embedded'],
      }),
      buildinfo: (body, db, session) => this.handlers.buildInfo!(body, db, session),
      endSessions: () => ({}),
      insert: (body, db) => this.insert(body, db),
      find: (body, db) => this.find(body, db),
      getMore: (body, db) => this.getMore(body, db),
      killCursors: (body) => this.killCursors(body),
      aggregate: (body, db) => this.aggregate(body, db),
      count: (body, db) => this.count(body, db),
      distinct: (body, db) => this.distinct(body, db),
      update: (body, db) => this.update(body, db),
      delete: (body, db) => this.delete(body, db),
      findAndModify: (body, db) => this.findAndModify(body, db),
      findandmodify: (body, db) => this.findAndModify(body, db),
      create: (body, db) => this.create(body, db),
      drop: (body, db) => this.drop(body, db),
      dropDatabase: (_body, db) => {
        this.store.dropDatabase(db);
        return { dropped: db };
      },
      createIndexes: (body, db) => this.createIndexes(body, db),
      listIndexes: (body, db) => this.listIndexes(body, db),
      dropIndexes: (body, db) => this.dropIndexes(body, db),
      listCollections: (body, db) => this.listCollections(body, db),
      listDatabases: (body) => this.listDatabases(body),
      explain: (body, db) => this.explain(body, db),
    };
  }

  /** Runs one command; the reply always has `ok` (failures as `{ ok: 0, errmsg, code, codeName }`). */
  run(body: Document, session: Session): Document {
    const name = Object.keys(body)[0];
    const db = typeof body.$db === 'string' ? body.$db : 'admin';
    try {
      const handler = name !== undefined && Object.hasOwn(this.handlers, name) ? this.handlers[name] : undefined;
      if (!handler) throw new CommandError('CommandNotFound', `no such command: '${name ?? ''}'`);
      return { ...handler(body, db, session), ok: 1 };
    } catch (error) {
      if (error instanceof CommandError)
        return { ok: 0, errmsg: error.message, code: error.code, codeName: error.codeName, ...error.details };
      return { ok: 0, errmsg: (error as Error).message, code: 1, codeName: 'InternalError' };
    }
  }

  private hello(body: Document, session: Session): Document {
    return {
      helloOk: true,
      isWritablePrimary: true,
      ismaster: true,
      maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
      maxMessageSizeBytes: MAX_MESSAGE_BYTES,
      maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
      localTime: new Date(),
      logicalSessionTimeoutMinutes: 30,
      connectionId: session.connectionId,
      minWireVersion: 0,
      maxWireVersion: MAX_WIRE_VERSION,
      readOnly: false,
      ...(body.saslSupportedMechs !== undefined ? { saslSupportedMechs: [] } : {}),
    };
  }

  private insert(body: Document, db: string): Document {
    const name = asCollectionName(body.insert, 'insert');
    const documents = asArray(body.documents, 'documents');
    const ordered = body.ordered !== false;
    const collection = this.store.ensureCollection(db, name);
    const writeErrors: Document[] = [];
    let n = 0;
    for (const [index, doc] of documents.entries()) {
      try {
        collection.insert(asDocument(doc, 'documents'));
        n++;
      } catch (error) {
        writeErrors.push(writeError(index, error));
        if (ordered) break;
      }
    }
    return { n, ...(writeErrors.length ? { writeErrors } : {}) };
  }

  private find(body: Document, db: string): Document {
    const name = asCollectionName(body.find, 'find');
    const collection = this.store.collection(db, name);
    let docs: Document[] = [];
    if (collection) {
      const matched = collection.match(asDocument(body.filter, 'filter')).docs;
      const projection = body.projection === undefined ? undefined : asDocument(body.projection, 'projection');
      let cursor = mingoFind(matched, {}, projection);
      if (body.sort !== undefined) cursor = cursor.sort(asDocument(body.sort, 'sort') as Record<string, 1 | -1>);
      if (body.skip !== undefined) cursor = cursor.skip(Number(body.skip));
      const limit = Math.abs(optionalNumber(body.limit) ?? 0);
      if (limit > 0) cursor = cursor.limit(limit);
      docs = cursor.all() as Document[];
    }
    const singleBatch = body.singleBatch === true || (optionalNumber(body.limit) ?? 0) < 0;
    return { cursor: this.cursors.first(`${db}.${name}`, docs, optionalNumber(body.batchSize), singleBatch) };
  }

  private getMore(body: Document, db: string): Document {
    const name = asCollectionName(body.collection, 'collection');
    return { cursor: this.cursors.more(body.getMore, `${db}.${name}`, optionalNumber(body.batchSize)) };
  }

  private killCursors(body: Document): Document {
    asCollectionName(body.killCursors, 'killCursors');
    const { killed, notFound } = this.cursors.kill(asArray(body.cursors, 'cursors') as number[]);
    return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [] };
  }

  private aggregate(body: Document, db: string): Document {
    const pipeline = asArray(body.pipeline, 'pipeline').map((stage) => asDocument(stage, 'pipeline'));
    for (const stage of pipeline) {
      const [operator] = Object.keys(stage);
      if (operator === '$out' || operator === '$merge')
        throw new CommandError('NotImplemented', `${operator} is not supported by the embedded server`);
    }
    const cursorOptions = asDocument(body.cursor, 'cursor');
    const variables = body.let === undefined ? undefined : asDocument(body.let, 'let');
    const target = body.aggregate;
    const docs =
      target === 1
        ? new Aggregator(pipeline).run([]) // collectionless ($documents)
        : this.store.aggregate(db, asCollectionName(target, 'aggregate'), pipeline, variables);
    const ns = `${db}.${target === 1 ? '$cmd.aggregate' : String(target)}`;
    return { cursor: this.cursors.first(ns, docs as Document[], optionalNumber(cursorOptions.batchSize)) };
  }

  private count(body: Document, db: string): Document {
    const collection = this.store.collection(db, asCollectionName(body.count, 'count'));
    if (!collection) return { n: 0 };
    const query = asDocument(body.query, 'query');
    let n = Object.keys(query).length === 0 ? collection.size : collection.match(query).docs.length;
    n = Math.max(0, n - (optionalNumber(body.skip) ?? 0));
    const limit = Math.abs(optionalNumber(body.limit) ?? 0);
    return { n: limit > 0 ? Math.min(n, limit) : n };
  }

  private distinct(body: Document, db: string): Document {
    const collection = this.store.collection(db, asCollectionName(body.distinct, 'distinct'));
    if (typeof body.key !== 'string') throw new CommandError('TypeMismatch', "'key' must be a string");
    const seen = new Map<string, unknown>();
    for (const doc of collection?.match(asDocument(body.query, 'query')).docs ?? []) {
      for (const value of valuesAtPath(doc, body.key)) if (value !== undefined) seen.set(encodeKey(value), value);
    }
    return { values: [...seen.values()] };
  }

  private update(body: Document, db: string): Document {
    const name = asCollectionName(body.update, 'update');
    const ordered = body.ordered !== false;
    const writeErrors: Document[] = [];
    const upserted: Document[] = [];
    let n = 0;
    let nModified = 0;
    for (const [index, raw] of asArray(body.updates, 'updates').entries()) {
      try {
        const statement = asDocument(raw, 'updates');
        const result = this.applyUpdate(db, name, {
          filter: asDocument(statement.q, 'q'),
          update: statement.u,
          multi: statement.multi === true,
          upsert: statement.upsert === true,
          arrayFilters: statement.arrayFilters as Document[] | undefined,
        });
        n += result.matched;
        nModified += result.modified;
        if (result.upsertedId !== undefined) {
          n += 1;
          upserted.push({ index, _id: result.upsertedId });
        }
      } catch (error) {
        writeErrors.push(writeError(index, error));
        if (ordered) break;
      }
    }
    return { n, nModified, ...(upserted.length ? { upserted } : {}), ...(writeErrors.length ? { writeErrors } : {}) };
  }

  private delete(body: Document, db: string): Document {
    const name = asCollectionName(body.delete, 'delete');
    const collection = this.store.collection(db, name);
    const ordered = body.ordered !== false;
    const writeErrors: Document[] = [];
    let n = 0;
    for (const [index, raw] of asArray(body.deletes, 'deletes').entries()) {
      try {
        const statement = asDocument(raw, 'deletes');
        if (!collection) continue;
        const rows = collection.match(asDocument(statement.q, 'q')).rows;
        const victims = Number(statement.limit) === 1 ? rows.slice(0, 1) : rows;
        for (const row of victims) collection.remove(row);
        n += victims.length;
      } catch (error) {
        writeErrors.push(writeError(index, error));
        if (ordered) break;
      }
    }
    return { n, ...(writeErrors.length ? { writeErrors } : {}) };
  }

  private findAndModify(body: Document, db: string): Document {
    const name = asCollectionName(body.findAndModify ?? body.findandmodify, 'findAndModify');
    const filter = asDocument(body.query, 'query');
    const sort = body.sort === undefined ? undefined : asDocument(body.sort, 'sort');
    const projection = body.fields === undefined ? undefined : asDocument(body.fields, 'fields');
    const project = (doc: Document | undefined | null) =>
      doc && projection ? (mingoFind([doc], {}, projection).all()[0] as Document) : (doc ?? null);
    if (body.remove === true) {
      const collection = this.store.collection(db, name);
      const row = collection ? this.firstRow(collection, filter, sort) : undefined;
      if (row === undefined || !collection) return { lastErrorObject: { n: 0 }, value: null };
      const doc = collection.get(row)!;
      collection.remove(row);
      return { lastErrorObject: { n: 1 }, value: project(doc) };
    }
    if (body.update === undefined) throw new CommandError('FailedToParse', 'Either an update or remove=true must be specified');
    const result = this.applyUpdate(db, name, {
      filter,
      sort,
      update: body.update,
      multi: false,
      upsert: body.upsert === true,
      arrayFilters: body.arrayFilters as Document[] | undefined,
    });
    const value = body.new === true ? result.after : result.before;
    const lastErrorObject: Document = {
      n: result.matched || (result.upsertedId !== undefined ? 1 : 0),
      updatedExisting: result.matched > 0,
    };
    if (result.upsertedId !== undefined) lastErrorObject.upserted = result.upsertedId;
    return { lastErrorObject, value: project(value) };
  }

  private firstRow(collection: Collection, filter: Document, sort?: Document): number | undefined {
    const { rows, docs } = collection.match(filter);
    if (!sort || rows.length < 2) return rows[0];
    const ordered = mingoFind(
      docs.map((doc, i) => ({ doc, i })),
      {},
      undefined,
    )
      .sort(prefixSort(sort, 'doc'))
      .all() as { i: number }[];
    return rows[ordered[0]!.i];
  }

  /**
   * One update statement: a replacement document, operators (with `$setOnInsert` applied only when
   * inserting), or a pipeline. Upserts build the new document from the filter's equality fields.
   */
  private applyUpdate(
    db: string,
    name: string,
    statement: { filter: Document; update: unknown; multi: boolean; upsert: boolean; arrayFilters?: Document[]; sort?: Document },
  ): { matched: number; modified: number; upsertedId?: unknown; before?: Document | null; after?: Document | null } {
    const collection = this.store.ensureCollection(db, name);
    const rows = statement.multi
      ? collection.match(statement.filter).rows
      : [this.firstRow(collection, statement.filter, statement.sort)].filter((r) => r !== undefined);
    const isReplacement = isPlainObject(statement.update) && !Object.keys(statement.update).some((k) => k.startsWith('$'));
    if (isReplacement && statement.multi)
      throw new CommandError('FailedToParse', 'multi update is not supported for replacement-style update');
    let modified = 0;
    let before: Document | null = null;
    let after: Document | null = null;
    for (const row of rows) {
      const current = collection.get(row)!;
      const next = transform(current, statement.update, isReplacement, false, statement.arrayFilters);
      before ??= current;
      if (!sameDocument(next, current)) {
        after = collection.replace(row, next);
        modified++;
      } else {
        after ??= current;
      }
    }
    if (rows.length > 0 || !statement.upsert) return { matched: rows.length, modified, before, after };
    // A replacement takes only the filter's `_id`; operators start from all its equalities.
    const equalities = equalityFields(statement.filter);
    const seed = !isReplacement ? equalities : equalities._id !== undefined ? { _id: equalities._id } : {};
    const inserted = transform(seed, statement.update, isReplacement, true, statement.arrayFilters);
    const doc = collection.insert({ _id: inserted._id !== undefined ? inserted._id : new ObjectId(), ...inserted });
    return { matched: 0, modified: 0, upsertedId: doc._id, before: null, after: doc };
  }

  private create(body: Document, db: string): Document {
    const name = asCollectionName(body.create, 'create');
    if (this.store.collection(db, name)) throw new CommandError('NamespaceExists', `Collection ${db}.${name} already exists.`);
    this.store.ensureCollection(db, name);
    return {};
  }

  private drop(body: Document, db: string): Document {
    const name = asCollectionName(body.drop, 'drop');
    const collection = this.store.collection(db, name);
    const nIndexesWas = collection?.indexes.length;
    this.store.dropCollection(db, name);
    return nIndexesWas === undefined ? {} : { ns: `${db}.${name}`, nIndexesWas };
  }

  private createIndexes(body: Document, db: string): Document {
    const name = asCollectionName(body.createIndexes, 'createIndexes');
    const createdCollectionAutomatically = !this.store.collection(db, name);
    const collection = this.store.ensureCollection(db, name);
    const numIndexesBefore = collection.indexes.length;
    for (const raw of asArray(body.indexes, 'indexes')) {
      const spec = indexSpec(asDocument(raw, 'indexes'));
      const sameName = collection.indexes.find((i) => i.name === spec.name);
      const sameKey = collection.indexes.find((i) => sameKeys(i.spec.key, spec.key));
      if (
        sameName &&
        sameKey === sameName &&
        Boolean(sameName.spec.unique) === Boolean(spec.unique) &&
        Boolean(sameName.spec.sparse) === Boolean(spec.sparse)
      )
        continue;
      if (sameName)
        throw new CommandError(
          'IndexKeySpecsConflict',
          `An existing index has the same name as the requested index but different options: ${spec.name}`,
        );
      if (sameKey) throw new CommandError('IndexOptionsConflict', `Index already exists with a different name: ${sameKey.name}`);
      collection.createIndex(spec);
    }
    const numIndexesAfter = collection.indexes.length;
    return {
      createdCollectionAutomatically,
      numIndexesBefore,
      numIndexesAfter,
      ...(numIndexesAfter === numIndexesBefore ? { note: 'all indexes already exist' } : {}),
    };
  }

  private listIndexes(body: Document, db: string): Document {
    const name = asCollectionName(body.listIndexes, 'listIndexes');
    const collection = this.store.collection(db, name);
    if (!collection) throw new CommandError('NamespaceNotFound', `ns does not exist: ${db}.${name}`);
    const batchSize = optionalNumber(asDocument(body.cursor, 'cursor').batchSize);
    return {
      cursor: this.cursors.first(
        `${db}.$cmd.listIndexes.${name}`,
        collection.indexes.map((i) => ({ ...i.spec })),
        batchSize,
      ),
    };
  }

  private dropIndexes(body: Document, db: string): Document {
    const name = asCollectionName(body.dropIndexes, 'dropIndexes');
    const collection = this.store.collection(db, name);
    if (!collection) throw new CommandError('NamespaceNotFound', `ns not found ${db}.${name}`);
    const nIndexesWas = collection.indexes.length;
    const target = body.index;
    if (target === '*') {
      for (const index of collection.indexes.slice(1)) collection.dropIndex(index.name);
    } else if (typeof target === 'string') {
      collection.dropIndex(target);
    } else if (Array.isArray(target)) {
      for (const indexName of target) collection.dropIndex(String(indexName));
    } else if (isPlainObject(target)) {
      const index = collection.indexes.find((i) => sameKeys(i.spec.key, target));
      if (!index) throw new CommandError('IndexNotFound', `can't find index with key: ${BSON.EJSON.stringify(target)}`);
      collection.dropIndex(index.name);
    } else {
      throw new CommandError('TypeMismatch', "'index' must be a name, a key pattern, an array of names or '*'");
    }
    return { nIndexesWas };
  }

  private listCollections(body: Document, db: string): Document {
    const infos = this.store.collections(db).map((c) => ({
      name: c.name,
      type: 'collection',
      options: {},
      info: { readOnly: false },
      idIndex: { ...c.idIndex.spec },
    }));
    const filter = asDocument(body.filter, 'filter');
    const matching = infos.filter((info) => compileFilter(filter).test(info));
    const docs = body.nameOnly === true ? matching.map(({ name, type }) => ({ name, type })) : matching;
    return { cursor: this.cursors.first(`${db}.$cmd.listCollections`, docs, optionalNumber(asDocument(body.cursor, 'cursor').batchSize)) };
  }

  /**
   * `explain` of a find, count, distinct or aggregate: how its filter (an aggregate's leading `$match`)
   * reaches documents, `IXSCAN` with the indexes used or `COLLSCAN`, with executionStats.
   */
  private explain(body: Document, db: string): Document {
    const inner = asDocument(body.explain, 'explain');
    const command = Object.keys(inner)[0];
    const filters: Record<string, () => unknown> = {
      find: () => inner.filter,
      count: () => inner.query,
      distinct: () => inner.query,
      aggregate: () => {
        const first = (inner.pipeline as Document[] | undefined)?.[0];
        return first && '$match' in first ? first.$match : {};
      },
    };
    const filterOf = command !== undefined && Object.hasOwn(filters, command) ? filters[command] : undefined;
    if (!filterOf)
      throw new CommandError('IllegalOperation', `explain is supported for find, count, distinct and aggregate, not '${command ?? ''}'`);
    const name = asCollectionName(inner[command!], command!);
    const started = performance.now();
    const collection = this.store.collection(db, name);
    const matched = collection?.match(asDocument(filterOf(), 'filter'));
    const scan = matched && matched.plan.length > 0 ? { stage: 'IXSCAN', indexNames: matched.plan } : { stage: 'COLLSCAN' };
    return {
      queryPlanner: { namespace: `${db}.${name}`, winningPlan: scan.stage === 'IXSCAN' ? { stage: 'FETCH', inputStage: scan } : scan },
      executionStats: {
        nReturned: matched?.docs.length ?? 0,
        executionTimeMillis: Math.round(performance.now() - started),
        totalKeysExamined: matched?.keysExamined ?? 0,
        totalDocsExamined: matched?.docsExamined ?? 0,
      },
    };
  }

  private listDatabases(body: Document): Document {
    const databases = this.store.databases().map((name) => {
      const sizeOnDisk = this.store.collections(name).reduce((sum, c) => sum + c.size, 0);
      return { name, sizeOnDisk, empty: sizeOnDisk === 0 };
    });
    const filter = asDocument(body.filter, 'filter');
    const matching = databases.filter((d) => compileFilter(filter).test(d));
    return body.nameOnly === true
      ? { databases: matching.map(({ name }) => ({ name })) }
      : { databases: matching, totalSize: matching.reduce((sum, d) => sum + d.sizeOnDisk, 0) };
  }
}

/** A `writeErrors` entry for the statement at `index`. */
function writeError(index: number, error: unknown): Document {
  if (error instanceof CommandError) return { index, code: error.code, codeName: error.codeName, errmsg: error.message, ...error.details };
  return { index, code: 1, codeName: 'InternalError', errmsg: (error as Error).message };
}

/** A new document: the replacement (keeping `_id`), operators applied to a copy, or a pipeline run on it. */
function transform(current: Document, update: unknown, isReplacement: boolean, inserting: boolean, arrayFilters?: Document[]): Document {
  if (isReplacement) {
    const replacement = update as Document;
    for (const key of Object.keys(replacement))
      if (key.includes('$')) throw new CommandError('BadValue', `field names may not start with '$': ${key}`);
    if (current._id === undefined) return cloneDocument(replacement);
    if (replacement._id !== undefined && !sameDocument({ v: replacement._id }, { v: current._id })) throw immutableId();
    return { _id: current._id, ...cloneDocument(replacement) };
  }
  let next = cloneDocument(current);
  try {
    if (Array.isArray(update)) {
      const [result] = new Aggregator(update as Document[], { scriptEnabled: false }).run([next]);
      return (result ?? next) as Document;
    }
    if (!isPlainObject(update)) throw new CommandError('FailedToParse', "'u' must be an object or a pipeline");
    const { $setOnInsert, ...operators } = update;
    const supported = new Set([
      '$set',
      '$unset',
      '$inc',
      '$mul',
      '$min',
      '$max',
      '$rename',
      '$push',
      '$pull',
      '$pullAll',
      '$addToSet',
      '$pop',
      '$currentDate',
      '$bit',
    ]);
    for (const operator of Object.keys(operators)) {
      if (!supported.has(operator)) throw new CommandError('FailedToParse', `Unknown modifier: ${operator}`);
    }
    const modifier =
      inserting && $setOnInsert !== undefined
        ? { ...operators, $set: { ...(operators.$set as Document | undefined), ...($setOnInsert as Document) } }
        : operators;
    // mingo refuses any operator on `_id`; MongoDB refuses only a change: `$set` may restate it or give it to an upsert.
    if (isPlainObject(modifier.$set) && '_id' in modifier.$set) {
      const { _id, ...others } = modifier.$set;
      if (next._id === undefined) next = { _id: cloneDocument({ v: _id }).v as unknown, ...next };
      else if (!sameDocument({ v: _id }, { v: next._id })) throw immutableId();
      modifier.$set = others;
    }
    if (Object.keys(modifier).length > 0) applyOperators(next, modifier, arrayFilters, undefined, { cloneMode: 'deep' });
    return next;
  } catch (error) {
    if (error instanceof CommandError) throw error;
    const message = (error as Error).message;
    throw new CommandError(/immutable field '_id'/.test(message) ? 'ImmutableField' : 'BadValue', message);
  }
}

const immutableId = () =>
  new CommandError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");

/** The fields an upsert copies from its filter: top-level equalities (`a: v`, `a: { $eq: v }`) and those inside `$and`. */
function equalityFields(filter: Document): Document {
  const out: Document = {};
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const clause of value) if (isPlainObject(clause)) Object.assign(out, equalityFields(clause));
    } else if (!key.startsWith('$')) {
      if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'))) {
        if ('$eq' in value) out[key] = value.$eq;
      } else {
        out[key] = value;
      }
    }
  }
  return cloneDocument(out);
}

function indexSpec(raw: Document): IndexSpec {
  const key = asDocument(raw.key, 'key');
  const fields = Object.entries(key);
  if (fields.length === 0) throw new CommandError('CannotCreateIndex', 'index key pattern must not be empty');
  for (const [field, direction] of fields) {
    if (direction !== 1 && direction !== -1)
      throw new CommandError('CannotCreateIndex', `index type ${String(direction)} on '${field}' is not supported (only 1 and -1)`);
  }
  const name = typeof raw.name === 'string' ? raw.name : fields.map(([f, d]) => `${f}_${String(d)}`).join('_');
  for (const option of Object.keys(raw)) {
    if (!['key', 'name', 'unique', 'sparse', 'v', 'background'].includes(option)) {
      throw new CommandError(
        'InvalidIndexSpecificationOption',
        `The field '${option}' is not valid for an index specification in the embedded server`,
      );
    }
  }
  return { v: 2, key, name, ...(raw.unique === true ? { unique: true } : {}), ...(raw.sparse === true ? { sparse: true } : {}) };
}

const sameKeys = sameDocument;

function prefixSort(sort: Document, prefix: string): Record<string, 1 | -1> {
  return Object.fromEntries(Object.entries(sort).map(([k, v]) => [`${prefix}.${k}`, Number(v) < 0 ? -1 : 1])) as Record<string, 1 | -1>;
}
