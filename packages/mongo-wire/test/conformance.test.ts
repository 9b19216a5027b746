/**
 * Driver-level conformance of the MongoDB the tests run against (C360_TEST_MONGO_URL): the embedded
 * server by default, a real MongoDB when MONGODB_URI_TEST is set, so the two can be compared. Every
 * expected answer is computed here in plain JS, never by re-running the query under test. Blocks that
 * only make sense for the embedded server (persistence, raw wire messages) are skipped on a real one.
 * The API's own queries over this server are checked by the API (test/integration/behaviour-store-conformance.test.ts).
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { BSON } from 'bson';
import { MongoBulkWriteError, MongoClient, ObjectId, type CommandSucceededEvent, type Db, type Document } from 'mongodb';
import { startMongoServer, type RunningMongoServer } from '../src/server';
import { mongoUrl, uniqueName, useDatabase } from './database';

const REAL_MONGO = Boolean(process.env.MONGODB_URI_TEST);
const embeddedOnly = REAL_MONGO ? describe.skip : describe;

const sortedStrings = (values: unknown[]) => values.map((v) => String(v)).sort();

/** Documents of any shape: these collections use numbers and strings as `_id` too, which `Document` would refuse. */

type Loose = any;
const reply = (e: CommandSucceededEvent) => e.reply as Document;

describe('handshake and commands', () => {
  const ctx = useDatabase('commands');

  it('answers ping, hello and buildInfo', async () => {
    expect(await ctx.db.command({ ping: 1 })).toMatchObject({ ok: 1 });
    const hello = await ctx.db.admin().command({ hello: 1 });
    expect(hello.ok).toBe(1);
    expect(hello.isWritablePrimary).toBe(true);
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(9);
    expect(typeof hello.maxBsonObjectSize).toBe('number');
    expect(typeof hello.maxMessageSizeBytes).toBe('number');
    expect(hello.maxWriteBatchSize).toBeGreaterThan(0);
    const build = await ctx.db.admin().command({ buildInfo: 1 });
    expect(build.ok).toBe(1);
    expect(build.version).toMatch(/^\d+\.\d+/);
    expect(Array.isArray(build.versionArray)).toBe(true);
  });

  it('rejects an unknown command with CommandNotFound (59)', async () => {
    await expect(ctx.db.command({ noSuchCommandAtAll: 1 })).rejects.toMatchObject({ code: 59, codeName: 'CommandNotFound' });
  });
});

describe('inserts', () => {
  const ctx = useDatabase('insert');

  it('ordered insertMany stops at a duplicate _id', async () => {
    const coll = ctx.db.collection<Loose>('ordered');
    const error = await coll.insertMany([{ _id: 1 }, { _id: 2 }, { _id: 2 }, { _id: 3 }], { ordered: true }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    expect(error).toMatchObject({ code: 11000, insertedCount: 2 });
    expect((error as MongoBulkWriteError).result.getWriteErrors().map((e) => [e.index, e.code])).toEqual([[2, 11000]]);
    expect(sortedStrings(await coll.distinct('_id'))).toEqual(['1', '2']);
    expect(await coll.countDocuments()).toBe(2);
  });

  it('unordered insertMany inserts everything but the duplicate', async () => {
    const coll = ctx.db.collection<Loose>('unordered');
    const error = await coll.insertMany([{ _id: 1 }, { _id: 2 }, { _id: 2, dup: true }, { _id: 3 }], { ordered: false }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    expect(error).toMatchObject({ code: 11000, insertedCount: 3 });
    expect((error as MongoBulkWriteError).result.getWriteErrors().map((e) => [e.index, e.code])).toEqual([[2, 11000]]);
    expect(await coll.find({}).sort({ _id: 1 }).toArray()).toEqual([{ _id: 1 }, { _id: 2 }, { _id: 3 }]);
  });

  it('insertOne gets an ObjectId; a raw insert without _id gets one from the server', async () => {
    const coll = ctx.db.collection<Loose>('auto');
    const { insertedId } = await coll.insertOne({ name: 'a' });
    expect(insertedId).toBeInstanceOf(ObjectId);
    expect(await coll.findOne({ _id: insertedId })).toEqual({ _id: insertedId, name: 'a' });
    expect(await ctx.db.command({ insert: 'auto', documents: [{ name: 'b' }] })).toMatchObject({ ok: 1, n: 1 });
    const b = await coll.findOne({ name: 'b' });
    expect(b?._id).toBeInstanceOf(ObjectId);
  });
});

describe('find, cursors, counts and distinct', () => {
  const ctx = useDatabase('find');
  const docs = Array.from({ length: 250 }, (_, i) => ({
    _id: i,
    n: (i * 37) % 250, // a permutation of 0..249
    group: ['a', 'b', 'c', 'd', 'e'][i % 5]!,
    tags: i % 3 === 0 ? ['x', `t${i % 4}`] : `t${i % 7}`,
    nested: { even: i % 2 === 0 },
  }));

  beforeAll(async () => {
    await ctx.db.collection<Loose>('items').insertMany(docs);
  });

  it('filters, sorts, skips, limits and projects', async () => {
    const got = await ctx.db
      .collection<Loose>('items')
      .find({ group: { $in: ['a', 'c'] }, n: { $gte: 40 } }, { projection: { _id: 0, n: 1, group: 1 } })
      .sort({ n: -1 })
      .skip(3)
      .limit(7)
      .toArray();
    const expected = docs
      .filter((d) => (d.group === 'a' || d.group === 'c') && d.n >= 40)
      .sort((x, y) => y.n - x.n)
      .slice(3, 10)
      .map((d) => ({ n: d.n, group: d.group }));
    expect(got).toEqual(expected);
    expect(got).toHaveLength(7);
  });

  it('sorts on a field the projection leaves out, and matches dotted paths', async () => {
    const got = await ctx.db
      .collection<Loose>('items')
      .find({ 'nested.even': true, group: 'b' }, { projection: { _id: 1 } })
      .sort({ n: 1 })
      .toArray();
    const expected = docs
      .filter((d) => d.nested.even && d.group === 'b')
      .sort((x, y) => x.n - y.n)
      .map((d) => ({ _id: d._id }));
    expect(got).toEqual(expected);
  });

  it('returns a large result over several getMore batches', async () => {
    const before = ctx.replies.length;
    const got = await ctx.db.collection<Loose>('items').find({}, { batchSize: 50 }).sort({ n: 1 }).toArray();
    expect(got.map((d) => d.n)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    const replies = ctx.replies.slice(before);
    const find = replies.find((r) => r.commandName === 'find')!;
    expect(reply(find).cursor.firstBatch).toHaveLength(50);
    const getMores = replies.filter((r) => r.commandName === 'getMore');
    // 200 more documents in batches of 50; a real server may need one more (empty) batch to see the end.
    expect(getMores.length).toBeGreaterThanOrEqual(4);
    expect(getMores.length).toBeLessThanOrEqual(5);
    for (const r of getMores) expect(reply(r).cursor.nextBatch.length).toBeLessThanOrEqual(50);
    expect(String(reply(getMores.at(-1)!).cursor.id)).toBe('0');
  });

  it('closes a cursor early with killCursors', async () => {
    const before = ctx.replies.length;
    const cursor = ctx.db.collection<Loose>('items').find({}, { batchSize: 50 });
    const first = await cursor.next();
    expect(first).not.toBeNull();
    expect(cursor.bufferedCount()).toBe(49);
    await cursor.close();
    const replies = ctx.replies.slice(before);
    const id = reply(replies.find((r) => r.commandName === 'find')!).cursor.id;
    expect(String(id)).not.toBe('0');
    const kill = replies.find((r) => r.commandName === 'killCursors');
    expect(kill).toBeDefined();
    expect(reply(kill!).cursorsKilled.map(String)).toEqual([String(id)]);
    await expect(ctx.db.command({ getMore: id, collection: 'items' })).rejects.toMatchObject({ code: 43 });
  });

  it('counts documents', async () => {
    const items = ctx.db.collection<Loose>('items');
    expect(await items.estimatedDocumentCount()).toBe(250);
    expect(await items.countDocuments()).toBe(250);
    expect(await items.countDocuments({ group: 'a', n: { $lt: 100 } })).toBe(docs.filter((d) => d.group === 'a' && d.n < 100).length);
    expect(await items.countDocuments({ group: 'e' }, { skip: 10, limit: 20 })).toBe(20);
    expect(await items.countDocuments({ group: 'nope' })).toBe(0);
    expect(await ctx.db.collection<Loose>('missing').countDocuments()).toBe(0);
  });

  it('lists distinct values, unwinding arrays', async () => {
    const items = ctx.db.collection<Loose>('items');
    expect(sortedStrings(await items.distinct('group'))).toEqual(['a', 'b', 'c', 'd', 'e']);
    const tags = new Set<string>();
    for (const d of docs) for (const t of Array.isArray(d.tags) ? d.tags : [d.tags]) tags.add(t);
    expect(sortedStrings(await items.distinct('tags'))).toEqual([...tags].sort());
    const evenA = new Set<string>();
    for (const d of docs.filter((x) => x.group === 'a' && x.nested.even))
      for (const t of Array.isArray(d.tags) ? d.tags : [d.tags]) evenA.add(t);
    expect(sortedStrings(await items.distinct('tags', { group: 'a', 'nested.even': true }))).toEqual([...evenA].sort());
    expect(await items.distinct('nope')).toEqual([]);
  });
});

describe('updates and deletes', () => {
  const ctx = useDatabase('update');

  beforeEach(async () => {
    await ctx.db
      .collection<Loose>('u')
      .drop()
      .catch(() => undefined);
    await ctx.db.collection<Loose>('u').insertMany([
      { _id: 'a', n: 1, kind: 'x', list: [1] },
      { _id: 'b', n: 2, kind: 'x', list: [] },
      { _id: 'c', n: 3, kind: 'y', gone: true },
    ]);
  });

  const u = () => ctx.db.collection<Loose>('u');

  it('updateOne / updateMany with $inc, $push, $unset', async () => {
    const one = await u().updateOne({ _id: 'a' }, { $inc: { n: 10 }, $push: { list: 2 } } as Document);
    expect(one).toMatchObject({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0 });
    const many = await u().updateMany({ kind: 'x' }, { $inc: { n: 1 }, $set: { touched: true } });
    expect(many).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    const unset = await u().updateOne({ _id: 'c' }, { $unset: { gone: '' } });
    expect(unset).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    const none = await u().updateOne({ _id: 'zz' }, { $set: { n: 0 } });
    expect(none).toMatchObject({ matchedCount: 0, modifiedCount: 0, upsertedCount: 0 });
    const noop = await u().updateOne({ _id: 'c' }, { $set: { n: 3 } });
    expect(noop).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
    expect(await u().find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'a', n: 12, kind: 'x', list: [1, 2], touched: true },
      { _id: 'b', n: 3, kind: 'x', list: [], touched: true },
      { _id: 'c', n: 3, kind: 'y' },
    ]);
  });

  it('replaceOne replaces the whole document but its _id', async () => {
    const r = await u().replaceOne({ _id: 'b' }, { only: 'this' });
    expect(r).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    const replaced = await u().findOne({ _id: 'b' });
    expect(replaced).toEqual({ _id: 'b', only: 'this' });
    expect(Object.keys(replaced!)).toEqual(['_id', 'only']); // _id stays the first field
  });

  it('upserts apply $setOnInsert only when inserting', async () => {
    const inserted = await u().updateOne({ key: 'k1' }, { $set: { v: 1 }, $setOnInsert: { created: 1 } }, { upsert: true });
    expect(inserted.upsertedCount).toBe(1);
    expect(inserted.upsertedId).toBeInstanceOf(ObjectId);
    expect(await u().findOne({ key: 'k1' })).toEqual({ _id: inserted.upsertedId, key: 'k1', v: 1, created: 1 });
    const matched = await u().updateOne({ key: 'k1' }, { $set: { v: 2 }, $setOnInsert: { created: 2 } }, { upsert: true });
    expect(matched).toMatchObject({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0 });
    expect(await u().findOne({ key: 'k1' })).toEqual({ _id: inserted.upsertedId, key: 'k1', v: 2, created: 1 });
    await u().updateOne({ _id: 'a' }, { $setOnInsert: { created: 3 } }, { upsert: true });
    expect(await u().findOne({ _id: 'a' })).toEqual({ _id: 'a', n: 1, kind: 'x', list: [1] });
    // The filter's _id becomes the new document's _id, also for a replacement.
    const withId = await u().updateOne({ _id: 'new', kind: 'z' }, { $inc: { n: 5 } }, { upsert: true });
    expect(withId.upsertedId).toBe('new');
    expect(await u().findOne({ _id: 'new' })).toEqual({ _id: 'new', kind: 'z', n: 5 });
    const replaced = await u().replaceOne({ _id: 'r' }, { v: 'r' }, { upsert: true });
    expect(replaced.upsertedId).toBe('r');
    expect(await u().findOne({ _id: 'r' })).toEqual({ _id: 'r', v: 'r' });
    // An upsert may give the new document its _id through $setOnInsert (or $set).
    const given = await u().updateOne({ key: 'k2' }, { $set: { v: 1 }, $setOnInsert: { _id: 'given' } }, { upsert: true });
    expect(given.upsertedId).toBe('given');
    const k2 = await u().findOne({ key: 'k2' });
    expect(k2).toEqual({ _id: 'given', key: 'k2', v: 1 });
    expect(Object.keys(k2!)[0]).toBe('_id');
  });

  it('refuses to modify _id (ImmutableField, 66)', async () => {
    await expect(u().updateOne({ _id: 'a' }, { $set: { _id: 'other' } })).rejects.toMatchObject({ code: 66 });
    await expect(u().replaceOne({ _id: 'a' }, { _id: 'other', n: 1 })).rejects.toMatchObject({ code: 66 });
    await expect(u().updateOne({ _id: 'b' }, { $unset: { _id: '' } })).rejects.toMatchObject({ code: 66 });
    await expect(u().updateMany({ kind: 'x' }, { $inc: { n: 1 }, $set: { _id: 'same' } })).rejects.toMatchObject({ code: 66 });
    // Restating the same _id is no modification.
    await expect(u().replaceOne({ _id: 'a' }, { _id: 'a', n: 7 })).resolves.toMatchObject({ matchedCount: 1 });
    await expect(u().updateOne({ _id: 'c' }, { $set: { _id: 'c', n: 4 } })).resolves.toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect(await u().findOne({ _id: 'c' })).toEqual({ _id: 'c', n: 4, kind: 'y', gone: true });
    expect(sortedStrings(await u().distinct('_id'))).toEqual(['a', 'b', 'c']);
    expect(await u().findOne({ _id: 'a' })).toEqual({ _id: 'a', n: 7 });
  });

  it('findOneAndUpdate returns the document before or after', async () => {
    const before = await u().findOneAndUpdate({ _id: 'a' }, { $inc: { n: 1 } }, { returnDocument: 'before' });
    expect(before).toEqual({ _id: 'a', n: 1, kind: 'x', list: [1] });
    const after = await u().findOneAndUpdate({ _id: 'a' }, { $inc: { n: 1 } }, { returnDocument: 'after', projection: { n: 1 } });
    expect(after).toEqual({ _id: 'a', n: 3 });
    const sorted = await u().findOneAndUpdate({ kind: 'x' }, { $set: { first: true } }, { sort: { n: 1 }, returnDocument: 'after' });
    expect(sorted?._id).toBe('b'); // a has n 3 now, b has 2
    expect(await u().findOneAndUpdate({ _id: 'nope' }, { $set: { n: 1 } })).toBeNull();
    const upserted = await u().findOneAndUpdate({ _id: 'fresh' }, { $set: { n: 9 } }, { upsert: true, returnDocument: 'after' });
    expect(upserted).toEqual({ _id: 'fresh', n: 9 });
    const withMeta = await u().findOneAndUpdate(
      { _id: 'fresh2' },
      { $set: { n: 1 } },
      { upsert: true, returnDocument: 'before', includeResultMetadata: true },
    );
    expect(withMeta.value).toBeNull();
    expect(withMeta.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false, upserted: 'fresh2' });
  });

  it('findOneAndDelete, deleteOne and deleteMany', async () => {
    const removed = await u().findOneAndDelete({}, { sort: { n: -1 } });
    expect(removed).toEqual({ _id: 'c', n: 3, kind: 'y', gone: true });
    expect(await u().findOneAndDelete({ _id: 'c' })).toBeNull();
    await u().insertMany([
      { _id: 'd', kind: 'x' },
      { _id: 'e', kind: 'x' },
    ]);
    expect(await u().deleteOne({ kind: 'x' })).toMatchObject({ deletedCount: 1 });
    expect(await u().countDocuments({ kind: 'x' })).toBe(3);
    expect(await u().deleteMany({ kind: 'x' })).toMatchObject({ deletedCount: 3 });
    expect(await u().deleteMany({ kind: 'x' })).toMatchObject({ deletedCount: 0 });
    expect(await u().countDocuments()).toBe(0);
  });
});

describe('collections, databases and indexes', () => {
  const ctx = useDatabase('ddl');

  it('creates, lists and drops collections', async () => {
    await ctx.db.createCollection('one');
    await ctx.db.collection<Loose>('two').insertOne({ x: 1 });
    await expect(ctx.db.createCollection('one')).rejects.toMatchObject({ code: 48, codeName: 'NamespaceExists' });
    const names = (await ctx.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names.sort()).toEqual(['one', 'two']);
    expect((await ctx.db.listCollections({ name: 'two' }).toArray()).map((c) => c.name)).toEqual(['two']);
    expect(await ctx.db.collection<Loose>('one').drop()).toBe(true);
    expect((await ctx.db.listCollections().toArray()).map((c) => c.name)).toEqual(['two']);
  });

  it('lists and drops databases', async () => {
    const other = ctx.client.db(uniqueName('other'));
    await other.collection<Loose>('c').insertOne({ x: 1 });
    const listed = async () => (await ctx.client.db().admin().listDatabases()).databases.map((d) => d.name);
    expect(await listed()).toEqual(expect.arrayContaining([ctx.name, other.databaseName]));
    expect(await other.dropDatabase()).toBe(true);
    expect(await listed()).not.toContain(other.databaseName);
    expect(await listed()).toContain(ctx.name);
  });

  it('creates, lists and drops indexes', async () => {
    const coll = ctx.db.collection<Loose>('idx');
    await coll.insertMany([
      { a: 1, b: 1 },
      { a: 2, b: 1 },
    ]);
    const created = await coll.createIndexes([{ key: { a: 1 }, name: 'a_1', unique: true }, { key: { b: 1, a: -1 } }]);
    expect(created).toEqual(['a_1', 'b_1_a_-1']);
    const listed = await coll.listIndexes().toArray();
    expect(listed.map((i) => ({ name: i.name, key: i.key, unique: i.unique ?? false }))).toEqual([
      { name: '_id_', key: { _id: 1 }, unique: false },
      { name: 'a_1', key: { a: 1 }, unique: true },
      { name: 'b_1_a_-1', key: { b: 1, a: -1 }, unique: false },
    ]);
    await expect(coll.insertOne({ a: 1 })).rejects.toMatchObject({ code: 11000 });
    await expect(coll.updateOne({ a: 2 }, { $set: { a: 1 } })).rejects.toMatchObject({ code: 11000 });
    expect(await coll.countDocuments()).toBe(2);
    await coll.dropIndex('a_1');
    await coll.insertOne({ a: 1 });
    await expect(coll.dropIndex('a_1')).rejects.toMatchObject({ code: 27 });
    // A unique index over existing duplicates is refused and not created.
    await expect(coll.createIndex({ a: 1 }, { unique: true, name: 'a_unique' })).rejects.toMatchObject({ code: 11000 });
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'b_1_a_-1']);
    await coll.dropIndexes();
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });
});

describe('$addFields and $unwind edge cases (the embedded server compiles these stages)', () => {
  const ctx = useDatabase('stages');
  beforeAll(async () => {
    await ctx.db.collection<Loose>('s').insertMany([
      { _id: 1, k: 'a', list: [1, 2, 2], sub: { x: 'y' } },
      { _id: 2, k: 'b', list: [], sub: {} },
      { _id: 3, k: null, list: 'scalar', sub: '' },
      { _id: 4, list: [null, 3] },
    ]);
  });

  it('evaluates lookups, $let, $cond, comparisons, $concat with missing values and $setUnion like MongoDB', async () => {
    const table = ['x:a', 'x:b', 'x:a'];
    const docs = await ctx.db
      .collection('s')
      .aggregate([
        { $sort: { _id: 1 } },
        {
          $addFields: {
            at: { $indexOfArray: [{ $literal: table }, { $concat: ['x:', '$k'] }] },
            owner: {
              $arrayElemAt: [{ $literal: ['A', 'B', 'A2', null] }, { $indexOfArray: [{ $literal: table }, { $concat: ['x:', '$k'] }] }],
            },
            first: { $let: { vars: { l: '$k' }, in: { $cond: [{ $eq: ['$$l', 'a'] }, 'is-a', '$$l'] } } },
            pick: { $cond: [{ $gte: ['$_id', 3] }, '$k', 'low'] },
            union: { $setUnion: [[{ $concat: ['x:', '$k'] }, 'z', { $concat: ['x:', '$k'] }]] },
            nested: '$sub.x',
            gone: '$nothing',
          },
        },
        // Operators outside the compiled set: this stage is mingo's own.
        { $addFields: { big: { $size: { $cond: [{ $isArray: '$list' }, '$list', []] } } } },
        { $project: { _id: 1, at: 1, owner: 1, first: 1, big: 1, pick: 1, union: 1, nested: 1, gone: 1 } },
      ])
      .toArray();
    const norm = docs.map((d: Loose) => ({
      ...d,
      union: [...d.union].sort((a: unknown, b: unknown) => String(a).localeCompare(String(b))),
    }));
    expect(norm).toEqual([
      { _id: 1, at: 0, owner: 'A', first: 'is-a', big: 3, pick: 'low', union: ['x:a', 'z'], nested: 'y' },
      { _id: 2, at: 1, owner: 'B', first: 'b', big: 0, pick: 'low', union: ['x:b', 'z'] },
      { _id: 3, at: -1, owner: null, first: null, big: 0, pick: null, union: [null, 'z'] },
      // A missing field makes the expressions that read it missing: no field, not null.
      { _id: 4, at: -1, owner: null, big: 2, union: [null, 'z'] },
    ]);
  });

  it('matches $in by any array element, and null against null, missing and null elements', async () => {
    const ids = async (filter: Document) => (await ctx.db.collection<Loose>('s').find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(await ids({ list: { $in: [2, 'scalar'] } })).toEqual([1, 3]);
    expect(await ids({ list: { $in: [null] } })).toEqual([4]);
    expect(await ids({ k: { $in: ['b', null] } })).toEqual([2, 3, 4]);
    expect(await ids({ k: { $in: ['a', 'b'] } })).toEqual([1, 2]);
  });

  it('unwinds arrays into one document each and drops empty, missing and null values', async () => {
    const docs = await ctx.db
      .collection('s')
      .aggregate([{ $sort: { _id: 1 } }, { $unwind: '$list' }, { $project: { list: 1 } }])
      .toArray();
    expect(docs).toEqual([
      { _id: 1, list: 1 },
      { _id: 1, list: 2 },
      { _id: 1, list: 2 },
      { _id: 3, list: 'scalar' },
      { _id: 4, list: null },
      { _id: 4, list: 3 },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------
// Persistence of the in-process server (embedded only).

embeddedOnly('persistence (--dbpath)', () => {
  const dbName = uniqueName('persist');
  let dir: string;
  let server: RunningMongoServer | undefined;
  let client: MongoClient | undefined;

  const start = async () => {
    server = await startMongoServer({ dbpath: dir });
    client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 });
    await client.connect();
    return client.db(dbName);
  };
  const stop = async () => {
    await client?.close();
    await server?.close();
    client = undefined;
    server = undefined;
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'c360-conformance-'));
  });
  afterAll(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const state = async (db: Db) => ({
    docs: await db.collection<Loose>('p').find().sort({ _id: 1 }).toArray(),
    indexes: (await db.collection<Loose>('p').listIndexes().toArray()).map((i) => ({
      name: i.name,
      key: i.key,
      unique: i.unique ?? false,
    })),
    collections: (await db.listCollections().toArray()).map((c) => c.name).sort(),
  });
  const expectedState = {
    docs: [
      { _id: 1, k: 'one', n: 11, list: ['x'] },
      { _id: 3, k: 'three', n: 3 },
      { _id: 4, k: 'four', n: 4 },
      { _id: 6, k: 'six', replaced: true },
    ],
    indexes: [
      { name: '_id_', key: { _id: 1 }, unique: false },
      { name: 'k_unique', key: { k: 1 }, unique: true },
      { name: 'n_-1', key: { n: -1 }, unique: false },
    ],
    collections: ['kept_empty', 'p'],
  };

  it('keeps documents, updates, deletes and indexes across a restart', async () => {
    let db = await start();
    const p = db.collection<Loose>('p');
    await p.insertMany([1, 2, 3, 4, 5, 6].map((i) => ({ _id: i, k: ['zero', 'one', 'two', 'three', 'four', 'five', 'six'][i]!, n: i })));
    await p.createIndex({ k: 1 }, { unique: true, name: 'k_unique' });
    await p.createIndex({ n: -1 });
    await p.createIndex({ gone: 1 });
    await p.dropIndex('gone_1');
    await p.updateOne({ _id: 1 }, { $inc: { n: 10 }, $push: { list: 'x' } } as Document);
    await p.replaceOne({ _id: 6 }, { k: 'six', replaced: true });
    await p.deleteOne({ _id: 2 });
    await p.deleteMany({ _id: { $gte: 5, $lt: 6 } });
    await db.createCollection('kept_empty');
    await db.collection<Loose>('dropped').insertOne({ x: 1 });
    await db.collection<Loose>('dropped').drop();
    expect(await state(db)).toEqual(expectedState);
    await stop();

    db = await start();
    expect(server!.loaded).toBe(4);
    expect(await state(db)).toEqual(expectedState);
    await expect(db.collection<Loose>('p').insertOne({ _id: 9, k: 'one' })).rejects.toMatchObject({ code: 11000 });
    const plan = await db.collection<Loose>('p').find({ k: 'three' }).explain('executionStats');
    expect(plan.executionStats.totalDocsExamined).toBe(1);
    await stop();
  });

  it('ignores a torn trailing record in changes.bson', async () => {
    const log = path.join(dir, 'changes.bson');
    /** Whether the log is whole BSON records end to end (a torn tail is rewritten away at start). */
    const wholeRecords = () => {
      const bytes = readFileSync(log);
      let offset = 0;
      while (offset + 4 <= bytes.length && bytes.readInt32LE(offset) >= 5) offset += bytes.readInt32LE(offset);
      return offset === bytes.length;
    };
    expect(wholeRecords()).toBe(true);
    // A record cut short by a crash: its length prefix promises more than the file holds...
    const record = Buffer.from(BSON.serialize({ op: 'put', db: dbName, coll: 'p', doc: { _id: 99, k: 'torn' } }));
    appendFileSync(log, record.subarray(0, record.length - 7));
    let db = await start();
    expect(await state(db)).toEqual(expectedState);
    await db.collection<Loose>('p').insertOne({ _id: 7, k: 'seven' });
    await stop();
    expect(wholeRecords()).toBe(true);

    // ...and a few raw garbage bytes.
    appendFileSync(log, Buffer.from([0xde, 0xad, 0xbe]));
    db = await start();
    const withSeven = { ...expectedState, docs: [...expectedState.docs, { _id: 7, k: 'seven' }].sort((a, b) => a._id - b._id) };
    expect(await state(db)).toEqual(withSeven);
    await stop();

    // ...and a whole-length record whose last bytes never reached the disk (read back as zeros).
    const unsynced = Buffer.from(BSON.serialize({ op: 'put', db: dbName, coll: 'p', doc: { _id: 98, k: 'zeroed tail' } }));
    unsynced.fill(0, 12);
    appendFileSync(log, unsynced);
    db = await start();
    expect(await state(db)).toEqual(withSeven);
    await db.collection<Loose>('p').deleteOne({ _id: 7 });
    await stop();

    db = await start();
    expect(await state(db)).toEqual(expectedState);
    await stop();
  });
});

// ---------------------------------------------------------------------------------------------------
// Raw wire messages (embedded only): legacy OP_QUERY, moreToCome, document sequences.

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;
let nextRequestId = 1_000_000;

function header(length: number, requestId: number, opCode: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeInt32LE(length, 0);
  b.writeInt32LE(requestId, 4);
  b.writeInt32LE(0, 8);
  b.writeInt32LE(opCode, 12);
  return b;
}

const cstring = (s: string) => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
const bson = (doc: Document) => Buffer.from(BSON.serialize(doc));

/** A legacy OP_QUERY: flags, fullCollectionName, numberToSkip, numberToReturn, query. */
function opQuery(requestId: number, ns: string, query: Document): Buffer {
  const fields = Buffer.alloc(8);
  fields.writeInt32LE(0, 0);
  fields.writeInt32LE(-1, 4);
  const body = Buffer.concat([Buffer.alloc(4), cstring(ns), fields, bson(query)]);
  return Buffer.concat([header(16 + body.length, requestId, OP_QUERY), body]);
}

/** An OP_MSG: flagBits, a kind-0 body, then kind-1 document sequences. */
function opMsg(requestId: number, body: Document, opts: { flags?: number; sequences?: Record<string, Document[]> } = {}): Buffer {
  const flags = Buffer.alloc(4);
  flags.writeUInt32LE(opts.flags ?? 0, 0);
  const sections: Buffer[] = [Buffer.from([0]), bson(body)];
  for (const [identifier, docs] of Object.entries(opts.sequences ?? {})) {
    const payload = Buffer.concat([cstring(identifier), ...docs.map(bson)]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(4 + payload.length, 0);
    sections.push(Buffer.from([1]), size, payload);
  }
  const rest = Buffer.concat([flags, ...sections]);
  return Buffer.concat([header(16 + rest.length, requestId, OP_MSG), rest]);
}

interface Reply {
  opCode: number;
  responseTo: number;
  doc: Document;
  /** OP_REPLY only. */
  numberReturned?: number;
}

/** A raw connection that collects whole reply messages in order. */
class RawConnection {
  private buffer = Buffer.alloc(0);
  private readonly replies: Reply[] = [];
  private waiter: (() => void) | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      while (this.buffer.length >= 4 && this.buffer.length >= this.buffer.readInt32LE(0)) {
        const frame = this.buffer.subarray(0, this.buffer.readInt32LE(0));
        this.buffer = this.buffer.subarray(frame.length);
        this.replies.push(RawConnection.parse(frame));
      }
      this.waiter?.();
    });
  }

  static open(url: string): Promise<RawConnection> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: hostname, port: Number(port) }, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  private static parse(frame: Buffer): Reply {
    const opCode = frame.readInt32LE(12);
    const responseTo = frame.readInt32LE(8);
    if (opCode === OP_REPLY) {
      return { opCode, responseTo, numberReturned: frame.readInt32LE(32), doc: BSON.deserialize(frame.subarray(36)) };
    }
    if (opCode === OP_MSG) {
      expect(frame[20]).toBe(0); // one kind-0 section
      return { opCode, responseTo, doc: BSON.deserialize(frame.subarray(21)) };
    }
    throw new Error(`unexpected opcode ${opCode}`);
  }

  send(message: Buffer): void {
    this.socket.write(message);
  }

  /** The next reply, in arrival order. */
  async next(): Promise<Reply> {
    while (this.replies.length === 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no reply within 5 s')), 5000);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.replies.shift()!;
  }

  /** Replies received but not yet read. */
  get pending(): number {
    return this.replies.length;
  }

  close(): void {
    this.socket.destroy();
  }
}

embeddedOnly('wire protocol edge cases', () => {
  const ctx = useDatabase('wire');
  let conn: RawConnection;

  beforeAll(async () => {
    conn = await RawConnection.open(mongoUrl());
  });
  afterAll(() => conn?.close());

  it('answers a legacy OP_QUERY isMaster with an OP_REPLY', async () => {
    const id = nextRequestId++;
    conn.send(opQuery(id, 'admin.$cmd', { isMaster: 1 }));
    const reply = await conn.next();
    expect(reply.opCode).toBe(OP_REPLY);
    expect(reply.responseTo).toBe(id);
    expect(reply.numberReturned).toBe(1);
    expect(reply.doc).toMatchObject({ ok: 1, ismaster: true });
    expect(reply.doc.maxWireVersion).toBeGreaterThanOrEqual(9);
  });

  it('does not answer an OP_MSG with moreToCome, but runs it', async () => {
    const insertId = nextRequestId++;
    conn.send(
      opMsg(
        insertId,
        { insert: 'raw', documents: [{ _id: 'quiet', v: 1 }], ordered: true, writeConcern: { w: 0 }, $db: ctx.name },
        { flags: 1 << 1 },
      ),
    );
    const pingId = nextRequestId++;
    conn.send(opMsg(pingId, { ping: 1, $db: ctx.name }));
    const reply = await conn.next();
    // The first reply on the connection answers the ping: the insert got none.
    expect(reply.opCode).toBe(OP_MSG);
    expect(reply.responseTo).toBe(pingId);
    expect(reply.doc).toMatchObject({ ok: 1 });
    expect(conn.pending).toBe(0);
    expect(await ctx.db.collection<Loose>('raw').findOne({ _id: 'quiet' })).toEqual({ _id: 'quiet', v: 1 });
  });

  it('reads an insert whose documents come as a kind-1 document sequence', async () => {
    const id = nextRequestId++;
    const documents = [{ _id: 'seq1', v: 1 }, { _id: 'seq2', v: 2, nested: { a: [1, 2] } }, { _id: 'seq3' }];
    conn.send(opMsg(id, { insert: 'raw', ordered: true, $db: ctx.name }, { sequences: { documents } }));
    const reply = await conn.next();
    expect(reply.opCode).toBe(OP_MSG);
    expect(reply.responseTo).toBe(id);
    expect(reply.doc).toMatchObject({ ok: 1, n: 3 });
    expect(
      await ctx.db
        .collection<Loose>('raw')
        .find({ _id: { $in: ['seq1', 'seq2', 'seq3'] } })
        .sort({ _id: 1 })
        .toArray(),
    ).toEqual(documents);
  });

  it('answers several pipelined messages in order', async () => {
    const ids = [nextRequestId++, nextRequestId++, nextRequestId++];
    conn.send(
      Buffer.concat([
        opMsg(ids[0]!, { ping: 1, $db: 'admin' }),
        opMsg(ids[1]!, { find: 'raw', filter: { _id: 'seq2' }, $db: ctx.name }),
        opQuery(ids[2]!, 'admin.$cmd', { ismaster: 1 }),
      ]),
    );
    const replies = [await conn.next(), await conn.next(), await conn.next()];
    expect(replies.map((r) => r.responseTo)).toEqual(ids);
    expect(replies.map((r) => r.opCode)).toEqual([OP_MSG, OP_MSG, OP_REPLY]);
    expect(replies[1]!.doc.cursor.firstBatch).toEqual([{ _id: 'seq2', v: 2, nested: { a: [1, 2] } }]);
  });
});
