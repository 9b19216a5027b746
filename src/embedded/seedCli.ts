import { integer, runCommand, share } from '../cli/command';
import { progressBar } from '../cli/progress';
import { closeSources, embeddedSocialFile, openBehaviour, openCrm } from '../bootstrap';
import { DEMO_DEFAULTS, loadConfig } from '../config';
import { createLogger } from '../logger';
import { seedDemo } from './index';

const USAGE = `usage: npm run seed -- [--customers N] [--seed S] [--duplicates SHARE] [--replace]

Generates a deterministic demo dataset (same N, S and SHARE → same data, dated relative to today): CRM
rows, the behaviour events and the bundled social provider's accounts and posts, consistent with
one another. --duplicates 0.02 adds, for 2% of the customers, another record of the same person
entered messily (after the N customers, which stay the same), to try duplicate detection on.
Defaults: ${DEMO_DEFAULTS.customers} customers, seed ${DEMO_DEFAULTS.seed}, duplicates ${DEMO_DEFAULTS.duplicates} (the dataset \`npm start\` loads).
Loads it into the embedded stores under DATA_DIR, replacing what is there (the social accounts go
to DATA_DIR/social/accounts.json unless SOCIAL_API_URL names a real provider). A store configured by DATABASE_URL or MONGODB_URI is written
only when it is empty, or with --replace. Stop a running \`npm start\` on the embedded stores first.
Progress (per table: rate, ETA) on stderr.`;

/** `npm run seed`: progress bars on stderr and a summary line on stdout. */
runCommand(
  {
    name: 'seed',
    usage: USAGE,
    options: {
      customers: { type: 'string', default: String(DEMO_DEFAULTS.customers) },
      seed: { type: 'string', default: String(DEMO_DEFAULTS.seed) },
      duplicates: { type: 'string', default: String(DEMO_DEFAULTS.duplicates) },
      replace: { type: 'boolean', default: false },
    },
  },
  async ({ values }) => {
    const customers = integer('customers', values.customers, 1, 1_000_000);
    const seed = integer('seed', values.seed, -(2 ** 31), 2 ** 31 - 1);
    const duplicates = share('duplicates', values.duplicates);

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
      const progress = progressBar(process.stderr);
      const result = await seedDemo(crm.pool, behaviour.db, {
        customers,
        seed,
        duplicates,
        now: new Date(),
        socialFile: embeddedSocialFile(config),
        onProgress: ({ table, rows, total }) => progress.update(`loading ${table}`, rows, total),
      });
      progress.end();
      const counts = Object.entries(result.rows)
        .map(([t, n]) => `${t}=${n}`)
        .join(' ');
      const total = result.generateMs + result.crmLoadMs + result.eventsLoadMs;
      process.stdout.write(
        `seeded ${customers} customers (seed ${seed}, duplicates ${duplicates}) in ${total} ms (generate ${result.generateMs} ms, ` +
          `CRM load ${result.crmLoadMs} ms, events load ${result.eventsLoadMs} ms): ${counts}\n`,
      );
    } finally {
      await closeSources([behaviour, crm]);
    }
  },
);
