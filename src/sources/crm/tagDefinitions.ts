import type pg from 'pg';
import type { TagFamily } from '../../enums';
import { noRoundTrips } from '../roundTrips';
import { inTransaction } from './db';

/** One version of a tag definition as stored in c360.tag_definitions (versions are never changed). */
export interface TagDefinitionRow {
  key: string;
  version: number;
  label: string;
  family: TagFamily;
  description: string;
  expression: string;
  enabled: boolean;
  created_at: Date;
  created_by: string;
}

const COLUMNS = 'key, version, label, family, description, expression, enabled, created_at, created_by';

/** The latest version of every key, disabled ones included. Not a request's round trip (the registry holds them). */
export async function latestTagDefinitions(pool: pg.Pool): Promise<TagDefinitionRow[]> {
  return (await pool.query<TagDefinitionRow>(`SELECT DISTINCT ON (key) ${COLUMNS} FROM c360.tag_definitions ORDER BY key, version DESC`))
    .rows;
}

/**
 * Saves the next version of `key`, whose content `next` gives once the key's lock is held (so two
 * changes of one key at once are numbered one after the other).
 */
export function saveTagVersion(
  pool: pg.Pool,
  key: string,
  next: () => Omit<TagDefinitionRow, 'key' | 'version' | 'created_at' | 'created_by'>,
  actor: string,
): Promise<TagDefinitionRow> {
  return inTransaction(pool, noRoundTrips(), async (db) => {
    await db(`SELECT pg_advisory_xact_lock(hashtext('c360.tag_definitions'), hashtext($1))`, [key]);
    const v = next();
    const [row] = await db<TagDefinitionRow>(
      `INSERT INTO c360.tag_definitions (key, version, label, family, description, expression, enabled, created_by)
       SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4, $5, $6, $7 FROM c360.tag_definitions WHERE key = $1
       RETURNING ${COLUMNS}`,
      [key, v.label, v.family, v.description, v.expression, v.enabled, actor],
    );
    return row!;
  });
}
