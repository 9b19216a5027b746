import { GraphQLError } from 'graphql';
import { checkFirst, decodeCursor, encodeCursor, sliceOf, toPage, type Page } from '../../src/pagination';

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

  /** The page as a client reads it: its cursors are getters, read here as GraphQL's execution reads them. */
  const read = <N>({ edges, pageInfo: p }: Page<N>) => ({
    edges: edges.map((e) => ({ cursor: e.cursor, node: e.node })),
    pageInfo: { hasNextPage: p.hasNextPage, hasPreviousPage: p.hasPreviousPage, startCursor: p.startCursor, endCursor: p.endCursor },
  });

  it('uses the extra row only to say there are more edges in the direction read', () => {
    const page = toPage([1, 2, 3], { size: 2, backward: false }, String, (n) => n * 10);
    expect(read(page)).toEqual({
      edges: [
        { cursor: '1', node: 10 },
        { cursor: '2', node: 20 },
      ],
      pageInfo: { hasNextPage: true, hasPreviousPage: false, startCursor: '1', endCursor: '2' },
    });
    expect(read(toPage([], { size: 2, backward: false }, String, (n: number) => n)).pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: false,
      startCursor: null,
      endCursor: null,
    });
  });

  it('hands a backward read back in the list order', () => {
    // Read before 5 in reverse: 4, 3, then the extra 2.
    const page = toPage([4, 3, 2], { size: 2, backward: true }, String, (n) => n);
    expect(page.edges.map((e) => e.node)).toEqual([3, 4]);
    expect(read(page).pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: '3', endCursor: '4' });
    expect(toPage([4, 3], { size: 2, backward: true }, String, (n) => n).pageInfo.hasPreviousPage).toBe(false);
  });
});

describe('sliceOf', () => {
  const bounds = { max: 100, defaultSize: 20 };
  const c = encodeCursor('orders', [5, 'o_5']);

  it('reads first/after forward, last/before backward, and the default size without either', () => {
    expect(sliceOf({}, 'orders', ['int', 'string'], bounds)).toEqual({ size: 20, backward: false, cursor: null, cursorArg: 'after' });
    expect(sliceOf({ first: 3, after: c }, 'orders', ['int', 'string'], bounds)).toMatchObject({
      size: 3,
      backward: false,
      cursor: [5, 'o_5'],
    });
    expect(sliceOf({ last: 4, before: c }, 'orders', ['int', 'string'], bounds)).toEqual({
      size: 4,
      backward: true,
      cursor: [5, 'o_5'],
      cursorArg: 'before',
    });
    expect(sliceOf({ before: c }, 'orders', ['int', 'string'], bounds)).toMatchObject({ size: 20, backward: true });
    expect(sliceOf({ last: 2 }, 'orders', ['int', 'string'], bounds)).toMatchObject({ size: 2, backward: true, cursor: null });
  });

  it.each([
    [{ first: 1, last: 1 }, /not both/],
    [{ first: 1, before: c }, /`before` goes with `last`/],
    [{ last: 1, after: c }, /`after` goes with `first`/],
    [{ last: 0 }, /`last` must be between 1 and 100/],
    [{ last: 101 }, /`last` must be between 1 and 100/],
    [{ last: 1, before: 'x' }, /`before` is not a cursor of this list: pass the pageInfo.startCursor/],
  ])('refuses %j with BAD_USER_INPUT', (args, message) => {
    expect(() => sliceOf(args, 'orders', ['int', 'string'], bounds)).toThrow(message);
  });
});
