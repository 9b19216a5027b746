import type pg from 'pg';

/**
 * Rebuilds c360.customer_search and c360.identifier_lookup from the CRM without blocking searches or
 * lookups (CONCURRENTLY). Only one
 * replica refreshes at a time (advisory lock); returns false when another one is already at it.
 * With `wait`, waits for that one instead (within the statement timeout) and then refreshes, so the
 * index reflects every change committed before the call (erasure).
 */
export async function refreshSearchIndex(pool: pg.Pool, opts: { wait?: boolean } = {}): Promise<boolean> {
  const client = await pool.connect();
  try {
    if (opts.wait) await client.query(`SELECT pg_advisory_lock(hashtext('c360.customer_search'))`);
    else {
      const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(hashtext('c360.customer_search')) AS locked`);
      if (!rows[0]?.locked) return false;
    }
    try {
      await client.query('SET statement_timeout = 0');
      await client.query('REFRESH MATERIALIZED VIEW CONCURRENTLY c360.customer_search');
      await client.query('REFRESH MATERIALIZED VIEW CONCURRENTLY c360.identifier_lookup');
      return true;
    } finally {
      await client.query('RESET statement_timeout');
      await client.query(`SELECT pg_advisory_unlock(hashtext('c360.customer_search'))`);
    }
  } finally {
    client.release();
  }
}

/** Refreshes every `seconds` until the returned stop function is called; errors are reported, not thrown. */
export function scheduleSearchRefresh(pool: pg.Pool, seconds: number, onError: (e: unknown) => void): () => void {
  if (seconds <= 0) return () => undefined;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    refreshSearchIndex(pool)
      .catch(onError)
      .finally(() => (running = false));
  }, seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
