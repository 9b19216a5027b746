// PostGraphile 5 (Amber preset) over the bench's CRM database, for the side-by-side run.
// Run: node --import ./bench/promise-with-resolvers.mjs bench/postgraphile.cjs (PostGraphile 5 wants Node 22).
// PostGraphile is not a dependency of the project: the bench installs it into .bench/tools (bench/tools.ts).
const http = require('node:http');
const path = require('node:path');
const { createRequire } = require('node:module');
const toolsRequire = createRequire(path.join(__dirname, '..', '.bench', 'tools', 'package.json'));
const { postgraphile } = toolsRequire('postgraphile');
const { PostGraphileAmberPreset } = toolsRequire('postgraphile/presets/amber');
const { makePgService } = toolsRequire('postgraphile/adaptors/pg');
const { grafserv } = toolsRequire('postgraphile/grafserv/node');

const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ['public'], poolConfig: { max: 10 } })],
  grafserv: { graphqlPath: '/graphql', graphiql: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = http.createServer();
serv
  .addTo(server)
  .then(() =>
    server.listen(0, '127.0.0.1', () =>
      process.stdout.write(`postgraphile listening on http://127.0.0.1:${server.address().port}/graphql\n`),
    ),
  );
process.on('SIGTERM', () => server.close(() => pgl.release().then(() => process.exit(0))));
