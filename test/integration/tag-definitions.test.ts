import { I, insightsDataset, insightsEvents, NOW } from '../fixtures/insights';
import { bearer } from '../helpers/tokens';
import { apiSuite } from '../helpers/suite';

const suite = apiSuite('tag_definitions', insightsDataset(), { events: insightsEvents(), clock: () => NOW });
let ADMIN: Record<string, string>;
let ANALYST: Record<string, string>;

beforeAll(async () => {
  ADMIN = await bearer(['admin'], { sub: 'ops@example.com' });
  ANALYST = await bearer(['analyst']);
});

const UPSERT = `mutation U($input: TagDefinitionInput!) { upsertTagDefinition(input: $input) { key version label family expression enabled createdBy } }`;
const VIP = {
  key: 'vip_spender',
  label: 'VIP spender',
  family: 'VALUE',
  description: 'At least 9,000 spent in the window.',
  expression: 'facts.orders.spend365d >= 9000.0',
};
const tagsOf = async (id: string) =>
  (await suite.api.gql(`{ customer(id: "${id}") { tags(families: [VALUE]) { key evidence { fact value } } } }`)).body.data.customer.tags;

describe('tag definitions', () => {
  it('lists the default set, one version each', async () => {
    const { body } = await suite.api.gql('{ tagDefinitions { key version family enabled createdBy } }');
    expect(body.data.tagDefinitions).toHaveLength(35);
    expect(new Set(body.data.tagDefinitions.map((d: any) => d.family))).toEqual(
      new Set(['DEMOGRAPHIC', 'BEHAVIOUR', 'INTEREST', 'VALUE', 'LIFECYCLE', 'RISK', 'PREFERENCE']),
    );
    expect(body.data.tagDefinitions.every((d: any) => d.version === 1 && d.enabled && d.createdBy === 'system')).toBe(true);
  });

  it('refuses changes to anyone but an admin', async () => {
    const { body, status } = await suite.api.gql(UPSERT, { input: VIP }, ANALYST);
    expect(status).toBe(403);
    expect(body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const agent = await suite.api.gql(UPSERT, { input: VIP }, await bearer(['agent']));
    expect(agent.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(await tagsOf(I.WINDOW)).not.toContainEqual(expect.objectContaining({ key: 'vip_spender' }));
  });

  it.each([
    ['facts.orders.spend365d >= ', /found <EOF>|expecting|Syntax/i],
    ['facts.wallet.balance > 1.0', /unknown fact group facts\.wallet/],
    ['facts.orders.nope > 1', /field not found: nope/],
    ['facts.orders.spend365d', /not a bool/],
  ])('refuses the expression %j, saying why', async (expression, why) => {
    const { body } = await suite.api.gql(UPSERT, { input: { ...VIP, expression } }, ADMIN);
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.expression' });
    expect(body.errors![0]!.message).toMatch(why);
  });

  it('applies a new definition from the next request, versions changes and disables', async () => {
    const created = await suite.api.gql(UPSERT, { input: VIP }, ADMIN);
    expect(created.body.data.upsertTagDefinition).toEqual({
      key: 'vip_spender',
      version: 1,
      label: 'VIP spender',
      family: 'VALUE',
      expression: VIP.expression,
      enabled: true,
      createdBy: 'ops@example.com',
    });
    // Window Wu spent 10000.00 in the window.
    expect(await tagsOf(I.WINDOW)).toContainEqual({ key: 'vip_spender', evidence: [{ fact: 'orders.spend365d', value: '10000' }] });

    const raised = await suite.api.gql(UPSERT, { input: { ...VIP, expression: 'facts.orders.spend365d >= 20000.0' } }, ADMIN);
    expect(raised.body.data.upsertTagDefinition.version).toBe(2);
    expect(await tagsOf(I.WINDOW)).not.toContainEqual(expect.objectContaining({ key: 'vip_spender' }));

    const disabled = await suite.api.gql('mutation { disableTagDefinition(key: "rfm_loyal") { key version enabled } }', undefined, ADMIN);
    expect(disabled.body.data.disableTagDefinition).toEqual({ key: 'rfm_loyal', version: 2, enabled: false });
    expect(await tagsOf(I.WINDOW)).not.toContainEqual(expect.objectContaining({ key: 'rfm_loyal' }));
    const all = await suite.api.gql('{ on: tagDefinitions { key } all: tagDefinitions(includeDisabled: true) { key enabled } }');
    expect(all.body.data.on.map((d: any) => d.key)).not.toContain('rfm_loyal');
    expect(all.body.data.all).toContainEqual({ key: 'rfm_loyal', enabled: false });
    // Every version is kept: the table is the audit trail.
    const versions = await suite.db.pool.query(
      `SELECT key, version, enabled, created_by FROM c360.tag_definitions WHERE key IN ('vip_spender', 'rfm_loyal') ORDER BY key, version`,
    );
    expect(versions.rows).toEqual([
      { key: 'rfm_loyal', version: 1, enabled: true, created_by: 'system' },
      { key: 'rfm_loyal', version: 2, enabled: false, created_by: 'ops@example.com' },
      { key: 'vip_spender', version: 1, enabled: true, created_by: 'ops@example.com' },
      { key: 'vip_spender', version: 2, enabled: true, created_by: 'ops@example.com' },
    ]);
  });

  it('previews a draft on a sample of consenting customers, for admins only', async () => {
    const PREVIEW = `query P($e: String!) { previewTagDefinition(expression: $e, sample: 200) { evaluated matched matches { id } failed firstError } }`;
    expect((await suite.api.gql(PREVIEW, { e: 'true' }, ANALYST)).body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const { body } = await suite.api.gql(PREVIEW, { e: `facts.lifecycle.stage == 'REACTIVATED'` }, ADMIN);
    // 26 customers in the fixture, one without profiling consent. The social provider is unreachable in
    // this suite: the two customers with social identities (REACT_SOCIAL, CHURNER) cannot be evaluated.
    expect(body.data.previewTagDefinition).toMatchObject({ evaluated: 25, failed: 2, firstError: 'the social source is unavailable' });
    expect(body.data.previewTagDefinition.matches.map((m: any) => m.id).sort()).toEqual([I.REACT, I.REACT_180, I.RECENT_BUYER].sort());
    const broken = await suite.api.gql(PREVIEW, { e: 'facts.profile.age < 30' }, ADMIN);
    // Every fixture customer's age is null: not evaluable, reported rather than silently false.
    expect(broken.body.data.previewTagDefinition).toMatchObject({ evaluated: 25, matched: 1, failed: 24 });
    expect(broken.body.data.previewTagDefinition.firstError).toMatch(/overload/);
    const bad = await suite.api.gql(PREVIEW, { e: 'facts.' }, ADMIN);
    expect(bad.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a `matches` pattern it would compile for every customer unless it is a short constant', async () => {
    const PREVIEW = `query P($e: String!) { previewTagDefinition(expression: $e, sample: 200) { evaluated } }`;
    // 110 alternations: compiled on every evaluation of every element of every customer, it held the event loop for 14 s.
    const heavy = `["ab", "cd"].exists(x, x.matches("${'(a|b|c|d|e)*'.repeat(110)}z"))`;
    const variable = 'facts.profile.city.matches(facts.profile.city)';
    for (const [e, why] of [
      [heavy, /more than 64 characters/],
      [variable, /constant pattern/],
    ] as const) {
      const res = await suite.api.gql(PREVIEW, { e }, ADMIN);
      expect(res.body.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(why) });
    }
    const fine = await suite.api.gql(PREVIEW, { e: 'facts.profile.city.matches("^Hang")' }, ADMIN);
    expect(fine.body.errors).toBeUndefined();
  });
});
