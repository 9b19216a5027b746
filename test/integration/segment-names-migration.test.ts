import { migrate } from '../../src/db/migrate';
import { migrations } from '../../src/db/migrations';
import { createCrmPool } from '../../src/sources/crm/pool';
import { createCrmTables } from '../../src/sources/crm/ddl';
import { createTestDatabase, testConfig, type TestDatabase } from '../helpers/database';

/** Migration 14 on segments saved before names were unique: the oldest keeps a shared name, by its latest version's name. */
let db: TestDatabase;
afterAll(() => db?.drop());

it('claims each current name, lower-cased, for the oldest segment that has it', async () => {
  db = await createTestDatabase('segment_names');
  const pool = createCrmPool(testConfig({ DATABASE_URL: db.url }), db.url);
  try {
    await createCrmTables(pool);
    await migrate(
      pool,
      migrations.filter((m) => m.version < 14),
    );
    const save = (id: string, version: number, name: string, at: string) =>
      pool.query(`INSERT INTO c360.segments (id, version, name, filter, created_by, created_at) VALUES ($1, $2, $3, '{}', 'x', $4)`, [
        id,
        version,
        name,
        at,
      ]);
    await save('seg_00000000000b', 1, 'Win-back', '2026-01-02T00:00:00Z'); // newer: loses the name
    await save('seg_00000000000a', 1, 'Draft', '2026-01-01T00:00:00Z');
    await save('seg_00000000000a', 2, 'WIN-BACK', '2026-01-03T00:00:00Z'); // its current name, and it is older
    await save('seg_00000000000c', 1, 'Other', '2026-01-04T00:00:00Z');
    await save('seg_00000000000d', 1, 'Win-back', '2025-12-01T00:00:00Z');
    await save('seg_00000000000d', 2, 'Renamed', '2026-01-05T00:00:00Z'); // let go of the name
    expect(
      await migrate(
        pool,
        migrations.filter((m) => m.version <= 14),
      ),
    ).toEqual([14]);
    const { rows } = await pool.query(`SELECT segment_id, name_key FROM c360.segment_names ORDER BY segment_id`);
    expect(rows).toEqual([
      { segment_id: 'seg_00000000000a', name_key: 'win-back' },
      { segment_id: 'seg_00000000000c', name_key: 'other' },
      { segment_id: 'seg_00000000000d', name_key: 'renamed' },
    ]);
  } finally {
    await pool.end();
  }
});
