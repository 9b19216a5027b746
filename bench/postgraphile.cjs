// PostGraphile 5 (Amber preset) over the bench's CRM database, for the side-by-side run.
// Run: node --import ./bench/promise-with-resolvers.mjs bench/postgraphile.cjs (PostGraphile 5 wants Node 22).
const http = require('node:http');
const { postgraphile } = require('postgraphile');
const { PostGraphileAmberPreset } = require('postgraphile/presets/amber');
const { makePgService } = require('postgraphile/adaptors/pg');
const { grafserv } = require('postgraphile/grafserv/node');

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
