import { createHash, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type pg from 'pg';
import { isScope, type Principal, type Scope } from './principal';

/**
 * Partner API keys. A key is `c360_<id>_<secret>` with 32 random bytes of secret; only its SHA-256
 * is stored (a slow hash adds nothing to a random 256-bit secret). The key is shown once, at creation.
 */
export interface ApiKeyRow {
  id: string;
  partner: string;
  scopes: Scope[];
  rate_per_minute: number;
  created_at: Date;
  created_by: string;
  revoked_at: Date | null;
  revoked_by: string | null;
}

const COLUMNS = 'id, partner, scopes, rate_per_minute, created_at, created_by, revoked_at, revoked_by';
const KEY = /^c360_(k_[0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;
const hashOf = (key: string) => createHash('sha256').update(key).digest();

export class ApiKeyInputError extends Error {
  constructor(readonly field: string, message: string) {
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
  if (unknown.length) throw new ApiKeyInputError('scopes', `Unknown scopes: ${unknown.join(', ')}.`);
  if (input.scopes.length === 0) throw new ApiKeyInputError('scopes', 'A key needs at least one scope.');
  if (!Number.isInteger(input.ratePerMinute) || input.ratePerMinute < 1 || input.ratePerMinute > 100_000) {
    throw new ApiKeyInputError('ratePerMinute', 'ratePerMinute must be 1..100000.');
  }
  return { partner, scopes: [...new Set(input.scopes as Scope[])].sort(), ratePerMinute: input.ratePerMinute };
}

export class ApiKeyStore {
  private readonly cache: LRUCache<string, { row: ApiKeyRow | null }> | null;

  constructor(private readonly pool: pg.Pool, cacheSeconds: number) {
    this.cache = cacheSeconds > 0 ? new LRUCache({ max: 10_000, ttl: cacheSeconds * 1000 }) : null;
  }

  /** Creates a key; `key` is the only time the secret exists outside the caller's hands. */
  async create(input: NewApiKey, createdBy: string): Promise<{ key: string; row: ApiKeyRow }> {
    const { partner, scopes, ratePerMinute } = checkNewApiKey(input);
    const id = `k_${randomBytes(6).toString('hex')}`;
    const key = `c360_${id}_${randomBytes(32).toString('base64url')}`;
    const { rows } = await this.pool.query<ApiKeyRow>(
      `INSERT INTO c360.api_keys (id, hash, partner, scopes, rate_per_minute, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [id, hashOf(key), partner, scopes, ratePerMinute, createdBy],
    );
    return { key, row: rows[0]! };
  }

  /** Revokes a key at once on this replica (others within API_KEY_CACHE_SECONDS); null when there is no such key. */
  async revoke(id: string, revokedBy: string): Promise<ApiKeyRow | null> {
    const { rows } = await this.pool.query<ApiKeyRow>(
      `UPDATE c360.api_keys SET revoked_at = coalesce(revoked_at, now()), revoked_by = coalesce(revoked_by, $2) WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, revokedBy],
    );
    this.cache?.clear();
    return rows[0] ?? null;
  }

  async list(includeRevoked: boolean): Promise<ApiKeyRow[]> {
    const { rows } = await this.pool.query<ApiKeyRow>(
      `SELECT ${COLUMNS} FROM c360.api_keys WHERE $1 OR revoked_at IS NULL ORDER BY created_at, id`,
      [includeRevoked],
    );
    return rows;
  }

  /** The principal of a presented key; null for a malformed, unknown or revoked key. */
  async authenticate(key: string): Promise<Principal | null> {
    if (!KEY.test(key)) return null;
    const hash = hashOf(key);
    const cacheKey = hash.toString('hex');
    let hit = this.cache?.get(cacheKey);
    if (!hit) {
      const { rows } = await this.pool.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM c360.api_keys WHERE hash = $1`, [hash]);
      hit = { row: rows[0] ?? null };
      this.cache?.set(cacheKey, hit);
    }
    const row = hit.row;
    if (!row || row.revoked_at) return null;
    return {
      subject: `apikey:${row.id}`,
      roles: new Set(['partner']),
      auth: 'api_key',
      partner: { keyId: row.id, name: row.partner, scopes: new Set(row.scopes.filter(isScope)), ratePerMinute: row.rate_per_minute },
    };
  }
}
