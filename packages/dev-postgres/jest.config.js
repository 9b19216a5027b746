/** @c360/dev-postgres's own tests, with the run's embedded server started once (globalSetup). */
module.exports = require('../jest.package')('dev-postgres', {
  globalSetup: '<rootDir>/test/globalSetup.ts',
  globalTeardown: '<rootDir>/test/globalTeardown.ts',
});
