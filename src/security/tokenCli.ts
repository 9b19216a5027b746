import { integer, listOf, required, runCommand } from '../cli/command';
import { loadConfig } from '../config';
import { signingSecret } from './devSecret';
import { ROLES, SCOPES } from './principal';
import { mintToken } from './tokens';

const USAGE = `usage: npm run token -- --role ROLE [--role ROLE ...] [--sub NAME] [--ttl SECONDS] [--scopes a,b]

Prints a bearer token signed with JWT_SECRET (or, in the embedded development setup, the generated
DATA_DIR/jwt-secret), with JWT_ISSUER / JWT_AUDIENCE when set. Roles: agent, analyst, partner,
admin, service (a gateway's own credential: the subgraph SDL only), marketer (a campaign tool's: the segment CSV export, unmasked, only). --scopes applies to partner tokens (profile, contact, identities, orders, support, behaviour,
social, insights). Default ttl 3600 s. With JWT_JWKS_URL, tokens come from your identity provider.`;

runCommand(
  {
    name: 'token',
    usage: USAGE,
    options: {
      role: { type: 'string', multiple: true, default: [] },
      sub: { type: 'string' },
      ttl: { type: 'string', default: '3600' },
      scopes: { type: 'string', default: '' },
    },
  },
  async ({ values }) => {
    const roles = required('--role', listOf('roles', values.role.join(','), ROLES), ROLES);
    const scopes = listOf('scopes', values.scopes, SCOPES);
    const ttl = integer('ttl', values.ttl, 1, 30 * 86_400);
    const config = loadConfig();
    const secret = signingSecret(config);
    if (!secret) throw new Error('JWT_JWKS_URL is set: tokens are issued by your identity provider, not by this command');
    const token = await mintToken(secret, {
      sub: values.sub ?? `cli-${roles.join('-')}`,
      roles,
      scopes: scopes.length ? scopes : undefined,
      ttlSeconds: ttl,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    });
    process.stdout.write(`${token}\n`);
  },
);
