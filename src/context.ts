import { createHash, timingSafeEqual } from 'node:crypto';
import type { GraphQLFormattedError } from 'graphql';
import type { Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { SourceError } from './errors';
import type { DerivationRules } from './insights/rules';
import type { TagRegistry } from './insights/tags/registry';
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
  /** The derivation rules in force (defaults, or DERIVATION_RULES). */
  rules: DerivationRules;
  /** The tag definitions in force, held in memory. */
  tags: TagRegistry;
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
  rules: DerivationRules;
  tags: TagRegistry;
  /** True when the request carries the ADMIN_TOKEN (admin mutations). */
  admin: boolean;
  /** Round trips this request made, per source. */
  roundTrips: RoundTrips;
  crm: { db: Db; loaders: CrmLoaders };
  behaviour: BehaviourLoaders;
  social: SocialLoaders;
  /**
   * Source failures behind fields that were still answered from the other sources (`partial`);
   * sent with the response's errors at `path`.
   */
  partialErrors: GraphQLFormattedError[];
  /** The derivations' facts of each customer and instant asked for in this request (services/facts.ts). */
  insightFacts: Map<string, unknown>;
  reportPartial(path: readonly (string | number)[], error: SourceError): void;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function isAdmin(config: Config, token: string | undefined): boolean {
  return config.ADMIN_TOKEN !== undefined && token !== undefined && timingSafeEqual(digest(token), digest(config.ADMIN_TOKEN));
}

export function createContext(deps: Deps, headers: { get(name: string): string | undefined } = { get: () => undefined }): Context {
  const now = deps.clock?.() ?? new Date();
  const roundTrips = noRoundTrips();
  const db = createDb(deps.crmPool, roundTrips);
  const crmLoaders = createCrmLoaders(db);
  const partialErrors: GraphQLFormattedError[] = [];
  return {
    now,
    config: deps.config,
    logger: deps.logger,
    rules: deps.rules,
    tags: deps.tags,
    admin: isAdmin(deps.config, headers.get('x-admin-token')),
    roundTrips,
    crm: { db, loaders: crmLoaders },
    behaviour: createBehaviourLoaders({
      db: deps.behaviourDb, crm: crmLoaders, roundTrips, now, maxTimeMS: deps.config.MONGODB_TIMEOUT_MS,
    }),
    social: createSocialLoaders({ client: deps.social, roundTrips }),
    partialErrors,
    insightFacts: new Map(),
    reportPartial(path, error) {
      deps.logger.warn({ source: error.sourceName, reason: error.reason, err: error.originalError, path }, 'source unavailable; partial answer');
      partialErrors.push({
        message: `The ${error.sourceName} source is unavailable (${error.reason}); this answer was computed without it.`,
        path,
        extensions: { ...error.extensions, partial: true },
      });
    },
  };
}
