/** @c360/social-provider's own tests: `npm test -w @c360/social-provider`, and a project of the root's `npm test`. */
/** @type {import('jest').Config} */
module.exports = {
  displayName: 'social-provider',
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Other packages from their sources, as the root tsconfig's paths do for tsc and tsx.
  moduleNameMapper: { '^@c360/([a-z-]+)$': '<rootDir>/../$1/src/index.ts' },
  setupFilesAfterEnv: ['<rootDir>/../jest.timeout.js'],
  maxWorkers: 2,
};
