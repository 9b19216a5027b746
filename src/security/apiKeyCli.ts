import path from 'node:path';
import { parseArgs } from 'node:util';
import { closeSources, crmPoolHandle, loadEmbedded, openCrm } from '../bootstrap';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { createCrmPool } from '../sources/crm/pool';
import { ApiKeyStore } from './apiKeys';

const USAGE = `usage: npm run apikey -- create --partner NAME --scopes profile,orders [--rate 60]
       npm run apikey -- revoke KEY_ID
       npm run apikey -- list [--all]

Manages partner API keys in the CRM database's c360 schema: DATABASE_URL, else the embedded
PostgreSQL under DATA_DIR (the running one beside \`npm start\`, or started for the command).
\`create\` prints the key once; only its hash is stored. Scopes: profile, contact, identities,
orders, support, behaviour, social, insights.`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      partner: { type: 'string' },
      scopes: { type: 'string', default: '' },
      rate: { type: 'string', default: '60' },
      all: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, arg] = positionals;
  if (values.help || !command) return void process.stdout.write(`${USAGE}\n`);
  const config = loadConfig();
  const logger = createLogger({ ...config, LOG_LEVEL: 'warn' });
  const running = config.DATABASE_URL
    ? null
    : (await loadEmbedded('DATABASE_URL')).runningEmbeddedPostgresUrl(path.join(config.DATA_DIR, 'postgres'), 'customer360');
  const crm = running ? crmPoolHandle(createCrmPool(config, running)) : await openCrm(config, logger);
  const store = new ApiKeyStore(crm.pool, 0);
  const by = `cli:${process.env.USER ?? 'operator'}`;
  try {
    if (command === 'create') {
      if (!values.partner) throw new Error('--partner is required');
      const scopes = values.scopes
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean);
      const { key, row } = await store.create({ partner: values.partner, scopes, ratePerMinute: Number(values.rate) }, by);
      process.stdout.write(`${key}\n`);
      process.stderr.write(
        `created ${row.id} for ${row.partner} (scopes ${row.scopes.join(', ')}, ${row.rate_per_minute}/min). The key is shown this once.\n`,
      );
    } else if (command === 'revoke') {
      if (!arg) throw new Error('revoke needs the key id (k_…)');
      const row = await store.revoke(arg, by);
      if (!row) throw new Error(`no key ${arg}`);
      process.stdout.write(`revoked ${row.id} (${row.partner}) at ${row.revoked_at!.toISOString()}\n`);
    } else if (command === 'list') {
      for (const k of await store.list(values.all)) {
        process.stdout.write(
          `${k.id}\t${k.partner}\t${k.scopes.join(',')}\t${k.rate_per_minute}/min\t${k.revoked_at ? `revoked ${k.revoked_at.toISOString()}` : 'active'}\n`,
        );
      }
    } else {
      throw new Error(`unknown command ${command}\n${USAGE}`);
    }
  } finally {
    await closeSources([crm]);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`apikey: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
