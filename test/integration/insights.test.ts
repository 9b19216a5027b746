import { CITY, D, I, insightsDataset, insightsEvents, insightsSocialAccounts, NOW, RECENCY_DAYS, recencyId } from '../fixtures/insights';
import { apiSuite } from '../helpers/suite';

const suite = apiSuite('insights', insightsDataset(), { events: insightsEvents(), clock: () => NOW, social: insightsSocialAccounts() });

const iso = (d: Date) => d.toISOString();
const page = async (fields: string) => {
  const res = await suite.api.gql(`{ customers(first: 100, filter: { city: "${CITY}" }) { edges { node { id ${fields} } } } }`);
  const byId = Object.fromEntries(res.body.data.customers.edges.map((e: any) => [e.node.id, e.node]));
  return { ...res, byId };
};
const one = (id: string, fields: string) => suite.api.gql(`{ customer(id: "${id}") { ${fields} } }`);

describe('Customer.rfm', () => {
  it('scores recency at 30/31, 60/61, 90/91, 180/181 and 365/366 days', async () => {
    const { body, byId } = await page('rfm { recency frequency monetary score segment daysSinceLastOrder orders365d spend365d }');
    expect(body.errors).toBeUndefined();
    // One completed order of 100.00 d days ago: F1 and M1; the order leaves the 365-day window at 366.
    const expected: Record<number, [number, string]> = {
      30: [5, 'NEW_CUSTOMERS'],
      31: [4, 'PROMISING'],
      60: [4, 'PROMISING'],
      61: [3, 'NEED_ATTENTION'],
      90: [3, 'NEED_ATTENTION'],
      91: [2, 'ABOUT_TO_SLEEP'],
      180: [2, 'ABOUT_TO_SLEEP'],
      181: [1, 'LOST'],
      365: [1, 'LOST'],
      366: [1, 'LOST'],
    };
    for (const d of RECENCY_DAYS) {
      const [r, segment] = expected[d]!;
      expect(byId[recencyId(d)].rfm).toEqual({
        recency: r,
        frequency: 1,
        monetary: 1,
        score: `${r}11`,
        segment,
        daysSinceLastOrder: d,
        orders365d: d <= 365 ? 1 : 0,
        spend365d: d <= 365 ? '100.00' : '0.00',
      });
    }
  });

  it('counts completed orders only, within 365 days, as of asOf', async () => {
    const { body } = await one(
      I.WINDOW,
      `
      now: rfm { score segment daysSinceLastOrder orders365d spend365d }
      halfDayEarlier: rfm(asOf: "${iso(new Date(NOW.getTime() - 43_200_000))}") { score daysSinceLastOrder orders365d spend365d }
      beforeLastOrder: rfm(asOf: "${iso(D(31))}") { score segment daysSinceLastOrder orders365d spend365d asOf }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.customer).toEqual({
      // Completed D(30) 3000, D(200) 3000, D(365) 4000 in the window (D(366) 500 just outside);
      // the cancelled, refunded and pending orders of the last days do not count.
      now: { score: '535', segment: 'LOYAL', daysSinceLastOrder: 30, orders365d: 3, spend365d: '10000.00' },
      // Half a day earlier the D(366) order is 365.5 days old: "days since" 365, inside.
      halfDayEarlier: { score: '535', daysSinceLastOrder: 29, orders365d: 4, spend365d: '10500.00' },
      // Before the D(30) order existed: last D(200) is 169 days old (R2); D(200), D(365), D(366) = 7500 (F3, M4).
      beforeLastOrder: { score: '234', segment: 'AT_RISK', daysSinceLastOrder: 169, orders365d: 3, spend365d: '7500.00', asOf: iso(D(31)) },
    });
  });

  it('scores frequency and monetary at their boundaries', async () => {
    const { byId } = await page('rfm { score segment } valueTier');
    // 10 orders of 1000.00: F5 M5. Six orders: F4; 4999.98 is M3, 5000.00 is M4.
    expect(byId[I.CHAMPION]).toMatchObject({ rfm: { score: '555', segment: 'CHAMPIONS' }, valueTier: 'HIGH_VALUE' });
    expect(byId[I.F6_M3]).toMatchObject({ rfm: { score: '543', segment: 'CHAMPIONS' }, valueTier: 'REGULAR' });
    expect(byId[I.F6_M4]).toMatchObject({ rfm: { score: '544', segment: 'CHAMPIONS' }, valueTier: 'HIGH_VALUE' });
    expect(byId[I.P_RECENT]).toMatchObject({ rfm: { score: '111', segment: 'NO_PURCHASES' } });
  });
});

describe('Customer.valueTier', () => {
  it('is POTENTIAL for a prospect with an event at most 30 days old, through its identities, else LOW', async () => {
    const { byId } = await page('valueTier');
    expect(byId[I.P_RECENT].valueTier).toBe('POTENTIAL'); // event D(30)
    expect(byId[I.P_OLD].valueTier).toBe('LOW'); // event D(31)
    expect(byId[I.P_FUTURE].valueTier).toBe('LOW'); // its only event is after NOW
    expect(byId[I.P_ANON].valueTier).toBe('POTENTIAL'); // D(5), by its anonymous id only
    expect(byId[recencyId(366)].valueTier).toBe('REGULAR');
  });

  it('costs no behaviour or social call for a customer with orders', async () => {
    const { body, roundTrips } = await one(I.WINDOW, 'rfm { score } valueTier');
    expect(body.data.customer).toEqual({ rfm: { score: '535' }, valueTier: 'REGULAR' });
    // The customer, then its CRM facts; nothing else.
    expect(roundTrips).toEqual({ crm: 2, behaviour: 0, social: 0 });
  });
});

describe('Customer.lifecycle', () => {
  const FIELDS = 'lifecycle { stage since lastActivityAt daysSinceLastActivity partial missingSources }';
  const stage = (stage: string, since: Date | null, last: Date | null, days: number | null) => ({
    stage,
    since: since && iso(since),
    lastActivityAt: last && iso(last),
    daysSinceLastActivity: days,
    partial: false,
    missingSources: [],
  });

  it('places every customer by the first matching rule', async () => {
    const { body, byId } = await page(FIELDS);
    expect(body.errors).toBeUndefined();
    // One order D(d): NEW at 30; ACTIVE to 90; AT_RISK 91–180 (since the day the order turned 91);
    // DORMANT 181–365; CHURNED beyond.
    expect(byId[recencyId(30)].lifecycle).toEqual(stage('NEW', D(30), D(30), 30));
    expect(byId[recencyId(31)].lifecycle).toEqual(stage('ACTIVE', null, D(31), 31));
    expect(byId[recencyId(90)].lifecycle).toEqual(stage('ACTIVE', null, D(90), 90));
    expect(byId[recencyId(91)].lifecycle).toEqual(stage('AT_RISK', NOW, D(91), 91));
    expect(byId[recencyId(180)].lifecycle).toEqual(stage('AT_RISK', D(89), D(180), 180));
    expect(byId[recencyId(181)].lifecycle).toEqual(stage('DORMANT', NOW, D(181), 181));
    expect(byId[recencyId(365)].lifecycle).toEqual(stage('DORMANT', D(184), D(365), 365));
    expect(byId[recencyId(366)].lifecycle).toEqual(stage('CHURNED', NOW, D(366), 366));
    // Prospects: since they were created; their activity is behaviour only (after NOW ignored).
    expect(byId[I.P_RECENT].lifecycle).toEqual(stage('PROSPECT', D(100), D(30), 30));
    expect(byId[I.P_FUTURE].lifecycle).toEqual(stage('PROSPECT', D(100), null, null));
    expect(byId[I.P_ANON].lifecycle).toEqual(stage('PROSPECT', D(100), D(5), 5));
    // A long gap, then new activity in the last 30 days: 390, exactly 180 days; 179 is not enough.
    expect(byId[I.REACT].lifecycle).toEqual(stage('REACTIVATED', D(10), D(10), 10));
    expect(byId[I.REACT_180].lifecycle).toEqual(stage('REACTIVATED', D(20), D(20), 20));
    expect(byId[I.GAP_179].lifecycle).toEqual(stage('ACTIVE', null, D(20), 20));
    // A brand-mentioning post is activity (the later post without the brand is not).
    expect(byId[I.REACT_SOCIAL].lifecycle).toEqual(stage('REACTIVATED', D(5), D(5), 5));
    // Cancelled, refunded and pending orders are not activity: D(30) is the last completed one.
    expect(byId[I.WINDOW].lifecycle).toEqual(stage('ACTIVE', null, D(30), 30));
  });
});

describe('Customer.interests', () => {
  it('weighs event types, halves every 30 days, and normalises to 1', async () => {
    const { body } = await one(I.INTERESTS, 'all: interests(first: 20) { category weight } top: interests(first: 1) { category }');
    expect(body.errors).toBeUndefined();
    // skincare 1 + 0.5, makeup 3 × 0.5, outdoor 5 × 0.25: of 4.25; ties by name.
    expect(body.data.customer.all).toEqual([
      { category: 'makeup', weight: expect.closeTo(1.5 / 4.25, 12) },
      { category: 'skincare', weight: expect.closeTo(1.5 / 4.25, 12) },
      { category: 'outdoor', weight: expect.closeTo(1.25 / 4.25, 12) },
    ]);
    expect(body.data.customer.top).toEqual([{ category: 'makeup' }]);
  });

  it('touches only the behaviour source', async () => {
    const { roundTrips } = await one(I.INTERESTS, 'interests { category }');
    expect(roundTrips).toEqual({ crm: 2, behaviour: 1, social: 0 });
  });
});

describe('Customer.churnRisk', () => {
  const FIELDS = 'churnRisk { score level factors { name contribution detail } partial missingSources }';

  it('explains a high risk factor by factor', async () => {
    const { body } = await one(I.CHURNER, FIELDS);
    expect(body.errors).toBeUndefined();
    expect(body.data.customer.churnRisk).toEqual({
      score: 0.835,
      level: 'HIGH',
      factors: [
        // 150 days since the last order, 4 usual intervals (37.5 days): the full 0.45.
        { name: 'RECENCY', contribution: 0.45, detail: '150 days since the last order; usually 38 days between orders' },
        // 1 order in the last 180 days against 4 before: a 75 % drop of 0.2.
        { name: 'FREQUENCY_DROP', contribution: 0.15, detail: '1 order in the last 180 days against 4 in the 180 before' },
        { name: 'BAD_RATINGS', contribution: 0.1, detail: '1 ticket rated 2 or lower in the last 365 days' },
        // 1 of the 2 unresolved tickets that give the full 0.15.
        { name: 'UNRESOLVED_TICKETS', contribution: 0.075, detail: '1 unresolved ticket' },
        // Brand mentions of the last 90 days: mean of -0.8 and -0.4; the older +0.9 is outside.
        { name: 'NEGATIVE_SENTIMENT', contribution: 0.06, detail: 'mean sentiment -0.60 over 2 brand mentions in the last 90 days' },
      ],
      partial: false,
      missingSources: [],
    });
  });

  it('counts tickets as they stood at asOf', async () => {
    const { body } = await one(I.CHURNER, `churnRisk(asOf: "${iso(D(101))}") { score level factors { name contribution detail } }`);
    expect(body.data.customer.churnRisk).toEqual({
      // At D(101): the ticket resolved D(100) was still open, its rating not yet given; the D(20) ticket did
      // not exist. Last order D(150): 49 days, 1.31 usual intervals: 0.45 × 0.31 / 2. No drop: 4 orders in
      // the last 180 days against 1. Brand mentions then: only the +0.9 one.
      score: 0.144,
      level: 'LOW',
      factors: [
        { name: 'UNRESOLVED_TICKETS', contribution: 0.075, detail: '1 unresolved ticket' },
        { name: 'RECENCY', contribution: 0.069, detail: '49 days since the last order; usually 38 days between orders' },
      ],
    });
  });

  it('is LOW without factors for a customer who bought in the last 30 days with no bad tickets', async () => {
    const { body } = await one(I.RECENT_BUYER, FIELDS);
    expect(body.data.customer.churnRisk).toEqual({ score: 0, level: 'LOW', factors: [], partial: false, missingSources: [] });
  });

  it('measures recency against the default interval for a single order', async () => {
    const { byId } = await page('churnRisk { score level factors { name contribution } }');
    // One order: a usual interval of 90 days. 180 days = 2 intervals: half of 0.45.
    expect(byId[recencyId(180)].churnRisk).toEqual({ score: 0.225, level: 'LOW', factors: [{ name: 'RECENCY', contribution: 0.225 }] });
    // 181 days: 0.45 × (181/90 − 1) / 2, and the order left the last 180 days: a full drop of 0.2.
    expect(byId[recencyId(181)].churnRisk).toEqual({
      score: 0.4275,
      level: 'MEDIUM',
      factors: [
        { name: 'RECENCY', contribution: 0.2275 },
        { name: 'FREQUENCY_DROP', contribution: 0.2 },
      ],
    });
  });
});

describe('consent', () => {
  it('withholds interests, churnRisk and tags without profiling consent, and keeps the operational fields', async () => {
    const { body } = await one(
      I.NO_CONSENT,
      'rfm { score } valueTier lifecycle { stage } interests { category } churnRisk { score } tags { key } serviceHints { code }',
    );
    expect(body.data.customer).toEqual({
      rfm: { score: '511' },
      valueTier: 'REGULAR',
      lifecycle: { stage: 'NEW' },
      interests: null,
      churnRisk: null,
      tags: null,
      // No retention hint either: it would use the churn score.
      serviceHints: [{ code: 'ONBOARDING' }, { code: 'NO_MARKETING' }],
    });
    expect(body.errors!.map((e) => [e.path!.at(-1), e.extensions!.code]).sort()).toEqual([
      ['churnRisk', 'CONSENT_REQUIRED'],
      ['interests', 'CONSENT_REQUIRED'],
      ['tags', 'CONSENT_REQUIRED'],
    ]);
  });
});

describe('Customer.tags', () => {
  it('says why each tag applies', async () => {
    const { body } = await one(I.CHURNER, 'tags(families: [RISK]) { key label family evidence { fact value } }');
    expect(body.errors).toBeUndefined();
    expect(body.data.customer.tags).toEqual([
      { key: 'churn_risk_high', label: 'High churn risk', family: 'RISK', evidence: [{ fact: 'churn.level', value: '"HIGH"' }] },
      { key: 'negative_voice', label: 'Negative voice', family: 'RISK', evidence: [{ fact: 'social.sentiment90d', value: '-0.6' }] },
      {
        key: 'service_issue',
        label: 'Service issue',
        family: 'RISK',
        evidence: [
          { fact: 'tickets.unresolved', value: '1' },
          { fact: 'tickets.badRatings', value: '1' },
        ],
      },
    ]);
  });

  it('covers the families from every source', async () => {
    const { byId } = await page('tags { key }');
    const keys = (id: string) => byId[id].tags.map((t: { key: string }) => t.key);
    expect(keys(I.WINDOW)).toEqual(expect.arrayContaining(['young_adult', 'rfm_loyal', 'big_spender'])); // 25 today; 10000.00
    expect(keys(I.CHAMPION)).toEqual(expect.arrayContaining(['high_value', 'rfm_champion', 'price_sensitive'])); // all items at 80 of 100
    expect(keys(I.INTERESTS)).toEqual(expect.arrayContaining(['likes_makeup', 'likes_skincare', 'new_customer']));
    expect(keys(I.INTERESTS)).not.toContain('likes_outdoor'); // 0.29 < 0.3
    expect(keys(I.REACT)).toContain('reactivated');
    expect(keys(recencyId(366))).toContain('churned');
  });
});

describe('Customer.serviceHints', () => {
  it('tells the agent what matters first', async () => {
    const { body } = await one(I.CHURNER, 'serviceHints { code reason }');
    expect(body.data.customer.serviceHints).toEqual([
      { code: 'OPEN_TICKETS', reason: '1 ticket(s) still open or pending' },
      { code: 'BAD_RATING', reason: '1 recent ticket(s) rated poorly' },
      { code: 'RETENTION_OFFER', reason: 'churn risk 0.83, mostly: 150 days since the last order; usually 38 days between orders' },
      { code: 'NO_MARKETING', reason: 'no marketing consent' },
    ]);
    const vip = await one(I.CHAMPION, 'serviceHints { code }');
    expect(vip.body.data.customer.serviceHints).toEqual([{ code: 'VIP_ROUTING' }]);
    const dormant = await one(recencyId(181), 'serviceHints { code }');
    expect(dormant.body.data.customer.serviceHints).toEqual([{ code: 'WIN_BACK' }]);
  });
});

describe('derived fields, batched and lazy', () => {
  const ALL = `rfm { score } valueTier lifecycle { stage } interests { category } churnRisk { level } tags { key } serviceHints { code }`;

  it('cost one round trip per source for the whole page, facts loaded once', async () => {
    const { body, roundTrips } = await page(ALL);
    expect(body.data.customers.edges).toHaveLength(26);
    // The only errors: the consent-gated fields of the customer without profiling consent.
    expect(new Set(body.errors!.map((e) => `${body.data.customers.edges[e.path![2] as number].node.id}:${e.extensions!.code}`))).toEqual(
      new Set([`${I.NO_CONSENT}:CONSENT_REQUIRED`]),
    );
    // The page, then one CRM statement with every CRM fact, one aggregation, one provider call.
    expect(roundTrips).toEqual({ crm: 2, behaviour: 1, social: 1 });
    const again = await page(`${ALL} second: rfm { score } l2: lifecycle { stage }`);
    expect(again.roundTrips).toEqual({ crm: 2, behaviour: 1, social: 1 });
  });

  it.each([
    ['identities { value } consents { purpose } rfm { score }', { crm: 2, behaviour: 0, social: 0 }],
    ['behaviour { sessions } interests { category }', { crm: 2, behaviour: 1, social: 0 }],
    ['behaviour { sessions } lifecycle { stage }', { crm: 2, behaviour: 1, social: 1 }],
    ['social { accounts { handle } } churnRisk { score } tags { key }', { crm: 2, behaviour: 1, social: 1 }],
    [
      'identities { value } behaviour { lastSeenAt } social { accounts { handle } } serviceHints { code } valueTier',
      { crm: 2, behaviour: 1, social: 1 },
    ],
  ])('share one round trip per source with the plain fields of the level: %s', async (fields, expected) => {
    const { roundTrips } = await page(fields);
    expect(roundTrips).toEqual(expected);
  });

  it('compute nothing when none is asked for', async () => {
    const { roundTrips } = await page('id');
    expect(roundTrips).toEqual({ crm: 1, behaviour: 0, social: 0 });
  });

  it('refuse an asOf in the future', async () => {
    const { body } = await one(I.WINDOW, `rfm(asOf: "${iso(new Date(NOW.getTime() + 1000))}") { score }`);
    expect(body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });
});
