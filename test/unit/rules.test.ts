import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_RULES, loadRules, parseRules } from '../../src/insights/rules';

describe('derivation rules', () => {
  it('are the BRIEF defaults without overrides', () => {
    expect(DEFAULT_RULES.rfm).toEqual({
      recencyDays: [30, 60, 90, 180],
      frequencyOrders: [10, 6, 3, 2],
      monetary: [10000, 5000, 2000, 500],
      windowDays: 365,
    });
    expect(DEFAULT_RULES.lifecycle).toEqual({
      newDays: 30,
      reactivationWindowDays: 30,
      reactivationGapDays: 180,
      activeDays: 90,
      atRiskDays: 180,
      dormantDays: 365,
    });
    expect(DEFAULT_RULES.interests).toEqual({
      halfLifeDays: 30,
      eventWeights: { product_view: 1, page_view: 1, search: 1, add_to_cart: 3, purchase: 5 },
    });
    expect(DEFAULT_RULES.churn.levels).toEqual({ medium: 0.4, high: 0.7 });
  });

  it('merge partial overrides over the defaults', () => {
    const rules = parseRules({ rfm: { windowDays: 180 }, interests: { eventWeights: { purchase: 8 } } });
    expect(rules.rfm).toEqual({ ...DEFAULT_RULES.rfm, windowDays: 180 });
    expect(rules.interests.eventWeights).toEqual({ ...DEFAULT_RULES.interests.eventWeights, purchase: 8 });
  });

  it.each([
    [{ rfm: { recencyDays: [30, 20, 90, 180] } }, /^rfm\.recencyDays: must increase$/],
    [{ rfm: { monetary: [1, 2, 3, 4] } }, /^rfm\.monetary: must decrease$/],
    [{ lifecycle: { atRiskDays: 80 } }, /^lifecycle: activeDays < atRiskDays < dormantDays must hold$/],
    [{ churn: { levels: { medium: 0.8 } } }, /^churn\.levels: medium must be below high$/],
    [{ churn: { weights: { frequencyDrop: 0.3 } } }, /^churn\.weights: frequencyDrop \+ unresolvedTickets must stay below levels\.medium$/],
    [{ valueTier: { potentialEventDays: 0 } }, /^valueTier\.potentialEventDays: /],
  ])('refuse %j with a line naming the setting', (overrides, message) => {
    expect(() => parseRules(overrides)).toThrow(message);
  });

  it('load from a JSON file, and say which file is unreadable', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'c360-rules-'));
    const file = path.join(dir, 'rules.json');
    writeFileSync(file, JSON.stringify({ valueTier: { potentialEventDays: 14 } }));
    expect(loadRules(file).valueTier.potentialEventDays).toBe(14);
    writeFileSync(file, '{ not json');
    expect(() => loadRules(file)).toThrow(new RegExp(`^cannot read ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(loadRules(undefined)).toBe(DEFAULT_RULES);
  });
});
