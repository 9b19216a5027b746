import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadSocialAccounts, socialAccountsPath } from './accounts';
import { startSocialProvider, type Misbehaviour } from './provider';

const USAGE = `usage: npm run social -- [--port N] [--host H] [--data FILE] [--token T] [--latency-ms N] [--hang]
                         [--error-rate X] [--status N] [--retry-after S] [--malformed] [--seed S]

Runs the bundled social-data provider (contracts/social.md) in the foreground until SIGTERM/SIGINT,
serving the accounts in FILE (default: DATA_DIR/social/accounts.json, written by \`npm run seed\`).
The bearer token is --token, else SOCIAL_API_TOKEN, else dev-social-token. Misbehaviour, for demos:
--latency-ms delays every answer, --hang never answers, --error-rate answers 500 to that share of
calls (sequence seeded by --seed), --status answers every call with that status, --retry-after
answers 429 with Retry-After S, --malformed answers 200 with a body that is not JSON.`;

/** A wrong command line: exit 2, as every CLI of the project (the API's src/cli/command.ts, which this package may not import). */
class UsageError extends Error {}

function integer(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${value}`);
  return n;
}

/**
 * `npm run social`: prints `social provider listening on <url>` on stdout once it accepts
 * connections. --help prints the usage (exit 0); a wrong command line exits 2, any other error 1.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      data: { type: 'string' },
      token: { type: 'string' },
      'latency-ms': { type: 'string' },
      hang: { type: 'boolean', default: false },
      'error-rate': { type: 'string' },
      status: { type: 'string' },
      'retry-after': { type: 'string' },
      malformed: { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = integer('port', values.port, 0, 65535);
  const seed = integer('seed', values.seed, -(2 ** 31), 2 ** 32 - 1);
  const misbehave: Misbehaviour = { hang: values.hang, malformed: values.malformed };
  if (values['latency-ms'] !== undefined) misbehave.latencyMs = integer('latency-ms', values['latency-ms'], 0, 600_000);
  if (values.status !== undefined) misbehave.status = integer('status', values.status, 400, 599);
  if (values['retry-after'] !== undefined)
    misbehave.rateLimit = { retryAfterSeconds: integer('retry-after', values['retry-after'], 0, 86_400) };
  if (values['error-rate'] !== undefined) {
    const rate = Number(values['error-rate']);
    if (values['error-rate'].trim() === '' || !(rate >= 0 && rate <= 1))
      throw new UsageError(`--error-rate must be a number from 0 to 1, got ${values['error-rate']}`);
    misbehave.errorRate = rate;
  }
  const token = values.token ?? process.env.SOCIAL_API_TOKEN ?? 'dev-social-token';
  if (token === '') throw new UsageError('the token must not be empty');

  const file = values.data ?? socialAccountsPath(process.env.DATA_DIR || '.data');
  if (!existsSync(file)) {
    throw new Error(`no social accounts at ${file}: run \`npm run seed\` first to generate the demo data, or pass --data FILE`);
  }
  const accounts = loadSocialAccounts(file);
  const provider = await startSocialProvider({ host: values.host, port, token, accounts, misbehave, seed });
  console.log(`social provider loaded ${accounts.length} accounts from ${file}`);
  console.log(`social provider listening on ${provider.url}`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void provider.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS_');
  console.error(
    `social provider: ${error instanceof Error ? error.message : String(error)}${usage ? `\n\n${USAGE.split('\n\n')[0]}` : ''}`,
  );
  process.exit(usage ? 2 : 1);
});
