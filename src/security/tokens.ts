import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config';
import { isRole, isScope, type Principal, type Role, type Scope } from './principal';

/** Why a bearer token was refused; the client sees the reason, never the token or the key. */
export class TokenError extends Error {
  constructor(
    readonly reason: 'expired' | 'invalid' | 'no_roles',
    message: string,
  ) {
    super(message);
  }
}

/** The JWKS endpoint could not be read: the server's problem, not the caller's (HTTP 503). */
export class TokenKeysUnavailable extends Error {
  constructor(cause: unknown) {
    super('the JWKS endpoint is unreachable', { cause });
  }
}

export type TokenKey = { secret: Uint8Array } | { jwks: JWTVerifyGetKey };

/** The key that verifies tokens: JWT_SECRET (HS256), JWT_JWKS_URL (RS256/ES256), or a generated development secret. */
export function tokenKey(config: Config, generatedSecret?: string): TokenKey {
  if (config.JWT_JWKS_URL)
    return { jwks: createRemoteJWKSet(new URL(config.JWT_JWKS_URL), { timeoutDuration: 2000, cooldownDuration: 30_000 }) };
  const secret = config.JWT_SECRET ?? generatedSecret;
  if (!secret) throw new Error('no token key: set JWT_SECRET or JWT_JWKS_URL');
  return { secret: new TextEncoder().encode(secret) };
}

/**
 * A JWKS that cannot be fetched or read is ours to fix; a token it cannot verify is the caller's.
 * jose reports an HTTP error or a body that is not JSON as a plain JOSEError (ERR_JOSE_GENERIC);
 * every token problem has its own subclass and code.
 */
const keysUnavailable = (e: unknown) =>
  e instanceof errors.JWKSTimeout ||
  e instanceof errors.JWKSInvalid ||
  !(e instanceof errors.JOSEError) ||
  e.code === errors.JOSEError.code;

/**
 * Verifies a bearer token: signature (only the algorithms of the configured key), `exp` and `iat`
 * required, `exp` enforced, `iat` at most JWT_MAX_AGE_SECONDS ago, `nbf`, issuer and audience when
 * configured, skew bounded by JWT_CLOCK_SKEW_SECONDS. Claims: `sub` (checkSubject), `roles` (known roles; unknown ones are ignored; `partner` alone or not at
 * all), for partners `scopes`.
 */
export async function verifyToken(token: string, key: TokenKey, config: Config, now: Date): Promise<Principal> {
  return (await verified(token, key, config, now)).principal;
}

interface Verified {
  principal: Principal;
  payload: JWTPayload;
}

async function verified(token: string, key: TokenKey, config: Config, now: Date): Promise<Verified> {
  const options = {
    algorithms: 'secret' in key ? ['HS256'] : ['RS256', 'ES256'],
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    clockTolerance: config.JWT_CLOCK_SKEW_SECONDS,
    maxTokenAge: config.JWT_MAX_AGE_SECONDS,
    currentDate: now,
    requiredClaims: ['exp', 'iat', 'sub'],
  };
  let payload;
  try {
    payload = ('secret' in key ? await jwtVerify(token, key.secret, options) : await jwtVerify(token, key.jwks, options)).payload;
  } catch (e) {
    if (e instanceof errors.JWTExpired) throw new TokenError('expired', 'The bearer token has expired.');
    if ('jwks' in key && keysUnavailable(e)) throw new TokenKeysUnavailable(e);
    throw new TokenError('invalid', 'The bearer token is not valid (signature, algorithm, issuer, audience, age or claims).');
  }
  const subject = checkSubject(payload.sub);
  const roles = new Set<Role>((Array.isArray(payload.roles) ? payload.roles : []).filter(isRole));
  if (roles.size === 0)
    throw new TokenError('no_roles', 'The bearer token carries no known role (agent, analyst, partner, admin, service).');
  if (roles.has('partner') && roles.size > 1) throw new TokenError('invalid', 'A partner token may carry no other role.');
  const principal: Principal = { subject, roles, auth: 'jwt' };
  if (roles.has('partner')) {
    const scopes = new Set<Scope>((Array.isArray(payload.scopes) ? payload.scopes : []).filter(isScope));
    principal.partner = { name: subject, scopes, ratePerMinute: config.RATE_LIMIT_PER_MINUTE };
  }
  return { principal, payload };
}

/** How long a verified token is taken again without checking its signature: a key removed from the JWKS stops its tokens within this. */
export const VERIFIED_TOKEN_SECONDS = 60;

/**
 * verifyToken with the tokens it accepted remembered (the same bytes, for VERIFIED_TOKEN_SECONDS, up
 * to `max` tokens): a console sends its token with every request, and checking its signature and
 * claims each time was 2 % of a large page's CPU. A remembered token's time claims are checked again
 * at every use, with jose's bounds (`exp`, `nbf`, `iat` and JWT_MAX_AGE_SECONDS, with the skew): a
 * token that has expired meanwhile is verified afresh and refused as before. The principal is shared
 * by the requests of one token and must not be changed.
 */
export function tokenVerifier(key: TokenKey, config: Config, max = 10_000) {
  const cache = new LRUCache<string, Verified>({ max, ttl: VERIFIED_TOKEN_SECONDS * 1000, ttlAutopurge: false });
  const skew = config.JWT_CLOCK_SKEW_SECONDS;
  const stillValid = ({ exp, nbf, iat }: JWTPayload, now: Date) => {
    const t = Math.floor(now.getTime() / 1000);
    return (
      exp !== undefined &&
      iat !== undefined &&
      t < exp + skew &&
      t <= iat + config.JWT_MAX_AGE_SECONDS + skew &&
      t >= iat - skew &&
      (nbf === undefined || t >= nbf - skew)
    );
  };
  return async (token: string, now: Date): Promise<Principal> => {
    const known = cache.get(token);
    if (known && stillValid(known.payload, now)) return known.principal;
    const fresh = await verified(token, key, config, now);
    cache.set(token, fresh);
    return fresh.principal;
  };
}

/** The longest `sub` accepted, in UTF-16 code units: room for any identity provider's ids and e-mail addresses. */
export const MAX_SUBJECT_LENGTH = 200;
/**
 * Characters that would hide or forge what a log line shows: control and invisible format
 * characters, line and paragraph separators, characters that render as nothing (default ignorable:
 * U+034F, the Hangul fillers…) and lone surrogates (stored as U+FFFD, so two subjects would collapse).
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Default_Ignorable_Code_Point}]/u;

/**
 * A JWT's `sub` as the audit log and the logs record it, so it must read as what it is: 1 to
 * MAX_SUBJECT_LENGTH characters, no leading or trailing whitespace, nothing unprintable, and not
 * starting with `apikey:` in any case or compatibility form (full-width letters) — that prefix names
 * API keys (apiKeys.ts), which a token must not pass for. Look-alikes from other scripts (a Cyrillic
 * `а`) still pass: the audit log tells them apart by its `auth` column (jwt, api_key).
 */
function checkSubject(sub: unknown): string {
  const subject = typeof sub === 'string' ? sub : '';
  if (
    subject === '' ||
    subject.length > MAX_SUBJECT_LENGTH ||
    subject.trim() !== subject ||
    UNPRINTABLE.test(subject) ||
    /^apikey:/i.test(subject.normalize('NFKC'))
  ) {
    throw new TokenError(
      'invalid',
      `The bearer token's \`sub\` must name the caller: 1 to ${MAX_SUBJECT_LENGTH} characters, no surrounding whitespace or control characters, not "apikey:…".`,
    );
  }
  return subject;
}

/** Signs an HS256 token (development tokens, `npm run token`, tests). */
export async function mintToken(
  secret: string,
  claims: { sub: string; roles: Role[]; scopes?: Scope[]; ttlSeconds: number; issuer?: string; audience?: string },
  now = new Date(),
): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  let jwt = new SignJWT({ roles: claims.roles, ...(claims.scopes ? { scopes: claims.scopes } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + claims.ttlSeconds);
  if (claims.issuer) jwt = jwt.setIssuer(claims.issuer);
  if (claims.audience) jwt = jwt.setAudience(claims.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
