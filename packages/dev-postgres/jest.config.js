/** @c360/dev-postgres's own tests: `npm test -w @c360/dev-postgres`, and a project of the root's `npm test`. */
/** @type {import('jest').Config} */
module.exports = {
  displayName: 'dev-postgres',
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Other packages from their sources, as the root tsconfig's paths do for tsc and tsx.
  moduleNameMapper: { '^@c360/([a-z-]+)$': '<rootDir>/../$1/src/index.ts' },
  globalSetup: '<rootDir>/test/globalSetup.ts',
  globalTeardown: '<rootDir>/test/globalTeardown.ts',
  setupFilesAfterEnv: ['<rootDir>/../jest.timeout.js'],
  maxWorkers: 2,
};
