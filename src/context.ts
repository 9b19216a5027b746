import type { GraphQLFormattedError } from 'graphql';
import type { Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { SharedRedis } from './redis';
import { loggablePath } from './logger';
import type { SourceError } from './errors';
import type { DerivationRules } from './insights/rules';
import type { TagRegistry } from './services/tagRegistry';
import type { ApiKeyStore } from './security/apiKeys';
import { AuditTrail } from './security/audit';
import type { Authenticator } from './security/authenticate';
import { UNLIMITED, type CallerBudget, type CustomerBudget } from './security/customerBudget';
import { seesRawPii, type Principal } from './security/principal';
import { createBehaviourLoaders, type BehaviourLoaders } from './sources/behaviour/loaders';
import { createDb, type Db } from './sources/crm/db';
import { ALL_CRM_COLUMNS, type CrmColumns } from './sources/crm/rows';
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
  /** Establishes who calls (bearer tokens, API keys). */
  auth: Authenticator;
  /** The one clock; tests pass a fixed one. */
  clock?: () => Date;
  /** Redis shared by the replicas (REDIS_URL): rate limits, customer budgets, APQ registrations; none: this process's memory. */
  redis?: SharedRedis | null;
}

/**
 * What the derivations read through (services/facts.ts, insights.ts, tags.ts, snapshot/profile.ts):
 * a clock, the rules and tag definitions, the loaders of one unit of work and their facts cache. A
 * request's Context is one; the snapshot builder makes its own per batch (createDerivationScope), with
 * no caller, audit trail or budget: it is a second caller of the derivations, not a request.
 */
export interface DerivationScope {
  /** The clock: every "now" of the unit of work (ages, windows) is this instant. */
  now: Date;
  logger: Logger;
  rules: DerivationRules;
  tags: TagRegistry;
  crm: { db: Db; loaders: CrmLoaders };
  behaviour: BehaviourLoaders;
  social: SocialLoaders;
  /** The derivations' facts of each customer and instant asked for in this unit of work (services/facts.ts). */
  insightFacts: Map<string, unknown>;
}

/** What derivations outside a request need of the server's dependencies: the stores, rules and tag definitions (no authenticator). */
export type DerivationDeps = Pick<Deps, 'config' | 'crmPool' | 'behaviourDb' | 'social' | 'rules' | 'tags' | 'logger'>;

/** Loaders over the stores of `deps`, counting into `roundTrips`, for work as of `now`, reading `columns()` of the CRM. */
function loadersOf(deps: DerivationDeps, roundTrips: RoundTrips, now: Date, columns: () => CrmColumns = () => ALL_CRM_COLUMNS) {
  const db = createDb(deps.crmPool, roundTrips);
  const batch = deps.config.BATCH_LOADS;
  const crm = createCrmLoaders(db, { batch, columns });
  const behaviour = createBehaviourLoaders({
    db: deps.behaviourDb,
    crm,
    roundTrips,
    now,
    maxTimeMS: deps.config.MONGODB_TIMEOUT_MS,
    batch,
  });
  return { crm: { db, loaders: crm }, behaviour, social: createSocialLoaders({ client: deps.social, roundTrips, now, batch }) };
}

/** A scope for derivations outside any request (the snapshot builder): its own loaders, facts and clock; every CRM column unless `columns` says. */
export function createDerivationScope(
  deps: DerivationDeps,
  roundTrips: RoundTrips,
  now: Date,
  columns?: () => CrmColumns,
): DerivationScope {
  const { crm, behaviour, social } = loadersOf(deps, roundTrips, now, columns);
  return { now, logger: deps.logger, rules: deps.rules, tags: deps.tags, crm, behaviour, social, insightFacts: new Map() };
}

/** Per-request state. Loaders live here and only here, so nothing is cached across requests. */
export interface Context extends DerivationScope {
  config: Config;
  /** Who is calling (authenticated before the request reaches GraphQL). */
  principal: Principal;
  /** The server's own id of the request (a UUID, never the caller's): in logs, audit rows and the `x-request-id` response header. */
  requestId: string;
  /** Whether @pii values are masked for this caller (decided once from the principal: principal.ts seesRawPii). */
  maskPii: boolean;
  /** Reads of personal data in this request, written to c360.audit_log before the response leaves. */
  audit: AuditTrail;
  /** The distinct customers this caller may still read this hour (customerBudget.ts; unlimited for listing roles). */
  budget: CallerBudget;
  /** The partners' API keys (admin mutations). */
  apiKeys: ApiKeyStore;
  /** Round trips this request made, per source. */
  roundTrips: RoundTrips;
  /**
   * The CRM columns the operation's fields read (`crm`, set once it is resolved, before execution:
   * services/columns.ts); the CRM loaders read only those. Every column until then. A holder, as
   * Apollo runs the operation on a shallow copy of this context.
   */
  readonly selection: { crm: CrmColumns };
  /** The stores themselves, for the privacy operations (export reads, erasure writes) and the admin writes' transactions; fields go through the loaders. */
  stores: Pick<Deps, 'crmPool' | 'behaviourDb' | 'social'>;
  /**
   * Source failures behind fields that were still answered from the other sources (`partial`);
   * sent with the response's errors at `path`.
   */
  partialErrors: GraphQLFormattedError[];
  reportPartial(path: readonly (string | number)[], error: SourceError): void;
  /**
   * Drops what this request loaded from the CRM and behaviour (new loaders, no facts): after a write
   * that changes who owns what (identity links, merges), the fields resolved next read it anew.
   */
  forgetLoaded(this: Context): void;
}

export interface RequestInfo {
  principal: Principal;
  requestId: string;
  now: Date;
  /** The server's per-caller budgets; none (unlimited) for work the server does itself. */
  budgets?: CustomerBudget;
}

/** Context.reportPartial (`this`: the request's context, or Apollo's shallow copy of it: they share partialErrors). */
function reportPartial(this: Context, path: readonly (string | number)[], error: SourceError): void {
  this.logger.warn(
    { requestId: this.requestId, source: error.sourceName, reason: error.reason, err: error.originalError, path: loggablePath(path) },
    'source unavailable; partial answer',
  );
  this.partialErrors.push({
    message: `The ${error.sourceName} source is unavailable (${error.reason}); this answer was computed without it.`,
    path,
    extensions: { ...error.extensions, partial: true },
  });
}

/** Context.forgetLoaded (`this`: Apollo runs the operation on a shallow copy of the context, whose loaders are the ones to replace). */
function forgetLoaded(this: Context): void {
  const { config, rules, tags, logger, stores } = this;
  const fresh = loadersOf({ ...stores, config, rules, tags, logger }, this.roundTrips, this.now, () => this.selection.crm);
  this.crm = fresh.crm;
  this.behaviour = fresh.behaviour;
  this.insightFacts = new Map();
}

export function createContext(deps: Deps, { principal, requestId, now, budgets }: RequestInfo): Context {
  const roundTrips = noRoundTrips();
  const partialErrors: GraphQLFormattedError[] = [];
  const selection: Context['selection'] = { crm: ALL_CRM_COLUMNS };
  const columns = () => selection.crm;
  const { crm, behaviour, social } = loadersOf(deps, roundTrips, now, columns);
  // Every field written out, the methods shared: built with an object spread (of the derivation
  // scope), each request's context kept its request alive through young-generation collections, as
  // gatewayContext.ts tells (a trivial query promoted ~5 KB a request to the old generation; ~0.5 without).
  const ctx: Context = {
    now,
    logger: deps.logger,
    rules: deps.rules,
    tags: deps.tags,
    crm,
    behaviour,
    social,
    insightFacts: new Map(),
    selection,
    config: deps.config,
    principal,
    requestId,
    maskPii: !seesRawPii(principal),
    audit: new AuditTrail(),
    budget: budgets?.forCaller(principal) ?? UNLIMITED,
    apiKeys: deps.auth.apiKeys,
    roundTrips,
    stores: { crmPool: deps.crmPool, behaviourDb: deps.behaviourDb, social: deps.social },
    partialErrors,
    reportPartial,
    forgetLoaded,
  };
  return ctx;
}
