import type { Scope } from '../../enums';
import type { Db } from './db';

/** The statements on c360.api_keys (security/apiKeys.ts makes and checks the keys; only hashes are stored). */

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

export const insertApiKey = async (
  db: Db,
  key: { id: string; hash: Buffer; partner: string; scopes: Scope[]; ratePerMinute: number; createdBy: string },
): Promise<ApiKeyRow> =>
  (
    await db<ApiKeyRow>(
      `INSERT INTO c360.api_keys (id, hash, partner, scopes, rate_per_minute, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [key.id, key.hash, key.partner, key.scopes, key.ratePerMinute, key.createdBy],
    )
  )[0]!;

/** Revokes the key (a second revocation keeps the first's time and author); null when there is no such key. */
export const revokeApiKey = async (db: Db, id: string, revokedBy: string): Promise<ApiKeyRow | null> =>
  (
    await db<ApiKeyRow>(
      `UPDATE c360.api_keys SET revoked_at = coalesce(revoked_at, now()), revoked_by = coalesce(revoked_by, $2) WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, revokedBy],
    )
  )[0] ?? null;

/** The keys, oldest first; revoked ones only with `includeRevoked`. */
export const listApiKeys = (db: Db, includeRevoked: boolean) =>
  db<ApiKeyRow>(`SELECT ${COLUMNS} FROM c360.api_keys WHERE $1 OR revoked_at IS NULL ORDER BY created_at, id`, [includeRevoked]);

/** The key with this SHA-256 hash, revoked or not; null when none. */
export const apiKeyByHash = async (db: Db, hash: Buffer): Promise<ApiKeyRow | null> =>
  (await db<ApiKeyRow>(`SELECT ${COLUMNS} FROM c360.api_keys WHERE hash = $1`, [hash]))[0] ?? null;
