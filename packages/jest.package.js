/**
 * The jest config of a package's own tests (`npm test -w @c360/<name>`, and a project of the root's
 * `npm test`): ts-jest over test/, other packages from their sources (as the root tsconfig's paths
 * do for tsc and tsx), the API's 30 s test timeout. `extra`: the package's own settings (its setup).
 * @param {string} name @param {import('jest').Config} [extra] @returns {import('jest').Config}
 */
module.exports = (name, extra = {}) => ({
  displayName: name,
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^@c360/([a-z-]+)$': '<rootDir>/../$1/src/index.ts' },
  setupFilesAfterEnv: ['<rootDir>/../jest.timeout.js'],
  maxWorkers: 2,
  ...extra,
});
