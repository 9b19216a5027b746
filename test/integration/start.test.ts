import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** The README's example operations: its ```graphql blocks, in order. */
function readmeExamples(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** The URL and the development admin token the server prints when it is ready. */
function waitForReady(child: ChildProcess): Promise<{ url: string; token: string }> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`not ready after 60 s:\n${out}`)), 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /ready at (http:\/\/\S+?\/graphql)/.exec(out);
      const t = /Authorization: Bearer (\S+)/.exec(out);
      if (m && t) {
        clearTimeout(timer);
        resolve({ url: m[1]!, token: t[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code} before ready:\n${out}`)));
  });
}

describe('npm start with no configuration', () => {
  let dataDir: string;
  let child: ChildProcess | undefined;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'c360-start-'));
    chmodSync(dataDir, 0o755);
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts the embedded sources with demo data, answers the README example, and on SIGTERM finishes the request in flight and stops cleanly', async () => {
    // The default demo dataset (2,000 customers, seed 42): the README's examples name its customers.
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', NODE_ENV: 'development', LOG_LEVEL: 'info' };
    for (const name of ['DEMO_CUSTOMERS', 'DEMO_SEED']) delete env[name];
    for (const name of ['DATABASE_URL', 'MONGODB_URI', 'SOCIAL_API_URL', 'SOCIAL_API_TOKEN']) delete env[name];
    child = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const { url, token } = await waitForReady(child);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    // Nobody gets in without credentials, even in development.
    const anonymous = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ customers(first: 1) { totalCount } }' }) });
    expect(anonymous.status).toBe(401);

    const post = async (query: string) => {
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query }) });
      expect(res.status).toBe(200);
      return (await res.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] };
    };
    const [example, insights] = readmeExamples();
    const body = await post(example!);
    // Customers who refused profiling get CONSENT_REQUIRED on the consent-gated fields; nothing else fails.
    expect((body.errors ?? []).filter((e) => e.extensions?.code !== 'CONSENT_REQUIRED')).toEqual([]);
    const page = body.data.customers;
    expect(page.edges).toHaveLength(3);
    for (const { node } of page.edges) {
      expect(node.purchaseSummary.completedOrders).toBeGreaterThan(0);
      expect(node.orders.edges.length).toBeGreaterThan(0);
      // The embedded behaviour store and bundled social provider answer too (an empty Social is not null).
      expect(node.behaviour).not.toBeNull();
      expect(node.timeline.edges.length).toBeGreaterThan(0);
      expect(node.social).not.toBeNull();
    }
    // About half the demo customers have social accounts the bundled provider knows.
    const social = await fetch(url, {
      method: 'POST', headers,
      body: JSON.stringify({ query: '{ customers(first: 50) { edges { node { social { accounts { handle } } } } } }' }),
    });
    const socialBody = (await social.json()) as { data: { customers: { edges: { node: { social: { accounts: unknown[] } } }[] } } };
    expect(socialBody.data.customers.edges.filter((e) => e.node.social.accounts.length > 0).length).toBeGreaterThan(5);
    // The demo data has customers without completed orders too.
    expect(page.totalCount).toBeGreaterThan(0);
    expect(page.totalCount).toBeLessThan(2000);

    // The second example shows every lifecycle stage, value tier and tag family.
    const population = await post(insights!);
    expect(population.errors).toBeUndefined();
    const people = Object.values(population.data) as { valueTier: string; lifecycle: { stage: string }; tags: { family: string }[] }[];
    expect(new Set(people.map((p) => p.lifecycle.stage))).toEqual(new Set(['PROSPECT', 'NEW', 'ACTIVE', 'AT_RISK', 'DORMANT', 'CHURNED', 'REACTIVATED']));
    expect(new Set(people.map((p) => p.valueTier))).toEqual(new Set(['HIGH_VALUE', 'REGULAR', 'POTENTIAL', 'LOW']));
    expect(new Set(people.flatMap((p) => p.tags.map((t) => t.family)))).toEqual(
      new Set(['DEMOGRAPHIC', 'BEHAVIOUR', 'INTEREST', 'VALUE', 'LIFECYCLE', 'RISK', 'PREFERENCE']),
    );

    // SIGTERM while a request is in flight: it still gets its whole answer, then the process exits cleanly.
    const exited = new Promise<number | null>((resolve) => child!.on('exit', resolve));
    // A page of 100 customers with derived fields takes a few hundred ms here.
    const inFlight = post('{ customers(first: 100) { edges { node { id lifecycle { stage } churnRisk { level } tags { key } } } } }');
    await new Promise((resolve) => setTimeout(resolve, 30));
    child.kill('SIGTERM');
    expect((await inFlight).data.customers.edges).toHaveLength(100);
    expect(await exited).toBe(0);
    child = undefined;
  }, 90_000);
});
