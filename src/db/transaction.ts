import type pg from 'pg';

export interface TransactionOptions {
  /** Runs BEGIN and COMMIT (to count them, map their errors); the client's query by default. */
  control?: (client: pg.PoolClient, statement: 'BEGIN' | 'COMMIT') => Promise<unknown>;
  /** Takes the connection; the pool's connect by default. */
  connect?: () => Promise<pg.PoolClient>;
}

/**
 * Runs `work` in one transaction on one connection of `pool`: commits when it resolves, rolls back
 * and rethrows when it (or COMMIT) throws. A connection that cannot even roll back is broken:
 * destroyed rather than returned to the pool. The one place BEGIN/COMMIT/ROLLBACK are written.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  { control = (client, statement) => client.query(statement), connect = () => pool.connect() }: TransactionOptions = {},
): Promise<T> {
  const client = await connect();
  try {
    await control(client, 'BEGIN');
    const result = await work(client);
    await control(client, 'COMMIT');
    client.release();
    return result;
  } catch (e) {
    const rolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    client.release(!rolledBack);
    throw e;
  }
}
