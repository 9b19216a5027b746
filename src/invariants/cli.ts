import { readFileSync } from 'node:fs';
import { runCommand } from '../cli/command';
import { closeSources, openOperatorCrm } from '../bootstrap';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { checkInvariantsOf, formatReport } from './check';

const USAGE = `usage: npm run invariants -- [--requests FILE] [--json]

Checks the invariants of the stored data, in one read-only transaction (safe beside a running API):
every order and event counted once per person across merges; no identity link pointing at an erased
or missing record; every merge whole or undone; one audit row set per request that read personal data;
every snapshot version complete or invisible. The CRM database is DATABASE_URL, else the embedded
PostgreSQL under DATA_DIR (the running one beside \`npm start\`, or started for the command).
--requests FILE: a request log, one request id (x-request-id) per line, of requests that read personal
data; each must have its audit rows. --json: the report as JSON. Exits 1 when an invariant is violated.`;

runCommand(
  { name: 'invariants', usage: USAGE, options: { requests: { type: 'string' }, json: { type: 'boolean', default: false } } },
  async ({ values }) => {
    const requestIds = values.requests
      ? readFileSync(values.requests, 'utf8')
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l && !l.startsWith('#'))
      : [];
    const config = loadConfig();
    const logger = createLogger({ ...config, LOG_LEVEL: 'warn' });
    const crm = await openOperatorCrm(config, logger);
    try {
      const report = await checkInvariantsOf(crm.pool, requestIds);
      process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
      if (!report.clean) process.exitCode = 1;
    } finally {
      await closeSources([crm]);
    }
  },
);
