import { parseArgs } from 'node:util';
import { startMongoServer } from './server';

/**
 * `npm run mongo -- [--port N] [--host H] [--dbpath DIR]`: the embedded MongoDB-compatible server in
 * the foreground until SIGTERM/SIGINT. Prints `embedded-mongo listening on <uri>` once it accepts
 * connections. Started by spawn.ts as a child, it also exits when its parent goes away.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' }, dbpath: { type: 'string' } },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${values.port}`);
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
  console.error(`embedded-mongo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
