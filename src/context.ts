import type { Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from './config';
import { createBehaviourLoaders, type BehaviourLoaders } from './sources/behaviour/loaders';
import { createDb, type Db } from './sources/crm/db';
import { createCrmLoaders, type CrmLoaders } from './sources/crm/loaders';
import { noRoundTrips, type RoundTrips } from './sources/roundTrips';
import type { SocialClient } from './sources/social/client';
import { createSocialLoaders, type SocialLoaders } from './sources/social/loaders';

/** What the server is built from: one set per process, shared by all requests. */
export interface Deps {
  config: Config;
  crmPool: pg.Pool;
  /** The database holding the behaviour `events` collection. */
  behaviourDb: MongoDb;
  /** The social provider's client, with the process-wide breaker, bulkhead and cache. */
  social: SocialClient;
  logger: Logger;
  /** The one clock; tests pass a fixed one. */
  clock?: () => Date;
}

/** Per-request state. Loaders live here and only here, so nothing is cached across requests. */
export interface Context {
  /** The request's clock: every "now" in a request (ages, windows) is this instant. */
  now: Date;
  config: Config;
  logger: Logger;
  /** Round trips this request made, per source. */
  roundTrips: RoundTrips;
  crm: { db: Db; loaders: CrmLoaders };
  behaviour: BehaviourLoaders;
  social: SocialLoaders;
}

export function createContext(deps: Deps): Context {
  const now = deps.clock?.() ?? new Date();
  const roundTrips = noRoundTrips();
  const db = createDb(deps.crmPool, roundTrips);
  const crmLoaders = createCrmLoaders(db);
  return {
    now,
    config: deps.config,
    logger: deps.logger,
    roundTrips,
    crm: { db, loaders: crmLoaders },
    behaviour: createBehaviourLoaders({
      db: deps.behaviourDb, crm: crmLoaders, roundTrips, now, maxTimeMS: deps.config.MONGODB_TIMEOUT_MS,
    }),
    social: createSocialLoaders({ client: deps.social, roundTrips, now }),
  };
}
