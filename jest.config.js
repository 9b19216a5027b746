/**
 * `npm test` runs every project: the API's suites (this directory's test/, one embedded PostgreSQL per
 * run from globalSetup; each suite creates its own database on it) and each package's own
 * (packages/<name>/jest.config.js, also runnable alone with `npm test -w @c360/<name>`).
 */
/** @type {import('jest').Config} */
module.exports = {
  displayName: 'api',
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The packages from their sources, as tsconfig.json's paths do for tsc and tsx (no build needed).
  moduleNameMapper: { '^@c360/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts' },
  globalSetup: '<rootDir>/test/helpers/globalSetup.ts',
  globalTeardown: '<rootDir>/test/helpers/globalTeardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
  projects: ['<rootDir>', '<rootDir>/packages/*/jest.config.js'],
};
