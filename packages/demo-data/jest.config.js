/** @c360/demo-data's own tests. */
module.exports = require('../jest.package')('demo-data');
