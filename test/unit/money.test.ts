import { money } from '../../packages/web/src/money';

describe("the pages' money", () => {
  it('groups thousands and keeps the decimal digits the API sent, exactly', () => {
    expect(money('2912.60', 'CNY')).toBe('CNY 2,912.60');
    expect(money('509.00')).toBe('509.00');
    expect(money('-5.10')).toBe('-5.10');
    expect(money('1234567890123456789.05')).toBe('1,234,567,890,123,456,789.05');
  });
});
