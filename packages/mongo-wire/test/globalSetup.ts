import { spawnEmbeddedMongo } from '../src/spawn';

declare global {
  var __C360_WIRE_TEST_MONGO__: { stop(): Promise<void> } | undefined;
}

/**
 * The MongoDB the conformance suite runs against, as C360_TEST_MONGO_URL: a real one when
 * MONGODB_URI_TEST is set, else this package's server in a child process. Under the root's `npm test`
 * the API's globalSetup has already started one (the same server); it is reused.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.C360_TEST_MONGO_URL) return;
  const mongo = process.env.MONGODB_URI_TEST ? null : await spawnEmbeddedMongo({});
  globalThis.__C360_WIRE_TEST_MONGO__ = mongo ?? undefined;
  process.env.C360_TEST_MONGO_URL = process.env.MONGODB_URI_TEST ?? mongo!.uri;
}
