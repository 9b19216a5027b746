import { detect } from '../../packages/web/src/identifier';

/** The console's reading of what a caller says (packages/web): the API then normalises the value it is sent. */
describe('detect', () => {
  it.each([
    [' Deng.Yong@Foxmail.com ', { by: 'identifier', kind: 'EMAIL', value: 'Deng.Yong@Foxmail.com' }],
    ['138 0013 8000', { by: 'identifier', kind: 'PHONE', value: '138 0013 8000' }],
    ['+65 9018-5721', { by: 'identifier', kind: 'PHONE', value: '+65 9018-5721' }],
    ['(010) 6552 9988', { by: 'identifier', kind: 'PHONE', value: '(010) 6552 9988' }],
    ['SO2026000001', { by: 'identifier', kind: 'ORDER_NUMBER', value: 'SO2026000001' }],
    ['so-2026000001', { by: 'identifier', kind: 'ORDER_NUMBER', value: 'so2026000001' }],
    ['WeChat:@xiaoyan_dong', { by: 'identifier', kind: 'SOCIAL', value: 'WeChat:@xiaoyan_dong' }],
    ['weibo @li.na', { by: 'identifier', kind: 'SOCIAL', value: 'weibo:@li.na' }],
    ['c_000042', { by: 'id', id: 'c_000042' }],
    ['Li Na', { by: 'name', query: 'Li Na' }],
    ['邓勇', { by: 'name', query: '邓勇' }],
    ['12345', { by: 'name', query: '12345' }],
  ])('%s', (input, expected) => {
    expect(detect(input)).toEqual(expected);
  });

  it('reads nothing into blank input', () => {
    expect(detect('   ')).toBeNull();
  });
});
