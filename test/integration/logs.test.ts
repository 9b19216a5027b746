import { Writable } from 'node:stream';
import pino from 'pino';
import { fixtureDataset, LINA, NOW } from '../fixtures/crm';
import { bearer } from '../helpers/tokens';
import { apiSuite } from '../helpers/suite';

/** Every log line the server writes during these requests, parsed. */
const lines: Record<string, unknown>[] = [];
const raw: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      raw.push(line);
      lines.push(JSON.parse(line));
    }
    done();
  },
});

const suite = apiSuite('logs', fixtureDataset(), {
  clock: () => NOW,
  // A CRM statement budget so short that some requests fail: failures are what gets logged in detail.
  env: { LOG_LEVEL: 'debug' },
  deps: { logger: pino({ level: 'debug' }, sink) },
});

describe('logs', () => {
  it("say which request, caller and operation, and never a person's data", async () => {
    const agent = await bearer(['agent'], { sub: 'agent-logs' });
    await suite.api.gql(
      `query Lookup($v: String!) { customerBy(identifier: { kind: EMAIL, value: $v }) { id profile { fullName } contact { email phone } } }`,
      { v: 'lina@example.com' },
      agent,
    );
    await suite.api.gql(
      `query ByPhone { customerBy(identifier: { kind: PHONE, value: "138 0013 8000" }) { id contact { phone } } }`,
      {},
      agent,
    );
    await suite.api.gql(`query Bad { customerBy(identifier: { kind: EMAIL, value: "lina.example.com" }) { id } }`, {}, agent);
    await suite.api.gql(`query Forbidden { customers(first: 1) { edges { node { id } } } }`, {}, agent);
    await suite.api.gql(`query Social { customer(id: "${LINA}") { social { accounts { handle } } } }`);
    await suite.api.gql('{ customer(id: "x") { nope } }');
    // An operation's name is the client's free text: it could be anything, a person's e-mail too.
    await suite.api.gql(`query lookup_lina_at_example_com { customer(id: "${LINA}") { id } }`, {}, agent);
    // So could a caller's request id: only a generated one (UUID, 32 hex digits) is logged.
    const callerId = '0f8fad5b-d9cb-469f-a165-70867728950e';
    await suite.api.gql(`{ customer(id: "${LINA}") { id } }`, {}, { ...agent, 'x-request-id': callerId });
    await suite.api.gql(`{ customer(id: "${LINA}") { id } }`, {}, { ...agent, 'x-request-id': 'lina_at_example.com' });
    expect(lines.filter((l) => l.msg === 'request').map((l) => l.callerRequestId)).toEqual([callerId]);

    const requests = lines.filter((l) => l.msg === 'graphql request');
    // None of these is safelisted (operations/): their names are logged as `other`, or `anonymous`.
    expect(requests.map((l) => l.operation)).toEqual([
      'other',
      'other',
      'other',
      'other',
      'other',
      'anonymous',
      'other',
      'anonymous',
      'anonymous',
    ]);
    for (const l of requests)
      expect(l).toMatchObject({
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        subject: expect.any(String),
        durationMs: expect.any(Number),
      });
    const [lookup, , bad, forbidden] = requests;
    expect(bad).toMatchObject({ level: 30, errors: ['BAD_USER_INPUT'], subject: 'agent-logs', roles: ['agent'] });
    expect(forbidden).toMatchObject({ status: 403, errors: ['FORBIDDEN'] });
    expect(lookup).toMatchObject({ level: 20, errors: [], roundTrips: { crm: expect.any(Number) } });
    // The social source is down in this suite: its failure is logged with the request id, nothing personal.
    expect(lines.some((l) => l.source === 'social' && typeof l.requestId === 'string')).toBe(true);

    const everything = raw.join('\n');
    for (const personal of [
      'lina@example.com',
      'Lina@Example',
      '13800138000',
      '138 0013 8000',
      '李娜',
      'weibo:lina_88',
      'lina.example.com',
      'lina_at_example',
    ]) {
      expect(everything).not.toContain(personal);
    }
    expect(everything).not.toMatch(/Bearer |eyJ/);
  });

  it('log bad input (a NUL, an oversized value, a mismatched persisted-query hash) at most at info, without a stack', async () => {
    const from = lines.length;
    await suite.api.gql('{ searchCustomers(query: "li\\u0000na") { id } }');
    await suite.api.gql('query($v: String!){ customerBy(identifier: { kind: EMAIL, value: $v }) { id } }', { v: 'a@' + '.'.repeat(300) });
    await suite.api.post(
      JSON.stringify({ query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 'b'.repeat(64) } } }),
    );
    const logged = lines.slice(from);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.filter((l) => (l.level as number) > 30)).toEqual([]);
    expect(JSON.stringify(logged)).not.toMatch(/stack|\.ts:\d/);
  });

  it('name the fields of a failed path, never the aliases a client chose', async () => {
    await suite.db.pool.query('ALTER TABLE support_tickets RENAME COLUMN subject TO title');
    try {
      const from = lines.length;
      await suite.api.gql(`{ lina_at_163_com: customer(id: "${LINA}") { id supportTickets { id } } }`);
      const failed = lines.slice(from).filter((l) => l.path);
      expect(failed.map((l) => l.path)).toEqual([['<alias>', 'supportTickets']]);
      expect(raw.slice(-20).join('\n')).not.toContain('lina_at_163_com');
    } finally {
      await suite.db.pool.query('ALTER TABLE support_tickets RENAME COLUMN title TO subject');
    }
  });
});
