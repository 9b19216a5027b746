import { ConfigError, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  it('has working defaults with nothing set', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      NODE_ENV: 'development',
      PORT: 4000,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DEFAULT_PHONE_REGION: 'CN',
      CURRENCY: 'CNY',
      CRM_SCHEMA: 'public',
      DB_STATEMENT_TIMEOUT_MS: 5000,
      EXPOSE_ROUND_TRIPS: true,
    });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(loadConfig({ NODE_ENV: 'production' }).EXPOSE_ROUND_TRIPS).toBe(false);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).PORT).toBe(4000);
  });

  it.each([
    [{ PORT: 'eighty' }, /^Invalid configuration: PORT .*\(got "eighty"\)$/],
    [{ PORT: '70000' }, /^Invalid configuration: PORT /],
    [{ DATABASE_URL: 'mysql://x' }, /^Invalid configuration: DATABASE_URL must start with postgres:\/\/ or postgresql:\/\/$/],
    [{ MONGODB_URI: 'nope' }, /^Invalid configuration: MONGODB_URI /],
    [{ LOG_LEVEL: 'loud' }, /^Invalid configuration: LOG_LEVEL .*\(got "loud"\)$/],
    [{ DEFAULT_PHONE_REGION: 'China' }, /^Invalid configuration: DEFAULT_PHONE_REGION must be an ISO 3166-1 alpha-2 code/],
    [{ CRM_SCHEMA: 'public; drop table x' }, /^Invalid configuration: CRM_SCHEMA /],
    [{ EXPOSE_ROUND_TRIPS: 'maybe' }, /^Invalid configuration: EXPOSE_ROUND_TRIPS /],
    [{ METRICS_TOKEN: 'short' }, /^Invalid configuration: METRICS_TOKEN must be at least 16 characters$/],
  ])('refuses %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('refuses a JWKS URL without issuer and audience, or over plain http in production', () => {
    const idp = { JWT_ISSUER: 'https://idp.example.com', JWT_AUDIENCE: 'customer-360' };
    expect(() => loadConfig({ JWT_JWKS_URL: 'https://idp.example.com/jwks.json' })).toThrow(
      /JWT_ISSUER and JWT_AUDIENCE are required when JWT_JWKS_URL is set/,
    );
    expect(() => loadConfig({ JWT_JWKS_URL: 'https://idp.example.com/jwks.json', JWT_ISSUER: idp.JWT_ISSUER })).toThrow(ConfigError);
    expect(() => loadConfig({ JWT_JWKS_URL: 'http://idp.example.com/jwks.json', NODE_ENV: 'production', ...idp })).toThrow(
      /JWT_JWKS_URL must start with https:\/\//,
    );
    expect(loadConfig({ JWT_JWKS_URL: 'https://idp.example.com/jwks.json', NODE_ENV: 'production', ...idp }).JWT_JWKS_URL).toBe(
      'https://idp.example.com/jwks.json',
    );
    expect(loadConfig({ JWT_JWKS_URL: 'http://127.0.0.1:8080/jwks.json', NODE_ENV: 'test', ...idp }).JWT_JWKS_URL).toBe(
      'http://127.0.0.1:8080/jwks.json',
    );
  });

  it('bounds the age of tokens at 30 days unless JWT_MAX_AGE_SECONDS says otherwise', () => {
    expect(loadConfig({}).JWT_MAX_AGE_SECONDS).toBe(2_592_000);
    expect(loadConfig({ JWT_MAX_AGE_SECONDS: '3600' }).JWT_MAX_AGE_SECONDS).toBe(3600);
    expect(() => loadConfig({ JWT_MAX_AGE_SECONDS: '0' })).toThrow(/^Invalid configuration: JWT_MAX_AGE_SECONDS /);
  });

  it('never echoes a secret-bearing URL back', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:hunter2@db/x' })).not.toThrow(/hunter2/);
  });
});
