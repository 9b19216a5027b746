import { emailOf, emailSql, phoneOf, phoneSql } from '../../src/sources/crm/identifiers';
import { join, param, raw, sql, toQuery } from '../../src/sources/crm/sql';

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
      values: [1, ['p', 'q'], 3],
    });
    expect(toQuery(join([], ', '))).toEqual({ text: '', values: [] });
    expect(toQuery(join([sql`x = ${5}`], ', '))).toEqual({ text: 'x = $1', values: [5] });
  });

  it('binds a shared param once, wherever it is used', () => {
    const ids = param(['a', 'b']);
    const q = toQuery(sql`WITH k AS (SELECT unnest(${ids}::text[])) SELECT ${7}, ${sql`${ids}`}, ${ids}`);
    expect(q).toEqual({ text: 'WITH k AS (SELECT unnest($1::text[])) SELECT $2, $1, $1', values: [['a', 'b'], 7] });
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
