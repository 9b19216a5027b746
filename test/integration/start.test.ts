import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { ctrlC, devAdmin, ROOT, start, startEnv, type Start } from '../helpers/start';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The README's example operations: its ```graphql blocks, in order. */
function readmeExamples(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** A stand-in OpenTelemetry collector: keeps every OTLP/HTTP JSON trace export it receives. */
function startCollector() {
  const exports: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') exports.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise<{ url: string; exports: string[]; close(): void }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exports, close: () => server.close() }),
    ),
  );
}

/** Span names and their db.system, from OTLP JSON exports. */
const spansOf = (exports: string[]) =>
  exports.flatMap((e) =>
    (
      JSON.parse(e) as {
        resourceSpans: { scopeSpans: { spans: { name: string; attributes?: { key: string; value: { stringValue?: string } }[] }[] }[] }[];
      }
    ).resourceSpans
      .flatMap((r) => r.scopeSpans)
      .flatMap((s) => s.spans)
      .map((span) => ({ name: span.name, db: span.attributes?.find((a) => a.key === 'db.system')?.value.stringValue })),
  );

describe('npm start with no configuration', () => {
  let dataDir: string;
  let running: Start | undefined;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'c360-start-'));
    chmodSync(dataDir, 0o755);
    collector = await startCollector();
  });
  afterAll(async () => {
    if (running) ctrlC(running.child);
    await running?.exited;
    collector?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts the embedded sources with demo data, answers the README example, and on SIGTERM finishes the request in flight and stops cleanly', async () => {
    // The default demo dataset (2,000 customers, seed 42): the README's examples name its customers.
    // Traces go to the stand-in collector, as JSON, exported every 100 ms.
    running = await start(
      startEnv(dataDir, {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      }),
    );
    const { url } = running;
    const headers = await devAdmin(dataDir);
    // Nobody gets in without credentials, even in development.
    const anonymous = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ customers(first: 1) { totalCount } }' }),
    });
    expect(anonymous.status).toBe(401);

    const post = async (query: string) => {
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query }) });
      expect(res.status).toBe(200);
      return (await res.json()) as { data?: any; errors?: { extensions?: { code?: string; reason?: string } }[] };
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
      method: 'POST',
      headers,
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
    expect(new Set(people.map((p) => p.lifecycle.stage))).toEqual(
      new Set(['PROSPECT', 'NEW', 'ACTIVE', 'AT_RISK', 'DORMANT', 'CHURNED', 'REACTIVATED']),
    );
    expect(new Set(people.map((p) => p.valueTier))).toEqual(new Set(['HIGH_VALUE', 'REGULAR', 'POTENTIAL', 'LOW']));
    expect(new Set(people.flatMap((p) => p.tags.map((t) => t.family)))).toEqual(
      new Set(['DEMOGRAPHIC', 'BEHAVIOUR', 'INTEREST', 'VALUE', 'LIFECYCLE', 'RISK', 'PREFERENCE']),
    );

    // Every shipped example (README, docs/, the explorer's: examples/operations) answers on the demo with what it promises.
    const operation = (name: string) => readFileSync(path.join(ROOT, 'examples/operations', `${name}.graphql`), 'utf8');
    const lookup = await post(operation('Lookup'));
    expect(lookup.errors).toBeUndefined();
    expect([lookup.data.byPhone?.id, lookup.data.byEmail?.id, lookup.data.bySocial?.id]).toEqual(['c_000002', 'c_000002', 'c_000001']);
    expect(lookup.data.search.edges.map((e: { node: { id: string } }) => e.node.id)).toContain('c_000002');
    // Dashboards answer from the profile snapshot, which the demo builds in the background after the start.
    let dashboard = await post(operation('Dashboard'));
    for (let i = 0; i < 90 && dashboard.errors?.[0]?.extensions?.reason === 'not_built'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      dashboard = await post(operation('Dashboard'));
    }
    expect(dashboard.errors).toBeUndefined();
    expect(dashboard.data.customerStats.total).toBeGreaterThan(0);
    expect(dashboard.data.customerStats.byStage.length).toBeGreaterThan(0);

    // The partner example of docs/security.md: a key with its scopes runs PartnerCustomer by hash for the customer it names (who granted partner_sharing).
    const security = readFileSync(path.join(ROOT, 'docs/security.md'), 'utf8');
    const scopes = /apikey -- create .*--scopes ([a-z,]+)/
      .exec(security)![1]!
      .split(',')
      .map((x) => x.toUpperCase());
    const partnerId = /"variables":\{"id":"(c_\d+)"\}/.exec(security)![1]!;
    const created = await post(`mutation { createApiKey(input: { partner: "Docs", scopes: [${scopes.join(', ')}] }) { key } }`);
    const byHash = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': created.data.createApiKey.key },
      body: JSON.stringify({
        variables: { id: partnerId },
        extensions: {
          persistedQuery: { version: 1, sha256Hash: sha256(readFileSync(path.join(ROOT, 'operations/PartnerCustomer.graphql'), 'utf8')) },
        },
      }),
    });
    const partner = (await byHash.json()) as { data: { customer: { id: string } | null } };
    expect(partner.data.customer?.id).toBe(partnerId);

    // Traces: the HTTP request, its GraphQL operation, its CRM statements and behaviour aggregation,
    // and never a variable's value.
    await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        query: 'query Probe($e: String!) { customerBy(identifier: { kind: EMAIL, value: $e }) { id } }',
        variables: { e: 'probe-secret@example.com' },
      }),
    });
    for (let i = 0; i < 50 && !spansOf(collector.exports).some((s) => s.db === 'mongodb'); i++)
      await new Promise((r) => setTimeout(r, 100));
    const spans = spansOf(collector.exports);
    expect(spans.some((s) => /^POST/.test(s.name))).toBe(true);
    expect(spans.some((s) => /graphql|query/i.test(s.name))).toBe(true);
    expect(spans.some((s) => s.db === 'postgresql')).toBe(true);
    expect(spans.some((s) => s.db === 'mongodb')).toBe(true);
    expect(collector.exports.join('')).not.toContain('probe-secret');

    // SIGTERM while a request is in flight: it still gets its whole answer, then the process exits cleanly.
    // A page of 100 customers with derived fields takes a few hundred ms here.
    const inFlight = post('{ customers(first: 100) { edges { node { id lifecycle { stage } churnRisk { level } tags { key } } } } }');
    await new Promise((resolve) => setTimeout(resolve, 30));
    running.child.kill('SIGTERM');
    expect((await inFlight).data.customers.edges).toHaveLength(100);
    expect(await running.exited).toBe(0);
    running = undefined;
  }, 180_000);

  // The same data directory, demo data loaded: these starts take seconds.
  const records = (stdout: string) =>
    stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { msg: string; ms?: number });

  it('on Ctrl-C (SIGINT to its process group, embedded services included) drains, closes its pools, then stops the embedded services, in under 3 s', async () => {
    running = await start(startEnv(dataDir));
    const { url, child } = running;
    const res = await fetch(url, {
      method: 'POST',
      headers: await devAdmin(dataDir),
      body: JSON.stringify({ query: '{ customers(first: 5) { totalCount } }' }),
    });
    expect(res.status).toBe(200);
    const signalled = Date.now();
    ctrlC(child);
    expect(await running.exited).toBe(0);
    const elapsed = Date.now() - signalled;
    const stdout = running.stdout();
    const output = stdout + running.stderr();
    running = undefined;
    // Measured 0.1 s here (10 s before the embedded services ran in process groups of their own); a margin for a loaded CI machine.
    expect(elapsed).toBeLessThan(5000);
    // Not a terminal: every stdout line is a JSON record; the token is never printed, the record says how to mint one.
    const logged = records(stdout);
    expect(logged.map((r) => r.msg)).toContain('mint a development token with: npm run token -- --role admin');
    expect(output).not.toMatch(/Bearer |eyJ/);
    // Each step once, in this order, and `stopped` last.
    const steps = ['API closed', 'pools and clients closed', 'embedded services stopped', 'stopped'];
    const at = logged.map((r) => r.msg).filter((msg) => steps.includes(msg));
    expect(at).toEqual(steps);
    expect(logged.at(-1)!.msg).toBe('stopped');
    expect(logged.at(-1)!.ms).toBeLessThan(3000);
    // No connection lost, no library object (a pg Client) in the logs; PostgreSQL stopped (no postmaster.pid left).
    expect(output).not.toMatch(/secretKey|processID|connection lost|_events/);
    expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  }, 90_000);

  it('npm run snapshot ends with its summary and logs no library object', async () => {
    const snapshot = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/snapshot/cli.ts', '--incremental'], {
      cwd: ROOT,
      env: startEnv(dataDir, { SOCIAL_TIMEOUT_MS: '5000' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    snapshot.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    snapshot.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    expect(await new Promise((resolve) => snapshot.once('exit', resolve))).toBe(0);
    expect(output).toMatch(/^snapshot \d+ \(\w+\) as of .*customers computed/m);
    expect(output).not.toMatch(/secretKey|processID|connection lost|_events/);
  }, 180_000);

  it('LOG_FORMAT=pretty writes one human-readable line per record, one per GraphQL request', async () => {
    running = await start(startEnv(dataDir, { LOG_FORMAT: 'pretty', LOG_LEVEL: 'debug' }));
    const headers = await devAdmin(dataDir);
    for (const query of ['query Few { customers(first: 2) { totalCount } }', '{ customer(id: "c_000002") { id } }', 'query Bad { nope }'])
      await fetch(running.url, { method: 'POST', headers, body: JSON.stringify({ query }) });
    ctrlC(running.child);
    expect(await running.exited).toBe(0);
    const lines = running.stdout().split('\n').filter(Boolean);
    running = undefined;
    // `[HH:MM:ss] LEVEL: message`, the record's fields on the same line: never a JSON record, never a continuation line.
    for (const line of lines) expect(line).toMatch(/^\[\d\d:\d\d:\d\d\] (TRACE|DEBUG|INFO|WARN|ERROR|FATAL): \S/);
    const requests = lines.filter((line) => / graphql POST /.test(line));
    expect(requests).toHaveLength(3);
    expect(requests[0]).toMatch(/ graphql POST other 200 [\d.]+ ms admin$/);
    expect(requests[1]).toMatch(/ graphql POST anonymous 200 [\d.]+ ms admin$/);
    expect(requests[2]).toMatch(/ graphql POST anonymous 400 [\d.]+ ms admin errors=GRAPHQL_VALIDATION_FAILED$/);
    expect(lines.at(-1)).toMatch(/INFO: stopped/);
    // Nor a person's data, nor the token (stdout is not a terminal).
    expect(lines.join('\n')).not.toMatch(/c_000002|Bearer |eyJ/);
  }, 90_000);
});
