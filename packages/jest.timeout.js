// The packages' tests get the API's 30 s test timeout, alone (`npm test -w @c360/<name>`) and as
// projects of the root's `npm test` (testTimeout is a global jest option, refused in a project config).
jest.setTimeout(30000);
