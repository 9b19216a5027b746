import type { CrmDataset, SeedEvent } from '@c360/demo-data';
import type { RunningSocialProvider, SocialAccountData } from '@c360/social-provider';
import type { Deps } from '../../src/context';
import type { SocialClient } from '../../src/sources/social/client';
import { createCrmDatabase, testConfig, type TestStores } from './database';
import { startTestServer, withSocialProvider, type TestServer } from './server';

export interface SuiteOptions {
  /** The behaviour store's events (none by default). */
  events?: SeedEvent[];
  /** The server's clock (the real one by default). */
  clock?: () => Date;
  /** Starts the bundled social provider with these accounts, and the server uses it (withSocialProvider: no cache). */
  social?: SocialAccountData[];
  /** Environment variables, as main reads them, on top of the suite's config (the stores', and the provider's). */
  env?: Record<string, string>;
  /** Other dependencies of the server (startTestServer's overrides), e.g. a logger. */
  deps?: Partial<Deps>;
}

/** The running pieces of a suite, to read inside its tests and hooks. */
export interface Suite {
  readonly db: TestStores;
  readonly api: TestServer;
  /** With `social` only. */
  readonly provider: RunningSocialProvider;
  /** The server's social client, with `social` only. */
  readonly social: SocialClient;
}

/**
 * The usual setup of a suite, registered as its beforeAll and afterAll: the stores `label` holding
 * `dataset` and `events` (createCrmDatabase), the social provider when `social` is given, and one
 * API server (startTestServer) with `clock`, `env` and `deps`. afterAll closes the server, then the
 * provider, then drops the stores (each if it was started). Reading the handle's fields before
 * beforeAll ran (at module load or in a describe body) throws.
 */
export function apiSuite(label: string, dataset: CrmDataset, options: SuiteOptions = {}): Suite {
  const running: { db?: TestStores; api?: TestServer; provider?: RunningSocialProvider; social?: SocialClient } = {};

  beforeAll(async () => {
    const db = (running.db = await createCrmDatabase(label, dataset, options.events));
    const overrides: Partial<Deps> = {};
    if (options.social) {
      const source = await withSocialProvider(db, options.social, options.env);
      running.provider = source.provider;
      running.social = overrides.social = source.social;
      overrides.config = source.config;
    } else if (options.env) {
      overrides.config = testConfig({
        DATABASE_URL: db.url,
        MONGODB_URI: db.config.MONGODB_URI!,
        MONGODB_DB: db.config.MONGODB_DB,
        ...options.env,
      });
    }
    running.api = await startTestServer(db, options.clock, { ...overrides, ...options.deps });
  });
  afterAll(async () => {
    await running.api?.close();
    await running.provider?.close();
    await running.db?.drop();
  });

  const read = <K extends keyof typeof running>(name: K): NonNullable<(typeof running)[K]> => {
    if ((name === 'provider' || name === 'social') && !options.social)
      throw new Error(`apiSuite('${label}') has no ${name}: pass \`social\``);
    const value = running[name];
    if (!value) throw new Error(`apiSuite('${label}').${name} is not started yet: read it inside a test or hook, not at module load`);
    return value;
  };
  return {
    get db() {
      return read('db');
    },
    get api() {
      return read('api');
    },
    get provider() {
      return read('provider');
    },
    get social() {
      return read('social');
    },
  };
}
