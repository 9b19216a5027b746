import type pg from 'pg';
import { sha256 } from '../sha256';
import { migrations, type Migration } from './migrations';
import { withTransaction } from './transaction';

const checksum = (m: Migration) => sha256(m.sql).toString('hex');

/**
 * Applies pending migrations in one transaction under an advisory lock, so concurrent starts of
 * several replicas apply each migration exactly once. Returns the versions applied now. Refuses to
 * run when an applied migration's SQL changed since.
 */
export function migrate(pool: pg.Pool, list: Migration[] = migrations): Promise<number[]> {
  return withTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('c360.migrate'))`);
    await client.query('CREATE SCHEMA IF NOT EXISTS c360');
    await client.query(`CREATE TABLE IF NOT EXISTS c360.schema_migrations (
      version int PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const applied = new Map(
      (await client.query<{ version: number; checksum: string }>('SELECT version, checksum FROM c360.schema_migrations')).rows.map((r) => [
        r.version,
        r.checksum,
      ]),
    );
    const done: number[] = [];
    for (const m of [...list].sort((a, b) => a.version - b.version)) {
      const recorded = applied.get(m.version);
      if (recorded !== undefined) {
        if (recorded !== checksum(m)) throw new Error(`c360 migration ${m.version} (${m.name}) was changed after it was applied`);
        continue;
      }
      await client.query(m.sql);
      await client.query('INSERT INTO c360.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        checksum(m),
      ]);
      done.push(m.version);
    }
    return done;
  });
}
