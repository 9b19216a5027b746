import { integer, listOf, oneOf, required, runCommand, UsageError } from '../cli/command';
import { closeSources, openOperatorCrm } from '../bootstrap';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { ApiKeyStore } from './apiKeys';
import { SCOPES } from './principal';

const USAGE = `usage: npm run apikey -- create --partner NAME --scopes profile,orders [--rate 60]
       npm run apikey -- revoke KEY_ID
       npm run apikey -- list [--all]

Manages partner API keys in the CRM database's c360 schema: DATABASE_URL, else the embedded
PostgreSQL under DATA_DIR (the running one beside \`npm start\`, or started for the command).
\`create\` prints the key once; only its hash is stored. Scopes: profile, contact, identities,
orders, support, behaviour, social, insights.`;

const COMMANDS = ['create', 'revoke', 'list'] as const;

runCommand(
  {
    name: 'apikey',
    usage: USAGE,
    positionals: 2,
    options: {
      partner: { type: 'string' },
      scopes: { type: 'string', default: '' },
      rate: { type: 'string', default: '60' },
      all: { type: 'boolean', default: false },
    },
  },
  async ({ values, positionals }) => {
    // The whole command line is checked before the database is opened.
    const [name, arg] = positionals;
    const command = oneOf('command', name, COMMANDS);
    if (arg !== undefined && command !== 'revoke') throw new UsageError(`Unexpected argument ${arg}`);
    const create =
      command === 'create'
        ? {
            partner: required('--partner', values.partner),
            scopes: required('--scopes', listOf('scopes', values.scopes, SCOPES), SCOPES),
            ratePerMinute: integer('rate', values.rate, 1, 100_000),
          }
        : null;
    const keyId = command === 'revoke' ? required('key id (k_…)', arg) : null;

    const config = loadConfig();
    const logger = createLogger({ ...config, LOG_LEVEL: 'warn' });
    const crm = await openOperatorCrm(config, logger);
    const store = new ApiKeyStore(crm.pool, 0);
    const by = `cli:${process.env.USER ?? 'operator'}`;
    try {
      if (create) {
        const { key, row } = await store.create(create, by);
        process.stdout.write(`${key}\n`);
        process.stderr.write(
          `created ${row.id} for ${row.partner} (scopes ${row.scopes.join(', ')}, ${row.rate_per_minute}/min). The key is shown this once.\n`,
        );
      } else if (keyId) {
        const row = await store.revoke(keyId, by);
        if (!row) throw new Error(`no key ${keyId}`);
        process.stdout.write(`revoked ${row.id} (${row.partner}) at ${row.revoked_at!.toISOString()}\n`);
      } else {
        for (const k of await store.list(values.all)) {
          process.stdout.write(
            `${k.id}\t${k.partner}\t${k.scopes.join(',')}\t${k.rate_per_minute}/min\t${k.revoked_at ? `revoked ${k.revoked_at.toISOString()}` : 'active'}\n`,
          );
        }
      }
    } finally {
      await closeSources([crm]);
    }
  },
);
