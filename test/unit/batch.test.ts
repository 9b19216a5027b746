import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { tupleKey } from '../../src/sources/batch';

describe('tupleKey', () => {
  const part = fc.oneof(
    fc.string({ unit: 'binary' }),
    fc.constantFrom('', ':', ';', '~', 'T', 'F', '#1;', '1:a', '[1;'),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }),
  );
  const tuple = fc.array(part, { maxLength: 5 });
  // A key is text: -0 is written as 0, as a number's own text has it.
  const zeroed = (t: unknown[]): unknown[] => t.map((p) => (Array.isArray(p) ? zeroed(p) : Object.is(p, -0) ? 0 : p));

  it('is equal for two tuples exactly when they are equal (whatever their strings hold)', () => {
    fc.assert(
      fc.property(tuple, tuple, (a, b) => {
        expect(tupleKey(...a) === tupleKey(...b)).toBe(isDeepStrictEqual(zeroed(a), zeroed(b)));
      }),
      { numRuns: 2000 },
    );
  });

  it('tells apart tuples that join to the same text', () => {
    expect(tupleKey('a', 'bc')).not.toBe(tupleKey('ab', 'c'));
    expect(tupleKey(5, '13:x')).not.toBe(tupleKey(51, '3:x'));
    expect(tupleKey(null)).not.toBe(tupleKey('null'));
    expect(tupleKey(['a', 'b'], 'c')).not.toBe(tupleKey(['a'], 'b', 'c'));
    expect(tupleKey(true)).not.toBe(tupleKey('T'));
  });
});
