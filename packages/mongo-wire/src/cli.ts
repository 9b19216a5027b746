import { parseArgs } from 'node:util';
import { startMongoServer } from './server';

const USAGE = `usage: npm run mongo -- [--port N] [--host H] [--dbpath DIR]

Runs the embedded MongoDB-compatible server in the foreground until SIGTERM/SIGINT, on 127.0.0.1 and
a free port unless told otherwise, its data in DIR (in memory without --dbpath). Prints
\`embedded-mongo listening on <uri>\` once it accepts connections.`;

/** A wrong command line: exit 2, as every CLI of the project (the API's src/cli/command.ts, which this package may not import). */
class UsageError extends Error {}

/**
 * `npm run mongo`: --help prints the usage (exit 0); a wrong command line exits 2, any other error 1.
 * Started by spawn.ts as a child, it also exits when its parent goes away.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      dbpath: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be a port number from 0 to 65535, got ${values.port}`);
  const started = Date.now();
  const server = await startMongoServer({ host: values.host, port, dbpath: values.dbpath, log: (line) => console.error(line) });
  if (values.dbpath) console.log(`embedded-mongo loaded ${server.loaded} documents from ${values.dbpath} in ${Date.now() - started} ms`);
  console.log(`embedded-mongo listening on ${server.uri}`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
}

main().catch((error: unknown) => {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS_');
  console.error(`embedded-mongo: ${error instanceof Error ? error.message : String(error)}${usage ? `\n\n${USAGE.split('\n\n')[0]}` : ''}`);
  process.exit(usage ? 2 : 1);
});
