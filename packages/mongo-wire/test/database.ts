/**
 * The test run's MongoDB (C360_TEST_MONGO_URL: the embedded server, or a real one with MONGODB_URI_TEST)
 * and a database of its own per describe, for this package's conformance suite and the API's
 * (test/integration/behaviour-store-conformance.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { MongoClient, type CommandSucceededEvent, type Db } from 'mongodb';

export function mongoUrl(): string {
  const url = process.env.C360_TEST_MONGO_URL;
  if (!url) throw new Error('C360_TEST_MONGO_URL is not set: run the tests through jest (globalSetup starts MongoDB)');
  return url;
}

export const uniqueName = (label: string) => `conformance_${label}_${randomBytes(4).toString('hex')}`;

/**
 * The describe's own database on the run's MongoDB, with a client that records every successful
 * command reply (for getMore / killCursors assertions); dropped after the describe.
 */
export function useDatabase(label: string) {
  const ctx = {
    client: undefined as unknown as MongoClient,
    db: undefined as unknown as Db,
    name: uniqueName(label),
    replies: [] as CommandSucceededEvent[],
  };
  beforeAll(async () => {
    ctx.client = new MongoClient(mongoUrl(), { serverSelectionTimeoutMS: 5000, monitorCommands: true });
    ctx.client.on('commandSucceeded', (e) => ctx.replies.push(e));
    await ctx.client.connect();
    ctx.db = ctx.client.db(ctx.name);
  });
  afterAll(async () => {
    await ctx.db?.dropDatabase().catch(() => undefined);
    await ctx.client?.close();
  });
  return ctx;
}
