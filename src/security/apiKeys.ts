import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type pg from 'pg';
import { sha256 } from '../sha256';
import { apiKeyByHash, insertApiKey, listApiKeys, revokeApiKey, type ApiKeyRow } from '../sources/crm/apiKeys';
import { createDb, type Db } from '../sources/crm/db';
import { noRoundTrips } from '../sources/roundTrips';
import { isScope, type Principal, type Scope } from './principal';
import { PartnerScope } from '../enums';

/**
 * Partner API keys. A key is `c360_<id>_<secret>` with 32 random bytes of secret; only its SHA-256
 * is stored (a slow hash adds nothing to a random 256-bit secret). The key is shown once, at creation.
 */
const KEY = /^c360_(k_[0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;

export class ApiKeyInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface NewApiKey {
  partner: string;
  scopes: string[];
  ratePerMinute: number;
}

export function checkNewApiKey(input: NewApiKey): { partner: string; scopes: Scope[]; ratePerMinute: number } {
  const partner = input.partner.trim();
  if (partner.length < 1 || partner.length > 100) throw new ApiKeyInputError('partner', 'The partner name must be 1–100 characters.');
  const unknown = input.scopes.filter((s) => !isScope(s));
  if (unknown.length)
    throw new ApiKeyInputError('scopes', `Unknown scopes: ${unknown.join(', ')} (valid: ${Object.values(PartnerScope).join(', ')}).`);
  if (input.scopes.length === 0) throw new ApiKeyInputError('scopes', 'A key needs at least one scope.');
  if (!Number.isInteger(input.ratePerMinute) || input.ratePerMinute < 1 || input.ratePerMinute > 100_000) {
    throw new ApiKeyInputError('ratePerMinute', 'ratePerMinute must be 1..100000.');
  }
  return { partner, scopes: [...new Set(input.scopes as Scope[])].sort(), ratePerMinute: input.ratePerMinute };
}

export class ApiKeyStore {
  /** Found keys only: a key created on another replica works at once, a revoked one within cacheSeconds. */
  private readonly cache: LRUCache<string, ApiKeyRow> | null;
  /** Not a request's: these statements count in no request's round trips. */
  private readonly db: Db;

  constructor(pool: pg.Pool, cacheSeconds: number) {
    this.db = createDb(pool, noRoundTrips());
    this.cache = cacheSeconds > 0 ? new LRUCache({ max: 10_000, ttl: cacheSeconds * 1000 }) : null;
  }

  /** Creates a key; `key` is the only time the secret exists outside the caller's hands. */
  async create(input: NewApiKey, createdBy: string): Promise<{ key: string; row: ApiKeyRow }> {
    const { partner, scopes, ratePerMinute } = checkNewApiKey(input);
    const id = `k_${randomBytes(6).toString('hex')}`;
    const key = `c360_${id}_${randomBytes(32).toString('base64url')}`;
    const row = await insertApiKey(this.db, { id, hash: sha256(key), partner, scopes, ratePerMinute, createdBy });
    return { key, row };
  }

  /** Revokes a key at once on this replica (others within API_KEY_CACHE_SECONDS); null when there is no such key. */
  async revoke(id: string, revokedBy: string): Promise<ApiKeyRow | null> {
    const row = await revokeApiKey(this.db, id, revokedBy);
    this.cache?.clear();
    return row;
  }

  list(includeRevoked: boolean): Promise<ApiKeyRow[]> {
    return listApiKeys(this.db, includeRevoked);
  }

  /** The principal of a presented key; null for a malformed, unknown or revoked key. */
  async authenticate(key: string): Promise<Principal | null> {
    if (!KEY.test(key)) return null;
    const hash = sha256(key);
    const cacheKey = hash.toString('hex');
    let row = this.cache?.get(cacheKey) ?? null;
    if (!row) {
      row = await apiKeyByHash(this.db, hash);
      if (row) this.cache?.set(cacheKey, row);
    }
    if (!row || row.revoked_at) return null;
    return {
      subject: `apikey:${row.id}`,
      roles: new Set(['partner']),
      auth: 'api_key',
      partner: { keyId: row.id, name: row.partner, scopes: new Set(row.scopes.filter(isScope)), ratePerMinute: row.rate_per_minute },
    };
  }
}
