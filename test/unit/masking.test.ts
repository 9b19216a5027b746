import { mask, maskEmail, maskHandle, maskIdentifier, maskName, maskPhone } from '../../src/security/masking';

describe('masking', () => {
  it.each([
    ['lina.wang@example.com', 'l***@example.com'],
    ['a@b.cn', 'a***@b.cn'],
    ['not-an-email', 'n***l'],
  ])('masks e-mail %s as %s', (input, out) => expect(maskEmail(input)).toBe(out));

  it.each([
    ['+8613800138000', '+86 138****8000'],
    ['+14155550132', '+1 415***0132'],
    ['+442079460958', '+44 207***0958'],
    ['12345', '***45'],
  ])('masks phone %s as %s', (input, out) => expect(maskPhone(input)).toBe(out));

  it.each([
    ['Lina Wang', 'L. W.'],
    ['李娜', '李*'],
    ['欧阳娜娜', '欧***'],
    ['  tom  baker ', 'T. B.'],
  ])('masks name %s as %s', (input, out) => expect(maskName(input)).toBe(out));

  it.each([
    ['weibo:lina_88', 'weibo:l***8'],
    ['lina_88', 'l***8'],
    ['x:ab', 'x:***'],
    ['https://weibo.com/lina_88', 'https://weibo.com/***'],
  ])('masks handle %s as %s', (input, out) => expect(maskHandle(input)).toBe(out));

  it('masks identifiers by their kind', () => {
    expect(maskIdentifier('email', 'lina@example.com')).toBe('l***@example.com');
    expect(maskIdentifier('phone', '+8613800138000')).toBe('+86 138****8000');
    expect(maskIdentifier('social', 'weibo:lina_88')).toBe('weibo:l***8');
    expect(maskIdentifier('device_id', 'dev-lina-1')).toBe('dev-***');
    expect(mask('IDENTIFIER', 'anon-lina', { kind: 'anonymous_id' })).toBe('anon***');
  });

  it('withholds what has no partial form and keeps null as null', () => {
    expect(mask('BIRTHDATE', '1990-06-16', null)).toBeNull();
    expect(mask('TEXT', 'My address is 1 Main St', null)).toBe('[redacted]');
    expect(mask('EMAIL', null, null)).toBeNull();
    expect(mask('HANDLE', ['weibo:lina_88', 'x:tombaker'], null)).toEqual(['weibo:l***8', 'x:t***r']);
  });
});
