/** @c360/social-provider's own tests. */
module.exports = require('../jest.package')('social-provider');
