import { ConfigError, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  it('has working defaults with nothing set', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      NODE_ENV: 'development', PORT: 4000, HOST: '127.0.0.1', LOG_LEVEL: 'info', DEFAULT_PHONE_REGION: 'CN', CURRENCY: 'CNY',
      CRM_SCHEMA: 'public', DB_STATEMENT_TIMEOUT_MS: 5000, EXPOSE_ROUND_TRIPS: true,
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
  ])('refuses %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never echoes a secret-bearing URL back', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:hunter2@db/x' })).not.toThrow(/hunter2/);
  });
});
