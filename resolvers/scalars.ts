import { GraphQLScalarType, Kind } from 'graphql';
import { DateResolver, DateTimeResolver, JSONResolver } from 'graphql-scalars';

const MONEY = /^-?\d{1,12}(\.\d{1,2})?$/;

/** Exact decimal amounts as strings with two decimals; numbers are refused as input to avoid floats. */
const Money = new GraphQLScalarType<string, string>({
  name: 'Money',
  serialize(value) {
    const s = String(value);
    if (!MONEY.test(s)) throw new TypeError(`Money cannot represent ${s}`);
    const [int, frac = ''] = s.split('.');
    return `${int}.${frac.padEnd(2, '0')}`;
  },
  parseValue(value) {
    if (typeof value !== 'string' || !MONEY.test(value)) throw new TypeError('Money must be a decimal string such as "129.90".');
    return value;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING || !MONEY.test(ast.value)) throw new TypeError('Money must be a decimal string such as "129.90".');
    return ast.value;
  },
});

export const scalars = { DateTime: DateTimeResolver, Date: DateResolver, Money, JSON: JSONResolver };
