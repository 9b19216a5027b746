/** @c360/mongo-wire's own tests, with the run's embedded server started once (globalSetup). */
module.exports = require('../jest.package')('mongo-wire', {
  globalSetup: '<rootDir>/test/globalSetup.ts',
  globalTeardown: '<rootDir>/test/globalTeardown.ts',
});
