import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import pino from 'pino';
import type { Deps } from '../../src/context';
import { createHttpServer } from '../../src/http';
import { createApollo } from '../../src/server';
import type { RoundTrips } from '../../src/sources/roundTrips';
import { createSocialClient } from '../../src/sources/social/client';
import { DEFAULT_RULES } from '../../src/insights/rules';
import { TagRegistry } from '../../src/services/tagRegistry';
import { ApiKeyStore } from '../../src/security/apiKeys';
import { createAuthenticator } from '../../src/security/authenticate';
import { tokenKey } from '../../src/security/tokens';
import { startSocialProvider, type SocialAccountData } from '@c360/social-provider';
import { testConfig, type TestStores } from './database';
import { bearer } from './tokens';

export interface GqlResult<D = any> {
  status: number;
  body: { data?: D; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };
  /** Round trips per source the request made, from the server's own counter. */
  roundTrips: RoundTrips;
}

/** A typed document's variables, required when it has a required one. */
type VariablesOf<V> =
  Record<string, never> extends V ? [variables?: V, headers?: Record<string, string>] : [variables: V, headers?: Record<string, string>];

export interface TestServer {
  url: string;
  /**
   * Runs an operation as an admin, unless `headers` carry other credentials (`authorization: ''` sends none).
   * A typed document (test/__generated__'s `graphql()`) types the answer and checks the variables; a string is untyped.
   */
  gql<R, V>(document: TypedDocumentNode<R, V>, ...args: VariablesOf<NoInfer<V>>): Promise<GqlResult<R>>;
  gql<D = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResult<D>>;
  /** POSTs a raw body, as an admin unless `headers` carry other credentials. */
  post(body: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

function parseRoundTrips(header: string | null): RoundTrips {
  const out: RoundTrips = { crm: 0, behaviour: 0, social: 0 };
  for (const part of (header ?? '').split(',')) {
    const [k, v] = part.split('=');
    if (k && k in out) out[k as keyof RoundTrips] = Number(v);
  }
  return out;
}

/** The bundled provider's token in tests (withSocialProvider). */
export const SOCIAL_TOKEN = 'test-social-token';

/**
 * The bundled social provider with `accounts`, and the config (the suite's stores, that provider, no
 * cache, `env` on top) and client a suite's servers use with it. Close the provider after the suite.
 */
export async function withSocialProvider(stores: TestStores, accounts: SocialAccountData[], env: Record<string, string> = {}) {
  const provider = await startSocialProvider({ token: SOCIAL_TOKEN, accounts });
  const config = testConfig({
    DATABASE_URL: stores.url,
    MONGODB_URI: stores.config.MONGODB_URI!,
    MONGODB_DB: stores.config.MONGODB_DB,
    SOCIAL_API_URL: provider.url,
    SOCIAL_API_TOKEN: SOCIAL_TOKEN,
    SOCIAL_CACHE_TTL_MS: '0',
    ...env,
  });
  return { provider, config, social: createSocialClient(config, { url: provider.url, token: SOCIAL_TOKEN }, pino({ level: 'silent' })) };
}

/** The dependencies main wires, over the suite's stores (or `overrides`); the social client as startTestServer says. */
export async function testDeps(stores: TestStores, overrides: Partial<Deps> = {}): Promise<Deps> {
  const logger = pino({ level: 'silent' });
  const config = overrides.config ?? stores.config;
  const tags = overrides.tags ?? new TagRegistry(stores.pool, logger);
  if (!overrides.tags) await tags.refresh();
  return {
    config,
    crmPool: stores.pool,
    behaviourDb: stores.behaviourDb,
    logger,
    social: createSocialClient(config, { url: 'http://127.0.0.1:9', token: 'none' }, logger),
    rules: DEFAULT_RULES,
    tags,
    auth: createAuthenticator(config, tokenKey(config), new ApiKeyStore(stores.pool, config.API_KEY_CACHE_SECONDS)),
    ...overrides,
  };
}

/**
 * The real HTTP server (same factory as main) on a free port, wired to the suite's stores (or
 * `overrides`). Without a `social` override, the social client points at a closed port: suites that
 * query social fields start a provider (fixtures/social.ts) and pass its client.
 */
export async function startTestServer(stores: TestStores, clock?: () => Date, overrides: Partial<Deps> = {}): Promise<TestServer> {
  const deps = await testDeps(stores, { clock, ...overrides });
  const admin = await bearer(['admin'], { sub: 'test-admin' });
  const post = (body: string, headers: Record<string, string> = {}) => {
    const credentials = 'authorization' in headers || 'x-api-key' in headers ? {} : admin;
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...credentials, ...headers }, body });
  };
  const apollo = createApollo(deps);
  await apollo.start();
  const server: http.Server = createHttpServer(apollo, deps);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;

  return {
    url,
    post,
    async gql(query: string | TypedDocumentNode, variables?: unknown, headers?: Record<string, string>) {
      const res = await post(JSON.stringify({ query: typeof query === 'string' ? query : print(query), variables }), headers);
      return {
        status: res.status,
        body: (await res.json()) as GqlResult['body'],
        roundTrips: parseRoundTrips(res.headers.get('x-source-round-trips')),
      };
    },
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await apollo.stop();
    },
  };
}
