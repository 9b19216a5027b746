import { GraphQLError } from 'graphql';
import { checkFirst, decodeCursor, encodeCursor, toPage } from '../../src/pagination';

describe('cursors', () => {
  it('round-trip the sort key under their tag', () => {
    const c = encodeCursor('orders', [1718000000000000, 'o_1']);
    expect(decodeCursor('orders', c, ['int', 'string'])).toEqual([1718000000000000, 'o_1']);
  });

  it.each([
    ['another tag', encodeCursor('customers:id_asc', ['c_1'])],
    ['another arity', encodeCursor('orders', [1])],
    ['not base64 JSON', '!!!'],
    ['an object', Buffer.from('{"a":1}').toString('base64url')],
    ['a fractional timestamp', encodeCursor('orders', [1.5, 'o_1'])],
    ['a timestamp beyond 2^53', encodeCursor('orders', [1e300, 'o_1'])],
    ['a number for an id', encodeCursor('orders', [1, 2])],
  ])('refuse %s with BAD_USER_INPUT', (_, cursor) => {
    try {
      decodeCursor('orders', cursor, ['int', 'string']);
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(GraphQLError);
      expect((e as GraphQLError).extensions.code).toBe('BAD_USER_INPUT');
    }
  });
});

describe('checkFirst and toPage', () => {
  it('bounds first', () => {
    expect(checkFirst(1, 100)).toBe(1);
    expect(checkFirst(100, 100)).toBe(100);
    expect(() => checkFirst(0, 100)).toThrow('between 1 and 100 (got 0)');
    expect(() => checkFirst(2.5, 100)).toThrow(GraphQLError);
  });

  it('uses the extra row only to say there is a next page', () => {
    const page = toPage([1, 2, 3], 2, String, (n) => n * 10);
    expect(page).toEqual({
      edges: [
        { cursor: '1', node: 10 },
        { cursor: '2', node: 20 },
      ],
      pageInfo: { hasNextPage: true, endCursor: '2' },
    });
    expect(toPage([], 2, String, (n: number) => n).pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });
});
