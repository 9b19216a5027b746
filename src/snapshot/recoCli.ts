import { integer, runCommand, UsageError } from '../cli/command';
import { progressBar } from '../cli/progress';
import { closeSources, openOperatorCrm } from '../bootstrap';
import { loadConfig } from '../config';
import { loadRules } from '../insights/rules';
import { createLogger } from '../logger';
import { buildRecommendations } from './recommendations';

const USAGE = `usage: npm run recommendations -- [--restart] [--batch N] [--as-of ISO-INSTANT]

Builds the recommendation tables (c360.reco_*: co-purchase pairs and popularity by segment) from the
configured CRM (the embedded one under DATA_DIR, beside a running \`npm start\` or on its own), as of now
or --as-of. A build that stopped is resumed where it got to; --restart drops it and starts afresh.
--batch: products per pairs statement (default 50). Statements get a 10-minute budget unless
DB_STATEMENT_TIMEOUT_MS is set. Progress on stderr; a summary line on stdout.`;

const options = {
  restart: { type: 'boolean', default: false },
  batch: { type: 'string', default: '50' },
  'as-of': { type: 'string' },
} as const;

runCommand({ name: 'recommendations', usage: USAGE, options }, async ({ values }) => {
  const batch = integer('batch', values.batch, 1, 5000);
  const asOf = values['as-of'] === undefined ? undefined : new Date(values['as-of']);
  if (asOf && (Number.isNaN(asOf.getTime()) || asOf.getTime() > Date.now()))
    throw new UsageError(`--as-of must be an ISO instant not in the future, got ${values['as-of']}`);
  const config = loadConfig({ DB_STATEMENT_TIMEOUT_MS: '600000', ...process.env });
  const logger = createLogger(config);
  const crm = await openOperatorCrm(config, logger);
  try {
    const bar = progressBar(process.stderr);
    const result = await buildRecommendations(
      { crmPool: crm.pool, rules: loadRules(config.DERIVATION_RULES) },
      { restart: values.restart, batch, asOf, onProgress: (p) => bar.update(`recommendations ${p.build}: ${p.step}`, p.done, p.total) },
    );
    bar.end();
    if (!result) throw new Error('another recommendation build is running');
    process.stdout.write(
      `recommendations build ${result.build}${result.resumed ? ' (resumed)' : ''} as of ${result.asOf.toISOString()}: ` +
        `${result.products} products, ${result.pairs} pairs, in ${result.ms} ms\n`,
    );
  } finally {
    await closeSources([crm]).catch(() => undefined);
  }
});
