import type { Config } from '../config';
import type { ApiKeyStore } from './apiKeys';
import type { Principal } from './principal';
import { TokenError, tokenVerifier, type TokenKey } from './tokens';

/** Why a request was refused before any operation ran; answered with HTTP 401 and code UNAUTHENTICATED. */
export class AuthenticationError extends Error {
  constructor(
    readonly reason: 'missing' | 'expired' | 'invalid' | 'no_roles' | 'revoked_or_unknown_key' | 'ambiguous',
    message: string,
  ) {
    super(message);
  }
}

export interface Authenticator {
  /** The caller of a request, from `Authorization: Bearer <jwt>` or `X-Api-Key`; throws AuthenticationError. */
  authenticate(headers: { get(name: string): string | undefined }, now: Date): Promise<Principal>;
  apiKeys: ApiKeyStore;
}

export function createAuthenticator(config: Config, key: TokenKey, apiKeys: ApiKeyStore): Authenticator {
  const verifyToken = tokenVerifier(key, config);
  return {
    apiKeys,
    async authenticate(headers, now) {
      const authorization = headers.get('authorization');
      const apiKey = headers.get('x-api-key');
      if (authorization && apiKey) throw new AuthenticationError('ambiguous', 'Send either a bearer token or an API key, not both.');
      if (apiKey) {
        const principal = await apiKeys.authenticate(apiKey.trim());
        if (!principal) throw new AuthenticationError('revoked_or_unknown_key', 'The API key is unknown or revoked.');
        return principal;
      }
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
      if (!bearer) {
        throw new AuthenticationError(
          authorization ? 'invalid' : 'missing',
          authorization
            ? 'The Authorization header must be "Bearer <token>".'
            : 'Authentication required: send "Authorization: Bearer <token>" or "X-Api-Key: <key>".',
        );
      }
      try {
        return await verifyToken(bearer[1]!, now);
      } catch (e) {
        if (e instanceof TokenError) throw new AuthenticationError(e.reason, e.message);
        throw e;
      }
    },
  };
}
