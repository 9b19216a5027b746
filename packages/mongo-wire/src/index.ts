/** A MongoDB-wire-compatible server for development and tests: in this process, or as a child process. */
export { startMongoServer, type MongoServerOptions, type RunningMongoServer } from './server';
export { spawnEmbeddedMongo, type EmbeddedMongoHandle } from './spawn';
