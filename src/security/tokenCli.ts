import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { signingSecret } from './devSecret';
import { isRole, isScope, type Role, type Scope } from './principal';
import { mintToken } from './tokens';

const USAGE = `usage: npm run token -- --role ROLE [--role ROLE ...] [--sub NAME] [--ttl SECONDS] [--scopes a,b]

Prints a bearer token signed with JWT_SECRET (or, in the embedded development setup, the generated
DATA_DIR/jwt-secret), with JWT_ISSUER / JWT_AUDIENCE when set. Roles: agent, analyst, partner,
admin, service (a gateway's own credential: the subgraph SDL only), marketer (a campaign tool's: the segment CSV export, unmasked, only). --scopes applies to partner tokens (profile, contact, identities, orders, support, behaviour,
social, insights). Default ttl 3600 s. With JWT_JWKS_URL, tokens come from your identity provider.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string', multiple: true, default: [] },
      sub: { type: 'string' },
      ttl: { type: 'string', default: '3600' },
      scopes: { type: 'string', default: '' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const roles = values.role.flatMap((r) => r.split(',')).map((r) => r.trim().toLowerCase());
  const bad = roles.filter((r) => !isRole(r));
  if (roles.length === 0 || bad.length)
    throw new Error(
      `--role must be agent, analyst, partner, admin, service or marketer${bad.length ? ` (got ${bad.join(', ')})` : ''}\n${USAGE}`,
    );
  const scopes = values.scopes
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const badScopes = scopes.filter((s) => !isScope(s));
  if (badScopes.length) throw new Error(`unknown scopes: ${badScopes.join(', ')}`);
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 30 * 86_400) throw new Error('--ttl must be 1..2592000 seconds');
  const config = loadConfig();
  const secret = signingSecret(config);
  if (!secret) throw new Error('JWT_JWKS_URL is set: tokens are issued by your identity provider, not by this command');
  const token = await mintToken(secret, {
    sub: values.sub ?? `cli-${roles.join('-')}`,
    roles: roles as Role[],
    scopes: scopes.length ? (scopes as Scope[]) : undefined,
    ttlSeconds: ttl,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  process.stdout.write(`${token}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`token: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
