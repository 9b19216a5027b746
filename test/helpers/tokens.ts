import { mintToken } from '../../src/security/tokens';
import type { Role, Scope } from '../../src/security/principal';
import { TEST_JWT_SECRET } from './database';

/** A bearer header for `roles`, signed with the test secret (valid 1 h unless `ttlSeconds` says otherwise). */
export async function bearer(
  roles: Role[],
  opts: { sub?: string; scopes?: Scope[]; ttlSeconds?: number; now?: Date; secret?: string; issuer?: string; audience?: string } = {},
) {
  const token = await mintToken(
    opts.secret ?? TEST_JWT_SECRET,
    {
      sub: opts.sub ?? `test-${roles.join('-')}`,
      roles,
      scopes: opts.scopes,
      ttlSeconds: opts.ttlSeconds ?? 3600,
      issuer: opts.issuer,
      audience: opts.audience,
    },
    opts.now,
  );
  return { authorization: `Bearer ${token}` };
}
