import { parseArgs } from 'node:util';
import { openCrm } from '../bootstrap';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { seedCrm } from './seedCrm';

const USAGE = `usage: npm run seed -- [--customers N] [--seed S] [--replace]

Generates a deterministic demo dataset (same N and S → same data, dated relative to today) and
loads it into the embedded CRM under DATA_DIR, replacing what is there. With DATABASE_URL set it
loads into that database only when its CRM tables are empty, or with --replace.
Stop a running \`npm start\` on the embedded CRM first.`;

/** `npm run seed`: prints progress on stderr and a summary line on stdout. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string', default: '2000' },
      seed: { type: 'string', default: '42' },
      replace: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const customers = Number(values.customers);
  const seed = Number(values.seed);
  if (!Number.isInteger(customers) || customers < 1 || customers > 1_000_000) throw new Error('--customers must be an integer from 1 to 1000000');
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');

  const config = loadConfig();
  const logger = createLogger({ ...config, LOG_LEVEL: 'warn' });
  const crm = await openCrm(config, logger);
  try {
    if (!crm.embedded && !values.replace) {
      const { rows } = await crm.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM customers');
      if (rows[0]!.n > 0) throw new Error('the database at DATABASE_URL already has customers; pass --replace to overwrite them');
    }
    let last = '';
    const result = await seedCrm(crm.pool, {
      customers,
      seed,
      now: new Date(),
      onProgress: ({ table, rows, total }) => {
        const line = `loading ${table}: ${rows}/${total}`;
        if (line !== last) process.stderr.write(process.stderr.isTTY ? `\r${line.padEnd(50)}` : `${line}\n`);
        last = line;
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const counts = Object.entries(result.rows).map(([t, n]) => `${t}=${n}`).join(' ');
    process.stdout.write(`seeded ${customers} customers (seed ${seed}) in ${result.generateMs + result.loadMs} ms ` +
      `(generate ${result.generateMs} ms, load ${result.loadMs} ms): ${counts}\n`);
  } finally {
    await crm.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`seed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
