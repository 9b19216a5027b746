import { integer, runCommand } from '../cli/command';
import { closeSources, openBehaviour, openCrm, openSocial, type SourceHandle } from '../bootstrap';
import { loadConfig } from '../config';
import { loadRules } from '../insights/rules';
import { TagRegistry } from '../services/tagRegistry';
import { createLogger } from '../logger';
import { buildSnapshot } from './build';
import { progressReporter } from './progress';

const USAGE = `usage: npm run snapshot -- [--incremental] [--restart] [--batch N]

Builds a profile snapshot version (c360.profile_snapshot) from the configured sources (embedded ones
under DATA_DIR: stop a running \`npm start\` on them first, or let its scheduler do it with
SNAPSHOT_INTERVAL_MINUTES). --incremental recomputes only the customers with something new since the
latest version and copies the others (a full build instead when the rules or tag definitions changed,
or the last full build is more than a day old). A build that stopped is resumed; --restart drops it
and starts afresh. Statements and aggregations get SNAPSHOT budgets (10 min, 1 min) unless
DB_STATEMENT_TIMEOUT_MS / MONGODB_TIMEOUT_MS are set. Progress on stderr.`;

/** `npm run snapshot`: one build, a summary line on stdout. */
const options = {
  incremental: { type: 'boolean', default: false },
  restart: { type: 'boolean', default: false },
  batch: { type: 'string', default: '500' },
} as const;

runCommand({ name: 'snapshot', usage: USAGE, options }, async ({ values }) => {
  const batchSize = integer('batch', values.batch, 1, 5000);
  // A build's statements (copying 100,000 rows, a batch's aggregation) take longer than a request's budget.
  const config = loadConfig({ DB_STATEMENT_TIMEOUT_MS: '600000', MONGODB_TIMEOUT_MS: '60000', ...process.env });
  const logger = createLogger(config);
  const crm = await openCrm(config, logger);
  const sources: SourceHandle[] = [crm];
  try {
    const behaviour = await openBehaviour(config, logger);
    sources.push(behaviour);
    const social = await openSocial(config, logger);
    sources.push(social);
    const tags = new TagRegistry(crm.pool, logger);
    await tags.refresh();
    const deps = {
      config,
      crmPool: crm.pool,
      behaviourDb: behaviour.db,
      social: social.client,
      rules: loadRules(config.DERIVATION_RULES),
      tags,
      logger,
    };
    const progress = progressReporter(logger, process.stderr);
    const result = await buildSnapshot(deps, {
      incremental: values.incremental,
      restart: values.restart,
      batchSize,
      onProgress: progress.report,
    });
    progress.end();
    if (!result) throw new Error('another snapshot build is running');
    const rate = Math.round((result.computed * 1000) / Math.max(1, result.ms));
    process.stdout.write(
      `snapshot ${result.version} (${result.kind}${result.resumed ? ', resumed' : ''}) as of ${result.asOf.toISOString()}: ` +
        `${result.computed} customers computed, ${result.copied} copied, in ${result.ms} ms (${rate}/s)\n`,
    );
  } finally {
    await closeSources(sources).catch(() => undefined);
  }
});
