import { parseArgs } from 'node:util';
import { closeSources, embeddedSocialFile, openBehaviour, openCrm } from '../bootstrap';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { seedDemo } from './index';

const USAGE = `usage: npm run seed -- [--customers N] [--seed S] [--duplicates SHARE] [--replace]

Generates a deterministic demo dataset (same N, S and SHARE → same data, dated relative to today): CRM
rows, the behaviour events and the bundled social provider's accounts and posts, consistent with
one another. --duplicates 0.02 adds, for 2% of the customers, another record of the same person
entered messily (after the N customers, which stay the same), to try duplicate detection on.
Loads it into the embedded stores under DATA_DIR, replacing what is there (the social accounts go
to DATA_DIR/social/accounts.json unless SOCIAL_API_URL names a real provider). A store configured by DATABASE_URL or MONGODB_URI is written
only when it is empty, or with --replace. Stop a running \`npm start\` on the embedded stores first.`;

/** `npm run seed`: prints progress on stderr and a summary line on stdout. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string', default: '2000' },
      seed: { type: 'string', default: '42' },
      duplicates: { type: 'string', default: '0' },
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
  if (!Number.isInteger(customers) || customers < 1 || customers > 1_000_000)
    throw new Error('--customers must be an integer from 1 to 1000000');
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  const duplicates = Number(values.duplicates);
  if (!(duplicates >= 0 && duplicates <= 1)) throw new Error('--duplicates must be a share from 0 to 1');

  const config = loadConfig();
  const logger = createLogger({ ...config, LOG_LEVEL: 'warn' });
  const crm = await openCrm(config, logger);
  const behaviour = await openBehaviour(config, logger).catch(async (e: unknown) => {
    await closeSources([crm]);
    throw e;
  });
  try {
    if (!crm.embedded && !values.replace) {
      const { rows } = await crm.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM customers');
      if (rows[0]!.n > 0) throw new Error('the database at DATABASE_URL already has customers; pass --replace to overwrite them');
    }
    if (!behaviour.embedded && !values.replace && !(await behaviour.isEmpty())) {
      throw new Error('the MongoDB at MONGODB_URI already has events; pass --replace to overwrite them');
    }
    let last = '';
    const result = await seedDemo(crm.pool, behaviour.db, {
      customers,
      seed,
      duplicates,
      now: new Date(),
      socialFile: embeddedSocialFile(config),
      onProgress: ({ table, rows, total }) => {
        const line = `loading ${table}: ${rows}/${total}`;
        if (line !== last) process.stderr.write(process.stderr.isTTY ? `\r${line.padEnd(50)}` : `${line}\n`);
        last = line;
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const counts = Object.entries(result.rows)
      .map(([t, n]) => `${t}=${n}`)
      .join(' ');
    const total = result.generateMs + result.crmLoadMs + result.eventsLoadMs;
    process.stdout.write(
      `seeded ${customers} customers (seed ${seed}) in ${total} ms (generate ${result.generateMs} ms, ` +
        `CRM load ${result.crmLoadMs} ms, events load ${result.eventsLoadMs} ms): ${counts}\n`,
    );
  } finally {
    await closeSources([behaviour, crm]);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`seed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
