import { z } from 'zod';

/**
 * The one place that reads process.env. Parsed once at start; a bad value stops the start with one
 * line naming the variable (see `loadConfig`).
 */
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = (protocols: string[]) =>
  z
    .string()
    .url()
    .refine((v) => protocols.some((p) => v.startsWith(`${p}:`)), {
      message: `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    });

/** The demo dataset: what `npm start` loads on a first embedded start (DEMO_*) and `npm run seed` generates by default. */
export const DEMO_DEFAULTS = { customers: 2000, seed: 42, duplicates: 0.01 } as const;

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** pretty: one human-readable line per record; json: JSON lines. Unset: pretty on a terminal in development, else json. */
  LOG_FORMAT: z.enum(['pretty', 'json']).optional(),
  /** Unset: an embedded PostgreSQL under DATA_DIR with a generated demo dataset. */
  DATABASE_URL: url(['postgres', 'postgresql']).optional(),
  /** Unset: the embedded MongoDB-wire-compatible server (development and tests only). */
  MONGODB_URI: url(['mongodb', 'mongodb+srv']).optional(),
  /** Database holding the `events` collection. */
  MONGODB_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, 'must be a MongoDB database name')
    .default('behaviour'),
  /** Bound on server selection, connecting, socket inactivity and each operation (maxTimeMS). */
  MONGODB_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
  /** Consecutive failed aggregations (unreachable, timed out) that open the behaviour store's circuit; it lets a probe through after BEHAVIOUR_BREAKER_HALF_OPEN_MS. */
  BEHAVIOUR_BREAKER_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  BEHAVIOUR_BREAKER_HALF_OPEN_MS: z.coerce.number().int().min(10).max(3_600_000).default(2000),
  /** Unset: the bundled social-data provider, started in-process with the demo accounts. */
  SOCIAL_API_URL: url(['http', 'https']).optional(),
  /** Bearer token for SOCIAL_API_URL (the bundled provider gets a random one when unset). */
  SOCIAL_API_TOKEN: z.string().min(1).optional(),
  /** Budget of one provider call, retries and their waits included. */
  SOCIAL_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(800),
  /** Retries after a 5xx, 429 or network failure, while the budget allows (backoff with jitter, Retry-After honoured). */
  SOCIAL_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  /** Consecutive failed calls that open the circuit breaker; it probes again after SOCIAL_BREAKER_HALF_OPEN_MS. */
  SOCIAL_BREAKER_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  SOCIAL_BREAKER_HALF_OPEN_MS: z.coerce.number().int().min(10).max(3_600_000).default(2000),
  /** Provider calls in flight at once (bulkhead); SOCIAL_QUEUE more wait, the rest fail as overloaded. */
  SOCIAL_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(10),
  SOCIAL_QUEUE: z.coerce.number().int().min(0).max(10_000).default(100),
  /** Accounts cached across requests for this long (0: no cache), at most SOCIAL_CACHE_MAX of them. */
  SOCIAL_CACHE_TTL_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  SOCIAL_CACHE_MAX: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
  /** A JSON file overriding thresholds of the default derivation rules (src/insights/rules.ts). */
  DERIVATION_RULES: z.string().min(1).optional(),
  /** How often tag definitions changed by another replica are picked up (0: only at start and on local changes). */
  TAG_REFRESH_SECONDS: z.coerce.number().int().min(0).max(86_400).default(10),
  /**
   * HS256 secret of the bearer tokens (≥ 32 characters). Unset with embedded sources in development:
   * one is generated into DATA_DIR/jwt-secret. Required (or JWT_JWKS_URL) with real sources or in production.
   */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /**
   * A JWKS endpoint whose RS256/ES256 keys sign the bearer tokens (instead of JWT_SECRET); https, except
   * in development and tests; needs JWT_ISSUER and JWT_AUDIENCE (an identity provider signs tokens for other audiences too).
   */
  JWT_JWKS_URL: url(['https', 'http']).optional(),
  /** When set, tokens must carry this `iss` / `aud`. */
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  /** Clock skew tolerated on `exp` and `nbf`. */
  JWT_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  /** Oldest accepted token, by its `iat` (30 days: `npm run token`'s longest ttl). */
  JWT_MAX_AGE_SECONDS: z.coerce.number().int().min(60).max(31_536_000).default(2_592_000),
  /** Requests per minute of one token subject (API keys carry their own rate). */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /** Distinct customers an agent (no analyst/admin role) may read per hour; a customer read again this hour costs nothing. */
  AGENT_CUSTOMERS_PER_HOUR: z.coerce.number().int().min(1).max(10_000_000).default(200),
  /** Distinct customers each partner API key may read per hour (those who did not grant partner_sharing are not counted). */
  PARTNER_CUSTOMERS_PER_HOUR: z.coerce.number().int().min(1).max(10_000_000).default(2_000),
  /**
   * Redis (or Valkey) shared by the replicas: per-caller rate limits, customer budgets and APQ
   * registrations live there (src/redis.ts). Unset: in this process's memory (one replica).
   */
  REDIS_URL: url(['redis', 'rediss']).optional(),
  /** Bound on every Redis command and on connecting; past it the call is served from this replica's memory. */
  REDIS_TIMEOUT_MS: z.coerce.number().int().min(10).max(10_000).default(250),
  /** How long a looked-up API key is trusted before it is read again (a revocation on another replica takes this long). */
  API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(10),
  /** Roles held to the safelisted operations (operations/*.graphql) besides `partner`, which always is; comma-separated. */
  SAFELIST_ROLES: z
    .string()
    .regex(/^(agent|analyst|admin)(,(agent|analyst|admin))*$/, 'must be a comma-separated list of agent, analyst, admin')
    .transform((v) => v.split(',') as ('agent' | 'analyst' | 'admin')[])
    .optional(),
  /** Query limits, checked before execution (graphql-armor). */
  MAX_QUERY_DEPTH: z.coerce.number().int().min(2).max(100).default(12),
  MAX_QUERY_COST: z.coerce.number().int().min(100).max(100_000_000).default(250_000),
  MAX_QUERY_ALIASES: z.coerce.number().int().min(0).max(1000).default(15),
  MAX_QUERY_DIRECTIVES: z.coerce.number().int().min(0).max(1000).default(20),
  MAX_QUERY_TOKENS: z.coerce.number().int().min(100).max(1_000_000).default(2000),
  /** The PostgreSQL schema holding the CRM tables of contracts/crm.sql. */
  CRM_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'must be a plain lower-case PostgreSQL identifier')
    .default('public'),
  DATA_DIR: z.string().min(1).default('.data'),
  DEMO_CUSTOMERS: z.coerce.number().int().min(1).max(1_000_000).default(DEMO_DEFAULTS.customers),
  DEMO_SEED: z.coerce.number().int().default(DEMO_DEFAULTS.seed),
  /** Share of the demo customers given a second, messily entered record of the same person (duplicate detection to try). */
  DEMO_DUPLICATES: z.coerce.number().min(0).max(1).default(DEMO_DEFAULTS.duplicates),
  DEFAULT_PHONE_REGION: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as CN')
    .default('CN'),
  CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as CNY')
    .default('CNY'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /** Bound on every CRM statement (server side) and on the wait for a pooled connection. */
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  /** Consecutive failed CRM statements or connects (unreachable, refused, timed out) that open the CRM's circuit; it lets a probe through after CRM_BREAKER_HALF_OPEN_MS. */
  CRM_BREAKER_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  CRM_BREAKER_HALF_OPEN_MS: z.coerce.number().int().min(10).max(3_600_000).default(2000),
  /** New GraphQL requests are refused (503 OVERLOADED) while more than this many statements wait for a CRM connection (0: never). */
  OVERLOAD_CRM_WAITING: z.coerce.number().int().min(0).max(100_000).default(50),
  /** New GraphQL requests are refused (503 OVERLOADED) while the event loop's delay p99 over the last second is past this (0: never). */
  OVERLOAD_EVENT_LOOP_MS: z.coerce.number().int().min(0).max(60_000).default(500),
  /** How often the search and identifier indexes (c360.customer_search, c360.identifier_lookup) are rebuilt from the CRM; 0 turns it off. */
  SEARCH_REFRESH_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  /** On SIGTERM/SIGINT, how long requests in flight may take to finish before their connections are cut. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** How often the in-process scheduler refreshes the profile snapshot (incrementally; 0: never, use `npm run snapshot`). */
  SNAPSHOT_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(10_080).default(0),
  /** Largest accepted request body. */
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(50_000_000).default(1_000_000),
  /** How operations run: compiled once per document by graphql-jit (src/execution.ts), or interpreted by graphql-js. */
  EXECUTOR: z.enum(['jit', 'graphql-js']).default('jit'),
  /** false: every loader loads one key per round trip (the naive way; for the benchmark only). */
  BATCH_LOADS: bool.optional(),
  /** Adds the `x-source-round-trips` header to every GraphQL response. */
  EXPOSE_ROUND_TRIPS: bool.optional(),
  /**
   * Bearer token Prometheus must send for GET /metrics (`authorization.credentials_file`), ≥ 16 characters.
   * Unset: /metrics is open in development and tests, and off (404) in production.
   */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Serves the GraphiQL explorer at /explorer (default: in development only; needs the dev dependencies). */
  EXPLORER: bool.optional(),
  /** The built console and dashboard pages (packages/web's `vite build`), served at /app; relative to the working directory. */
  WEB_DIR: z.string().min(1).default('packages/web/dist'),
});

export type Config = Omit<z.infer<typeof schema>, 'EXPOSE_ROUND_TRIPS' | 'BATCH_LOADS' | 'SAFELIST_ROLES' | 'EXPLORER'> & {
  EXPOSE_ROUND_TRIPS: boolean;
  EXPLORER: boolean;
  BATCH_LOADS: boolean;
  SAFELIST_ROLES: ('agent' | 'analyst' | 'admin')[];
};

export class ConfigError extends Error {}

/** Parses `env` (default process.env); throws ConfigError whose message is one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    const shown = name in present && !/URL|URI|SECRET|PASSWORD|TOKEN/.test(name) ? ` (got "${present[name]}")` : '';
    throw new ConfigError(`Invalid configuration: ${name} ${issue.message}${shown}`);
  }
  const c = parsed.data;
  if (c.SOCIAL_API_URL && !c.SOCIAL_API_TOKEN)
    throw new ConfigError('Invalid configuration: SOCIAL_API_TOKEN is required when SOCIAL_API_URL is set');
  if (c.JWT_SECRET && c.JWT_JWKS_URL) throw new ConfigError('Invalid configuration: set JWT_SECRET or JWT_JWKS_URL, not both');
  if (c.JWT_JWKS_URL && !(c.JWT_ISSUER && c.JWT_AUDIENCE)) {
    throw new ConfigError('Invalid configuration: JWT_ISSUER and JWT_AUDIENCE are required when JWT_JWKS_URL is set');
  }
  if (c.JWT_JWKS_URL && !c.JWT_JWKS_URL.startsWith('https:') && c.NODE_ENV === 'production') {
    throw new ConfigError('Invalid configuration: JWT_JWKS_URL must start with https:// (plain http only in development and test)');
  }
  return {
    ...c,
    EXPOSE_ROUND_TRIPS: c.EXPOSE_ROUND_TRIPS ?? c.NODE_ENV !== 'production',
    EXPLORER: c.EXPLORER ?? c.NODE_ENV === 'development',
    BATCH_LOADS: c.BATCH_LOADS ?? true,
    SAFELIST_ROLES: c.SAFELIST_ROLES ?? [],
  };
}

/**
 * The server's own check (not the seed's): only the embedded development setup may run without a
 * configured token key, because only there is a generated one safe (it never leaves DATA_DIR).
 */
export function assertTokenKeyConfigured(c: Config): void {
  if (c.JWT_SECRET || c.JWT_JWKS_URL) return;
  const real = [c.DATABASE_URL && 'DATABASE_URL', c.MONGODB_URI && 'MONGODB_URI', c.SOCIAL_API_URL && 'SOCIAL_API_URL'].filter(Boolean);
  if (real.length > 0 || c.NODE_ENV === 'production') {
    throw new ConfigError(
      `Invalid configuration: JWT_SECRET or JWT_JWKS_URL is required ${real.length ? `with real sources (${real.join(', ')})` : 'in production'}; only the embedded development setup generates a secret`,
    );
  }
}
