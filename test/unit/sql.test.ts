import { emailOf, emailSql, phoneOf, phoneSql } from '../../src/sources/crm/identifiers';
import fc from 'fast-check';
import { arrayLiteral, join, param, raw, sql, toQuery } from '../../src/sources/crm/sql';
// pg's own conversion of a parameter (what it sends for a value it is given).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (v: unknown) => unknown };

describe('sql fragments', () => {
  it('numbers values left to right across nested fragments', () => {
    const cond = sql`a = ${1} AND b = ${sql`lower(${'x'})`}`;
    expect(toQuery(sql`SELECT * FROM t WHERE ${cond} LIMIT ${10}`)).toEqual({
      text: 'SELECT * FROM t WHERE a = $1 AND b = lower($2) LIMIT $3',
      values: [1, 'x', 10],
    });
  });

  it('joins fragments with a separator, keeping the values in order', () => {
    const where = join([sql`a = ${1}`, sql`TRUE`, sql`b = ANY(${['p', 'q']}::text[])`, sql`c < ${3}`], ' AND ');
    expect(toQuery(sql`WHERE ${where}`)).toEqual({
      text: 'WHERE a = $1 AND TRUE AND b = ANY($2::text[]) AND c < $3',
      values: [1, '{"p","q"}', 3],
    });
    expect(toQuery(join([], ', '))).toEqual({ text: '', values: [] });
    expect(toQuery(join([sql`x = ${5}`], ', '))).toEqual({ text: 'x = $1', values: [5] });
  });

  it('binds a shared param once, wherever it is used', () => {
    const ids = param(['a', 'b']);
    const q = toQuery(sql`WITH k AS (SELECT unnest(${ids}::text[])) SELECT ${7}, ${sql`${ids}`}, ${ids}`);
    expect(q).toEqual({ text: 'WITH k AS (SELECT unnest($1::text[])) SELECT $2, $1, $1', values: ['{"a","b"}', 7] });
  });

  it('binds equal plain values separately (their types may differ)', () => {
    expect(toQuery(sql`${1}, ${1}`)).toEqual({ text: '$1, $2', values: [1, 1] });
  });

  it('splices only allow-listed identifiers', () => {
    expect(toQuery(sql`SELECT s.${raw('city')} FROM s`)).toEqual({ text: 'SELECT s.city FROM s', values: [] });
    expect(() => raw('city; DROP TABLE customers')).toThrow(/not allowed/);
    expect(() => raw('full_name')).toThrow(/not allowed/);
  });

  it('never takes a value as text', () => {
    const evil = "x'; DROP TABLE t; --";
    expect(toQuery(sql`SELECT ${evil}`)).toEqual({ text: 'SELECT $1', values: [evil] });
  });
});

describe('array parameters', () => {
  it('are sent as the literal pg would make of them, for any strings, numbers and nulls', () => {
    const element = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.constantFrom('"', '\\', 'NULL', '{a,b}', ''),
      fc.double(),
      fc.integer(),
      fc.constant(null),
    );
    fc.assert(fc.property(fc.array(element, { maxLength: 20 }), (list) => expect(arrayLiteral(list)).toBe(prepareValue(list))));
  });

  it('leave other arrays to pg', () => {
    expect(arrayLiteral([new Date(0)])).toBeUndefined();
    expect(arrayLiteral([['nested']])).toBeUndefined();
    expect(toQuery(sql`x = ANY(${[1, 'a"b']})`).values).toEqual(['{"1","a\\"b"}']);
  });
});

describe('sql fragments as text', () => {
  it('refuses to become a plain string (its values would be lost)', () => {
    const f = sql`a = ${1}`;
    expect(() => `${f as unknown as string}`).toThrow(/used as a string/);
  });
});

describe('the fragment twins of the identifier normalisations', () => {
  it('spell the same SQL as emailSql and phoneSql (migration 7 and the lookup suite pin those)', () => {
    expect(toQuery(emailOf(sql`c.email`)).text).toBe(emailSql('c.email'));
    expect(toQuery(phoneOf(sql`i.value`)).text).toBe(phoneSql('i.value'));
  });
});
