import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Every CLI of the project follows one convention (src/cli/command.ts): --help prints the usage and
 * exits 0; a wrong command line says what is wrong and the valid values and exits 2. Each runs as
 * `npm run <script>` does (tsx), in a DATA_DIR of its own: none of these command lines may reach a store.
 * One at a time: the suites beside this one time their servers, and each run compiles its imports.
 */
const ROOT = path.join(__dirname, '..', '..');
const DATA_DIR = mkdtempSync(path.join(os.tmpdir(), 'c360-cli-'));

interface Cli {
  file: string;
  /** A wrong argument, and what the message must say (valid values included). */
  bad: [string[], RegExp];
  /** Its required arguments left out, and what the message must say. */
  missing?: [string[], RegExp];
}

const CLIS: Cli[] = [
  {
    file: 'src/security/tokenCli.ts',
    bad: [['--role', 'admin', '--scopes', 'profil'], /Unknown scopes: profil\. Valid: profile, contact, identities, orders/],
    missing: [[], /Missing --role\. Valid: agent, analyst, partner, admin, service, marketer/],
  },
  {
    file: 'src/security/apiKeyCli.ts',
    bad: [['create', '--partner', 'p', '--scopes', 'orders,profil'], /Unknown scopes: profil\. Valid: profile, contact/],
    missing: [[], /Missing command\. Valid: create, revoke, list/],
  },
  { file: 'src/security/operationsCli.ts', bad: [['--manfest'], /Unknown option --manfest\. Valid: --manifest, --help/] },
  {
    file: 'src/schemaCli.ts',
    bad: [['prnt'], /Unknown command prnt\. Valid: print, check, subgraph/],
    missing: [[], /Missing command\. Valid: print, check, subgraph/],
  },
  { file: 'src/embedded/seedCli.ts', bad: [['--duplicates', '2'], /--duplicates must be a number from 0 to 1, got 2/] },
  { file: 'src/snapshot/cli.ts', bad: [['--batch', '0'], /--batch must be an integer from 1 to 5000, got 0/] },
  { file: 'src/snapshot/recoCli.ts', bad: [['--as-of', 'soon'], /--as-of must be an ISO instant not in the future, got soon/] },
  { file: 'src/invariants/cli.ts', bad: [['--request', 'ids.txt'], /Unknown option --request\. Valid: --requests VALUE, --json, --help/] },
  { file: 'bench/soak.ts', bad: [['--concurrency', '0'], /--concurrency must be an integer from 1 to 256, got 0/] },
  { file: 'packages/mongo-wire/src/cli.ts', bad: [['--port', 'x'], /--port must be a port number from 0 to 65535, got x[^]*--dbpath DIR/] },
  {
    file: 'packages/social-provider/src/cli.ts',
    bad: [['--error-rate', '2'], /--error-rate must be a number from 0 to 1, got 2[^]*--malformed/],
  },
  { file: 'bench/run.ts', bad: [['--concurrency', '1,x'], /--concurrency must be an integer from 1 to 256, got x/] },
  { file: 'bench/duplicates.ts', bad: [['--first', '0'], /--first must be an integer from 1 to 100000, got 0/] },
  { file: 'bench/reco.ts', bad: [['--customers', '10'], /--customers must be an integer from 1000 to 200000, got 10/] },
  { file: 'bench/snapshot.ts', bad: [['--customers', 'many'], /--customers must be an integer from 100 to 1000000, got many/] },
  { file: 'bench/outage.ts', bad: [['--signal', 'SIGHUP'], /--signal must be SIGKILL or SIGTERM, got SIGHUP/] },
  {
    file: 'bench/profile.ts',
    bad: [['--workload', 'crm'], /Unknown workload crm\. Valid: console-360, dashboard-page, search, crm-nested, lookup-500/],
  },
  { file: 'bench/fetchNode.ts', bad: [['22'], /Node version must be major\.minor\.patch, got 22/], missing: [[], /Missing Node version/] },
];

const run = (file: string, args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--require', 'tsx/cjs', file, ...args],
      { cwd: ROOT, env: { ...process.env, DATA_DIR, NODE_ENV: 'test', LOG_LEVEL: 'warn' }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });

describe('command-line conventions', () => {
  it('covers every CLI that package.json runs', () => {
    const { scripts } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const files = new Set(Object.values(scripts).flatMap((s) => [...s.matchAll(/\btsx (?:watch )?(\S+\.ts)/g)].map((m) => m[1]!)));
    files.delete('src/main.ts');
    expect([...files].filter((f) => !CLIS.some((c) => c.file === f))).toEqual([]);
  });

  describe.each(CLIS)('$file', ({ file, bad, missing }) => {
    it('--help prints the usage and exits 0', async () => {
      const { code, stdout } = await run(file, ['--help']);
      expect({ code, usage: stdout.startsWith('usage: ') }).toEqual({ code: 0, usage: true });
    });

    it(`a wrong argument (${bad[0].join(' ')}) says what is wrong and exits 2`, async () => {
      const { code, stderr } = await run(file, bad[0]);
      expect(stderr).toMatch(bad[1]);
      expect(code).toBe(2);
    });

    if (missing)
      it('without its required arguments, names them and exits 2', async () => {
        const { code, stderr } = await run(file, missing[0]);
        expect(stderr).toMatch(missing[1]);
        expect(code).toBe(2);
      });
  });
});
