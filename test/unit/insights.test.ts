import { churnRisk } from '../../src/insights/churn';
import { interests } from '../../src/insights/interests';
import { lifecycle } from '../../src/insights/lifecycle';
import { rfm } from '../../src/insights/rfm';
import { DEFAULT_RULES as RULES } from '../../src/insights/rules';

/** The pure rules at fractional-day boundaries: "days since" is floor((asOf − t) / 24 h). */
const ASOF = new Date('2026-06-15T12:00:00Z');
const ago = (days: number) => new Date(ASOF.getTime() - days * 86_400_000);
const orders = (last: Date | null, inWindow = 1, spend = '100.00') => ({
  completedOrders: last ? 1 : 0,
  firstOrderAt: last,
  lastOrderAt: last,
  ordersInWindow: last ? inWindow : 0,
  spendInWindow: last ? spend : '0.00',
});

describe('rfm', () => {
  it.each([
    [30.99, 5],
    [31, 4],
    [60.5, 4],
    [61, 3],
    [90.99, 3],
    [91, 2],
    [180.99, 2],
    [181, 1],
  ])('an order %s days ago is 30-day-floored to R %s', (days, r) => {
    expect(rfm(orders(ago(days)), RULES, ASOF).recency).toBe(r);
  });

  it('scores M at the exact thresholds', () => {
    expect(rfm(orders(ago(1), 3, '4999.99'), RULES, ASOF).monetary).toBe(3);
    expect(rfm(orders(ago(1), 3, '5000.00'), RULES, ASOF).monetary).toBe(4);
    expect(rfm(orders(ago(1), 2, '499.99'), RULES, ASOF)).toMatchObject({
      frequency: 2,
      monetary: 1,
      score: '521',
      segment: 'POTENTIAL_LOYALIST',
    });
  });
});

describe('lifecycle', () => {
  const created = ago(1000);
  const one = (days: number) =>
    lifecycle(
      {
        customerCreatedAt: created,
        completedOrders: 1,
        firstOrderAt: ago(days),
        activity: [{ last: ago(days), earliestRecent: null, latestBefore: null }],
      },
      RULES,
      ASOF,
    ).stage;

  it.each([
    [30.99, 'NEW'],
    [31, 'ACTIVE'],
    [90.99, 'ACTIVE'],
    [91, 'AT_RISK'],
    [180.99, 'AT_RISK'],
    [181, 'DORMANT'],
    [365.99, 'DORMANT'],
    [366, 'CHURNED'],
  ])('a single order %s days ago: %s', (days, stage) => expect(one(days)).toBe(stage));

  it('is REACTIVATED when the gap reaches 180 whole days', () => {
    const at = (gapDays: number) =>
      lifecycle(
        {
          customerCreatedAt: created,
          completedOrders: 1,
          firstOrderAt: ago(400),
          activity: [{ last: ago(10), earliestRecent: ago(10), latestBefore: ago(10 + gapDays) }],
        },
        RULES,
        ASOF,
      ).stage;
    expect(at(179.99)).toBe('ACTIVE');
    expect(at(180)).toBe('REACTIVATED');
  });
});

describe('interests', () => {
  it('normalises to 1 and orders ties by name', () => {
    expect(
      interests(
        [
          { category: 'b', weight: 1 },
          { category: 'a', weight: 1 },
          { category: 'c', weight: 2 },
        ],
        5,
      ),
    ).toEqual([
      { category: 'c', weight: 0.5 },
      { category: 'a', weight: 0.25 },
      { category: 'b', weight: 0.25 },
    ]);
    expect(interests([], 5)).toEqual([]);
  });
});

describe('churnRisk', () => {
  const base = {
    completedOrders: 3,
    meanIntervalDays: 20,
    ordersRecent: 0,
    ordersPrior: 0,
    unresolvedTickets: 0,
    badRatings: 0,
    sentiment: null,
  };

  it('ignores recency while the last order is at most 30 days old, however short the usual interval', () => {
    expect(churnRisk({ ...base, lastOrderAt: ago(30.99) }, RULES, ASOF)).toEqual({ score: 0, level: 'LOW', factors: [] });
    // 31 days at a 20-day interval: (31/20 − 1) / 2 × 0.45.
    expect(churnRisk({ ...base, lastOrderAt: ago(31) }, RULES, ASOF).factors).toEqual([
      { name: 'RECENCY', contribution: 0.1238, detail: '31 days since the last order; usually 20 days between orders' },
    ]);
  });

  it('levels at 0.4 and 0.7', () => {
    const at = (unresolved: number, bad: number, days: number) =>
      churnRisk({ ...base, lastOrderAt: ago(days), unresolvedTickets: unresolved, badRatings: bad }, RULES, ASOF);
    // Full recency (0.45): MEDIUM. With a bad rating and two open tickets: 0.45 + 0.1 + 0.15 = 0.7, HIGH.
    expect(at(0, 0, 200).level).toBe('MEDIUM');
    expect(at(2, 1, 200)).toMatchObject({ score: 0.7, level: 'HIGH' });
    expect(at(2, 1, 10)).toMatchObject({ score: 0.25, level: 'LOW' });
  });
});
